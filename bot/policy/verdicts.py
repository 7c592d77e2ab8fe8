"""Applying a brand's policy to a customer's situation.

Pure functions from (pack, situation, today) to verdicts. No wording here: each verdict is data that
a template in ``faq/`` turns into a reply, and every number in it comes from the brand pack.

    warranty()      in or out of warranty, until when, counted from which date, and what is missing
    exclusions()    the brand's exclusions that what happened falls under
    return_option() the return / replacement / credit window a purchase date falls in
    shipping()      who pays shipping each way, where it depends on the product's age
    out_of_warranty_cost()  how an out-of-warranty repair is charged (tiers, diagnosis totals)
    credit_amount() what a return for credit comes to, less the brand's restocking fee
    (date-limited promises, a repaired item's warranty, an RMA's validity, a repair's cycle: :mod:`.dated`)

A verdict carries ``need`` when it cannot be given without one more fact from the customer: ``date``,
``exact_date`` (a month or "last year" is not precise enough here), ``day_month`` (15/3 or 3/15?),
``category`` (the brand's periods differ by product type), or ``valid_date`` (impossible, future,
implausible).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.knowledge.pack_models import Category, Exclusion, FeeTier, ShippingRule, Window
from bot.knowledge.packs import BrandPack
from bot.understand.dates import add_months
from bot.understand.situation import AGE_KINDS, DateFact, Situation

_COMPONENTS = ("diagnosis", "parts", "shipping", "labour")

# Exclusions with these scopes rule out a return, exchange or credit rather than the warranty.
_WINDOW_SCOPES = ("credit", "return_exchange", "returns")


@dataclass(frozen=True)
class WarrantyVerdict:
    """In or out of warranty."""

    status: str  # covered | expired | manufacturer | unreadable (the document lost it) | unknown
    need: str | None = None
    counts_from: str = "purchase"
    date_kind: str | None = None  # the kind of the date used
    start: date | None = None
    start_latest: date | None = None
    start_text: str = ""
    months: int | None = None
    category: Category | None = None
    default_used: bool = False
    end: date | None = None
    days_left: int | None = None
    days_over: int | None = None
    months_over: float | None = None
    options: tuple[Any, ...] = ()  # categories to choose from, or the two readings of a date
    problem: str | None = None

    @property
    def assumed(self) -> bool:
        """Whether the date given is not the kind the brand counts from."""
        return self.date_kind is not None and self.date_kind != self.counts_from

    @property
    def approximate(self) -> bool:
        """Whether the start date is a range (a month, "8 months ago") rather than one day."""
        return self.start is not None and self.start_latest is not None and self.start != self.start_latest


@dataclass(frozen=True)
class WindowVerdict:
    """Where a purchase falls among a brand's return / replacement / credit windows."""

    window: Window | None  # the window the purchase falls in, None when past every window
    windows: tuple[Window, ...]
    elapsed: int | None
    start: date | None
    start_text: str = ""
    need: str | None = None
    blocked_by: tuple[str, ...] = ()  # situation tags the brand's return / credit exclusions name
    options: tuple[date, ...] = ()  # the two readings of an ambiguous date
    excluded: tuple[Exclusion, ...] = ()  # the brand's return / credit exclusions that apply
    value: float | None = None  # what the customer says they paid, when they say it
    elapsed_min: int | None = None  # the fewest days it can be, when the date is a range ("within 30 days")

    @property
    def ranged(self) -> bool:
        """Whether the purchase is known only as a range of days ("within 30 days", "1 week after buying")."""
        return self.elapsed is not None and self.elapsed_min is not None and self.elapsed_min != self.elapsed


@dataclass(frozen=True)
class ShippingVerdict:
    """Who pays shipping each way for a product of this age."""

    rule: ShippingRule | None
    elapsed: int | None
    start: date | None
    start_text: str = ""
    need: str | None = None


@dataclass(frozen=True)
class CostVerdict:
    """How an out-of-warranty repair is charged."""

    tier: FeeTier | None = None
    months_over: float | None = None
    amounts: Mapping[str, float] = field(default_factory=dict)
    total: float | None = None
    diagnosis_from_pack: bool = False
    declined: bool = False
    units: int = 1  # products the diagnosis fee was counted for
    diagnosis_told: float | None = None  # a diagnosis fee the customer named that is not the brand's
    unplaced: tuple[float, ...] = ()  # sums the customer gave that no component names: nothing is added up


