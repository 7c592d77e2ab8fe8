"""Customers' questions written from the five documents alone, scored as the project's evaluation scores them.

``tests/probes/probe{3..34}.yaml`` were written by readers of the brand documents who never saw the bot's
wording (the cases' regexes accept any correct phrasing in English, Chinese or Vietnamese and forbid wrong
values and non-answers). Each case is a fresh conversation; a case without a ``now`` is asked on the day the
sets were written. The floor for each set is what the bot scored when it was added, less a case or two: a
change that makes answers worse across the documents fails here, with the cases it broke.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine import Engine, Message

from .conftest import fresh_engine

PROBES = Path(__file__).parent / "probes"
WRITTEN = datetime.fromisoformat("2026-12-02T10:00:00+08:00")
FLOORS = {
    "probe3": 0.97,
    "probe4": 0.97,
    "probe5": 0.95,
    "probe6": 0.9,
    "probe7": 0.96,
    "probe8": 0.87,
    "probe9": 0.92,
    "probe10": 0.87,
    "probe11": 0.85,
    "probe12": 0.84,
    "probe13": 0.87,
    "probe14": 0.86,
    "probe15": 0.92,
    "probe16": 0.83,
    "probe17": 0.86,
    "probe18": 0.94,
    "probe19": 0.84,
    "probe20": 0.87,
    "probe21": 0.82,
    "probe22": 0.95,
    "probe23": 0.84,
    "probe24": 0.77,
    "probe25": 0.94,
    "probe26": 0.83,
    "probe27": 0.92,
    "probe28": 0.88,
    "probe29": 0.86,
    "probe30": 0.85,
    "probe31": 0.85,
    "probe32": 0.88,
    "probe33": 0.8,
    "probe34": 0.88,
}


def _score(engine: Engine, cases: list[dict[str, Any]]) -> tuple[float, list[str]]:
    failed = []
    for case in cases:
        now = datetime.fromisoformat(case["now"]) if case.get("now") else WRITTEN
        replies = engine.handle(Message(user=case["id"], brand=case["brand"], text=case["q"], now=now))
        text = "\n".join(r.text for r in replies)
        missing = [p for p in case.get("expect", []) if not re.search(p, text, re.I)]
        present = [p for p in case.get("forbid", []) if re.search(p, text, re.I)]
        if missing or present:
            failed.append(f"{case['id']}: {case['q']}\n    -> {text[:300]!r}")
    return 1 - len(failed) / len(cases), failed


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_questions_written_from_the_documents_are_answered(shared_engine: Engine, name: str) -> None:
    cases = yaml.safe_load((PROBES / f"{name}.yaml").read_text(encoding="utf-8"))
    accuracy, failed = _score(fresh_engine(shared_engine, now=WRITTEN), cases)
    assert accuracy >= FLOORS[name], f"{name}: {accuracy:.1%} < {FLOORS[name]:.0%}\n" + "\n".join(failed)
