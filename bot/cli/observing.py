"""What ``supportbot run`` and ``supportbot health`` read about watching the bot: log format, metrics, limits.

Each setting is checked at start-up; a wrong one stops it with one line naming the setting.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.core.errors import ConfigError

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# what every log record has: the rest of its attributes are what a caller added (``extra=``)
_PLAIN = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


@dataclass(frozen=True)
class HealthLimits:
    """When ``supportbot health`` says the bot is not healthy."""

    poll_seconds: float = 120  # no getUpdates answered (or no heartbeat written) for this long
    backlog_minutes: float = 10  # a reply or notice undelivered for this long
    webhook_seconds: float = 0  # a webhook: no update came for this long (0: not checked, a quiet spell is no fault)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the record's fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (its time in UTC, to the millisecond)."""
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _PLAIN:
                out.update(value if key == "fields" and isinstance(value, dict) else {key: value})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def log_format(given: str | None) -> str:
    """``--log-format``, else ``SUPPORTBOT_LOG_FORMAT``, else text."""
    raw = (given or os.environ.get("SUPPORTBOT_LOG_FORMAT", "")).strip().lower() or "text"
    if raw not in LOG_FORMATS:
        raise ConfigError(f"SUPPORTBOT_LOG_FORMAT: {raw!r} is not one of {', '.join(LOG_FORMATS)}")
    return raw


def use_log_format(name: str) -> None:
    """Format every line of the root logger's handlers as ``name`` says."""
    formatter = JsonFormatter() if name == "json" else logging.Formatter(TEXT_FORMAT)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)


def metrics_from_env() -> tuple[int, str] | None:
    """``SUPPORTBOT_METRICS_PORT`` and ``SUPPORTBOT_METRICS_BIND`` (default 127.0.0.1); None when no port is set."""
    raw = os.environ.get("SUPPORTBOT_METRICS_PORT", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"SUPPORTBOT_METRICS_PORT: {raw!r} is not a port number (1-65535)")
    bind = os.environ.get("SUPPORTBOT_METRICS_BIND", "").strip() or "127.0.0.1"
    return int(raw), bind


def health_limits_from_env() -> HealthLimits:
    """The health check's limits from the environment, checked."""
    return HealthLimits(
        poll_seconds=_positive("SUPPORTBOT_HEALTH_POLL_SECONDS", 120, "seconds"),
        backlog_minutes=_positive("SUPPORTBOT_HEALTH_BACKLOG_MINUTES", 10, "minutes"),
        webhook_seconds=_positive("SUPPORTBOT_HEALTH_WEBHOOK_SECONDS", 0, "seconds", zero=True),
    )


def _positive(name: str, default: float, unit: str, *, zero: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value < 0 or (value == 0 and not zero) or value != value or value == float("inf"):
        raise ConfigError(f"{name}: {raw!r} is not a positive number of {unit}" + (" (or 0: off)" if zero else ""))
    return value
