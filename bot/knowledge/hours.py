"""Business hours: is a brand's support open at a moment, and when does it next open.

A brand's week comes from its pack (``[[hours.open]]`` spans in its time zone). Its calendar
(``hours.calendar``, defined in ``policies/_calendar.toml``) closes public holidays and opens make-up
working days (调休): closed days come from the ``holidays`` package, and what the package lacks
(make-up days, corrections) from the data file, year by year.

    open_spans(day) = []                         on a holiday
                    = the spans of ``makeup_as``  on a make-up working day
                    = the spans of its weekday    otherwise
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import holidays

from bot.core.errors import PackError
from bot.knowledge.langtext import lang_table

if TYPE_CHECKING:
    from bot.knowledge.packs import BrandPack, OpenSpan

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NEXT_YEAR_FROM_MONTH = 11  # the State Council publishes next year's holidays in November: missing, it is said
NEXT_YEAR_REQUIRED_MONTH = 12  # and from December `supportbot check` fails without them
LOOK_AHEAD_DAYS = 60  # the longest closure searched for the next opening (a Spring Festival is ~9 days)


@dataclass(frozen=True)
class Calendar:
    """Days a brand's office is closed although its week says open, and the reverse."""

    name: str
    country: str
    makeup_as: int  # weekday whose hours a make-up working day keeps
    workdays: frozenset[date] = frozenset()
    closed: frozenset[date] = frozenset()
    opened: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()  # years whose official schedule the data file was checked against
    names_vi: Mapping[str, str] = field(default_factory=dict)  # English holiday names in Vietnamese
    unnamed: Mapping[str, str] = field(default_factory=dict)  # by language, for a closed day near no festival
    holidays_name: Mapping[str, str] = field(default_factory=dict)  # by language: "Chinese public holidays"
    _public: Any = field(default=None, compare=False, repr=False)  # the package's holidays, English names
    _public_zh: Any = field(default=None, compare=False, repr=False)  # the same, Chinese names

    def __getstate__(self) -> dict[str, Any]:
        """What a snapshot keeps: the data file's days, not the package's holidays.

        Those are made again from the country; unpickled, they would import every country the package knows.
        """
        return {k: v for k, v in self.__dict__.items() if k not in ("_public", "_public_zh")}

    def __setstate__(self, kept: dict[str, Any]) -> None:
        public, public_zh = _public_holidays(kept["country"])
        for key, value in {**kept, "_public": public, "_public_zh": public_zh}.items():
            object.__setattr__(self, key, value)

    def closed_on(self, day: date) -> bool:
        """Whether the office is closed for a holiday on ``day`` (whatever its week says)."""
        if day in self.workdays or day in self.opened:
            return False
        return day in self.closed or (self._public is not None and day in self._public)

    def holiday_names(self, day: date) -> dict[str, str] | None:
        """The holiday closing the office on ``day``, named in en / zh / vi, or None when it is not closed.

        A substituted day off, or a weekend day inside a holiday block, is named after the nearest festival.
        """
        if not self.closed_on(day):
            return None
        for offset in (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6):
            near = day + timedelta(days=offset)
            name = self._public.get(near) if self._public is not None else None
            if name and not _substituted(name):
                english = re.sub(r"\s*\(observed\)$", "", str(name))
                chinese = str(self._public_zh.get(near) or english) if self._public_zh is not None else english
                chinese = re.sub(r"[（(]观察日[）)]|（补假）|\s*\(observed\)", "", chinese).strip()
                return {"en": english, "zh": chinese, "vi": self.names_vi.get(english, english)}
        return dict(self.unnamed)

    def is_makeup_workday(self, day: date) -> bool:
        """Whether ``day`` is a make-up working day (调休): open although it falls on a weekend."""
        return day in self.workdays

    def covers(self, year: int) -> bool:
        """Whether the data file holds the checked schedule for ``year``."""
        return year in self.years


def _public_holidays(country: str) -> tuple[Any, Any]:
    """The holidays package's public holidays of a country, named in English and (where it can) Chinese."""
    public = holidays.country_holidays(country, language="en_US")
    try:
        public_zh = holidays.country_holidays(country, language="zh_CN")
    except (NotImplementedError, ValueError):
        public_zh = None
    return public, public_zh


def _substituted(name: str) -> bool:
    return name.startswith(("Day off", "休息日"))


