"""What a second general inbox showed: contractions, words for "extra", guesses, dates with the year first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.understand.dates import find_dates

WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))
SATURDAY_LUNCH = datetime(2026, 12, 5, 12, 20, tzinfo=timezone(timedelta(hours=8)))


def test_a_day_named_beside_can_i_call_now_asks_whether_someone_is_there(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=SATURDAY_LUNCH).say("its saturday, can i still call u now??")
    assert "don't have information" not in reply, reply
    assert "9:00" in reply, reply


def test_install_mistakes_are_improper_installation_not_an_accident(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("which install mistakes void the warranty? want to brief my electrician")
    assert "installing your own hard drive" in reply and "cutting cables" in reply, reply


def test_theres_no_extra_fee_under_warranty_asks_whether_the_repair_is_free(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("there's no extra fee since it's in warranty, right?")
    assert "no additional fees" in reply, reply
    assert "batter" not in reply, reply  # not the consumables clause


def test_an_additional_charge_for_a_warranty_repair_is_not_the_price_after_warranty(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("is there an additional charge for warranty repair")
    assert "no additional fees" in reply, reply


def test_a_guess_about_the_answer_is_not_read_as_words_of_the_question(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("bought the nvr on 2026-03-15, it broke. i assume it's a paid repair?")
    assert "covered" in reply and "15 March 2027" in reply, reply


def test_a_purchase_cue_before_the_date_is_not_outrun_by_a_fault_after_it(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say(
        "we bought a ptz from you back in 2021, motor died now. what are the repair charges like?"
    )
    assert "out of warranty" in reply and "labour is charged too" in reply, reply


def test_the_year_before_the_month() -> None:
    for text, month in (
        ("bought it last year in june, covered?", 6),
        ("Tôi mua đầu ghi năm ngoái khoảng tháng 6, giờ bị hỏng nguồn", 6),
        ("camera mua nam ngoai thang 3, gio bi hong", 3),
    ):
        found = find_dates(text, WEDNESDAY, language="vi" if "mua" in text else "en")
        assert [(r.earliest.year, r.earliest.month, r.latest.month) for r in found] == [(2025, month, month)], text


def test_last_year_then_may_the_verb_is_no_month() -> None:
    found = find_dates("bought last year, may i return it?", WEDNESDAY)
    assert [(r.earliest, r.latest) for r in found] == [(datetime(2025, 1, 1).date(), datetime(2025, 12, 31).date())]


def test_a_vietnamese_month_of_last_year_gets_a_verdict(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "Tôi mua đầu ghi năm ngoái khoảng tháng 6, giờ bị hỏng nguồn. Còn bảo hành không, sửa có mất phí không?"
    )
    assert "hết" in reply.lower() or "het" in reply.lower(), reply


def test_a_product_the_customer_dropped_cannot_go_back_in_the_return_window(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "bought 3 days ago but i dropped it and it broke, can i still return it within the 7 days?"
    )
    assert not reply.startswith("Yes"), reply
    assert "caused by the product itself" in reply, reply


def test_a_product_that_failed_on_its_own_still_goes_back_in_the_return_window(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("bought 3 days ago, it stopped working, can i return it?")
    assert reply.startswith("Yes"), reply


def test_a_third_party_charger_keeps_the_brands_own_answer_about_it(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "I used a cheap third-party charger from amazon and it fried the device. covered?"
    )
    assert "third" in reply.lower() or "non-original" in reply.lower(), reply


def test_a_pan_tilt_that_will_not_turn_is_the_mechanisms_warranty(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("2025年6月买的云台摄像机，云台转不动了，画面正常，还在保修吗？")
    assert "已过保修期" in reply and "1年" in reply, reply
    reply = chat("ktnc", user="customer-2", now=WEDNESDAY).say("bought a ptz in june 2025, the motor died. covered?")
    assert "pan & tilt mechanism" in reply and "out of warranty" in reply, reply
