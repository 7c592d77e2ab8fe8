"""The code's own rules, checked with the suite: the layers (import-linter), lint, formatting and types.

They run here so that the README's one test command (and .ci/run) checks everything a change must keep.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["lint-imports"],
        ["ruff", "check", "bot", "tests", "benchmarks"],
        ["ruff", "format", "--check", "bot", "tests", "benchmarks"],
        ["mypy"],
    ],
    ids=["layers", "lint", "format", "types"],
)
def test_the_code_keeps_its_rules(command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_flows_keep_no_free_form_state() -> None:
    # the conversation state is typed (bot/flows/state.py): no flow reads it by string keys
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "bot").rglob("*.py")
        if 'state["' in p.read_text(encoding="utf-8") or 'state.get("' in p.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders


def test_the_telegram_adapter_talks_to_the_engine_through_named_calls_only() -> None:
    # the engine's store, packs, content and clock are its own: the adapter uses the calls of EnginePort
    reach = re.compile(r"engine\.(store|packs|content|clock)\b")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in (ROOT / "bot" / "adapters").rglob("*.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if reach.search(line)
    ]
    assert not offenders, offenders


def test_only_the_clock_reads_the_time() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "bot").rglob("*.py")
        if p != ROOT / "bot" / "core" / "clock.py" and re.search(r"datetime\.now\(|\.today\(\)|utcnow", p.read_text())
    ]
    assert not offenders, offenders


def test_every_module_stays_small() -> None:
    # small focused modules: a newcomer reads any of them in one sitting (~400 lines)
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / "bot").rglob("*.py")
    }
    assert not {name: n for name, n in sizes.items() if n > 420}, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]


def test_the_engine_dispatches_by_table_and_stays_short() -> None:
    engine = (ROOT / "bot" / "engine.py").read_text(encoding="utf-8")
    assert len(engine.splitlines()) <= 400
    assert "self.by_prefix" in engine and "self.by_command" in engine  # the dispatch tables