def load_calendars(path: Path) -> dict[str, Calendar]:
    """Read ``policies/_calendar.toml``; a problem names the file and the key."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise PackError(path, "(file)", "not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(path, "(syntax)", str(exc)) from None
    calendars = {}
    for name, table in data.items():
        if not isinstance(table, dict):
            raise PackError(path, name, "expected a table")
        calendars[name] = _calendar(path, name, table)
    return calendars


def _calendar(path: Path, name: str, table: Mapping[str, Any]) -> Calendar:
    country = table.get("country")
    try:
        public, public_zh = _public_holidays(str(country))
    except NotImplementedError:
        raise PackError(path, f"{name}.country", f"the holidays package has no country {country!r}") from None
    makeup = table.get("makeup_as", "mon")
    if makeup not in WEEKDAYS:
        raise PackError(path, f"{name}.makeup_as", f"expected a weekday ({', '.join(WEEKDAYS)}), got {makeup!r}")
    sets: dict[str, set[date]] = {"workdays": set(), "closed": set(), "open": set()}
    years = set()
    for year, section in (table.get("years") or {}).items():
        if not str(year).isdigit() or not isinstance(section, dict):
            raise PackError(path, f"{name}.years.{year}", "expected a year with a table of days")
        years.add(int(year))
        for key, days in sets.items():
            for value in section.get(key, []):
                try:
                    day = date.fromisoformat(str(value))
                except ValueError:
                    raise PackError(path, f"{name}.years.{year}.{key}", f"not a date: {value!r}") from None
                if day.year != int(year):
                    raise PackError(path, f"{name}.years.{year}.{key}", f"{value} is not in {year}")
                days.add(day)
    return Calendar(
        name=name,
        country=str(country),
        makeup_as=WEEKDAYS.index(makeup),
        workdays=frozenset(sets["workdays"]),
        closed=frozenset(sets["closed"]),
        opened=frozenset(sets["open"]),
        years=frozenset(years),
        names_vi={str(k): str(v) for k, v in (table.get("names_vi") or {}).items()},
        unnamed=lang_table(path, f"{name}.unnamed", table.get("unnamed")),
        holidays_name=lang_table(path, f"{name}.holidays_name", table["holidays_name"])
        if "holidays_name" in table
        else {},
        _public=public,
        _public_zh=public_zh,
    )


@dataclass(frozen=True)
class HoursStatus:
    """Where a moment falls in the brand's hours, all in the brand's time zone."""

    now: datetime
    open: bool
    closes: datetime | None
    next_open: datetime
    holiday: Mapping[str, str] | None = None  # today's holiday by language (en, zh, vi), when that closes it
    holidays_known: bool = True  # False: now or the next opening falls in a year the calendar has no data for


def _at(day: datetime, moment: time) -> datetime:
    if moment == time.max:
        return day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return day.replace(hour=moment.hour, minute=moment.minute, second=0, microsecond=0)


def spans_on(pack: BrandPack, day: date) -> list[OpenSpan]:
    """The opening spans of one calendar day: none on a holiday, a weekday's on a make-up working day."""
    calendar = pack.calendar
    weekday = day.weekday()
    if calendar is not None:
        if calendar.closed_on(day):
            return []
        if calendar.is_makeup_workday(day):
            weekday = calendar.makeup_as
    return sorted((s for s in pack.open_spans if s.weekday == weekday), key=lambda s: s.start)


def _openings(pack: BrandPack, local: datetime, days: int) -> Iterable[tuple[datetime, datetime]]:
    for offset in range(days):
        day = local + timedelta(days=offset)
        for span in spans_on(pack, day.date()):
            yield _at(day, span.start), _at(day, span.end)


# each brand's last status, and the moments between which it holds (every turn asks; few cross an hour's edge)
_recent: dict[str, tuple[BrandPack, datetime, datetime, HoursStatus]] = {}


def status(pack: BrandPack, when: datetime) -> HoursStatus:
    """Open now?, closing time and next opening for ``when`` (an aware datetime)."""
    local = when.astimezone(pack.timezone)
    kept = _recent.get(pack.id)
    if kept is not None and kept[0] is pack and kept[1] <= local < kept[2]:
        return replace(kept[3], now=local)
    closes = next((end for start, end in _openings(pack, local, 1) if start <= local < end), None)
    calendar = pack.calendar
    holiday = calendar.holiday_names(local.date()) if calendar is not None else None
    opens = next_opening(pack, local)
    found = HoursStatus(
        now=local,
        open=closes is not None,
        closes=closes,
        next_open=opens,
        holiday=holiday,
        holidays_known=calendar is None or (calendar.covers(local.year) and calendar.covers(opens.year)),
    )
    # the same until it opens or closes, or the day (its holiday, its year) changes
    _recent[pack.id] = (pack, local, min(closes or opens, _at(local, time.max)), found)
    return found


def is_open(pack: BrandPack, when: datetime) -> bool:
    """Whether consultants are at work at ``when``."""
    return status(pack, when).open


def next_opening(pack: BrandPack, when: datetime) -> datetime:
    """The first opening strictly after ``when``, in the brand's time zone."""
    local = when.astimezone(pack.timezone)
    for start, _ in _openings(pack, local, LOOK_AHEAD_DAYS):
        if start > local:
            return start
    raise ValueError(f"{pack.path}: no opening hours in the next {LOOK_AHEAD_DAYS} days")


def uncovered_years(packs: Iterable[BrandPack], today: date, *, ahead: bool = False) -> list[str]:
    """Calendars used by ``packs`` lacking checked data for ``today``'s year (and, ``ahead``, the next year)."""
    years = (today.year, today.year + 1) if ahead else (today.year,)
    return sorted(
        {
            f"{p.calendar.name} {year}"
            for p in packs
            for year in years
            if p.calendar is not None and not p.calendar.covers(year)
        }
    )


CHINA_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"})
CHINA_LABELS = {"zone_label": "China time", "zone_label_zh": "北京时间", "zone_label_vi": "giờ Trung Quốc"}


def zone_labels(zone: str) -> dict[str, str]:
    """What the wording calls a time zone when the pack does not say: China's by name, else the zone's city."""
    if zone in CHINA_ZONES:
        return dict(CHINA_LABELS)
    return {"zone_label": f"{zone.rsplit('/', 1)[-1].replace('_', ' ')} time"}


def says_china(label: str) -> bool:
    """Whether a zone label names China's time (a pack in another zone must not say so)."""
    return any(word in label for word in ("China", "北京", "中国", "Trung Quốc"))
