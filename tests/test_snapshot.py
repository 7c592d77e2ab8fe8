"""The loaded content is kept between processes, and never outlives the content it was made from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine, Message, fixed_clock
from bot.loading import Knowledge
from bot.store import Store

from .conftest import MONDAY_10, ROOT

QUESTIONS = [
    ("kimpok", "how long is the warranty?"),
    ("kimpok", "my camera fell off the wall last week, bought it 2025-06-14, is it covered?"),
    ("ktnc", "who pays shipping for the return? it is 8 months old"),
    ("longgang", "保修期多长时间"),
    ("poesec", "bảo hành bao lâu"),
    ("jingpin", "how much is a repair out of warranty? and how long does it take?"),
]


def answers(knowledge: Knowledge) -> list[str]:
    engine = Engine(knowledge, store=Store(":memory:"), clock=fixed_clock(MONDAY_10))
    out = []
    for n, (brand, text) in enumerate(QUESTIONS):
        replies = engine.handle(Message(user=f"c{n}", text=text, brand=brand))
        out.append("\n".join(r.text for r in replies))
    return out


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SUPPORTBOT_CACHE", str(folder))
    return folder


def test_a_later_load_finds_the_snapshot_and_answers_exactly_as_a_fresh_load(cache: Path) -> None:
    first = Knowledge.load(ROOT)
    kept = list(cache.glob("knowledge-*.pickle"))
    assert len(kept) == 1, "the loaded content was not kept"
    again = Knowledge.load(ROOT)
    assert again is not first
    assert answers(again) == answers(Knowledge.load(ROOT, snapshot=False))


def test_a_changed_policy_value_is_read_again_not_taken_from_the_snapshot(cache: Path, content_copy: Path) -> None:
    before = answers(Knowledge.load(content_copy))[0]
    assert "1 year" in before
    pack = content_copy / "policies" / "kimpok.toml"
    pack.write_text(pack.read_text().replace("default_months = 12", "default_months = 24"))
    after = answers(Knowledge.load(content_copy))[0]
    assert "2 years" in after and "1 year" not in after
    assert len(list(cache.glob("knowledge-*.pickle"))) == 1, "the outdated snapshot was not removed"


def test_a_spoilt_snapshot_is_ignored_and_replaced(cache: Path) -> None:
    expected = answers(Knowledge.load(ROOT))
    for path in cache.glob("knowledge-*.pickle"):
        path.write_bytes(b"\x80\x05 not a snapshot")
    assert answers(Knowledge.load(ROOT)) == expected
    assert answers(Knowledge.load(ROOT)) == expected


def test_content_loads_where_no_snapshot_can_be_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("SUPPORTBOT_CACHE", str(blocked / "cache"))
    assert answers(Knowledge.load(ROOT))[0]
    monkeypatch.setenv("SUPPORTBOT_CACHE", "off")
    assert answers(Knowledge.load(ROOT))[0]


def test_a_desk_command_in_a_new_process_uses_the_snapshot(cache: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SUPPORTBOT_DB": str(tmp_path / "desk.db"), "SUPPORTBOT_CONTENT": str(ROOT)}
    command = [sys.executable, "-m", "bot.cli", "rma", "list"]
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    (kept,) = cache.glob("knowledge-*.pickle")
    written = kept.stat().st_mtime_ns
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=120)
    assert "No open RMAs" in done.stdout
    assert kept.stat().st_mtime_ns == written, "the second process loaded the files again"
