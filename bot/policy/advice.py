"""Deciding which verdicts a message needs, and what to ask when a fact is missing.

The engine gives the :class:`Advisor` the customer's situation (this message plus what the conversation
already established), the matcher's tokens and the FAQ entry it chose. The advisor runs the policy
functions that apply and returns :class:`Advice`: named templates to render (with their verdicts), a
question to ask when the answer depends on something the customer has not said, and whether the
verdicts answer the question fully (so the FAQ entry's general answer is offered as a button instead).
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.core.errors import FaqError
from bot.knowledge.pack_models import Exclusion
from bot.knowledge.packs import BrandPack
from bot.policy import dated as promises
from bot.policy import verdicts as policy
from bot.understand.dates import DateReading
from bot.understand.situation import AGE_KINDS, DateFact, Situation

_OWN_CASE_TOKENS = frozenset(
    {
        "faulty",
        "expired",
        "drop",
        "water",
        "damp",
        "lightning",
        "fire",
        "surge",
        "no_power",
        "no_picture",
        "no_recording",
    }
)
_NOT_FAULTS = frozenset({"agent", "used", "installed", "special_price", "accessory", "borrowed", "no_fault"})


@dataclass
class Advice:
    """What the engine should say about the customer's own situation."""

    parts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ask: tuple[str, dict[str, Any]] | None = None
    need: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)  # (label or category name, button data)
    supersede: bool = False


