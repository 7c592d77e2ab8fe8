"""The words dates are written with, and what they mean: ``faq/_common/matching/dates.toml``.

The situation reader loads the file beside its own patterns when the content is loaded (a broken file
stops start-up); callers that pass no words get the content root's (``SUPPORTBOT_CONTENT``, else this
checkout), read once on first use. :mod:`.dates` finds dates with its patterns and reads them with its
value tables.
"""

from __future__ import annotations

import calendar
import math
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.core.errors import FaqError
from bot.understand.literals import Gate

FILE = Path("faq", "_common", "matching", "dates.toml")
_NAME = re.compile(r"\{([a-z_]+)\}")  # a placeholder in a pattern; \d{1,2} is not one


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_range(year: int, month: int) -> tuple[date | None, date | None]:
    """The first and last day of a month (None for a month that does not exist)."""
    try:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, OverflowError):
        return None, None


class MonthPosition(StrEnum):
    """What the word before a month name says (``values.month_position``): which year's month, which days."""

    LATEST = "latest"
    LATEST_BEFORE = "latest_before"
    THIS_YEAR = "this_year"
    FIRST_DAYS = "first_days"
    LAST_DAYS = "last_days"


@dataclass(frozen=True)
class UnitLength:
    """A unit of "N units ago": its length in days or in months, and how loosely it is meant (± days)."""

    days: float = 0  # a working day is about 1.4 calendar days
    months: float = 0
    give_or_take: float = 0


def ago_range(today: date, amount: float, unit: UnitLength) -> tuple[date | None, date | None]:
    """The range a relative age ("8 months ago") means, give or take as the unit says (None if absurd)."""
    if not 0 <= amount <= 1200:
        return None, None
    if unit.days:
        center = today - timedelta(days=round(amount * unit.days))
    else:
        months = amount * unit.months
        whole = int(months)
        center = add_months(today, -whole) - timedelta(days=round((months - whole) * 30))
    spread = timedelta(days=unit.give_or_take)
    return center - spread, min(today, center + spread)


_NEVER = re.compile(r"(?!x)x")  # stands in for a pattern a text cannot match


@dataclass(frozen=True)
class DatePatterns:
    """The ``[patterns]``, compiled (their order of use is in :func:`bot.understand.dates.find_dates`)."""

    festival: re.Pattern[str]
    festival_plan: re.Pattern[str]
    festival_cue: re.Pattern[str]
    year_told: re.Pattern[str]
    festival_before: re.Pattern[str]
    festival_on: re.Pattern[str]
    festival_after: re.Pattern[str]
    own_day: re.Pattern[str]
    iso: re.Pattern[str]
    zh_full: re.Pattern[str]
    vi_full: re.Pattern[str]
    year_month_day: re.Pattern[str]
    day_month_year_word: re.Pattern[str]
    vi_day: re.Pattern[str]
    vi_month: re.Pattern[str]
    vi_month_word: re.Pattern[str]
    numeric: re.Pattern[str]
    numeric_no_year: re.Pattern[str]
    month_position: re.Pattern[str]
    month_year_word: re.Pattern[str]
    year_word_month: re.Pattern[str]
    month_name: re.Pattern[str]
    half: re.Pattern[str]
    relative: re.Pattern[str]
    en_had_for: re.Pattern[str]
    zh_relative: re.Pattern[str]
    zh_had_for: re.Pattern[str]
    vi_relative: re.Pattern[str]
    vi_had_for: re.Pattern[str]
    zh_month: re.Pattern[str]
    zh_day_of_month: re.Pattern[str]
    time_words: re.Pattern[str]
    iso_month: re.Pattern[str]
    year_only: re.Pattern[str]


