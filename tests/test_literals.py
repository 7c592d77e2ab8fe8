"""The gate that skips situation patterns a message cannot match never changes what is read."""

from __future__ import annotations

import re

import pytest

from bot.core.text import fold_aligned
from bot.knowledge.packs import load_packs
from bot.understand.literals import Gate, needs

from .conftest import ROOT
from .test_causes import CASES, NEAR_MISSES, READER, SYMPTOMS


@pytest.mark.parametrize(
    ("pattern", "matching", "needed"),
    [
        (r"\bdropp?e?d (?:it|them)\b(?! off)", "i dropped it today", "droppe"),
        (r"(?-i:\b(?:kids|ppl) thr[eo]w (?:rocks|stones))", "ppl threw rocks at it", "ppl th"),
        (r"\b\d{1,2} ?v (?:adapter|psu) instead", "a 24v adapter instead of 12v", "v adap"),
        (r"(?-i:摔|掉(?:到|在)?(?:了)?地(?:上|下|面))", "不小心摔了", "摔"),
    ],
)
def test_a_pattern_needs_a_string_every_match_contains(pattern: str, matching: str, needed: str) -> None:
    found = needs(pattern)
    assert found is not None and re.search(pattern, matching)
    assert any(s in matching for s in found), f"{matching!r} matches but holds none of {sorted(found)}"
    assert needed in found, sorted(found)


@pytest.mark.parametrize("pattern", [r".*", r"\d+ ?\w", r"(?:a|\w+)b?", r"[^x]{3}"])
def test_a_pattern_that_may_match_anything_always_runs(pattern: str) -> None:
    assert needs(pattern) is None
    assert Gate({"any": [pattern]}).possible("zzz") == ["any"]


def _texts() -> list[str]:
    """Customer-like messages: the damage table, its near misses and symptoms, and every FAQ phrasing."""
    texts = [text for _, text, _ in CASES] + [text for text, _ in NEAR_MISSES] + list(SYMPTOMS)
    for pack in load_packs(ROOT / "policies").values():
        for exclusion in pack.exclusion_list:
            texts.append(exclusion.id.replace("_", " "))
    for path in sorted((ROOT / "faq").glob("*/*.toml")):
        texts.extend(re.findall(r'^\s*"([^"\n]{6,})",?\s*$', path.read_text(encoding="utf-8"), re.M))
    return texts


def test_the_gate_finds_exactly_what_running_every_pattern_finds() -> None:
    texts = _texts()
    assert len(texts) > 1000
    for text in texts:
        folded = fold_aligned(text)
        every = set()
        for tag, patterns in READER.events.items():
            for pattern in patterns:
                if any(READER.told(tag, folded, m.start()) for m in pattern.finditer(folded)):
                    every.add(tag)
        assert READER._events(folded) == every, text  # (the gated reading)
        wants = {k for k, patterns in READER.wants.items() if any(p.search(folded) for p in patterns)}
        assert READER._wants(folded) == wants, text
