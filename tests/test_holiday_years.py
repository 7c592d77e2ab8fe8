"""The holiday calendar in the years ahead, and each pack's own time zone in the hours wording.

A year ``policies/_calendar.toml`` has no section for is said at start-up, makes the hours answer say the
hours may differ around public holidays, and fails ``supportbot check`` from December for the next year.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.core.errors import PackError
from bot.engine import Engine
from bot.knowledge.hours import status, uncovered_years
from bot.knowledge.packs import load_packs
from bot.store import Store

from .conftest import ROOT, Chat
from .test_packs import _edit

PACKS = load_packs(ROOT / "policies")
COVERED = max(PACKS["kimpok"].calendar.years)  # type: ignore[union-attr]
UNCOVERED = COVERED + 1
NOTE = {
    "en": "Hours may differ around public holidays",
    "zh": "节假日前后的服务时间可能有变动",
    "vi": "Giờ làm việc có thể thay đổi vào dịp lễ",
}


def _evening(year: int) -> datetime:
    """A Wednesday evening in Shenzhen in early March of ``year``, far from any holiday: closed, back tomorrow."""
    day = date(year, 3, 3)
    day = date(year, 3, 3 + (2 - day.weekday()) % 7)
    return datetime.fromisoformat(f"{day.isoformat()}T20:00:00+08:00")


def test_the_next_year_is_looked_at_too() -> None:
    assert uncovered_years(PACKS.values(), date(COVERED, 12, 2)) == []
    assert uncovered_years(PACKS.values(), date(COVERED, 12, 2), ahead=True) == [f"CN {UNCOVERED}"]
    assert uncovered_years(PACKS.values(), date(UNCOVERED, 12, 2), ahead=True) == [
        f"CN {UNCOVERED}",
        f"CN {UNCOVERED + 1}",
    ]


def test_start_up_warns_for_this_year_and_from_november_the_next(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        _engine(ROOT, datetime.fromisoformat(f"{UNCOVERED}-11-15T10:00:00+08:00"))
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"CN {UNCOVERED}, CN {UNCOVERED + 1}" in m for m in warned), warned
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _engine(ROOT, datetime.fromisoformat(f"{COVERED}-06-01T10:00:00+08:00"))
    assert not [r for r in caplog.records if "holiday data" in r.getMessage()]


def test_hours_status_knows_when_its_holidays_are_a_guess() -> None:
    pack = PACKS["ktnc"]
    assert status(pack, _evening(COVERED)).holidays_known
    assert not status(pack, _evening(UNCOVERED)).holidays_known
    # the last evening of a covered year: the next opening falls in the uncovered one
    assert not status(pack, datetime.fromisoformat(f"{COVERED}-12-31T20:00:00+08:00")).holidays_known


@pytest.mark.parametrize(("brand", "lang", "question"), [("ktnc", "en", "what are your hours"),
                                                         ("kimpok", "zh", "工作时间"),
                                                         ("poesec", "vi", "giờ làm việc")])  # fmt: skip
def test_the_hours_answer_says_hours_may_differ_in_a_year_without_holiday_data(
    engine: Engine, brand: str, lang: str, question: str
) -> None:
    guessed = Chat(engine, user=f"{brand}-later", brand=brand, now=_evening(UNCOVERED)).say(question)
    assert NOTE[lang] in guessed
    known = Chat(engine, user=f"{brand}-now", brand=brand, now=_evening(COVERED)).say(question)
    assert NOTE[lang] not in known


def _check(now: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    environment.update({"PYTHONPATH": str(ROOT), "SUPPORTBOT_CONTENT": str(ROOT)})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "check", "--now", now],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def test_check_fails_in_december_without_next_years_holidays() -> None:
    december = _check(f"{COVERED}-12-02T10:00:00+08:00")
    assert december.returncode == 2
    lines = december.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in december.stderr
    assert f"_calendar.toml: CN.years.{UNCOVERED}: missing" in lines[0]
    november = _check(f"{COVERED}-11-02T10:00:00+08:00")
    assert november.returncode == 0, november.stderr


def _engine(root: Path, now: datetime) -> Engine:
    return Engine.from_root(root, store=Store(":memory:"), clock=lambda: now)


VN_CALENDAR = """
[VN]
country = "VN"
[VN.holidays_name]
en = "Vietnamese public holidays"
[VN.unnamed]
en = "public holiday"
[VN.years.{year}]
workdays = []
"""


def test_a_pack_in_another_country_names_its_own_zone_and_holidays(content_copy: Path) -> None:
    with (content_copy / "policies" / "_calendar.toml").open("a", encoding="utf-8") as calendar:
        calendar.write(VN_CALENDAR.format(year=COVERED))
    _edit(content_copy, "poesec", r'^calendar = ".*"$', 'calendar = "VN"')
    _edit(content_copy, "poesec", r'^timezone = ".*"$', 'timezone = "Asia/Ho_Chi_Minh"')
    _edit(content_copy, "poesec", r"^zone_label.*\n", "")
    _edit(content_copy, "poesec", r"^zone_label.*\n", "")
    _edit(content_copy, "poesec", r"^zone_label.*\n", "")
    engine = _engine(content_copy, _evening(COVERED))
    answer = Chat(engine, brand="poesec").say("what are your hours")
    assert "Ho Chi Minh time" in answer and "closed on Vietnamese public holidays" in answer
    assert "China" not in answer and "Trung Quốc" not in answer


def test_a_pack_saying_china_time_in_another_zone_is_refused(content_copy: Path) -> None:
    _edit(content_copy, "ktnc", r'^timezone = ".*"$', 'timezone = "Europe/Berlin"')
    with pytest.raises(PackError, match=r"ktnc.toml: hours.zone_label: 'China time' names China's time"):
        load_packs(content_copy / "policies")


def test_a_pack_without_a_zone_keeps_shenzhen_time(content_copy: Path) -> None:
    _edit(content_copy, "ktnc", r'^timezone = ".*"\n', "")
    for _ in range(3):
        _edit(content_copy, "ktnc", r"^zone_label.*\n", "")
    pack = load_packs(content_copy / "policies")["ktnc"]
    assert pack.timezone.key == "Asia/Shanghai"
    assert pack.data["hours"]["zone_label"] == "China time"
    assert pack.data["hours"]["zone_label_zh"] == "北京时间"
