"""Business hours: is a brand's support open at a moment, and when does it next open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.packs import BrandPack


@dataclass(frozen=True)
class HoursStatus:
    """Where a moment falls in the brand's hours, all in the brand's time zone."""

    now: datetime
    open: bool
    closes: datetime | None
    next_open: datetime


def _at(day: datetime, moment: time) -> datetime:
    if moment == time.max:
        return day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return day.replace(hour=moment.hour, minute=moment.minute, second=0, microsecond=0)


def status(pack: BrandPack, when: datetime) -> HoursStatus:
    """Open now?, closing time and next opening for ``when`` (an aware datetime)."""
    local = when.astimezone(pack.timezone)
    closes = None
    for span in pack.open_spans:
        if span.weekday == local.weekday() and _at(local, span.start) <= local < _at(local, span.end):
            closes = _at(local, span.end)
    return HoursStatus(now=local, open=closes is not None, closes=closes, next_open=next_opening(pack, local))


def next_opening(pack: BrandPack, when: datetime) -> datetime:
    """The first opening strictly after ``when``, in the brand's time zone."""
    local = when.astimezone(pack.timezone)
    for offset in range(0, 15):
        day = local + timedelta(days=offset)
        starts = sorted(_at(day, s.start) for s in pack.open_spans if s.weekday == day.weekday())
        for start in starts:
            if start > local:
                return start
    raise ValueError(f"{pack.path}: no opening hours in the next two weeks")
