"""Dates told by a festival: "for christmas, the christmas before last", "去年双十一", "Tết năm ngoái".

The festival's day comes from ``values.festival`` in ``dates.toml`` (a fixed day, or the lunar new year, Thanksgiving
or Black Friday of the year); which year's, from the words around it: a year ("christmas 2024", "2024年国庆"), a
year word ("last year's christmas", "去年双十一", "Tết năm ngoái"), "before last", or none (the latest one up to today;
"last christmas" is that one too). The reading is the days around it: a present is bought a few days before the
day, an order from a sale arrives a few days after.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from bot.understand.date_words import DateWords

_CLAUSE = re.compile(r"[.;!?。！？\n]")
BEFORE = timedelta(days=7)  # a present bought ahead of the day
AFTER = timedelta(days=3)  # an order from a festival's sale delivered after it


def festivals(
    pattern: re.Pattern[str], low: str, today: date, words: DateWords
) -> Iterator[tuple[re.Match[str], date, date]]:
    """Each festival in a text (lower case) that dates something, with the days it can mean.

    Around the day by default; the day itself after "on"; the days before it after "before", after it after "after".
    A bare one that another just after it names again ("for christmas - the christmas before last") is left to it.
    """
    found = list(pattern.finditer(low))
    patterns = words.patterns
    for i, m in enumerate(found):
        if patterns.festival_plan.search(low, max(0, m.start() - 60), m.start()):
            continue  # "i'll order before black friday": no purchase yet
        before, after = _CLAUSE.split(low[max(0, m.start() - 90) : m.start()])[-1], _CLAUSE.split(low[m.end() :])[0]
        if not (patterns.festival_cue.search(before) or patterns.festival_cue.search(after[:25])):
            continue  # "the nvr quit over christmas": a festival that dates no purchase, delivery or RMA
        again = any(
            words.festival[n["name"]] == words.festival[m["name"]] and n.start() - m.end() < 60 for n in found[i + 1 :]
        )
        told = patterns.year_told.search(low[: m.start()]) or patterns.year_told.search(low, m.end())
        if _bare(m) and (again or told or re.match(r"\s*\d", after)):
            continue  # its year told elsewhere, or a number after it that is no year ("xmas 15 cams"): never guessed
        day = festival_day(m, today, words)
        if day is None:  # (a lunar new year of a year not in the table)
            continue
        around = f"{before}\x00{after}"  # the festival's place in its clause (see festival_before and on)
        if patterns.festival_before.search(around):
            yield m, day - timedelta(days=10), day - timedelta(days=1)  # "before thanksgiving"
        elif patterns.festival_on.search(around):
            yield m, day, day
        elif patterns.festival_after.search(around):
            yield m, day + timedelta(days=1), min(day + timedelta(days=10), max(today, day))
        else:
            yield m, day - BEFORE, min(day + AFTER, max(today, day))


def _bare(m: re.Match[str]) -> bool:
    return not any(m[g] for g in ("year", "short_zh", "after", "short", "bare", "ago", "ago_after", "which", "before"))


def festival_day(m: re.Match[str], today: date, words: DateWords) -> date | None:
    """The day a festival match names (None: its year's day is not known)."""
    kind = words.festival[m["name"]]
    short = m["short"] or m["short_zh"] or m["bare"]
    year_text = m["year"] or m["after"] or (f"20{short}" if short else None)
    ago = m["ago"] or m["ago_after"]
    if year_text:
        year = int(year_text)
    elif ago:
        year = today.year - words.years_ago[ago]
    elif m["which"] == "this":
        year = today.year
    else:  # the latest one up to today ("last christmas" in December is last year's)
        this_year = _day(kind, today.year, words)
        year = today.year if this_year is not None and this_year <= today else today.year - 1
        year -= 1 if m["before"] else 0
    return _day(kind, year, words)


def _day(kind: str, year: int, words: DateWords) -> date | None:
    """The festival's day in a year."""
    if kind == "lunar":
        found = words.lunar_new_year.get(year)
        return date(year, *found) if found else None
    if kind in ("thanksgiving", "black_friday"):
        first = date(year, 11, 1)
        thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)  # the fourth Thursday of November
        return thursday + timedelta(days=1 if kind == "black_friday" else 0)
    month, day = (int(n) for n in kind.split("-"))
    return date(year, month, day)
