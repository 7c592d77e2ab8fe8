"""The one clock: every "now" in the bot comes from a :data:`Clock` handed down from the wiring.

``--now`` and ``SUPPORTBOT_NOW`` give a fixed clock; otherwise it is the real time. Nothing else in
``bot/`` calls ``datetime.now()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import ConfigError

Clock = Callable[[], datetime]
MAX_OFFSET = timedelta(hours=14)  # the farthest any place on Earth is from UTC
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.I)


def system_clock() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says ``moment`` (tests, ``--now``, ``SUPPORTBOT_NOW``)."""
    return lambda: moment


def customer_moment(now: datetime, zone: tzinfo, own: tzinfo | None = None) -> datetime:
    """The customer's moment: in their ``own`` zone when known, as given when it carries an offset, else the brand's.

    Transports that know the customer's clock (batch lines with ``now``) pass it with its offset, and the
    conversation keeps it (``own``) for the messages that come without; a UTC moment says nothing about the
    customer, so the brand's ``zone`` stands in.
    """
    if own is not None:
        return now.astimezone(own)
    offset = now.utcoffset()
    return now.astimezone(zone) if offset is None or offset.total_seconds() == 0 else now


def offset_of(moment: datetime) -> str | None:
    """A moment's UTC offset as a customer's zone is stored ("-05:00"), or None for UTC or none at all."""
    offset = moment.utcoffset()
    if offset is None or not offset:
        return None
    text = moment.strftime("%z")
    return f"{text[:3]}:{text[3:5]}"


def customer_zone(value: str | None) -> tzinfo | None:
    """A customer's time zone as stored ("Europe/Berlin" or "+07:00"), or None."""
    if not value:
        return None
    found = _OFFSET.match(value.strip())
    if found:
        sign, hours, minutes = found.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta) if delta <= MAX_OFFSET else None
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_now(value: str, *, source: str) -> datetime:
    """Parse a fixed clock value (ISO 8601 with a UTC offset)."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{source}: {value!r} is not an ISO 8601 time such as 2026-11-23T10:00:00+08:00") from None
    offset = moment.utcoffset()
    if offset is None:
        raise ConfigError(f"{source}: {value!r} needs a UTC offset, such as +08:00")
    if abs(offset) > MAX_OFFSET:
        raise ConfigError(f"{source}: {value!r} has a UTC offset beyond ±14:00, which no place has")
    if not 1990 <= moment.year <= 2100:
        raise ConfigError(f"{source}: {value!r} is outside the years 1990 to 2100")
    return moment
