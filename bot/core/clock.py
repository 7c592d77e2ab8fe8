"""The one clock: every "now" in the bot comes from a :data:`Clock` handed down from the wiring.

``--now`` and ``SUPPORTBOT_NOW`` give a fixed clock; otherwise it is the real time. Nothing else in
``bot/`` calls ``datetime.now()``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from bot.core.errors import ConfigError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says ``moment`` (tests, ``--now``, ``SUPPORTBOT_NOW``)."""
    return lambda: moment


def customer_moment(now: datetime, zone: tzinfo) -> datetime:
    """The customer's moment: as given when it carries the customer's own offset, else in the brand's zone.

    Transports that know the customer's clock (the console, batch lines with ``now``) pass it with its
    offset; a UTC moment says nothing about the customer, so the brand's zone stands in.
    """
    offset = now.utcoffset()
    return now.astimezone(zone) if offset is None or offset.total_seconds() == 0 else now


def parse_now(value: str, *, source: str) -> datetime:
    """Parse a fixed clock value (ISO 8601 with a UTC offset)."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{source}: {value!r} is not an ISO 8601 time such as 2026-11-23T10:00:00+08:00") from None
    if moment.tzinfo is None:
        raise ConfigError(f"{source}: {value!r} needs a UTC offset, such as +08:00")
    if not 1990 <= moment.year <= 2100:
        raise ConfigError(f"{source}: {value!r} is outside the years 1990 to 2100")
    return moment
