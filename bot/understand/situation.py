"""Reading a customer's situation from what they wrote.

Dates and which date each is, the product category their brand distinguishes, what happened to the
product, amounts quoted, and what they want.

Pure functions over text; the patterns live in ``faq/_common/matching/situations.toml``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.errors import FaqError
from bot.core.text import fold, fold_aligned
from bot.knowledge.packs import BrandPack
from bot.understand.amounts import Quantities
from bot.understand.date_words import load_date_words
from bot.understand.dates import DateReading, add_months, find_dates
from bot.understand.literals import Gate

_CLAUSE_END = re.compile(r"[.;!?。！？]")
_NOT_A = (
    r"(?<!not a )(?<!not an )(?<!not the )(?<!not just a )(?<!isn t a )(?:(?<=是不是)|(?<!不是))(?<!phai )(?<!phai la )"
)
_LEAD_IN = re.compile(r"[\s,:]*(?:on|in|at|since|from|dated|date)?\s*")  # what stands between a cue and its date
_LIST_ITEM = re.compile(r"(?:^|\s)\(?\d{1,2}[).]\s|;|•|\?|？")  # "1) a storm 2) someone…", "…? …?": outrank per item
# Which date kinds count as which, when a brand counts its warranty from one of them ("contact": when the
# customer called, wrote or was visited, not the product's age).
DATE_KINDS = (
    "purchase", "delivery", "contract", "acquired", "shipped_back", "rma_issued", "ship_planned", "sent_in",
    "received_by_us", "fault", "end", "contact",
)  # fmt: skip
# The kinds that tell the product's age, in the order they may stand in for the one a brand counts from.
AGE_KINDS = ("purchase", "delivery", "contract", "acquired", "unknown")


@dataclass(frozen=True)
class DateFact:
    """A date in the message and what it is the date of."""

    reading: DateReading
    kind: str  # one of DATE_KINDS, or "unknown"


@dataclass(frozen=True)
class Situation:
    """Everything the reader found in one message (or in a conversation so far)."""

    dates: tuple[DateFact, ...] = ()
    category: str | None = None
    events: frozenset[str] = frozenset()
    wants: frozenset[str] = frozenset()
    amounts: Mapping[str, float] = field(default_factory=dict)
    years_beyond: float | None = None
    stated_months: int | None = None
    units: int | None = None  # how many products the message is about ("3 cameras"), when it says
    denied: frozenset[str] = frozenset()  # causes the customer says did not happen ("I didn't drop it")

    def date_of(self, *kinds: str) -> DateFact | None:
        """The first date of one of ``kinds`` (in the order given), an exact day first within a kind."""
        for kind in kinds:
            found = [f for f in self.dates if f.kind == kind]
            if found:  # an exact day before a span ("installed last autumn - the invoice is dated 2025-10-14")
                return next((f for f in found if f.reading.earliest == f.reading.latest), found[0])
        return None

    def merged(self, later: Situation) -> Situation:
        """The situation with a later message's facts added (later facts win where both speak)."""
        kinds = {f.kind for f in later.dates}
        return Situation(
            dates=tuple([f for f in self.dates if f.kind not in kinds] + list(later.dates)),
            category=later.category or self.category,
            events=self.events | later.events,
            wants=self.wants | later.wants,
            amounts={**self.amounts, **later.amounts},
            years_beyond=later.years_beyond if later.years_beyond is not None else self.years_beyond,
            stated_months=later.stated_months or self.stated_months,
            units=later.units or self.units,
            denied=(self.denied | later.denied) - later.events,
        )

    def answered_with(self, later: Situation) -> Situation:
        """The situation after the customer answered our question about a date.

        The new date replaces the product-age dates given before (a corrected or more exact date), and
        keeps the kind we asked about when the answer doesn't say ("28 February" after "when did you buy it?").
        """
        asked = next((f.kind for f in self.dates if f.kind in AGE_KINDS and f.kind != "unknown"), None)
        # ("I told you, 28 February": a date said in answer is the one asked for, whatever cue it has)
        answers = [
            DateFact(f.reading, asked or "unknown") if f.kind in ("unknown", "contact") else f for f in later.dates
        ]
        aged = any(f.kind in AGE_KINDS for f in answers)
        kept = [f for f in self.dates if f.kind not in AGE_KINDS] if aged else list(self.dates)
        return replace(self.merged(replace(later, dates=())), dates=tuple(kept + answers))

    def to_state(self) -> dict[str, object]:
        """A JSON-serialisable form, kept in the conversation state between turns."""
        return {
            "dates": [
                {
                    "earliest": f.reading.earliest.isoformat(),
                    "latest": f.reading.latest.isoformat(),
                    "text": f.reading.text,
                    "kind": f.kind,
                    "alternatives": [d.isoformat() for d in f.reading.alternatives],
                    "problem": f.reading.problem,
                }
                for f in self.dates
            ],
            "category": self.category,
            "events": sorted(self.events),
            "wants": sorted(self.wants),
            "amounts": dict(self.amounts),
            "years_beyond": self.years_beyond,
            "stated_months": self.stated_months,
            "units": self.units,
            "denied": sorted(self.denied),
        }

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> Situation:
        """The inverse of :meth:`to_state`."""
        dates = []
        for item in data.get("dates") or []:
            assert isinstance(item, dict)
            reading = DateReading(
                date.fromisoformat(item["earliest"]),
                date.fromisoformat(item["latest"]),
                item["text"],
                0,
                0,
                tuple(date.fromisoformat(d) for d in item["alternatives"]),
                item["problem"],
            )
            dates.append(DateFact(reading, item["kind"]))
        amounts = data.get("amounts") or {}
        assert isinstance(amounts, dict)
        years = data.get("years_beyond")
        return cls(
            dates=tuple(dates),
            category=data.get("category"),
            events=frozenset(data.get("events") or []),
            wants=frozenset(data.get("wants") or []),
            amounts=amounts,
            years_beyond=float(years) if isinstance(years, (int, float)) else None,
            stated_months=data.get("stated_months"),
            units=data.get("units"),
            denied=frozenset(data.get("denied") or []),
        )


