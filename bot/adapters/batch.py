"""The batch interface (``supportbot ask --jsonl``): one JSON object per line in, one per line out.

Input lines are ``{"user": str, "brand": str?, "now": str?, "language": str?, "text": str}`` or
``{"user": str, "now": str?, "press": "<button label or data>"}``; lines sharing a ``user`` continue one
conversation, and its clock: a line without ``now`` takes the last ``now`` given for its user (else the
engine's clock: ``--now``, ``SUPPORTBOT_NOW`` or the real time). Each gets exactly one output line, in
order: ``{"user": …, "replies": [{"text": …, "buttons": […]}]}``, or ``{"user": …, "error": "…"}`` for a
bad line (the batch goes on).
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import replace
from datetime import datetime
from typing import Any, TextIO

from bot.core.clock import parse_now
from bot.core.errors import ConfigError, InputError
from bot.core.messages import Message
from bot.engine import Engine


def _parse_json(line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object")
    return data


def _clean(value: Any) -> Any:
    """Strings with lone surrogates (invalid UTF-16 halves a JSON line can carry) made printable."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def _parse_message(data: dict[str, Any]) -> Message:
    data = {key: _clean(value) for key, value in data.items()}
    user = data.get("user")
    if not isinstance(user, str) or not user.strip():
        raise InputError("'user' must be a non-empty string")
    unknown = set(data) - {"user", "brand", "now", "text", "press", "language"}
    if unknown:
        raise InputError(f"unknown field {sorted(unknown)[0]!r}")
    has_text, has_press = "text" in data, "press" in data
    if has_text == has_press:
        raise InputError("give exactly one of 'text' or 'press'")
    for key in ("text", "press", "brand", "now", "language"):
        if key in data and data[key] is not None and not isinstance(data[key], str):
            raise InputError(f"'{key}' must be a string")
    now: datetime | None = None
    if data.get("now"):
        try:
            now = parse_now(data["now"], source="now")
        except ConfigError as exc:
            raise InputError(str(exc)) from None
    brand = data.get("brand")
    return Message(
        user=user,
        text=data.get("text"),
        press=data.get("press"),
        brand=brand.strip().lower() if isinstance(brand, str) and brand.strip() else None,
        now=now,
        language=data.get("language"),
    )


def answer_lines(engine: Engine, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Answer JSON lines from ``stdin`` on ``stdout``, one output line per input line; returns the exit code."""
    clocks: dict[str, datetime] = {}  # each user's last given "now": their conversation's clock
    for line in stdin:
        if not line.strip():
            continue
        user: Any = None
        try:
            data = _parse_json(line)
            user = _clean(data.get("user"))
            message = _parse_message(data)
            if message.now is not None:
                clocks[message.user] = message.now
            elif message.user in clocks:
                message = replace(message, now=clocks[message.user])
            replies = engine.handle(message)
            out: dict[str, Any] = {
                "user": user,
                "replies": [{"text": r.text, "buttons": [b.label for b in r.buttons]} for r in replies],
            }
        except InputError as exc:
            out = {"user": user, "error": str(exc)}
        except Exception:
            logging.getLogger(__name__).exception("could not handle a batch line")
            out = {
                "user": user if isinstance(user, str) else None,
                "error": "internal error: this line could not be handled",
            }
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0
