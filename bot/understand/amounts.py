"""The numbers of a customer's situation: how many products, the sums they quote, periods past the warranty.

Pure functions over folded text; the patterns live in ``faq/_common/matching/situations.toml`` beside the
situation's other patterns (:class:`~bot.understand.situation.SituationReader` reads that file and hands
this its part).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

_YEARS = (1, 2, 5, 7)  # the groups of `years_beyond` that count years (the others count months)


class Quantities:
    """Counts, sums and periods in a message."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        """From the situation patterns file's tables (KeyError or re.error when one is missing or bad)."""
        self.numbers = {str(k): float(v) for k, v in data["unit_numbers"].items()}
        self.period_months = {str(k): int(v) for k, v in data["period_months"].items()}
        self.stated = [re.compile(p, re.I) for p in data.get("stated_period", [])]
        self.counts = [re.compile(p, re.I) for p in data.get("units", [])]
        self.money = re.compile(data["money"], re.I)
        self.priced = re.compile(data["priced"], re.I)
        self.each = re.compile(data["each"], re.I)
        self.per_unit = re.compile(data["per_unit"], re.I)
        self.returned_count = re.compile(data["returned_count"], re.I)
        self.bare_amount = re.compile(data["bare_amount"], re.I)
        self.components = {
            k: (re.compile(v), re.compile(f"(?:{v}){data['amount_joiners']}"))
            for k, v in data["amount_components"].items()
        }
        self.named_after = {
            k: re.compile(f"{data['amount_after']}(?:{v})") for k, v in data["amount_components"].items()
        }
        self.beyond = re.compile(data["years_beyond"], re.I)

    def units(self, folded: str) -> int | None:
        """How many products the message is about, when it says more than one."""
        return next(self._counts(folded), None)

    def _number(self, word: str) -> int:
        return int(word) if word.isdigit() else int(self.numbers.get(word.lower(), 0))

    def _counts(self, folded: str) -> Iterator[int]:
        """Every count of several products the message gives, in the patterns' order."""
        for pattern in self.counts:
            for m in pattern.finditer(folded):
                if 1 < (count := self._number(m[1])) <= 500:
                    yield count

    def stated_months(self, folded: str) -> int | None:
        """A warranty period the customer states ("it has a 2 year warranty"), in months."""
        for pattern in self.stated:
            m = pattern.search(folded)
            if m:
                return int(m[1]) * self.period_months.get(m[2].lower(), 12)
        return None

    def amounts(self, folded: str) -> dict[str, float]:
        """Sums by what they are.

        Repair components by name, ``price`` (a product's), ``amount0`` (what was paid in all for several
        products), else ``amount1``, ``amount2``… in the order written.
        """
        amounts: dict[str, float] = {}
        each = self.each.search(folded)  # "4 unused cameras at $150 each": what was paid in all
        sent = self.returned_count.search(folded)  # "…return 2 of them": what is sent back is what counts
        if each:
            count, price = (each[1], each[2]) if each[1] else (each[3], each[4])
            units = self._number(sent[1] if sent else count)
            if units:
                amounts["amount0"] = units * float(price.replace(",", ""))
        for m in self.bare_amount.finditer(folded):
            name = m[1].lower()
            component = next((k for k, (words, _) in self.components.items() if words.match(name)), None)
            if component is not None:
                amounts.setdefault(component, float(m[2].replace(",", "")))
        sums = [(m, self._before(folded, m), self._after(folded, m)) for m in self.money.finditer(folded)]
        # "camera $300, shipping $20": a name right before the next sum is that sum's ("$50 diagnosis and $80…" is not)
        sums = [
            (m, before, None if self._next_ones(folded, sums, i) else later)
            for i, (m, before, later) in enumerate(sums)
        ]
        # a message names its sums one way: "diagnosis $50, parts $80" or "$50 diagnosis and $80 parts" (where
        # "diagnosis and" before $80 is not its name); the first sum named shows which
        after = next((before is None for _, before, later in sums if before or later), False)
        for i, (m, before, later) in enumerate(sums):
            value = float((m[1] or m[2]).replace(",", ""))
            label = later if after else before
            if label is None and self.per_unit.match(folded, m.end()):  # "5 cameras… paid $100 each"
                counts = {self._number(sent[1])} if sent else set(self._counts(folded))
                if len(counts) == 1 and "amount0" not in amounts:  # of one count ("2 NVRs and 8 cameras": which?)
                    amounts["amount0"] = counts.pop() * value
            elif label is None and self.priced.match(folded, m.end()):
                label = "price"
            amounts.setdefault(label or f"amount{i + 1}", value)
        return amounts

    def _next_ones(self, folded: str, sums: list[tuple[re.Match[str], str | None, str | None]], i: int) -> bool:
        """Whether the name after sum ``i`` stands right before the next sum, naming it."""
        later = sums[i][2]
        if later is None or i + 1 >= len(sums) or sums[i + 1][1] != later:
            return False
        gap = folded[sums[i][0].end() : sums[i + 1][0].start()].split()
        last = gap[-1].rstrip(":=") if gap else ""
        return last.isalpha() and bool(self.components[later][0].match(last))  # ("for diagnosis, $80": not)

    def _before(self, folded: str, m: re.Match[str]) -> str | None:
        """The repair component named nearest before a sum ("diagnosis fee is $50"), if any, in its sentence.

        ("shipping and handling for the parcel is quoted at $35": the words between count too.)
        """
        before = re.split(r"[.!?;$]", folded[max(0, m.start() - 45) : m.start()])[-1]  # (not a sum before it)
        found = [(hit.start(), k) for k, (_, named) in self.components.items() for hit in named.finditer(before)]
        return max(found)[1] if found else None

    def _after(self, folded: str, m: re.Match[str]) -> str | None:
        """The repair component named right after a sum ("$50 diagnosis", "$20 for shipping"), if any."""
        return next((k for k, named in self.named_after.items() if named.match(folded, m.end())), None)

    def years_beyond(self, folded: str) -> float | None:
        """How long past the warranty the product is, in years ("2 years after the warranty ended")."""
        m = self.beyond.search(folded)
        if m is None:
            return None
        group = next(g for g in range(1, (m.re.groups or 0) + 1) if m[g])
        raw = m[group].replace(",", ".")
        value = self.numbers.get(raw) or float(raw)
        return value if group in _YEARS else round(value / 12, 2)  # months