class Advisor:
    """Applies the policy layer to a situation."""

    def __init__(self, path: Path, *, damage: frozenset[str] = frozenset()) -> None:
        """Read ``supersedes`` (and ``credit_sum``) from the situations file; ``damage``: the tags that are damage."""
        self.damage = damage
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
            supersedes = data["supersedes"]
            self.not_after: tuple[str, ...] = tuple(data["questions"]["not_after"])
            self.verdict_words = frozenset(data["questions"]["verdict_words"])
            unless = data.get("supersedes_unless", {})
            self.credit_unless = frozenset(data.get("credit_sum", {}).get("unless", ()))
        except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
            raise FaqError(path, "supersedes", f"cannot load: {exc}") from None
        self.supersedes: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in supersedes.items()}
        self.supersedes_unless: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in unless.items()}

    def advise(
        self, pack: BrandPack, situation: Situation, tokens: Sequence[str], entry_id: str | None, today: date
    ) -> Advice:
        """The verdicts that apply, or the question to ask."""
        advice = Advice()
        s = situation
        fault_words = bool(_OWN_CASE_TOKENS & set(tokens)) or bool(s.events - _NOT_FAULTS)
        # a date counts as the product's age when the message says so, or talks about a fault with it
        has_age = any(
            f.kind in AGE_KINDS and (f.kind != "unknown" or fault_words or "free" in s.wants) for f in s.dates
        )
        own_case = fault_words or has_age
        w = policy.warranty(pack, s, today)
        excl = policy.exclusions(pack, s)
        examples = policy.exclusion_examples(pack, s)  # "wrong power supply" under "not following the manual"

        dated = [
            v
            for v in (
                promises.rma_validity(pack, s, today),
                promises.repaired_item(pack, s, today) if s.wants & {"free", "cost"} or fault_words else None,
                promises.repair_progress(pack, s, today),
            )
            if v is not None
        ]
        for verdict in dated:
            advice.parts.append((verdict.kind, {"v": verdict}))

        cost = policy.out_of_warranty_cost(pack, s, w.months_over if w.status == "expired" else None)
        # a band of charges only where the charge is asked about (not "2 years past, how do I send it in?")
        asked = "cost" in s.wants or self._supersedes("cost", entry_id)
        banded = cost.tier is not None and s.years_beyond is not None and asked
        # a return for credit is no repair: its sums are the products' price (not beside a repair, a fault…)
        credit = None if self.credit_unless & set(tokens) else policy.credit_amount(pack, s)
        repairing = "repair" in tokens or bool(s.wants & {"decline", "diagnosis"})  # (not a return for credit)
        if (
            credit is None
            and ("credit" not in s.wants or repairing)
            and (cost.total is not None or cost.unplaced or banded)
        ):
            advice.parts.append(("cost", {"v": cost}))

        if s.wants & {"refund", "replace", "credit"} and not dated:
            window = policy.return_option(pack, s, today)
            if window is not None:
                if window.need is None:  # (a customer who expects a no gets no bare "yes" or "no" either way)
                    advice.parts.append(("window", {"v": window, "doubt": "doubt" in s.wants}))
                elif window.need == "day_month":
                    advice.ask = ("ask_day_month", {"v": window})
                    advice.need = "day_month"
                    advice.choices = [(d.isoformat(), f"date:{d.isoformat()}") for d in window.options]
                elif window.need == "exact_date":  # close to a window's end, not to the warranty's
                    self._ask_date(advice, window.need, window.start_text, replace(w, months=None))
                elif window.need == "valid_date":
                    self._ask_date(advice, window.need, window.start_text, w)
                elif not excl:
                    self._ask_date(advice, "date", "", w)

        if credit is not None and not any(n == "window" for n, _ in advice.parts):  # (a window's verdict says it)
            advice.parts.append(("credit", {"v": credit}))

        if "shipping" in s.wants and has_age and not dated:
            ship = policy.shipping(pack, s, today)
            if ship is not None and ship.rule is not None:
                advice.parts.append(("shipping", {"v": ship}))

        # the warranty status is given when asked for ("free?", "how much?") or when a dated fault is described;
        # not for a return of a product with no fault ("unused, can I return it, what does it cost?")
        returning = bool(s.wants & {"refund", "replace", "credit"}) and (not fault_words or "unused" in tokens)
        # ("will you replace it?" after what happened to it asks whether that is covered)
        broke = "faulty" in tokens  # it failed, not only a repair or a shop named ("it broke after I paid half")
        asks_cover = bool(s.wants & {"free", "cost"}) or (bool(excl) and ("replace" in s.wants or broke))
        wants_status = not returning and (asks_cover or (has_age and fault_words))
        answered = cost.total is not None or cost.unplaced or any(n in ("window", "credit") for n, _ in advice.parts)
        # a repair's own warranty over, while the product's runs on (its purchase told): the product's answers
        repair_over = any(v.kind == "repaired_item" and not v.within for v in dated) and w.status == "covered"
        if (not dated or repair_over) and wants_status and not answered:
            self._warranty(
                advice,
                w,
                excl,
                examples,
                has_age=has_age,
                own_case=own_case,
                wants=s.wants,
                events=s.events,
                beyond=s.years_beyond is not None,
            )
        elif excl and has_age and w.status in ("covered", "expired"):
            advice.parts.append(
                ("exclusion", {"excl": excl, "examples": examples, "v": w if w.status == "covered" else None})
            )

        if advice.ask is not None and self._settled(tokens, entry_id):
            advice.ask, advice.need, advice.choices = None, None, []
        if advice.parts and entry_id is not None:
            advice.supersede = any(
                self._supersedes(name, entry_id) and not self.supersedes_unless.get(name, frozenset()) & set(tokens)
                for name, _ in advice.parts
            )
        return advice

    def _supersedes(self, part: str, entry_id: str | None) -> bool:
        """Whether a part of the advice answers what the entry chosen for the question answers."""
        return entry_id is not None and any(fnmatch.fnmatch(entry_id, p) for p in self.supersedes.get(part, ()))

    def _warranty(
        self,
        advice: Advice,
        w: policy.WarrantyVerdict,
        excl: list[Exclusion],
        examples: dict[str, list[Exclusion]],
        *,
        has_age: bool,
        own_case: bool,
        wants: frozenset[str],
        events: frozenset[str],
        beyond: bool,
    ) -> None:
        damage = sorted(events & self.damage)
        if excl and w.status != "expired":  # what happened outranks the date, and needs none
            advice.parts.append(
                ("exclusion", {"excl": excl, "examples": examples, "v": w if w.status == "covered" else None})
            )
        elif damage and not excl and w.status in ("covered", "unknown", "manufacturer"):
            # damage the brand's exclusions don't name is still no defect: no free repair promised
            advice.parts.append(("damage_review", {"damage": damage, "v": w if w.status == "covered" else None}))
        elif w.status in ("covered", "expired"):
            advice.parts.append((f"warranty_{w.status}", {"v": w}))
            if excl:
                advice.parts.append(("exclusion", {"excl": excl, "examples": examples, "v": None}))
        elif w.status in ("manufacturer", "unreadable"):
            advice.parts.append((f"warranty_{w.status}", {"v": w}))
        elif w.need == "category" and (has_age or own_case) and not excl:
            advice.ask = ("ask_category", {"v": w})
            advice.need = "category"
            advice.choices = [(c.name, f"cat:{c.id}") for c in w.options]
        elif w.need in ("valid_date", "exact_date", "day_month"):
            self._ask_date(advice, w.need, w.start_text, w)
        elif w.need == "date" and own_case and "free" in wants and not excl and not beyond:
            self._ask_date(advice, "date", "", w)  # (past the warranty by so much: no date needed)

    def _settled(self, tokens: Sequence[str], entry_id: str | None) -> bool:
        """Whether the question needs no product type or date.

        The customer says it is out of warranty, or the entry chosen answers it whatever they are (an exclusion).
        """
        if "expired" in tokens:
            return True
        return entry_id is not None and any(fnmatch.fnmatch(entry_id, p) for p in self.not_after)

    @staticmethod
    def _ask_date(advice: Advice, need: str, text: str, w: policy.WarrantyVerdict) -> None:
        if advice.ask is not None:
            return
        if need == "valid_date":
            advice.ask = ("bad_date", {"v": w})
        elif need == "day_month":
            advice.ask = ("ask_day_month", {"v": w})
            advice.choices = [(d.isoformat(), f"date:{d.isoformat()}") for d in w.options]
        elif need == "exact_date":
            advice.ask = ("ask_exact_date", {"v": w})
        else:
            advice.ask = ("ask_date", {"v": w})
        advice.need = need


