"""Date-limited promises checked against a day: a repaired item's warranty, an RMA's validity, a repair's cycle.

Pure functions from (pack, situation, today) to a :class:`DatedVerdict`, like :mod:`.verdicts`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.knowledge.packs import BrandPack
from bot.policy.verdicts import usable, warranty
from bot.understand.date_words import add_months
from bot.understand.situation import Situation


@dataclass(frozen=True)
class DatedVerdict:
    """A date-limited promise checked against a day.

    A repaired item's warranty, an RMA's validity, or a repair's stated cycle.
    """

    kind: str  # repaired_item | rma_validity | repair_progress
    start: date
    end: date
    on: date
    within: bool
    days: int  # the period's length (days, or working days for repair_progress)
    start_text: str = ""
    end_min: date | None = None
    floor_only: bool = False  # the end is a minimum: the original warranty (date not given) may run longer


def repaired_item(pack: BrandPack, situation: Situation, today: date) -> DatedVerdict | None:
    """Warranty on an item the brand repaired.

    Either a fixed number of days from shipment (``repair.repaired_warranty_days``), or the rest of the
    original warranty but at least some months (``warranty.repaired_keeps_remaining`` with
    ``repaired_minimum_months``).
    """
    fact = situation.date_of("shipped_back")
    if not usable(fact):
        return None
    assert fact is not None
    start = fact.reading.latest
    days = pack.repair.repaired_warranty_days
    if days:
        end = start + timedelta(days=days)
        return DatedVerdict("repaired_item", start, end, today, today <= end, days, fact.reading.text)
    minimum = pack.warranty.repaired_minimum_months
    if not (pack.warranty.repaired_keeps_remaining and minimum):
        return None
    floor = add_months(start, minimum)
    stated_end = situation.date_of("end")  # "the warranty ends 15 Dec 2026"
    if usable(stated_end) and stated_end is not None:
        original_end: date | None = stated_end.reading.latest
    else:
        before_repair = tuple(f for f in situation.dates if f.kind != "shipped_back")
        original = warranty(pack, replace(situation, dates=before_repair), today)
        original_end = original.end if original.status in ("covered", "expired") else None
    end = max(floor, original_end) if original_end is not None else floor
    return DatedVerdict(
        "repaired_item",
        start,
        end,
        today,
        today <= end,
        (end - start).days,
        fact.reading.text,
        end_min=floor,
        floor_only=original_end is None,
    )


def rma_validity(pack: BrandPack, situation: Situation, today: date) -> DatedVerdict | None:
    """Whether an RMA number issued on one day is still valid on the day it ships."""
    days = pack.rma.validity_days
    issued = situation.date_of("rma_issued")
    if not days or not usable(issued):
        return None
    assert issued is not None
    planned = situation.date_of("ship_planned")
    on = planned.reading.earliest if usable(planned) and planned is not None else today
    day = issued.reading.latest
    if not issued.reading.exact and on <= day + timedelta(days=days):
        return None  # issued on a loose date ("last week"): only a sure "expired" is told, never a day it is valid to
    end = day + timedelta(days=days)
    return DatedVerdict("rma_validity", day, end, on, on <= end, days, issued.reading.text)


def add_working_days(start: date, days: int) -> date:
    """``start`` plus ``days`` working days (Monday to Friday)."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def repair_progress(pack: BrandPack, situation: Situation, today: date) -> DatedVerdict | None:
    """Whether a repair sent in on a day is still within the brand's stated cycle (working days)."""
    longest = pack.repair.cycle_max_working_days or pack.response.own_product_return_working_days
    if longest is None:
        return None
    fact = situation.date_of("sent_in", "received_by_us")
    if not usable(fact):
        return None
    assert fact is not None
    start = fact.reading.latest
    end = add_working_days(start, longest)
    shortest = pack.repair.cycle_min_working_days
    return DatedVerdict(
        "repair_progress",
        start,
        end,
        today,
        today <= end,
        longest,
        fact.reading.text,
        end_min=add_working_days(start, shortest) if shortest else None,
    )
