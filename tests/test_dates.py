"""Reading dates as customers write them, and the date arithmetic the policy relies on."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import FaqError
from bot.engine import Engine, Message
from bot.knowledge.packs import load_packs
from bot.policy import verdicts as policy
from bot.understand.date_words import load_date_words
from bot.understand.dates import DateReading, add_months, find_dates
from bot.understand.situation import DateFact, Situation, SituationReader

from .conftest import ROOT, fresh_engine

NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
JINGPIN = load_packs(ROOT / "policies")["jingpin"]


def _one(text: str, now: datetime = NOW, **kwargs: object) -> tuple[date, date]:
    readings = find_dates(text, now, **kwargs)  # type: ignore[arg-type]
    assert len(readings) == 1, readings
    assert readings[0].problem is None, readings[0]
    return readings[0].earliest, readings[0].latest


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2025-03-15", "2025-03-15", "2025-03-15"),
        ("bought 15/3/2025", "2025-03-15", "2025-03-15"),
        ("bought 3/15/2025", "2025-03-15", "2025-03-15"),
        ("15 March 2025", "2025-03-15", "2025-03-15"),
        ("March 15th, 2025", "2025-03-15", "2025-03-15"),
        ("March 2025", "2025-03-01", "2025-03-31"),
        ("last August", "2026-08-01", "2026-08-31"),
        ("in December", "2025-12-01", "2025-12-31"),
        ("yesterday", "2026-11-22", "2026-11-22"),
        ("last year", "2025-01-01", "2025-12-31"),
        ("8 months ago", "2026-03-08", "2026-04-07"),
        ("2 weeks back", "2026-11-06", "2026-11-12"),
        ("a couple of months ago", "2026-09-08", "2026-10-08"),
        ("1.5 years ago", "2025-04-08", "2025-07-07"),
        ("去年三月", "2025-03-01", "2025-03-31"),
        ("上个月25号买的", "2026-10-25", "2026-10-25"),  # a day of last month, not the whole month
        ("上月三号", "2026-10-03", "2026-10-03"),
        ("8个月前", "2026-03-08", "2026-04-07"),
        ("两周前", "2026-11-06", "2026-11-12"),
        ("用了两年半", "2024-04-08", "2024-07-07"),  # how long they have had it
        ("买了三个月了", "2026-08-08", "2026-09-07"),
        ("2025年3月15日", "2025-03-15", "2025-03-15"),
        ("11月18号买的", "2026-11-18", "2026-11-18"),
        ("8 tháng trước", "2026-03-08", "2026-04-07"),
        ("ngày 10/3/2025", "2025-03-10", "2025-03-10"),
        ("tháng 3 năm 2025", "2025-03-01", "2025-03-31"),
        ("hôm qua", "2026-11-22", "2026-11-22"),
    ],
)
def test_customer_date_forms(text: str, earliest: str, latest: str) -> None:
    assert _one(text) == (date.fromisoformat(earliest), date.fromisoformat(latest))


# How long the customer has had it, in each language, halves too; Vietnamese dates without diacritics.
@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("nhận hàng được 20 tháng thì hỏng", "2025-03-08", "2025-04-07"),
        ("nhan hang duoc 20 thang thi hong", "2025-03-08", "2025-04-07"),
        ("mua duoc 1 thang ruoi", "2026-09-23", "2026-10-23"),
        ("mua 1 tháng rưỡi trước", "2026-09-23", "2026-10-23"),
        ("dùng được hai năm rồi", "2024-10-09", "2025-01-07"),
        ("mua hai tháng trước", "2026-09-08", "2026-10-08"),
        ("一年半前买的", "2025-04-08", "2025-07-07"),
        ("一个半月前", "2026-09-23", "2026-10-23"),
        ("收到十四个月了", "2025-09-08", "2025-10-08"),
        ("到货一年半了", "2025-04-08", "2025-07-07"),
        ("买了半年多", "2026-04-08", "2026-07-07"),
        ("去年1月送到的", "2025-01-01", "2025-01-31"),
        ("had it for 14 months", "2025-09-08", "2025-10-08"),
        ("been using it for about a year and a half", "2025-04-08", "2025-07-07"),
        ("2 years and a half ago", "2024-04-08", "2024-07-07"),
        ("25 working days ago", "2026-10-17", "2026-10-21"),
        ("4 and a half yrs ago", "2022-04-08", "2022-07-07"),
        ("it's been about 45 days since purchase", "2026-10-09", "2026-10-09"),
        ("returning it 1 week after buying", "2026-11-13", "2026-11-19"),
        ("hom qua", "2026-11-22", "2026-11-22"),
        ("mua thang truoc", "2026-10-01", "2026-10-31"),
        ("mua tu nam ngoai", "2025-01-01", "2025-12-31"),
        ("tháng 3 năm ngoái", "2025-03-01", "2025-03-31"),
        ("camera mua thang 7 nam nay", "2026-07-01", "2026-07-31"),
        ("Camera mua năm 2024, năm nay bị hỏng", "2024-01-01", "2024-12-31"),  # "this year" broke: no purchase
        ("mua thang 5", "2026-05-01", "2026-05-31"),
        ("ngay 15 thang 3 nam 2025", "2025-03-15", "2025-03-15"),
        ("thang 3/2025", "2025-03-01", "2025-03-31"),
        ("mua hom 15/3", "2026-03-15", "2026-03-15"),
    ],
)
def test_how_long_they_have_had_it_and_vietnamese_without_diacritics(text: str, earliest: str, latest: str) -> None:
    assert _one(text) == (date.fromisoformat(earliest), date.fromisoformat(latest))


@pytest.mark.parametrize(
    "text",
    [
        "có bảo hành 24 tháng không",
        "bảo hành 2 năm",
        "co bao hanh 2 nam khong",
        "3 days since I sent it in",
        "bao hanh 12 thang",
    ],
)
def test_a_warranty_period_or_a_wait_is_not_how_long_they_have_had_it(text: str) -> None:
    assert find_dates(text, NOW) == []


@pytest.mark.parametrize(
    "text",
    ["bought 2025-06", "2025/06", "purchased 2025.6", "got it in 2025/6", "received 2025-06.", "2025-6 purchase"],
)
def test_a_year_and_month_without_a_day_is_that_whole_month(text: str) -> None:
    now = datetime(2026, 12, 2, 12, tzinfo=timezone(timedelta(hours=8)))
    assert _one(text, now) == (date(2025, 6, 1), date(2025, 6, 30))


def test_the_cue_before_a_year_and_month_still_says_what_it_is_the_date_of() -> None:
    (fact,) = (
        SituationReader(ROOT / "faq" / "_common" / "matching" / "situations.toml")
        .read("I bought 2025-06, it stopped recording", NOW, JINGPIN)
        .dates
    )
    assert (fact.reading.text, fact.kind) == ("2025-06", "purchase")


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("bought 2025-06-15", "2025-06-15", "2025-06-15"),  # a full date stays a day
        ("since 2024-2025", "2024-01-01", "2024-12-31"),  # a range of years is no month
        ("bought 2025-13", "2025-01-01", "2025-12-31"),  # no month 13: the year, as before
    ],
)
def test_a_year_and_month_inside_something_longer_is_not_a_month(text: str, earliest: str, latest: str) -> None:
    assert _one(text) == (date.fromisoformat(earliest), date.fromisoformat(latest))


@pytest.mark.parametrize(
    "text", ["firmware v2025.06", "version 2025.6", "paid 1999.9 yuan", "serial 12025-06", "V5.2025-06", "1920/1080"]
)
def test_a_version_price_or_serial_is_not_a_year_and_month(text: str) -> None:
    assert find_dates(text, NOW) == []


def test_ambiguous_day_month_keeps_both_readings() -> None:
    (reading,) = find_dates("bought on 3/4/2025", NOW)
    assert set(reading.alternatives) == {date(2025, 3, 4), date(2025, 4, 3)}


def test_the_message_itself_settles_day_month_order() -> None:
    readings = find_dates("rma came on 11/10 and i ship on 11/26", NOW)
    assert [r.earliest for r in readings] == [date(2026, 11, 10), date(2026, 11, 26)]
    assert all(not r.alternatives for r in readings)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("bought on 30 February 2025", "impossible"),
        ("bought 2025-02-30", "impossible"),
        ("bought 2031-05-01", "future"),
        ("bought in 1900", "implausible"),
    ],
)
def test_odd_dates_are_flagged_not_guessed(text: str, problem: str) -> None:
    (reading,) = find_dates(text, NOW)
    assert reading.problem == problem


@pytest.mark.parametrize("text", ["i may return it", "24/7 support?", "we have 3 cameras", "model 960H on channel 4"])
def test_things_that_are_not_dates(text: str) -> None:
    assert find_dates(text, NOW) == []


def test_a_pattern_naming_words_that_do_not_exist_stops_loading(tmp_path: Path) -> None:
    source = (ROOT / "faq" / "_common" / "matching" / "dates.toml").read_text(encoding="utf-8")
    broken = tmp_path / "dates.toml"
    broken.write_text(source.replace("({months})", "({month_names})", 1), encoding="utf-8")
    with pytest.raises(FaqError, match="month_names"):
        load_date_words(broken)


# -- properties ------------------------------------------------------------------------------------

days = st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31))


@given(days, st.integers(min_value=0, max_value=120))
def test_add_months_lands_in_the_right_month_and_never_overflows(start: date, months: int) -> None:
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day == min(start.day, calendar.monthrange(end.year, end.month)[1])


@given(st.integers(min_value=1996, max_value=2032).filter(calendar.isleap), st.integers(min_value=1, max_value=4))
def test_leap_day_plus_whole_years(year: int, years: int) -> None:
    end = add_months(date(year, 2, 29), 12 * years)
    assert end == (date(year + years, 2, 29) if calendar.isleap(year + years) else date(year + years, 2, 28))


@given(days, st.sampled_from(["kimpok", "longgang", "ktnc"]))
def test_warranty_covers_its_last_day_and_not_the_next(start: date, brand: str) -> None:
    pack = load_packs(ROOT / "policies")[brand]
    months = pack.warranty.default_months
    assert months is not None
    situation = Situation(
        dates=(DateFact(DateReading(start, start, str(start), 0, 0), "purchase"),), wants=frozenset({"free"})
    )
    end = add_months(start, months)
    assert policy.warranty(pack, situation, end).status == "covered"
    assert policy.warranty(pack, situation, end + timedelta(days=1)).status == "expired"


@given(st.integers(min_value=0, max_value=45), days)
def test_return_windows_count_their_last_day(elapsed: int, start: date) -> None:
    situation = Situation(
        dates=(DateFact(DateReading(start, start, str(start), 0, 0), "purchase"),), wants=frozenset({"refund"})
    )
    verdict = policy.return_option(JINGPIN, situation, start + timedelta(days=elapsed))
    assert verdict is not None
    window = verdict.window.id if verdict.window else None
    # one rule for every pack: "within 7 days (inclusive)" includes day 7, and "within 30 days" day 30
    expected = "return_window" if elapsed <= 7 else "replacement_window" if elapsed <= 30 else None
    assert window == expected


@settings(max_examples=200)
@given(
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
    st.integers(min_value=-12, max_value=14),
)
def test_yesterday_is_the_customers_yesterday_at_any_hour_and_offset(moment: datetime, hours: int) -> None:
    instant = moment.replace(tzinfo=UTC)
    local = instant.astimezone(timezone(timedelta(hours=hours)))
    assert _one("delivered yesterday", local) == (local.date() - timedelta(days=1),) * 2


def test_yesterday_just_after_midnight_across_time_zones() -> None:
    instant = datetime(2026, 11, 23, 8, 1, tzinfo=UTC)  # 00:01 in California, 16:01 in Shenzhen
    california = instant.astimezone(timezone(timedelta(hours=-8)))
    shenzhen = instant.astimezone(timezone(timedelta(hours=8)))
    assert _one("yesterday", california)[0] == date(2026, 11, 22)
    assert _one("yesterday", shenzhen)[0] == date(2026, 11, 22)
    assert _one("yesterday", instant.replace(hour=7, minute=59).astimezone(timezone(timedelta(hours=-8))))[0] == date(
        2026, 11, 21
    )


FRAGMENTS = [
    "bought",
    "on",
    "ago",
    "last",
    "year",
    "years",
    "months",
    "days",
    "weeks",
    "back",
    "March",
    "may",
    "in",
    "0000",
    "9999",
    "99999999999",
    "31",
    "02",
    "30",
    "/",
    "-",
    ".",
    "年",
    "月",
    "日",
    "号",
    "前",
    "去年",
    "三四",
    "十三",
    "ngày",
    "tháng",
    "năm",
    "trước",
    "2025",
    "1.5",
    "a couple of",
    "yesterday",
    " ",
    "²",
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(" ".join) | st.text(max_size=80))
def test_reading_dates_never_fails_on_any_text(text: str) -> None:
    for reading in find_dates(text, NOW):
        assert reading.earliest <= reading.latest
        assert 0 <= reading.start <= reading.end <= len(text)
        assert reading.problem in (None, "impossible", "future", "implausible")


# -- issue 17, item 5: impossible days without a year, and the customer's own date in the RMA date step ----------


@pytest.mark.parametrize("text", ["bought Feb 30th", "30 Feb", "February 30", "on the 30th of February", "April 31st"])
def test_feb_30th_without_a_year_is_flagged_impossible(text: str) -> None:
    (reading,) = find_dates(text, NOW)
    assert reading.problem == "impossible", reading


def test_feb_29th_without_a_year_is_the_last_leap_day() -> None:
    assert _one("bought Feb 29th") == (date(2024, 2, 29), date(2024, 2, 29))


# 20:00 in New York on Monday 23 November is already Tuesday 24 November, 9:00, in China.
NEW_YORK_EVENING = datetime.fromisoformat("2026-11-23T20:00:00-05:00")


def _at_the_date_step(engine: Engine, user: str, now: datetime | None) -> None:
    for text in ("/rma", "KNR-1600 PC NVR", "SN 2203KT77812"):
        engine.handle(Message(user=user, brand="ktnc", text=text, now=now))


@pytest.mark.parametrize("given", ["every message", "the first message only"])
@pytest.mark.parametrize(("typed", "day"), [("yesterday", date(2026, 11, 22)), ("bought it today", date(2026, 11, 23))])
def test_rma_date_step_reads_yesterday_and_today_on_the_customers_own_clock(
    shared_engine: Engine, given: str, typed: str, day: date
) -> None:
    engine = fresh_engine(shared_engine, now=NEW_YORK_EVENING.astimezone(timezone(timedelta(hours=8))))
    engine.handle(Message(user="ny", brand="ktnc", text="hi", now=NEW_YORK_EVENING))  # the offset becomes known
    later = NEW_YORK_EVENING if given == "every message" else None  # else: the engine's clock, in China time
    _at_the_date_step(engine, "ny", later)
    engine.handle(Message(user="ny", brand="ktnc", text=typed, now=later))
    draft = engine.conversation("ny").state.rma.draft
    assert draft is not None and draft.step == "bought_from" and draft.facts.date == day.isoformat()


def test_rma_date_step_without_the_customers_offset_counts_in_the_brands_zone(shared_engine: Engine) -> None:
    engine = fresh_engine(shared_engine, now=NEW_YORK_EVENING.astimezone(UTC))  # a UTC clock says nothing
    _at_the_date_step(engine, "cn", None)
    engine.handle(Message(user="cn", brand="ktnc", text="yesterday"))
    draft = engine.conversation("cn").state.rma.draft
    assert draft is not None and draft.facts.date == "2026-11-23"  # China's yesterday


def test_rma_date_step_refuses_feb_30th(shared_engine: Engine) -> None:
    engine = fresh_engine(shared_engine)
    _at_the_date_step(engine, "feb", None)
    reply = engine.handle(Message(user="feb", brand="ktnc", text="Feb 30th"))
    assert "“Feb 30th” isn't a real date." in reply[-1].text
    draft = engine.conversation("feb").state.rma.draft
    assert draft is not None and draft.step == "date" and draft.facts.date is None