def sample_situations(pack: BrandPack, today: date) -> Iterator[Situation]:
    """Situations that between them reach every verdict template for a brand (used to check templates)."""

    def fact(kind: str, day: date, text: str = "the date") -> DateFact:
        return DateFact(DateReading(day, day, text, 0, 0), kind)

    category = pack.categories[0].id if pack.categories else None
    long_ago = today - timedelta(days=3000)
    recent = today - timedelta(days=3)
    for cat in [category, *[c.id for c in pack.categories]]:
        for day in (recent, long_ago, today - timedelta(days=20), today - timedelta(days=60)):
            yield Situation(
                dates=(fact("purchase", day),), category=cat, wants=frozenset({"free", "refund", "credit", "shipping"})
            )
    events = frozenset(t for e in pack.exclusion_list for t in e.tags)
    yield Situation(dates=(fact("purchase", recent),), category=category, events=events, wants=frozenset({"free"}))
    yield Situation(dates=(fact("purchase", long_ago),), category=category, events=events, wants=frozenset({"free"}))
    yield Situation(dates=(fact("rma_issued", today - timedelta(days=20)), fact("ship_planned", today)))
    yield Situation(dates=(fact("rma_issued", today - timedelta(days=2)), fact("ship_planned", today)))
    yield Situation(dates=(fact("shipped_back", today - timedelta(days=10)),), wants=frozenset({"free"}))
    yield Situation(dates=(fact("shipped_back", long_ago),), wants=frozenset({"free"}))
    yield Situation(dates=(fact("sent_in", today - timedelta(days=2)),), wants=frozenset({"status"}))
    yield Situation(dates=(fact("sent_in", today - timedelta(days=60)),), wants=frozenset({"status"}))
    yield Situation(amounts={"diagnosis": 50.0, "parts": 80.0}, wants=frozenset({"cost"}))
    yield Situation(amounts={"parts": 60.0, "amount2": 18.0}, wants=frozenset({"cost"}))
    yield Situation(years_beyond=1.5, wants=frozenset({"cost"}))
    yield Situation(amounts={"amount0": 300.0, "shipping": 30.0}, units=3, wants=frozenset({"credit", "cost"}))
    yield Situation(years_beyond=4, wants=frozenset({"cost"}))
    yield Situation(wants=frozenset({"free"}), events=frozenset())
    bad = DateReading(today, today, "30 February", 0, 0, problem="impossible")
    yield Situation(dates=(DateFact(bad, "purchase"),), wants=frozenset({"free"}))
    two = DateReading(
        date(today.year - 1, 3, 4),
        date(today.year - 1, 3, 4),
        "4/3",
        0,
        0,
        alternatives=(date(today.year - 1, 3, 4), date(today.year - 1, 4, 3)),
    )
    yield Situation(dates=(DateFact(two, "purchase"),), category=category, wants=frozenset({"free"}))
    month = DateReading(today - timedelta(days=400), today - timedelta(days=340), "last year", 0, 0)
    yield Situation(dates=(DateFact(month, "purchase"),), category=category, wants=frozenset({"free"}))
