"""The gate that skips situation patterns a message cannot match never changes what is read."""

from __future__ import annotations

import re
import tomllib

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
    """Each tag's alternatives as one pattern, all run on every text: what the gated reading must find."""
    data = tomllib.loads((ROOT / "faq/_common/matching/situations.toml").read_text(encoding="utf-8"))
    events, wants = (
        {k: re.compile("|".join(f"(?:{p})" for p in v), re.I) for k, v in data[t].items()} for t in ("events", "wants")
    )
    texts = _texts()
    assert len(texts) > 1000
    for text in texts:
        folded = fold_aligned(text)
        every = {t for t, p in events.items() if any(READER.told(t, folded, m.start()) for m in p.finditer(folded))}
        assert READER._events(folded) == every, text  # (the gated reading)
        assert READER._wants(folded) == {k for k, p in wants.items() if p.search(folded)}, text


def test_the_class_gate_reads_every_text_as_running_every_class_does() -> None:
    """The lexicon's classes ("$50" → zzmoney, "7 days ago" → zzage…) skipped where they cannot match: same words."""
    from bot.understand.normalise import Lexicon, Normaliser

    gated = Normaliser(Lexicon.load(ROOT / "faq" / "_common" / "matching" / "lexicon.toml"))
    every = Normaliser(Lexicon.load(ROOT / "faq" / "_common" / "matching" / "lexicon.toml"))
    names = every.lexicon.class_gate.names
    every.lexicon.class_gate = Gate({name: [".*"] for name in names})  # a gate that lets every class run
    texts = _texts()
    assert len(texts) > 1000
    for text in texts:
        assert gated.surface_words(text) == every.surface_words(text), text
    assert gated.surface_words("paid $50 for it 7 days ago") == ["paid", "zzmoney", "for", "it", "zzage"]


def test_the_date_gate_reads_every_date_as_running_every_pattern_does() -> None:
    """Date patterns skipped where a message lacks the strings they need: the same dates, in three languages."""
    from dataclasses import replace
    from datetime import datetime

    from bot.understand.date_words import date_words
    from bot.understand.dates import find_dates

    gated = date_words()
    every = replace(gated, gate=Gate({name: [".*"] for name in gated.gate.names}))  # lets every pattern run
    now = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
    dated = [
        "bought 2025-03-15",
        "15/3/2025",
        "3/15/2025",
        "March 2025",
        "2025-06",
        "last August",
        "8 months ago",
        "2 weeks back",
        "1.5 years ago",
        "a year and a half ago",
        "early March",
        "end of March last year",
        "March last year",
        "Sept 2024",
        "on the 5th of May",
        "May 5",
        "had it for 14 months",
        "yesterday",
        "last week",
        "bought in 2024",
        "去年三月",
        "8个月前",
        "两周前",
        "用了两年半",
        "2024年3月15日",
        "上个月25号",
        "3月份买的",
        "8 tháng trước",
        "ngày 15 tháng 3 năm 2025",
        "tháng 7 năm nay",
        "mua được 20 tháng",
        "thang 10 nam ngoai",
        "15/10/2025",
        "Oct 15",
        "firmware 5.10.22",
        "got it 3 days after delivery",
    ]
    texts = dated + _texts()
    assert len(texts) > 1000
    for text in texts:
        for language in ("en", "zh", "vi"):
            assert find_dates(text, now, language=language, words=gated) == find_dates(
                text, now, language=language, words=every
            ), text