@dataclass(frozen=True)
class DateWords:
    """``dates.toml``, checked: the patterns, and what each word means (the languages of a table together)."""

    patterns: DatePatterns
    gate: Gate  # which patterns a text can match (by the strings each needs)
    months: dict[str, int]
    word_numbers: dict[str, float]
    zh_digits: dict[str, int]
    zh_fractions: dict[str, float]
    zh_ten: str  # the digit that joins tens and units ("十二")
    units: dict[str, UnitLength]
    half: dict[str, tuple[float, UnitLength]]
    days_ago: dict[str, int]
    weeks_ago: dict[str, int]
    months_ago: dict[str, int]
    years_ago: dict[str, int]
    month_position: dict[str, MonthPosition]
    year_part: dict[str, tuple[int, int]]  # a part of a year ("early", "年底"): its first and last month
    season: dict[str, tuple[int, int]]  # a season ("spring", "夏天"): its first and last month
    ambiguous_alone: frozenset[str]
    festival: dict[str, str]  # a festival ("christmas", "双十一"): its day ("12-25"), or how to find it ("lunar")
    lunar_new_year: dict[int, tuple[int, int]]  # a year: the month and day its lunar new year falls on

    def month_of(self, year_word: str, month_word: str, today: date) -> tuple[date | None, date | None]:
        """The days of a month named with a year word ("March last year", "last year in June")."""
        return month_range(today.year - self.years_ago[year_word.lower()], self.months[month_word.lower()])


@dataclass(frozen=True)
class _File:
    values: dict[str, Any]
    unit_lengths: dict[str, dict[str, float]]
    words: dict[str, Any]
    patterns: dict[str, str]


@dataclass(frozen=True)
class _Values:
    months: dict[str, int]
    word_numbers: dict[str, float]
    zh_digits: dict[str, int]
    zh_fractions: dict[str, float]
    units: dict[str, str]
    half: dict[str, list[Any]]
    days_ago: dict[str, int]
    weeks_ago: dict[str, int]
    months_ago: dict[str, int]
    years_ago: dict[str, int]
    month_position: dict[str, str]
    year_part: dict[str, list[int]]
    season: dict[str, list[int]]
    festival: dict[str, str]
    lunar_new_year: dict[str, str]


@dataclass(frozen=True)
class _Words:
    ordinal: list[str]
    year_beside_month: list[str]
    day_month_cues: list[str]
    year_cues: list[str]
    ambiguous_alone: list[str]
    half_after: dict[str, list[str]]
    ago: dict[str, list[str]]


def _parts(table: Any, leaf: type) -> dict[str, Any]:
    """A table's language parts (``{"en": …, "zh": …}``), or the table as its one nameless part."""
    if isinstance(table, dict) and table and all(isinstance(part, leaf) for part in table.values()):
        return table
    return {"": table}


def _gather(section: dict[str, Any], leaf: type, names: dict[str, list[str]]) -> dict[str, Any]:
    """Each table of a section with its language parts joined; ``names`` gets the words of each and each part."""
    joined: dict[str, Any] = {}
    for name, table in section.items():
        whole: Any = {} if leaf is dict else []
        for language, part in _parts(table, leaf).items():
            if language:
                _name(names, f"{name}_{language}", list(part))
            whole = {**whole, **part} if leaf is dict else [*whole, *part]
        joined[name] = whole
        _name(names, name, list(whole))
    return joined


def _name(names: dict[str, list[str]], name: str, words: list[str]) -> None:
    if name in names:
        raise ValueError(f"{name!r} names two tables")
    names[name] = words


def _expand(pattern: str, names: dict[str, list[str]]) -> str:
    """A pattern with each ``{name}`` replaced by its words, longest first, as one alternation."""

    def alternation(m: re.Match[str]) -> str:
        if m[1] not in names:
            raise ValueError(f"no values.{m[1]} or words.{m[1]} for the pattern {pattern!r}")
        return "(?:" + "|".join(re.escape(w) for w in sorted(names[m[1]], key=len, reverse=True)) + ")"

    return _NAME.sub(alternation, pattern)


def _numbers(kind: type | tuple[type, ...], *tables: dict[str, Any]) -> None:
    for table in tables:
        for word, value in table.items():
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"{word!r} = {value!r} is not a number of the kind needed here")