@dataclass(frozen=True)
class CreditVerdict:
    """What the products returned for credit are credited: their price less the brand's restocking fee."""

    price: float  # what the returned products cost, in all
    percent: float  # the restocking fee, in percent
    fee: float
    credit: float


def credit_amount(pack: BrandPack, situation: Situation) -> CreditVerdict | None:
    """The credit for a return, when the customer asks for credit (or money back) and says what it cost.

    Only for a brand whose document gives a restocking fee on returns for credit. The price is a product's
    ("my $300 DVR"), what several cost in all ("3 cameras at $100 each"), or the one sum the customer gave
    that names nothing else (shipping is never credited, so a shipping sum beside it is no price).
    """
    percent = pack.fees.restocking_percent
    if percent is None or not situation.wants & {"credit", "refund"}:
        return None
    amounts = situation.amounts
    price = amounts.get("amount0", amounts.get("price"))
    if price is None:
        unnamed = _sums(situation, "amount")
        others = set(amounts) - {"shipping"} - {k for k in amounts if k.startswith("amount")}
        price = unnamed[0] if len(unnamed) == 1 and not others and "shipping" not in situation.wants else None
    if price is None or not 0 < price < 1e7:
        return None
    fee = round(price * percent / 100, 2)
    return CreditVerdict(price=price, percent=percent, fee=fee, credit=round(price - fee, 2))


def _sums(situation: Situation, *kinds: str) -> tuple[float, ...]:
    """The plausible sums the customer gave whose key starts with one of ``kinds`` ("amount": no name placed it)."""
    return tuple(v for k, v in situation.amounts.items() if k.startswith(kinds) and 0 < v < 1e7)


def elapsed_days(start: date, today: date) -> int:
    """Days since ``start``: the day itself is day 0, so "within 7 days" includes the 7th day after."""
    return (today - start).days


def usable(fact: DateFact | None) -> bool:
    """Whether a date was given and read without a problem (not impossible, future or implausible)."""
    return fact is not None and fact.reading.problem is None


def _date_problem(situation: Situation) -> DateFact | None:
    return next((f for f in situation.dates if f.reading.problem is not None), None)


def _start_fact(pack: BrandPack, situation: Situation, counts_from: str) -> DateFact | None:
    kinds = (counts_from, *[k for k in AGE_KINDS if k != counts_from])
    return situation.date_of(*kinds)


def warranty(pack: BrandPack, situation: Situation, today: date) -> WarrantyVerdict:
    """In or out of warranty on ``today``, and what is missing to say so."""
    terms = pack.warranty
    counts_from = terms.counts_from
    problem = _date_problem(situation)
    if problem is not None:
        return WarrantyVerdict(
            "unknown",
            need="valid_date",
            counts_from=counts_from,
            start_text=problem.reading.text,
            problem=problem.reading.problem,
        )
    category = pack.category(situation.category) if situation.category else None
    default = terms.default_months
    distinct = {c.months for c in pack.categories if not _manufacturer(c)} | ({default} if default else set())
    if category is None and pack.categories and default is None and len(distinct | {None}) > 1:
        fact = _start_fact(pack, situation, counts_from)
        return WarrantyVerdict(
            "unknown",
            need="category",
            counts_from=counts_from,
            options=tuple(pack.categories),
            start=fact.reading.earliest if fact else None,
            start_text=fact.reading.text if fact else "",
        )
    if category is not None and _manufacturer(category):
        return WarrantyVerdict("manufacturer", counts_from=counts_from, category=category)
    if category is not None and category.period_stated is False and not situation.stated_months:
        # the document's table lost this category's period: say so rather than apply another one
        return WarrantyVerdict("unreadable", counts_from=counts_from, category=category)
    months = category.months if category is not None and category.months else default
    if (
        situation.stated_months
        and 1 <= situation.stated_months <= 120
        and terms.exception_rule == "stated_period_applies"
    ):
        months = situation.stated_months  # "except for products with clear warranty period"
    if months is None:
        return WarrantyVerdict("unknown", need="category", counts_from=counts_from, options=tuple(pack.categories))
    fact = _start_fact(pack, situation, counts_from)
    base = WarrantyVerdict(
        "unknown",
        counts_from=counts_from,
        months=months,
        category=category,
        default_used=category is None or not category.months,
    )
    if fact is None:
        return _with(base, need="date")
    reading = fact.reading
    kind = fact.kind if fact.kind in ("purchase", "delivery", "contract") else None
    if reading.alternatives:
        outcomes = {_status(add_months(d, months), today) for d in reading.alternatives}
        if len(outcomes) > 1:
            return _with(base, need="day_month", options=reading.alternatives, start_text=reading.text, date_kind=kind)
    end_first = add_months(reading.earliest, months)
    end_last = add_months(reading.latest, months)
    first, last = _status(end_first, today), _status(end_last, today)
    common = {"start": reading.earliest, "start_latest": reading.latest, "start_text": reading.text, "date_kind": kind}
    if first != last:
        return _with(base, need="exact_date", end=end_first, **common)
    if first == "covered":
        return _with(base, status="covered", end=end_first, days_left=(end_first - today).days, **common)
    over = (today - end_last).days
    return _with(base, status="expired", end=end_last, days_over=over, months_over=round(over / 30.44, 1), **common)


