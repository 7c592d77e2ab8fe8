"""Dates customers write, read into ranges of days.

Forms: ``2025-03-15``, ``15/3/2025``, ``March 2025``, ``2025-06``, ``last August``, ``8 months ago``, ``去年三月``…

``dateparser`` reads the forms it handles well (month names, "N units ago" in three languages); this module finds the
spans, covers what dateparser misses ("last August", "去年三月", "1.5 years ago", ambiguous numeric dates, festivals)
and says how precise each reading is, so that a verdict needing the exact day asks for it (patterns: ``dates.toml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from bot.understand.date_words import (
    DateWords,
    MonthPosition,
    add_months,
    ago_range,
    date_words,
    month_range,
    number,
    prefer_order,
    present,
    that_year,
    word_range,
    year_span,
    zh_number,
)
from bot.understand.festivals import festivals

EARLIEST_PLAUSIBLE = date(1990, 1, 1)


@dataclass(frozen=True)
class DateReading:
    """One date a customer wrote, as the range of days it can mean.

    ``alternatives`` holds both readings of a numeric date whose day/month order is ambiguous.
    ``problem`` is ``impossible`` (30 February), ``future`` or ``implausible`` (before 1990).
    """

    earliest: date
    latest: date
    text: str
    start: int
    end: int
    alternatives: tuple[date, ...] = ()
    problem: str | None = None
    relative: bool = False

    @property
    def exact(self) -> bool:
        """Whether the reading names one day."""
        return self.earliest == self.latest and not self.alternatives

    @property
    def day(self) -> date:
        """The most likely day (the middle of the range)."""
        return self.earliest + (self.latest - self.earliest) // 2


@dataclass
class _Found:
    readings: list[DateReading] = field(default_factory=list)
    taken: list[tuple[int, int]] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.taken)

    def add(self, reading: DateReading) -> None:
        self.readings.append(reading)
        self.taken.append((reading.start, reading.end))


def _dateparser(language: str, base: datetime) -> Any:
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=[language],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "past",
            "PREFER_DAY_OF_MONTH": "first",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "DATE_ORDER": "DMY",
        },
    )


@lru_cache(maxsize=4096)
def _parse_with_dateparser(text: str, language: str, today: date) -> tuple[date, str] | None:
    base = datetime(today.year, today.month, today.day, 12)
    data = _dateparser(language, base).get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    return data.date_obj.date(), data.period or "day"


def _clean(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _year(value: str) -> int:
    year = int(value)
    return year + 2000 if year < 100 else year


def _nearest_year(today: date, month: int, day: int) -> date | None:
    """A day/month without a year: the latest past occurrence, or a coming one within 60 days (a plan)."""
    options = [d for d in (_clean(today.year + k, month, day) for k in (-1, 0, 1)) if d]
    soon = [d for d in options if today < d <= today + timedelta(days=60)]
    past = [d for d in options if d <= today]
    return soon[0] if soon else max(past, default=None)


# -- the patterns, tried in order; a later pattern never reads inside an earlier one's span ------------


def find_dates(
    text: str, now: datetime, *, language: str = "en", day_first: bool = True, words: DateWords | None = None
) -> list[DateReading]:
    """Every date in a message, in the order written.

    ``now`` is the customer's moment (its UTC offset decides what "yesterday" means); ``day_first``
    is the brand's usual order for numeric dates when the message does not show it; ``words`` the date
    words of the content in use (default: the content root's).
    """
    today, found, words = now.date(), _Found(), words or date_words()
    low = "".join(c.lower()[:1] or c for c in text)  # one character for one, so positions line up
    low = that_year(low)
    _scan(text, low, today, now, language, day_first, found, words)
    return _years_given(text, sorted(found.readings, key=lambda r: r.start), words.patterns.own_day)


def _years_given(text: str, readings: list[DateReading], own_day: re.Pattern[str]) -> list[DateReading]:
    """A day told without its year just after a date giving one ("christmas 2024, ordered on 20 December")."""
    for i, r in enumerate(readings):
        if not (r.relative and r.exact and i):
            continue
        before = readings[i - 1]
        on = _clean(before.earliest.year, r.earliest.month, r.earliest.day)
        gap = text[before.end : r.start]  # a festival's just before it, or a year in its clause ("in 2024, on 1 june")
        festival, other = before.latest - before.earliest <= timedelta(days=15), own_day.search(gap.lower())
        near = not other and ((len(gap) < 80 and festival) or (len(gap) < 30 and not re.search(r"[.!?。！？]", gap)))
        if on and not before.relative and near and before.earliest <= on <= before.latest:
            readings[i] = DateReading(on, on, r.text, r.start, r.end)
    return readings


class _Span(Protocol):
    def start(self) -> int: ...
    def end(self) -> int: ...


def _reading(
    text: str,
    match: _Span,
    earliest: date | None,
    latest: date | None,
    today: date,
    *,
    alternatives: tuple[date, ...] = (),
    relative: bool = False,
) -> DateReading:
    span = text[match.start() : match.end()].strip()
    if earliest is None or latest is None:
        return DateReading(today, today, span, match.start(), match.end(), problem="impossible", relative=relative)
    problem = None
    if earliest > today and not relative:
        problem = "future"
    elif latest < EARLIEST_PLAUSIBLE:
        problem = "implausible"
    return DateReading(earliest, latest, span, match.start(), match.end(), alternatives, problem, relative)


def _scan(
    text: str, low: str, today: date, now: datetime, language: str, day_first: bool, found: _Found, words: DateWords
) -> None:
    def free(m: re.Match[str]) -> bool:
        return found.free(m.start(), m.end())

    p = present(words, low)
    for m, first_day, last_day in festivals(p.festival, low, today, words):  # first: "2024年双十一" is no year alone
        found.add(_reading(text, m, first_day, last_day, today))
    for m in p.iso.finditer(low):
        d = _clean(int(m[1]), int(m[2]), int(m[3]))
        found.add(_reading(text, m, d, d, today))
    for m in p.zh_full.finditer(low):
        if not free(m):
            continue
        year, month = int(m[1]), int(m[2])
        if m[3]:
            d = _clean(year, month, int(m[3]))
            found.add(_reading(text, m, d, d, today))
        elif 1 <= month <= 12:
            found.add(_reading(text, m, *month_range(year, month), today))
    for m in p.vi_full.finditer(low):
        d = _clean(int(m[3]), int(m[2]), int(m[1]))
        found.add(_reading(text, m, d, d, today))
    for m in p.year_month_day.finditer(low):
        if free(m):
            year = today.year - words.years_ago[m[1].lower()]
            d = _clean(year, words.months[m[2].lower()], int(m[3]))
            found.add(_reading(text, m, d, d, today))
    for m in p.day_month_year_word.finditer(low):
        if free(m):
            year = today.year - words.years_ago[m[3].lower()]
            d = _clean(year, words.months[m[2].lower()], int(m[1]))
            found.add(_reading(text, m, d, d, today))
    for m in p.vi_day.finditer(low):
        if not free(m):
            continue
        day, month = int(m[1]), int(m[2])
        d = _clean(_year(m[3]), month, day) if m[3] else _nearest_year(today, month, day) if 1 <= month <= 12 else None
        found.add(_reading(text, m, d, d, today))
    for m in p.vi_month.finditer(low):
        if free(m) and 1 <= int(m[1]) <= 12:
            found.add(_reading(text, m, *month_range(int(m[2]), int(m[1])), today))
    for m in p.vi_month_word.finditer(low):
        month, year_word = int(m[1] or m[3] or m[5] or m[7]), m[2] or m[4] or m[6]
        if not free(m) or not 1 <= month <= 12:
            continue
        if year_word or m[5]:  # (m[5]: "tháng 7 năm nay", this year's)
            year = today.year - (words.years_ago[year_word.lower()] if year_word else 0)
        else:
            year = today.year if month <= today.month else today.year - 1
        found.add(_reading(text, m, *month_range(year, month), today, relative=not (year_word or m[5])))
    order, shown = prefer_order(low, day_first)
    for m in p.numeric.finditer(low):
        if not free(m) or ("." in m[0] and len(m[3]) < 4):
            continue  # 5.10.22 is a firmware version, not a date
        a, b, year = int(m[1]), int(m[2]), _year(m[3])
        dmy, mdy = _clean(year, b, a), _clean(year, a, b)
        if dmy and mdy and dmy != mdy:
            first, second = (dmy, mdy) if order else (mdy, dmy)
            found.add(_reading(text, m, first, first, today, alternatives=() if shown else (first, second)))
        else:
            d = dmy or mdy
            found.add(_reading(text, m, d, d, today))
    for m in p.numeric_no_year.finditer(low):
        if not free(m):
            continue
        a, b = int(m[1]), int(m[2])
        dmy = _nearest_year(today, b, a) if 1 <= b <= 12 else None
        mdy = _nearest_year(today, a, b) if 1 <= a <= 12 else None
        start = m.start(1)
        sub = _SubMatch(m, start)
        if dmy and mdy and dmy != mdy:
            first, second = (dmy, mdy) if order else (mdy, dmy)
            found.add(
                _reading(text, sub, first, first, today, alternatives=() if shown else (first, second), relative=True)
            )
        else:
            d = dmy or mdy
            found.add(_reading(text, sub, d, d, today, relative=True))
    for m in p.year_word_month.finditer(low):
        if free(m) and (m[3].lower() not in words.ambiguous_alone or m[2]):  # (not "last year, may i…")
            found.add(_reading(text, m, *words.month_of(m[1], m[3], today), today))
    for m in p.month_position.finditer(low):
        if not free(m):
            continue
        month = words.months[m[2].lower()]
        position = words.month_position[m[1].lower()]
        if m[3]:
            year = today.year - words.years_ago[m[3].lower()]
        elif position is MonthPosition.THIS_YEAR:
            year = today.year
        elif position is MonthPosition.LATEST_BEFORE:
            year = today.year if month < today.month else today.year - 1
        else:
            year = today.year if month <= today.month else today.year - 1
        earliest, latest = month_range(year, month)
        if earliest is not None and latest is not None:
            if position is MonthPosition.FIRST_DAYS:
                latest = earliest + timedelta(days=10)
            elif position is MonthPosition.LAST_DAYS:
                earliest = latest - timedelta(days=10)
        found.add(_reading(text, m, earliest, latest, today))
    for m in p.month_year_word.finditer(low):
        if free(m):
            found.add(_reading(text, m, *words.month_of(m[2], m[1], today), today))
    for m in p.month_name.finditer(low):
        if not free(m):
            continue
        day_before, month_word, day_after, year_text = m[1], m[2].lower(), m[3], m[4]
        if not (day_before or day_after or year_text) and (month_word in words.ambiguous_alone or len(month_word) <= 3):
            continue  # "may" the verb; "mar", "dec" alone are too easily other words
        month = words.months[month_word]
        day_text = day_before or day_after
        if not day_text and year_text:  # "Sept 2024", "March 2025": the month
            found.add(_reading(text, m, *month_range(int(year_text), month), today))
            continue
        if day_text:
            when_or_none = (
                _clean(int(year_text), month, int(day_text))
                if year_text
                else _nearest_year(today, month, int(day_text))
                if 1 <= int(day_text) <= 31
                else None
            )
            # 30 February, 31 April: no year has that day (29 February is left to the leap years below)
            never = not year_text and _clean(2000, month, int(day_text)) is None
            if when_or_none is not None or year_text or never:
                found.add(_reading(text, m, when_or_none, when_or_none, today, relative=not year_text))
                continue
        # anything else ("May" alone, odd spellings): dateparser reads it, or the month is meant
        parsed = _parse_with_dateparser(text[m.start() : m.end()], "en", today)
        if parsed is None:
            found.add(
                _reading(text, m, *month_range(today.year if month <= today.month else today.year - 1, month), today)
            )
            continue
        when, period = parsed
        if period == "month":
            found.add(_reading(text, m, *month_range(when.year, when.month), today))
        elif period == "year":
            found.add(_reading(text, m, date(when.year, 1, 1), date(when.year, 12, 31), today))
        else:
            if not year_text:
                when = _nearest_year(today, when.month, when.day) or when
            found.add(_reading(text, m, when, when, today, relative=not year_text))
    for m in p.half.finditer(low):
        if free(m):
            found.add(_reading(text, m, *ago_range(today, *words.half[m[1].lower()]), today))
    for m in p.relative.finditer(low):  # "4 and a half years ago", "2 years and a half ago"
        if free(m):
            amount = number(m[1], words) + (0.5 if m[2] or m[4] else 0)
            found.add(_reading(text, m, *ago_range(today, amount, words.units[m[3].lower()]), today))
    for m in p.en_had_for.finditer(low):
        sub = _SubMatch(m, m.start(1))  # the words before the number say which date it is
        if found.free(sub.start(), sub.end()):
            amount = number(m[1], words) + (0.5 if m[2] or m[4] else 0)
            found.add(_reading(text, sub, *ago_range(today, amount, words.units[m[3].lower()]), today))
    for m in p.zh_relative.finditer(text):
        if not free(m):
            continue
        amount, unit = zh_number(m[1], words), words.units[m[3]]
        if amount != amount:  # not a number
            continue
        found.add(_reading(text, m, *ago_range(today, amount + (0.5 if m[2] or m[4] else 0), unit), today))
    for m in p.zh_had_for.finditer(text):
        if not free(m):
            continue
        amount, unit = zh_number(m[1], words), words.units[m[3]]
        if amount == amount:  # a number
            found.add(_reading(text, m, *ago_range(today, amount + (0.5 if m[2] or m[4] else 0), unit), today))
    for m in p.vi_relative.finditer(low):
        if free(m):
            amount = number(m[1], words) + (0.5 if m[3] else 0)
            found.add(_reading(text, m, *ago_range(today, amount, words.units[m[2].lower()]), today))
    for m in p.vi_had_for.finditer(low):
        sub = _SubMatch(m, m.start(1))  # "mua được" / "nhận hàng" before the number say which date it is
        if found.free(sub.start(), sub.end()):
            amount = number(m[1], words) + (0.5 if m[3] else 0)
            found.add(_reading(text, sub, *ago_range(today, amount, words.units[m[2].lower()]), today))
    for m in p.zh_month.finditer(text):
        if not free(m):
            continue
        value = zh_number(m[2], words)
        if value != value or not 1 <= value <= 12:  # not a month number ("三四月份")
            continue
        month = int(value)
        if m[1]:
            year = today.year - words.years_ago[m[1]]
        elif month <= today.month:
            year = today.year
        else:
            year = today.year - 1
        implicit = m[1] is None
        if m[3]:
            day_value = zh_number(m[3], words)
            d = _clean(year, month, int(day_value)) if day_value == day_value else None
            found.add(_reading(text, m, d, d, today, relative=implicit))
        else:
            found.add(_reading(text, m, *month_range(year, month), today, relative=implicit))
    for m in p.zh_day_of_month.finditer(text):  # 上个月25号, the 25th of last month (这个月, this month: of this one)
        word, told = (m[1], m[2]) if m[1] else (m[4].lower(), m[3]) if m[4] else (m[6].lower(), m[5])
        back = -1 if word.startswith(("上", "last")) or word.endswith(("trước", "truoc")) else 0
        first, nth = add_months(today.replace(day=1), back), zh_number(told, words)
        if free(m) and nth == nth:  # (not NaN: a number)
            on = _clean(first.year, first.month, int(nth))
            found.add(_reading(text, m, on, on, today))
    for m in p.time_words.finditer(low):
        if not free(m):
            continue
        word = (m[1] or m[2] or m[3]).lower()
        found.add(_reading(text, m, *word_range(word, today, words), today))
    for m in p.iso_month.finditer(low):
        month, sub = int(m[4]), _SubMatch(m, m.start(2))  # the cue word before it is not part of the date
        if not found.free(sub.start(), sub.end()) or not 1 <= month <= 12 or (m[3] == "." and not m[1]):
            continue  # "1999.9" with no cue word is more likely a price or a version than a month
        found.add(_reading(text, sub, *month_range(int(m[2]), month), today))
    for m in p.year_only.finditer(low):
        span = year_span(m, today, words)
        if free(m) and span is not None:
            found.add(_reading(text, m, *span, today))


class _SubMatch:
    """A match narrowed to start at a group (the cue word before a date is not part of the date)."""

    def __init__(self, match: re.Match[str], start: int) -> None:
        self._match = match
        self._start = start

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._match.end()