def load_date_words(path: Path) -> DateWords:
    """Read and check ``dates.toml``."""
    try:
        with path.open("rb") as handle:
            raw = _File(**tomllib.load(handle))
        names: dict[str, list[str]] = {}
        values = _Values(**_gather(raw.values, dict, names))
        words = _Words(**_gather(raw.words, list, names))
        _numbers(
            int, values.months, values.zh_digits, values.days_ago, values.weeks_ago, values.months_ago, values.years_ago
        )
        _numbers((int, float), values.word_numbers, values.zh_fractions)
        unknown = sorted(set(words.year_beside_month) - set(values.years_ago))
        if unknown:
            raise ValueError(f"words.year_beside_month: {unknown[0]!r} is not in values.years_ago")
        lengths = {unit: UnitLength(**spec) for unit, spec in raw.unit_lengths.items()}
        patterns = {name: re.compile(_expand(p, names), re.I) for name, p in raw.patterns.items()}
        return DateWords(
            patterns=DatePatterns(**patterns),
            gate=Gate({name: [p.pattern] for name, p in patterns.items()}),
            months=values.months,
            word_numbers=values.word_numbers,
            zh_digits=values.zh_digits,
            zh_fractions=values.zh_fractions,
            zh_ten=next(digit for digit, n in values.zh_digits.items() if n == 10),
            units={word: lengths[unit] for word, unit in values.units.items()},
            half={phrase: (float(amount), lengths[unit]) for phrase, (amount, unit) in values.half.items()},
            days_ago=values.days_ago,
            weeks_ago=values.weeks_ago,
            months_ago=values.months_ago,
            years_ago=values.years_ago,
            month_position={word: MonthPosition(code) for word, code in values.month_position.items()},
            year_part={word: (int(first), int(last)) for word, (first, last) in values.year_part.items()},
            season={word: (int(first), int(last)) for word, (first, last) in values.season.items()},
            ambiguous_alone=frozenset(words.ambiguous_alone),
            festival={word: _festival_day(day) for word, day in values.festival.items()},
            lunar_new_year={int(year): _month_day(day) for year, day in values.lunar_new_year.items()},
        )
    except (OSError, tomllib.TOMLDecodeError, TypeError, KeyError, ValueError, StopIteration, re.error) as exc:
        raise FaqError(path, "(dates)", f"cannot load the date words: {exc}") from None


COMPUTED_DAYS = ("lunar", "thanksgiving", "black_friday")  # festivals whose day changes from year to year


def _month_day(text: str) -> tuple[int, int]:
    """A month and a day written "MM-DD" (one that every year has)."""
    month, day = (int(n) for n in text.split("-"))
    date(2000, month, day)  # (a ValueError for one no year has)
    return month, day


def _festival_day(text: str) -> str:
    if text not in COMPUTED_DAYS:
        _month_day(text)
    return text


def _content_file() -> Path:
    """``dates.toml`` under the content root, found as :func:`bot.config.content_root` finds it (a layer above)."""
    override = os.environ.get("SUPPORTBOT_CONTENT")
    roots = [Path(override)] if override else [Path(__file__).resolve().parents[2], Path.cwd()]
    return next((root / FILE for root in roots if (root / FILE).is_file()), roots[0] / FILE)


@lru_cache(maxsize=1)
def date_words() -> DateWords:
    """The date words of the content root, read on first use."""
    return load_date_words(_content_file())


def number(text: str, words: DateWords | None = None) -> float:
    """A number written as digits or words ("2", "1.5", "two", "a couple of")."""
    text = text.strip().lower()
    numbers = (words or date_words()).word_numbers
    if text in numbers:
        return numbers[text]
    return float(text.replace(",", "."))


