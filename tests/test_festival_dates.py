"""Dates told by a festival or by a year said earlier: "the christmas before last", "去年双十一", "april that year"."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.understand.dates import find_dates

WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("bought it last christmas", date(2025, 12, 25)),
        ("a present for christmas, the christmas before last", date(2024, 12, 25)),
        ("delivered xmas 2023", date(2023, 12, 25)),
        ("去年双十一买的", date(2025, 11, 11)),
        ("2024年国庆买的", date(2024, 10, 1)),
        ("今年五一买的", date(2026, 5, 1)),
        ("mua hồi Tết năm ngoái", date(2025, 1, 29)),  # the lunar new year of 2025
        ("ordered on black friday 2024", date(2024, 11, 29)),
        ("ordered on black friday last year", date(2025, 11, 28)),
        ("bought xmas '24", date(2024, 12, 25)),
        ("quà Giáng sinh năm 2024", date(2024, 12, 25)),
    ],
)
def test_a_festival_is_the_days_around_it_in_the_year_the_words_say(text: str, day: date) -> None:
    (reading,) = find_dates(text, WEDNESDAY)
    assert reading.earliest <= day <= reading.latest and reading.latest - reading.earliest <= timedelta(days=10)
    if " on " in f" {text} ":  # "ordered on black friday": that very day
        assert reading.earliest == reading.latest == day


@pytest.mark.parametrize(
    "text",
    [
        "Merry Christmas! my camera died",
        "happy new year, is the warranty 1 year?",
        "圣诞快乐！我的热像仪开不了机了",
        "Giáng sinh vui vẻ! máy ảnh nhiệt bị hỏng",
        "i'll order before black friday, is the warranty 1 year?",
        "if i buy one for christmas as a gift, when does the warranty start?",
        "我准备双十一下单，保修多久？",
        "we paid 8000 CNY for 16 cams",
        "我们公司在五一路",
    ],
)
def test_a_greeting_a_plan_a_currency_or_a_street_dates_nothing(text: str) -> None:
    assert find_dates(text, WEDNESDAY) == []


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("bought it at christmas 2 years ago, nvr dead now", "2 years ago"),
        ("双十一那天买的，去年，现在坏了", "去年"),
    ],
)
def test_a_festival_without_its_year_leaves_the_year_to_the_words_that_tell_it(text: str, told: str) -> None:
    assert [r.text for r in find_dates(text, WEDNESDAY)] == [told]


def test_a_day_without_its_year_takes_the_year_told_just_before_it() -> None:
    readings = find_dates("the christmas before last, she ordered it on the 20th of december", WEDNESDAY)
    assert readings[-1].earliest == readings[-1].latest == date(2024, 12, 20)
    (_, april) = find_dates("running since spring 2021, we bought it around april that year", WEDNESDAY)
    assert (april.earliest, april.latest, april.text) == (date(2021, 4, 1), date(2021, 4, 30), "april that year")


def test_a_gift_from_the_christmas_before_last_is_out_of_warranty(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "my son got me one of your camera + nvr kits for christmas - the christmas before last. now the nvr wont "
        "power on at all. am i still covered?"
    )
    assert "out of warranty" in reply, reply
    reply = chat("longgang", user="customer-2", now=WEDNESDAY).say(
        "this nvr has been running since spring 2021, we bought it around april that year. it finally gave up. "
        "how does the repair charge work?"
    )
    assert "out of warranty" in reply and "covered until" not in reply, reply


def test_the_product_the_customer_says_it_is_not_is_not_its_type(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "my handheld thermal scope (the complete unit, not a module), bought 2024-11-20, the focus wheel does "
        "nothing now. covered?"
    )
    assert "Which is yours?" not in reply and "2 years" in reply, reply
    reply = chat("jingpin", user="customer-2", now=WEDNESDAY).say("是不是整机保修24个月？我们是去年3月买的")
    assert "2027年3月1日" in reply, reply  # "是不是" asks; it denies nothing


@pytest.mark.parametrize(
    "text",
    [
        "the nvr quit over christmas, is it covered? not sure when we bought it",
        "are you open over christmas? our nvr died",
        "春节期间有人值班吗？系统坏了",
        "trong dịp Tết camera mất hình, còn bảo hành không?",
    ],
)
def test_a_festival_beside_nothing_it_dates_is_no_purchase_date(text: str) -> None:
    assert find_dates(text, WEDNESDAY) == []


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("got the 8ch kit for xmas '24", 2024),
        ("got the 8ch kit for xmas 24, hdd light blinking", 2024),
        ("24年双十一买的录像机", 2024),
        ("mua Tết năm kia", 2024),
    ],
)
def test_a_short_year_after_or_before_a_festival_is_its_year(text: str, year: int) -> None:
    (reading,) = find_dates(text, WEDNESDAY)
    assert reading.earliest.year == year


def test_before_a_festival_is_the_days_before_it_and_a_year_is_only_borrowed_from_a_festival() -> None:
    (reading,) = find_dates("got my rma number before thanksgiving", WEDNESDAY)
    assert reading.latest == date(2026, 11, 25)
    readings = find_dates("bought it in 2025. got the rma number 25 november", WEDNESDAY)
    assert readings[-1].earliest == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("bought the scope on valentines 14 feb this year", date(2026, 2, 14)),  # "14" is the day, not 2014
        ("bought 2 units on boxing day 26/12/2024", date(2024, 12, 26)),
        ("purchased in 2024, on 1 june, terminal unit dead", date(2024, 6, 1)),  # the year of its clause
        ("got the rma number on the 20th of last month", date(2026, 11, 20)),
    ],
)
def test_a_number_after_a_festival_is_a_year_only_when_nothing_else_can_be(text: str, day: date) -> None:
    assert find_dates(text, WEDNESDAY)[-1].earliest == day


def test_a_price_after_a_festival_is_no_year() -> None:
    readings = find_dates("got it black friday 50 off, dead after a week", WEDNESDAY)
    assert not any(r.problem or r.earliest.year != 2026 for r in readings)  # (no 2050, no 1950)


def test_an_rma_issued_on_a_loose_date_gets_no_flat_verdict(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("rma issued before thanksgiving, haven't shipped yet. still valid?")
    assert "still valid" not in reply and "15 days" in reply, reply


@pytest.mark.parametrize(
    "text",
    [
        "got the 8ch kit for xmas 24 cams",  # 24 of something, not 2024: not guessed
        "bought on black friday 20 percent off",
        "ordered at christmas 15 dome cameras",
        "双11 12 台一起买的",
        "mua bộ camera dịp tết 20 triệu",
    ],
)
def test_a_bare_number_after_a_festival_leaves_it_unread(text: str) -> None:
    assert find_dates(text, WEDNESDAY) == []


def test_a_day_that_dates_something_else_keeps_its_own_year() -> None:
    readings = find_dates("bought the cams black friday 2025, rma issued on 11/30", WEDNESDAY)
    assert readings[-1].earliest == date(2026, 11, 30)


@pytest.mark.parametrize(("text", "day"), [("mua hôm 20 tháng trước", 20), ("mùng 5 tháng trước mua", 5)])
def test_a_day_of_last_month_in_vietnamese_is_not_months_ago(text: str, day: int) -> None:
    (reading,) = find_dates(text, WEDNESDAY)
    assert reading.earliest == reading.latest == date(2026, 11, day)


def test_a_delivery_day_after_a_year_takes_that_year_and_a_festival_gives_way_to_days_ago() -> None:
    readings = find_dates("Camera bought in 2024 and delivered to us on December 10th", WEDNESDAY)
    assert readings[-1].earliest == date(2024, 12, 10)
    (reading,) = find_dates("bought a detector on black friday, 20 days ago", WEDNESDAY)
    assert reading.earliest == date(2026, 11, 12)


def test_an_rma_issued_last_week_is_told_no_made_up_issue_day(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("my rma was issued last week, is it still valid?")
    assert "Yours was issued on" not in reply and "15 days" in reply, reply
