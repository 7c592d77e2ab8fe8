"""The figures an answer states (periods, day counts, percentages, sums), checked against the brand pack.

Answers quote the pack's values, so that changing a value changes every answer, every verdict and every
language. An admin who types "5 years on everything" where the pack says 1 year would make the edited
answer contradict the rest: the preview names each figure that no value of the pack (and no figure of the
answer it replaces) gives, beside the pack's values of the same kind, and saving it takes a second look.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.understand.date_words import DateWords

# a sum ("$50", "50 USD") or a number with what follows it ("5 years", "12个月", "20%", "30 ngày")
_FIGURE = re.compile(
    r"(?P<money>[$€£¥]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:usd|eur|rmb|yuan|元)\b)"
    r"|(?<![\w.])(?P<number>\d+(?:\.\d+)?)[\s-]*(?P<unit>%|个?[\u4e00-\u9fff]|[^\W\d_]+)?",
    re.I,
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_KINDS = (("percent", "percent"), ("month", "month"), ("year", "year"), ("day", "day"), ("week", "week"))
_MONEY_KEYS = ("fee", "fees", "price", "cost", "diagnosis", "amount", "charge")


@dataclass(frozen=True)
class Figure:
    """A figure as stated: its kind (month, day, percent, money) and value in that kind's unit."""

    kind: str
    value: float
    text: str


def stated(text: str, words: DateWords) -> list[Figure]:
    """The figures a text states: periods in months or days, percentages and sums."""
    found = []
    for m in _FIGURE.finditer(text):
        if m["money"]:
            number = _NUMBER.search(m["money"].replace(",", ""))
            if number:
                found.append(Figure("money", float(number[0]), m["money"].strip()))
            continue
        unit = (m["unit"] or "").lower().lstrip("个")
        value = float(m["number"])
        if unit == "%":
            found.append(Figure("percent", value, m[0].strip()))
        elif unit in words.units:
            length = words.units[unit]
            if length.months:
                found.append(Figure("month", value * length.months, m[0].strip()))
            elif length.days:
                found.append(Figure("day", value * length.days, m[0].strip()))
    return found


def pack_figures(data: Mapping[str, Any]) -> dict[tuple[str, float], str]:
    """Every figure a pack's values give, with the value's name (``warranty.default_months = 12``)."""
    out: dict[tuple[str, float], str] = {}
    for name, value in _numbers(data):
        last = name.rpartition(".")[2].lower()
        kind = next((k for word, k in _KINDS if word in last), None)
        if kind is None and any(word in name.lower() for word in _MONEY_KEYS):
            kind = "money"
        if kind == "year":
            kind, value = "month", value * 12
        elif kind == "week":
            kind, value = "day", value * 7
        if kind is not None:
            out.setdefault((kind, float(value)), f"{name} = {value:g}")
    return out


def _numbers(data: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield from _numbers(value, f"{prefix}{key}.")
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            yield from _numbers(value, f"{prefix[:-1]}[{i}].")
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield prefix[:-1], float(data)


def differences(new: str, old: str, data: Mapping[str, Any], words: DateWords) -> list[dict[str, Any]]:
    """The figures of ``new`` that neither the pack nor ``old`` (the answer it replaces) gives.

    Each comes with the pack's values of the same kind, for the admin to compare.
    """
    known = pack_figures(data)
    before = {(f.kind, f.value) for f in stated(old, words)}
    out: list[dict[str, Any]] = []
    for figure in stated(new, words):
        if (figure.kind, figure.value) in known or (figure.kind, figure.value) in before:
            continue
        same_kind = [name for (kind, _), name in sorted(known.items()) if kind == figure.kind]
        if figure.text not in [d["text"] for d in out]:
            out.append({"text": figure.text, "kind": figure.kind, "pack": same_kind[:4]})
    return out