def zh_number(text: str, words: DateWords | None = None) -> float:
    """A number written in Chinese ("三", "十二", "两") or digits."""
    if text.isdigit():
        return float(text)
    words = words or date_words()
    if text in words.zh_fractions:
        return words.zh_fractions[text]
    digits = words.zh_digits
    if words.zh_ten in text:
        tens, _, units = text.partition(words.zh_ten)
        return float((digits.get(tens, 1) if tens else 1) * 10 + (digits.get(units, 0) if units else 0))
    return float(digits.get(text, 0)) if len(text) == 1 else math.nan


def year_span(m: re.Match[str], today: date, words: DateWords) -> tuple[date, date] | None:
    """The days of a year, a part of one ("early 2019", "2019年底") or a season ("last spring"), up to today.

    ``m``: a match of the ``year_only`` pattern (see its groups in dates.toml).
    """
    if m[9] or m[11]:
        first, last = words.season[(m[9] or m[11]).lower()]
        said, wraps = (m[8] or m[10]).lower(), first > last  # (winter runs into the next year)
        if said in words.years_ago:  # 今年, 去年: that year's season
            ends = today.year - words.years_ago[said]
        elif said == "this":
            ends = today.year + (wraps and today.month >= first)
        else:  # last, past: the latest one over
            ends = today.year - (today.month <= last)
        start = date(ends - wraps, first, 1)
    else:
        year = int(m[2] or m[3] or m[4] or m[7])
        if not 1 <= year <= 9999:
            return None
        first, last = words.year_part.get((m[1] or m[5] or m[6] or "").lower(), (1, 12))
        ends, start = year, date(year, first, 1)
    end = month_range(ends, last)[1] or date(ends, 12, 31)
    return start, min(end, max(today, start))


def word_range(word: str, today: date, words: DateWords | None = None) -> tuple[date | None, date | None]:
    """The days a word for a time means ("yesterday", "上个月", "năm ngoái"): see ``values.days_ago`` and on."""
    words = words or date_words()
    if word in words.days_ago:
        d = today - timedelta(days=words.days_ago[word])
        return d, d
    if word in words.weeks_ago:
        back = 7 * words.weeks_ago[word]
        return today - timedelta(days=back + 6), today - timedelta(days=back)
    if word in words.months_ago:
        first = add_months(today.replace(day=1), -words.months_ago[word])
        return month_range(first.year, first.month)
    back = words.years_ago.get(word, 0)
    if back:
        return date(today.year - back, 1, 1), date(today.year - back, 12, 31)
    return date(today.year, 1, 1), today  # this year


def present(words: DateWords, low: str) -> DatePatterns:
    """The patterns, those that cannot match ``low`` (lower case) replaced by one that never matches.

    Each pattern needs one of a few strings ("ago", "年", "thang"…, see :class:`~bot.understand.literals.Gate`):
    most messages hold a date in one language and form, if any, so most patterns need not run.
    """
    possible = set(words.gate.possible(low))
    found = {name: (p if name in possible else _NEVER) for name, p in vars(words.patterns).items()}
    return DatePatterns(**found)


def prefer_order(text: str, default_dmy: bool) -> tuple[bool, bool]:
    """Day-first (True) or month-first (False), and whether the message itself shows it (else the default)."""
    for a, b in re.findall(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})(?:[/.-]\d{2,4})?(?!\d|[/.-]\d)", text):
        if int(a) > 12 >= int(b):
            return True, True
        if int(b) > 12 >= int(a):
            return False, True
    return default_dmy, False


_THAT_YEAR = re.compile(r"\b(?:of |in )?(?:that|the same) year\b")
_A_YEAR = re.compile(r"(?<![\w-])(?:19|20)\d{2}(?![\w-])")  # (not in a model code: "kt-2045")


def that_year(low: str) -> str:
    """A text with "that year" after a year ("since spring 2021, bought around april that year") made that year.

    The year takes the words' place, padded to their length, so that positions in the text still line up.
    """

    def year_before(m: re.Match[str]) -> str:
        told = _A_YEAR.findall(low, 0, m.start())
        return told[-1].rjust(len(m[0])) if told else m[0]

    return _THAT_YEAR.sub(year_before, low)
