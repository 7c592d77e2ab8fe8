"""Business hours in Shenzhen: the week, Chinese public holidays and make-up working days (调休)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import PackError
from bot.knowledge.hours import is_open, load_calendars, next_opening, status, uncovered_years
from bot.knowledge.packs import BrandPack, load_packs

from .conftest import ROOT

CN = ZoneInfo("Asia/Shanghai")
PACKS = load_packs(ROOT / "policies")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CN)


@pytest.fixture(params=sorted(PACKS))
def pack(request: pytest.FixtureRequest) -> BrandPack:
    return PACKS[request.param]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-23 08:59", False),  # Monday, a minute before opening
        ("2026-11-23 09:00", True),
        ("2026-11-23 16:59", True),
        ("2026-11-23 17:00", False),  # closing time is closed
        ("2026-11-27 12:30", True),  # Friday lunchtime
        ("2026-11-28 11:59", True),  # Saturday morning
        ("2026-11-28 12:00", False),
        ("2026-11-29 10:00", False),  # Sunday
    ],
)
def test_the_week_boundaries(pack: BrandPack, moment: str, expected: bool) -> None:
    assert is_open(pack, at(moment)) is expected


def test_a_chinese_public_holiday_is_closed_and_says_which() -> None:
    pack = PACKS["kimpok"]
    national_day = status(pack, at("2026-10-01 10:00"))  # a Thursday
    assert not national_day.open and national_day.holiday is not None
    assert national_day.holiday["en"] == "National Day" and national_day.holiday["zh"] == "国庆节"
    # a substituted day off and a weekend day inside a block are named after the festival
    assert (
        status(pack, at("2026-10-07 10:00")).holiday
        == status(pack, at("2026-10-04 10:00")).holiday
        == national_day.holiday
    )
    assert status(pack, at("2026-02-21 10:00")).holiday["en"] == "Chinese New Year (Spring Festival)"  # type: ignore[index]
    assert not is_open(pack, at("2026-02-17 10:00"))  # Spring Festival, a Tuesday
    assert not is_open(pack, at("2026-01-02 10:00"))  # a Friday made a day off (substituted from 4 January)


def test_a_make_up_working_saturday_keeps_weekday_hours() -> None:
    pack = PACKS["kimpok"]
    # Saturday 14 February 2026 is worked for the Spring Festival: open all afternoon, like a Monday
    assert is_open(pack, at("2026-02-14 09:00")) and is_open(pack, at("2026-02-14 16:59"))
    assert not is_open(pack, at("2026-02-14 17:00"))
    # Sunday 4 January 2026 and Sunday 20 September 2026 are worked too
    assert is_open(pack, at("2026-01-04 10:00")) and is_open(pack, at("2026-09-20 15:00"))
    # an ordinary Saturday still closes at noon
    assert not is_open(pack, at("2026-02-07 14:00"))


def test_next_opening_across_the_national_day_week() -> None:
    pack = PACKS["kimpok"]
    # Wednesday 30 September 2026 after closing: 1–7 October are off, so Thursday 8 October 9:00
    assert next_opening(pack, at("2026-09-30 17:00")) == at("2026-10-08 09:00")
    assert next_opening(pack, at("2026-10-03 10:00")) == at("2026-10-08 09:00")
    # Friday 9 October after closing: Saturday 10 October is a make-up working day, opening at 9:00
    assert next_opening(pack, at("2026-10-09 18:00")) == at("2026-10-10 09:00")


def test_next_opening_across_the_spring_festival() -> None:
    pack = PACKS["kimpok"]
    # Saturday 14 February 2026 (worked) after closing; 15–23 February off, Saturday the 21st included
    assert next_opening(pack, at("2026-02-14 17:00")) == at("2026-02-24 09:00")
    assert not is_open(pack, at("2026-02-21 10:00"))


def test_ordinary_next_openings() -> None:
    pack = PACKS["kimpok"]
    assert next_opening(pack, at("2026-11-23 08:59")) == at("2026-11-23 09:00")
    assert next_opening(pack, at("2026-11-23 09:00")) == at("2026-11-24 09:00")  # strictly after
    assert next_opening(pack, at("2026-11-28 12:00")) == at("2026-11-30 09:00")  # Saturday noon → Monday
    # a customer's own clock (UTC) gives the same moment
    utc = at("2026-11-28 12:00").astimezone(ZoneInfo("UTC"))
    assert next_opening(pack, utc) == at("2026-11-30 09:00")


def test_every_pack_uses_a_calendar_with_data_for_the_current_year() -> None:
    # Fails when a new year starts without its holiday schedule: add it to policies/_calendar.toml.
    today = date.today()
    assert all(p.calendar is not None for p in PACKS.values())
    assert uncovered_years(PACKS.values(), today) == []


def test_the_data_file_agrees_with_the_holidays_package_on_make_up_days() -> None:
    # The package names a make-up working day inside its holiday names ("substituted from 02/14/2026"):
    # every such day must be listed as a working day in the data file, and nothing else.
    calendar = PACKS["kimpok"].calendar
    assert calendar is not None
    import holidays

    for year in sorted(calendar.years):
        named = set()
        for name in holidays.China(years=year).values():
            if "substituted from" in name:
                month, day, number = name.split("substituted from ")[1].rstrip(")").split("/")
                named.add(date(int(number), int(month), int(day)))
        listed = {d for d in calendar.workdays if d.year == year}
        assert listed == {d for d in named if d.year == year}, year


def test_a_year_without_data_is_reported() -> None:
    assert uncovered_years(PACKS.values(), date(2031, 5, 1)) == ["CN 2031"]


def test_a_broken_calendar_file_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "_calendar.toml"
    path.write_text('[CN]\ncountry = "CN"\n[CN.years.2026]\nworkdays = ["2026-02-30"]\n')
    with pytest.raises(PackError, match=r"CN.years.2026.workdays.*2026-02-30"):
        load_calendars(path)
    path.write_text('[XX]\ncountry = "ZZ"\n')
    with pytest.raises(PackError, match="no country"):
        load_calendars(path)


def test_every_minute_of_a_holiday_week_agrees_with_next_opening() -> None:
    # Walking through the National Day week minute by minute, "open" flips exactly at the openings found.
    pack = PACKS["kimpok"]
    moment = at("2026-09-30 16:00")
    opening = next_opening(pack, moment)
    while moment < at("2026-10-10 10:00"):
        if moment >= opening:
            assert is_open(pack, opening), opening
            opening = next_opening(pack, moment)
        moment += timedelta(minutes=15)


def test_the_open_now_answer_names_the_holiday_and_the_day_consultants_are_back(shared_engine: object) -> None:
    from bot.engine import Engine, Message

    assert isinstance(shared_engine, Engine)
    reply = shared_engine.handle(Message(user="hours-holiday", text="are you open now?", now=at("2026-10-02 10:00")))[
        0
    ].text
    assert "public holiday (National Day)" in reply and "back Thursday 8 October, 9:00" in reply
    saturday = shared_engine.handle(Message(user="hours-makeup", text="are you open now?", now=at("2026-10-10 15:00")))[
        0
    ].text
    assert saturday.startswith("Yes") and "until 17:00" in saturday  # a make-up working Saturday


def test_a_status_asked_minute_by_minute_matches_one_worked_out_afresh(pack: BrandPack) -> None:
    """Every turn asks for the status; what one moment found holds only until the hours or the day change."""
    import bot.knowledge.hours as hours

    start = at("2026-09-30 16:00")  # a Wednesday before National Day, across openings, closings and midnights
    moments = [start + timedelta(minutes=7 * k) for k in range(0, 900)]
    moments += [at("2026-09-30 10:00"), at("2026-09-28 16:59"), at("2026-09-28 17:00")]  # back in time too
    for moment in moments:
        asked = status(pack, moment)
        hours._recent.clear()
        assert asked == status(pack, moment), moment
