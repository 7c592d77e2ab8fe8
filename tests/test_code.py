"""The code's own rules, checked with the suite: the layers (import-linter), lint, formatting and types.

They run here so that the README's one test command (and .ci/run) checks everything a change must keep.
"""

from __future__ import annotations

import ast
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


# What reads the real time: ``datetime.now()``, ``date.today()``, ``time.time()``… and SQL's own clock.
_CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today")}
_TIME_CALLS = {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime", "strftime"}
_SQL_CLOCK = re.compile(r"current_(timestamp|date|time)\b|\b(date|time|datetime|julianday|strftime)\([^)]*'now'", re.I)


def reads_the_time(source: str) -> list[str]:
    """Where a module reads the real time itself (``name:line``), however it imported ``datetime`` or ``time``."""
    tree = ast.parse(source)
    classes: dict[str, str] = {}  # local name -> datetime | date
    modules = {"datetime": "datetime", "time": "time"}  # local name -> module
    functions: set[str] = set()  # time functions imported by name
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "datetime":
            classes.update({a.asname or a.name: a.name for a in node.names if a.name in ("datetime", "date")})
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            functions.update(a.asname or a.name for a in node.names if a.name in _TIME_CALLS)
        elif isinstance(node, ast.Import):
            modules.update({a.asname or a.name: a.name for a in node.names if a.name in ("datetime", "time")})
    found = []
    for node in ast.walk(tree):
        where = f"{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute):
            owner = node.value
            if isinstance(owner, ast.Name) and (classes.get(owner.id), node.attr) in _CLOCK_CALLS:
                found.append(f"{owner.id}.{node.attr}:{where}")
            elif isinstance(owner, ast.Attribute) and (owner.attr, node.attr) in _CLOCK_CALLS:
                base = owner.value
                if isinstance(base, ast.Name) and modules.get(base.id) == "datetime":
                    found.append(f"{base.id}.{owner.attr}.{node.attr}:{where}")
            elif isinstance(owner, ast.Name) and modules.get(owner.id) == "time" and node.attr in _TIME_CALLS:
                found.append(f"{owner.id}.{node.attr}:{where}")
        elif isinstance(node, ast.Name) and node.id in functions:
            found.append(f"{node.id}:{where}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL_CLOCK.search(node.value):
            found.append(f"sql:{where}")
    return found


def test_one_clock_no_module_outside_bot_core_clock_reads_the_time() -> None:
    # issue 17, item 1: every "now" comes from the clock the wiring hands down (--now, SUPPORTBOT_NOW, Engine(clock=))
    clock = ROOT / "bot" / "core" / "clock.py"
    offenders = {
        str(p.relative_to(ROOT)): found
        for p in (ROOT / "bot").rglob("*.py")
        if p != clock and (found := reads_the_time(p.read_text(encoding="utf-8")))
    }
    assert not offenders, offenders
    assert reads_the_time(clock.read_text(encoding="utf-8"))  # the clock itself does: the check sees it


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\nx = datetime.now()",
        "from datetime import datetime as dt\nx = dt.now(UTC)",
        "from datetime import date\nx = date.today()",
        "import datetime\nx = datetime.datetime.utcnow()",
        "import datetime as d\nx = d.date.today()",
        "from datetime import datetime\nclock = datetime.now",  # handed on, not called
        "import time\nx = time.time()",
        "from time import time as t\nx = t()",
        'SQL = "update rmas set updated_at = CURRENT_TIMESTAMP"',
        "SQL = \"select * from rmas where at < datetime('now')\"",
    ],
)
def test_the_one_clock_check_catches_each_way_of_reading_the_time(source: str) -> None:
    assert reads_the_time(source)


def test_the_one_clock_check_leaves_other_nows_alone() -> None:
    source = "import time\nfrom datetime import datetime\nx = turn.now\ny = time.monotonic()\n"
    source += "z = datetime.fromisoformat(s)\nclock = system_clock()"
    assert reads_the_time(source) == []


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