class SituationReader:
    """Reads situations using the patterns file."""

    def __init__(self, path: Path) -> None:
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
            self.negation = re.compile(data["negation"], re.I)
            self.tried, self.tried_tags = re.compile(data["tried"], re.I), frozenset(data["tried_tags"])
            self.tried_plainly, self.no_change = re.compile(data["tried_plainly"]), re.compile(data["no_change"])
            self.tried_harm = re.compile(data["tried_harm"], re.I)
            self.someone_did = re.compile(data["someone_did"], re.I)
            self.kinds = {k: [re.compile(p, re.I) for p in v] for k, v in data["date_kinds"].items()}
            self._event_gate, self._want_gate = Gate(data["events"]), Gate(data["wants"])
            # each alternative alone, to run only those the gate lets through
            self._alone = {
                t: {k: [re.compile(p, re.I) for p in v] for k, v in data[t].items()} for t in ("events", "wants")
            }
            self.date_words = load_date_words(path.parent / "dates.toml")  # beside this file
            self.age = re.compile(data["age"])
            self.part_of_product = data["part_of_product"]
            self.owned = (re.compile(data["owned_before"]), re.compile(data["owned_after"]))
            self.own_return = re.compile(data["own_return"], re.I)
            self.within = re.compile(data["within"], re.I)
            self.ended = re.compile(data["warranty_ended"], re.I)
            self.named = re.compile(data["warranty_named"], re.I)  # (the warranty named before an end day…)
            self.ended_after = re.compile(data["warranty_ended_after"], re.I)  # (…and ended after it)
            self.quantities = Quantities(data)
            self.outranks = {str(k): frozenset(v) for k, v in data.get("outranks", {}).items()}
        except (OSError, tomllib.TOMLDecodeError, KeyError, re.error, AttributeError) as exc:
            raise FaqError(path, "(patterns)", f"cannot load situation patterns: {exc}") from None
        self._categories: dict[str, list[tuple[str, str, str, re.Pattern[str]]]] = {}
        self._described: dict[str, frozenset[str]] = {}
        unknown = set(self.kinds) - set(DATE_KINDS)
        if unknown:
            raise FaqError(path, f"date_kinds.{sorted(unknown)[0]}", "unknown date kind")

    def read(self, text: str, now: datetime, pack: BrandPack, *, language: str = "en") -> Situation:
        """The situation in one message, for a brand (its categories, its usual date order)."""
        text = unicodedata.normalize("NFC", text)
        folded = fold_aligned(text)
        day_first = pack.brand.date_order != "mdy" or language != "en"  # (a Vietnamese 01/06 is 1 June)
        readings = find_dates(text, now, language=language, day_first=day_first, words=self.date_words)
        today = now.date()
        dates = tuple(_past_if_unplanned(DateFact(r, self._kind(folded, r, today, readings)), today) for r in readings)
        if not any(f.kind in AGE_KINDS for f in dates):
            dates += self._returned_within(folded, text, today)
        return Situation(
            dates=dates,
            category=self._category(folded, self._category_patterns(pack), self.owned),
            events=(happened := self._happened(folded))[0],
            denied=happened[1],
            wants=self._wants(folded),
            amounts=self.quantities.amounts(folded),
            years_beyond=self.quantities.years_beyond(folded) or self._since_warranty_ended(folded, dates, today),
            stated_months=self.quantities.stated_months(folded),
            units=self.quantities.units(folded),
        )

    def _since_warranty_ended(self, folded: str, dates: tuple[DateFact, ...], today: date) -> float | None:
        """How long ago (in years) the warranty ended, when the customer gives that day ("warranty end 2023-06")."""
        if any(f.kind in AGE_KINDS and f.kind != "unknown" for f in dates):
            return None  # the product's own age is told: an end day may well be another product's
        for fact in dates:
            reading = fact.reading
            if fact.kind != "end" or reading.problem is not None or reading.latest >= today:
                continue
            before = folded[max(0, reading.start - 40) : reading.start]
            if self.ended.search(before) or (self.named.search(before) and self.ended_after.match(folded, reading.end)):
                return round((today - reading.latest).days / 365.25, 2)
        return None

    def described(self, text: str) -> frozenset[str]:
        """:meth:`causes` of a FAQ entry's text, worked out once (kept in the content's snapshot)."""
        found = self._described.get(text)
        if found is None:
            found = self._described[text] = self.causes(fold_aligned(text))
        return found

    def causes(self, folded: str) -> frozenset[str]:
        """What a folded text tells happened to a product: the ``events`` of :meth:`read`, alone."""
        return self._happened(folded)[0]

    def _happened(self, folded: str) -> tuple[frozenset[str], frozenset[str]]:
        """The causes told (each list item's own), and the causes the customer denies and tells of nowhere."""
        told: set[str] = set()
        denied: set[str] = set()
        for item in _LIST_ITEM.split(folded):
            found, negated = self._told_and_denied(item)
            told |= self._causes(found)
            denied |= negated
        return frozenset(told), frozenset(denied - told)

    def _returned_within(self, folded: str, text: str, today: date) -> tuple[DateFact, ...]:
        """The product's age when the customer tells their own return "within 30 days": bought 0 to 30 days ago."""
        if not self.own_return.search(folded):
            return ()
        m = self.within.search(folded)
        if m is None:
            return ()
        number, word = next((m[i], m[i + 1]) for i in (1, 3, 5) if m[i])
        amount = float(number) if number.isdigit() else self.quantities.numbers.get(number, 0.0)
        units = self.date_words.units
        unit = units.get(word.lower()) or units.get(word.lower().rstrip("s")) or units.get(word[-1])  # 个月: 月
        if not amount or unit is None:
            return ()
        if unit.days:
            earliest = today - timedelta(days=round(amount * unit.days))
        else:
            earliest = add_months(today, -round(amount * unit.months))
        reading = DateReading(earliest, today, text[m.start() : m.end()], m.start(), m.end())
        return (DateFact(reading, "purchase"),)

    def _kind(self, folded: str, reading: DateReading, today: date, others: Sequence[DateReading] = ()) -> str:
        """The date kind whose cue is nearest the date: before it within the sentence, or right after it.

        A cue after the date or behind a comma counts less ("bought a ptz back in 2021, motor died now"); a date of
        the last two days that no cue explains is when the fault showed up ("not recording since this morning").
        """
        sentence_start = max(folded.rfind(sep, 0, reading.start) for sep in (".", "!", "?", ";", "\n", "。")) + 1
        before = folded[max(sentence_start, reading.start - 60) : reading.start]
        edge = len(before)  # distances count to the date, not past the cue word read with it
        if lead := re.match(r"(?:from|bought|purchased|in|since) ", folded[reading.start : reading.start + 10]):
            before += lead[0]  # "camera from 2019", "bought early 2025": the cue word is read with the date
        end = min([reading.end + 40, *(r.start for r in others if r.start >= reading.end)])  # (a next date's own cue)
        after = re.split(r"[.!?;\n。]|\b(?:but|and|while|whereas)\b", folded[reading.end : end], maxsplit=1)[0]
        nxt = end < reading.end + 40  # the window stops at the next date: a cue right before it is that date's
        best: tuple[int, int, str] | None = None  # (distance, -length of the cue, kind): nearest, then longest
        for kind, patterns in self.kinds.items():
            for pattern in patterns:
                for m in pattern.finditer(before):
                    rank = (max(0, edge - m.end()) + 15 * ("," in before[m.end() : edge]), m.start() - m.end(), kind)
                    best = min(best or rank, rank)
                later = pattern.search(after)
                if later is not None and not (nxt and _LEAD_IN.fullmatch(after, later.end())):
                    at = later.start()
                    rank = (at + 15 * (1 + ("," in after[:at])), at - later.end(), kind)
                    best = min(best or rank, rank)
        if self.age.search(fold(reading.text)):
            return "acquired"  # "5 months old" is the product's age whatever follows it
        if best is None:
            return "fault" if reading.problem is None and reading.latest >= today - timedelta(days=2) else "unknown"
        return best[2]

    def _category_patterns(self, pack: BrandPack) -> list[tuple[str, str, str, re.Pattern[str]]]:
        cached = self._categories.get(pack.id)
        if cached is None:
            cached = []
            for cat in pack.categories:
                group = cat.group_id
                for keyword in cat.keywords:
                    key = fold_aligned(keyword)  # as the message is folded ("won't" → "won t")
                    pattern = re.escape(key) if not key.isascii() else rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])"
                    # "hdd port", "cable connector": a part of another product, not the product itself
                    pattern = f"{_NOT_A}{pattern}(?!{self.part_of_product})"
                    cached.append((cat.id, group, key, re.compile(pattern)))
            self._categories[pack.id] = cached
        return cached

    @staticmethod
    def _category(
        folded: str, patterns: Sequence[tuple[str, str, str, re.Pattern[str]]], owned: tuple[re.Pattern[str], ...] = ()
    ) -> str | None:
        """The one category the message names, or None.

        The longest keyword wins within a category group; a message that names none, or products of
        different categories ("cameras and a switch"), gets None, unless it calls exactly one of them its
        own ("bought one of your modules, the sensor is failing": the module).
        """
        found: dict[str, tuple[int, int, int, str]] = {}
        for cat_id, group, key, pattern in patterns:
            if key not in folded:  # the keyword itself, before the pattern that checks its edges
                continue
            m = pattern.search(folded)
            if m and (cat_id not in found or len(key) > found[cat_id][0]):
                found[cat_id] = (len(key), m.start(), m.end(), group)
        if not found:
            return None
        # keywords that share words with a longer keyword's match don't count ("tilt motor" in "pan tilt
        # motor", "tvi camera" in "premier tvi camera")
        kept: list[tuple[str, tuple[int, int, int, str]]] = []
        for cat_id, span in sorted(found.items(), key=lambda kv: -kv[1][0]):
            if not any(k[1] < span[2] and span[1] < k[2] for _, k in kept):
                kept.append((cat_id, span))
        if len({span[3] for _, span in kept}) > 1:
            own = [c for c, (_, a, _, _) in kept if owned and owned[0].search(folded[max(0, a - 40) : a])]
            own += [c for c, (_, _, b, _) in kept if owned and c not in own and owned[1].search(folded[b : b + 30])]
            return own[0] if len(own) == 1 else None
        return kept[0][0]

    def _causes(self, found: set[str]) -> frozenset[str]:
        """What happened, without what a cause found with it did ("the earthquake smashed it": no impact)."""
        return frozenset(found - {t for tag in found for t in self.outranks.get(tag, ())})

    def _wants(self, folded: str) -> frozenset[str]:
        """What the customer asks for (free, refund, shipping…)."""
        found = self._want_gate.members(folded).items()
        return frozenset(k for k, members in found if any(self._alone["wants"][k][i].search(folded) for i in members))

    def told(self, tag: str, folded: str, start: int) -> bool:
        """Whether a match of ``tag`` at ``start`` tells it happened: no negation just before, nor "tried"."""
        if self.negation.search(folded[max(0, start - 30) : start]):  # unless someone else did it
            return bool(self.someone_did.search(_CLAUSE_END.split(folded[start:], maxsplit=1)[0]))
        if tag not in self.tried_tags:
            return True
        before = _CLAUSE_END.split(folded[max(0, start - 60) : start])[-1]  # this sentence's words before it
        if not self.tried.search(before):
            return True
        rest = _CLAUSE_END.split(folded[start:], maxsplit=1)[0]
        plainly = self.tried_plainly.search(before) or self.no_change.search(rest)
        return not plainly or bool(self.tried_harm.search(rest))

    def _events(self, folded: str) -> set[str]:
        """What happened to the product, except where a negation comes just before ("not dropped")."""
        return self._told_and_denied(folded)[0]

    def _told_and_denied(self, folded: str) -> tuple[set[str], set[str]]:
        """The tags told, and those only named to be denied ("I didn't drop it", "没摔过")."""
        found, named = set(), set()
        for tag, members in self._event_gate.members(folded).items():
            patterns = self._alone["events"][tag]
            starts = sorted({m.start() for i in members for m in patterns[i].finditer(folded)})
            if starts:
                named.add(tag)
            if any(self.told(tag, folded, start) for start in starts):
                found.add(tag)
        return found, named - found


