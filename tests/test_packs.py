"""Brand packs load, and a malformed pack stops start-up with one line naming file, key and problem."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.errors import PackError
from bot.knowledge.packs import BRAND_CODES, load_packs

from .conftest import ROOT


def test_every_brand_pack_loads_with_its_code() -> None:
    packs = load_packs(ROOT / "policies")
    assert {b: p.code for b, p in packs.items()} == BRAND_CODES


def test_every_pack_has_hours_a_warranty_and_exclusions() -> None:
    for pack in load_packs(ROOT / "policies").values():
        assert pack.open_spans, pack.id
        assert pack.data["warranty"].get("default_months") or pack.categories, pack.id
        assert pack.exclusions(), pack.id


def _edit(root: Path, brand: str, old: str, new: str) -> None:
    path = root / "policies" / f"{brand}.toml"
    text = path.read_text(encoding="utf-8")
    assert re.search(old, text, flags=re.M), f"{old!r} not in {path}"
    path.write_text(re.sub(old, new, text, count=1, flags=re.M), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (r"^default_months = 12$", 'default_months = "twelve"', "warranty.default_months", "expected"),
        (r'^timezone = "Asia/Shanghai"$', 'timezone = "Mars/Olympus"', "hours.timezone", "unknown time zone"),
        (r'^end = "17:00"$', 'end = "08:00"', "hours.open[0].end", "before it opens"),
        (r'^counts_from = "purchase"$', 'counts_from = "birthday"', "warranty.counts_from", "unknown value"),
        (r'^tags = \["vandalism"\]$', 'tags = ["gremlins"]', "exclusions[3].tags[0]", "unknown value"),
        (r'^code = "000"$', 'code = "007"', "brand.code", "expected '000'"),
        (r"^\[brand\]$", "[brand\n", "(syntax)", ""),
        (r'^id = "kimpok"\n', "", "brand.id", "missing"),
    ],
)
def test_malformed_pack_names_file_key_and_problem(
    content_copy: Path, old: str, new: str, key: str, problem: str
) -> None:
    _edit(content_copy, "kimpok", old, new)
    with pytest.raises(PackError) as caught:
        load_packs(content_copy / "policies")
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(str(content_copy / "policies" / "kimpok.toml") + f": {key}: ")
    assert problem in line


def test_malformed_pack_stops_the_command_with_one_line(content_copy: Path) -> None:
    _edit(content_copy, "ktnc", r'^timezone = ".*"$', 'timezone = "Nowhere/Land"')
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "check"],
        capture_output=True,
        text=True,
        env={"SUPPORTBOT_CONTENT": str(content_copy), "PATH": ""},
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "ktnc.toml: hours.timezone: unknown time zone 'Nowhere/Land'" in lines[0]
    assert "Traceback" not in result.stderr