def _with(verdict: WarrantyVerdict, **changes: Any) -> WarrantyVerdict:
    return replace(verdict, **changes)


def _status(end: date, today: date) -> str:
    return "covered" if today <= end else "expired"


def _manufacturer(category: Category) -> bool:
    return category.manufacturer_terms


def exclusions(pack: BrandPack, situation: Situation) -> list[Exclusion]:
    """The brand's warranty exclusions that what happened falls under (document order, no duplicates).

    An exclusion that is an example of another (``part_of``: "using the wrong power supply" under "not
    following the manual") stands for that other one, which names it among its examples.
    """
    events = situation.events - {"expired"}
    warranty = [e for e in pack.exclusion_list if e.scope == "warranty"]
    named = {e.part_of or e.id for e in warranty if not events.isdisjoint(e.tags)}
    return [e for e in warranty if e.part_of is None and e.id in named]


def exclusion_examples(pack: BrandPack, situation: Situation) -> dict[str, list[Exclusion]]:
    """The examples of a clause (``part_of``) that what happened falls under, by their clause's id."""
    events = situation.events - {"expired"}
    found: dict[str, list[Exclusion]] = {}
    for e in pack.exclusion_list:
        if e.scope == "warranty" and e.part_of and not events.isdisjoint(e.tags):
            found.setdefault(e.part_of, []).append(e)
    return found


def return_windows(pack: BrandPack) -> tuple[Window, ...]:
    """The brand's return / replacement / credit windows, shortest first."""
    return pack.windows


def _elapsed_window(windows: Sequence[Window], elapsed: int) -> Window | None:
    return next((w for w in windows if w.covers(elapsed)), None)


def return_option(pack: BrandPack, situation: Situation, today: date) -> WindowVerdict | None:
    """The window a purchase falls in today (None when the brand has no windows)."""
    windows = return_windows(pack)
    if not windows:
        return None
    rules = [e for e in pack.exclusion_list if e.scope in _WINDOW_SCOPES and not situation.events.isdisjoint(e.tags)]
    blocked = tuple(sorted({t for e in rules for t in e.tags} & situation.events))
    excluded = tuple(rules)
    problem = _date_problem(situation)
    if problem is not None:
        return WindowVerdict(
            None, windows, None, None, problem.reading.text, need="valid_date", blocked_by=blocked, excluded=excluded
        )
    fact = _start_fact(pack, situation, "purchase")
    if fact is None:
        return WindowVerdict(None, windows, None, None, need="date", blocked_by=blocked, excluded=excluded)
    reading = fact.reading
    if (
        reading.alternatives
        and len({_window_id(_elapsed_window(windows, elapsed_days(d, today))) for d in reading.alternatives}) > 1
    ):
        return WindowVerdict(
            None,
            windows,
            None,
            reading.earliest,
            reading.text,
            need="day_month",
            blocked_by=blocked,
            options=reading.alternatives,
            excluded=excluded,
        )
    low, high = elapsed_days(reading.latest, today), elapsed_days(reading.earliest, today)
    first, last = _elapsed_window(windows, low), _elapsed_window(windows, high)
    if first is not last:
        return WindowVerdict(
            None,
            windows,
            None,
            reading.earliest,
            reading.text,
            need="exact_date",
            blocked_by=blocked,
            excluded=excluded,
        )
    paid = next(iter(_sums(situation, "amount", "price")), None)
    return WindowVerdict(
        first,
        windows,
        high,
        reading.earliest,
        reading.text,
        blocked_by=blocked,
        excluded=excluded,
        value=paid,
        elapsed_min=low,
    )