def _past_if_unplanned(fact: DateFact, today: date) -> DateFact:
    """A day written without a year that lands in the future is last year's, unless it's a plan."""
    reading = fact.reading
    if fact.kind in ("ship_planned", "end") and reading.problem == "future":
        return DateFact(replace(reading, problem=None), fact.kind)  # plans and end dates lie ahead
    if not reading.relative or fact.kind == "ship_planned" or reading.earliest <= today:
        return fact
    try:
        earliest = reading.earliest.replace(year=reading.earliest.year - 1)
        latest = reading.latest.replace(year=reading.latest.year - 1)
    except ValueError:  # 29 February
        earliest = latest = reading.earliest.replace(year=reading.earliest.year - 1, day=28)
    return DateFact(replace(reading, earliest=earliest, latest=latest, problem=None), fact.kind)


def with_category(situation: Situation, category: str) -> Situation:
    """The same situation with the product category settled (the customer pressed a button)."""
    return replace(situation, category=category)


def settle_date(situation: Situation, day: date) -> Situation | None:
    """The situation with an ambiguous date settled on the reading the customer chose (None: no such reading)."""
    for fact in situation.dates:
        if day in fact.reading.alternatives:
            settled = replace(fact.reading, earliest=day, latest=day, alternatives=())
            return with_date(situation, DateFact(settled, fact.kind))
    return None


def with_date(situation: Situation, fact: DateFact) -> Situation:
    """The same situation with a date settled (an ambiguous day/month order resolved)."""
    return replace(situation, dates=tuple(fact if f.kind == fact.kind else f for f in situation.dates))
