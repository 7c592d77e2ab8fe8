"""The batch interface (``supportbot ask --jsonl``): one JSON object per line in, one per line out.

Input lines are ``{"user": str, "brand": str?, "now": str?, "language": str?, "text": str}`` or
``{"user": str, "now": str?, "press": "<button label or data>"}``; lines sharing a ``user`` continue one
conversation, and its clock: a line without ``now`` takes the last ``now`` given for its user (else the
engine's clock: ``--now``, ``SUPPORTBOT_NOW`` or the real time). Each gets exactly one output line, in
order: ``{"user": …, "replies": [{"text": …, "buttons": […]}]}``, or ``{"user": …, "error": "…"}`` for a
bad line (the batch goes on).

Input and output are UTF-8 whatever the locale. A line that is not UTF-8 or not JSON, or holds a value no
line should (a number of thousands of digits, a field of megabytes), gets its own polite error; the lines
after it are answered.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import IO, Any

from bot.adapters.parallel import Worker, answer_in_parallel
from bot.core.clock import Clock, parse_now
from bot.core.errors import ConfigError, InputError
from bot.core.messages import Message
from bot.engine import Engine
from bot.store import Store

FIELDS = ("user", "brand", "now", "text", "press", "language")
# the longest value a field other than text and press may have (a user key, a brand id, an ISO time, a language)
LIMITS = {"user": 200, "brand": 40, "now": 64, "language": 35}
ALONE = 100  # lines a batch answers in its own process before it spreads over workers
SHOWN = 40  # characters of an odd value quoted back in an error


def _shown(value: str) -> str:
    """A value as an error quotes it: short, printable."""
    return repr(value[:SHOWN] + ("…" if len(value) > SHOWN else ""))


def _decoded(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at position {exc.start}") from None


def _parse_json(line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply") from None
    except ValueError:  # an integer beyond Python's limit on digits (4300)
        raise InputError(f"a number in this line has more than {sys.get_int_max_str_digits()} digits") from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object")
    return data


def _clean(value: Any) -> Any:
    """Strings with lone surrogates (invalid UTF-16 halves a JSON line can carry) made printable."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def _user(data: dict[str, Any]) -> str | None:
    """The line's user as the output echoes it: only a usable one (never a number, a list or megabytes)."""
    user = _clean(data.get("user"))
    return user if isinstance(user, str) and user.strip() and len(user) <= LIMITS["user"] else None


def _readable_user(raw: bytes | str) -> str | None:
    """The user of a line that is not UTF-8, when the rest of it reads (to say whose line failed)."""
    try:
        return _user(_parse_json(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw))
    except InputError:
        return None


def _parse_message(data: dict[str, Any]) -> Message:
    data = {_clean(key): _clean(value) for key, value in data.items()}
    user = data.get("user")
    if not isinstance(user, str) or not user.strip():
        raise InputError("'user' must be a non-empty string")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise InputError(f"unknown field {_shown(sorted(unknown)[0])}")
    has_text, has_press = "text" in data, "press" in data
    if has_text == has_press:
        raise InputError("give exactly one of 'text' or 'press'")
    for key in FIELDS:
        if key in data and data[key] is not None and not isinstance(data[key], str):
            raise InputError(f"'{key}' must be a string")
        if key in LIMITS and isinstance(data.get(key), str) and len(data[key]) > LIMITS[key]:
            raise InputError(f"'{key}' is too long ({len(data[key])} characters; at most {LIMITS[key]})")
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


def _lines(stdin: IO[Any]) -> Iterator[bytes | str]:
    """The input's lines, as bytes when the stream has them (each is decoded on its own)."""
    source: Iterable[bytes | str] = getattr(stdin, "buffer", stdin)
    for number, line in enumerate(source):
        if number == 0:  # a byte-order mark before the first line (files saved on Windows)
            line = line.removeprefix(b"\xef\xbb\xbf") if isinstance(line, bytes) else line.removeprefix("\ufeff")
        yield line


def _emit(stdout: IO[Any], line: bytes) -> None:
    target = getattr(stdout, "buffer", None)
    if target is not None:  # UTF-8 whatever the locale says
        target.write(line)
        target.flush()
    else:
        stdout.write(line.decode("utf-8"))
        stdout.flush()


def answer_lines(
    engine: Engine,
    stdin: IO[Any] = sys.stdin,
    stdout: IO[Any] = sys.stdout,
    *,
    workers: int = 1,
    worker_engine: Worker | None = None,
) -> int:
    """Answer JSON lines from ``stdin`` on ``stdout``, one output line per input line; returns the exit code.

    ``workers`` above 1 answers on that many processes (:mod:`bot.adapters.parallel`), each with an engine
    from ``worker_engine``, once the first :data:`ALONE` lines are answered here (a short batch, or one
    question, never waits for processes to start): a user's lines stay in one process, in order, and the
    output keeps the input's order.
    """
    clocks: dict[str, datetime] = {}  # each user's last given "now": their conversation's clock
    source = iter(_lines(stdin))
    answered = 0
    for raw in source:
        if raw.strip():
            _emit(stdout, answer_line(engine, raw, clocks))
            answered += 1
        if answered >= ALONE and workers > 1 and worker_engine is not None:
            emit = partial(_emit, stdout)
            return answer_in_parallel(
                worker_engine, source, emit, answer=answer_line, user_of=user_of, workers=workers, clocks=clocks
            )
    return 0


def answer_line(engine: Engine, raw: bytes | str, clocks: dict[str, datetime]) -> bytes:
    """The output line (UTF-8, with its newline) for one input line; ``clocks``: each user's last "now"."""
    user: str | None = None
    try:
        try:
            line = _decoded(raw)
        except InputError:
            user = _readable_user(raw)
            raise
        data = _parse_json(line)
        user = _user(data)
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
        out = {"user": user, "error": "internal error: this line could not be handled"}
    return (json.dumps(out, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


def engines_like(engine: Engine, db_path: str, *, clock: Clock, brand: str) -> Worker:
    """Engines for forked workers: ``engine``'s loaded content, each its own connection to ``db_path``."""

    @contextlib.contextmanager
    def own() -> Iterator[Engine]:
        store = Store(db_path)
        store.checkpoint_behind()  # after the fork: a thread never crosses it
        try:
            yield Engine(engine.knowledge, store=store, clock=clock, default_brand=brand)
        finally:
            store.close()

    return own


def user_of(raw: bytes | str) -> str | None:
    """The user a line is from, when it says (to keep a user's lines together); None for a line that doesn't."""
    return _readable_user(raw)