def _window_id(window: Window | None) -> str | None:
    return None if window is None else window.id


def shipping(pack: BrandPack, situation: Situation, today: date) -> ShippingVerdict | None:
    """Who pays shipping, where the brand's rule depends on the product's age (None otherwise)."""
    rules = [r for r in pack.shipping.rules if r.age_based]
    if not rules:
        return None
    fact = _start_fact(pack, situation, pack.shipping.counted_from)
    if not usable(fact):
        return ShippingVerdict(None, None, None, need="date")
    assert fact is not None
    reading = fact.reading
    low, high = elapsed_days(reading.latest, today), elapsed_days(reading.earliest, today)

    def rule_for(elapsed: int) -> ShippingRule | None:
        return next((r for r in rules if r.covers(elapsed)), None)

    if reading.alternatives and len({id(rule_for(elapsed_days(d, today))) for d in reading.alternatives}) > 1:
        return ShippingVerdict(None, None, reading.earliest, reading.text, need="day_month")

    if rule_for(low) is not rule_for(high):
        return ShippingVerdict(None, None, reading.earliest, reading.text, need="exact_date")
    return ShippingVerdict(rule_for(high), high, reading.earliest, reading.text)


def several_fees(situation: Situation) -> bool:
    """Whether the customer asks what a per-product fee comes to for several ("3 cameras: the total diagnosis fee?")."""
    return (situation.units or 1) > 1 and "diagnosis" in situation.wants


def out_of_warranty_cost(pack: BrandPack, situation: Situation, months_over: float | None) -> CostVerdict:
    """How a repair past the warranty is charged: the brand's tier, or a diagnosis-based total."""
    fees = pack.fees
    if situation.years_beyond is not None:
        months_over = situation.years_beyond * 12
    tier = None
    if months_over is not None:
        tier = next((t for t in fees.beyond_warranty if t.covers(months_over)), None)
    # only amounts the customer named as repair components count; a product's price is not a repair cost
    amounts = {k: v for k, v in situation.amounts.items() if k in _COMPONENTS and 0 <= v < 1e7}
    if "decline" in situation.wants:  # a declined repair costs the diagnosis and the way back, not the parts
        amounts = {k: v for k, v in amounts.items() if k in ("diagnosis", "shipping")}
    units = situation.units or 1
    told = amounts.get("diagnosis")
    wrong = None  # the brand's fee is the fee: a figure the customer half-remembers is corrected, never added up
    if fees.diagnosis is not None and told is not None and not math.isclose(told, fees.diagnosis * units):
        amounts.pop("diagnosis")  # counted again from the brand's fee for every product ("$50 each, 3 units")
        wrong = None if math.isclose(told, fees.diagnosis) else told
    total = None
    from_pack = False
    several = several_fees(situation) or (told is not None and "diagnosis" not in amounts)  # a sum told, redone
    # a sum the customer gave beside a quote's parts, for what is not known, would be left out of a total: none is
    # given then (a product's price at so much each is known for what it is)
    unplaced = () if "amount0" in situation.amounts else _sums(situation, "amount")
    if amounts and unplaced and "decline" not in situation.wants:  # (declined: the quote's other sums are not owed)
        return CostVerdict(tier=tier, months_over=months_over, amounts=amounts, unplaced=unplaced, units=units)
    if fees.diagnosis is not None and (set(amounts) - {"diagnosis"} or "decline" in situation.wants or several):
        if "diagnosis" not in amounts:
            amounts["diagnosis"] = fees.diagnosis * units  # the fee is per product
            from_pack = True
        total = sum(amounts.values())
    return CostVerdict(
        tier=tier,
        months_over=months_over,
        amounts=amounts,
        total=total,
        diagnosis_from_pack=from_pack,
        declined="decline" in situation.wants,
        units=units,
        diagnosis_told=wrong,
    )
