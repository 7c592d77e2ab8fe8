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


def test_additional_warranty_after_a_repair_is_not_read_as_additional_fees(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("do I get additional warranty after a repair?")
    assert "remaining warranty period" in reply and "no additional fees" not in reply, reply


def test_a_month_after_a_comma_is_when_it_broke_not_when_it_was_bought() -> None:
    found = find_dates("bought it last year, in june it broke. covered?", WEDNESDAY)
    assert (found[0].earliest.month, found[0].latest.month) == (1, 12), found


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


def test_a_dvr_fan_that_will_not_turn_is_no_pan_tilt_mechanism(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("the DVR fan motor broke, bought 2025-06-01")
    assert "pan & tilt" not in reply and "3 years" in reply, reply


def test_three_product_types_compared_get_all_three_periods(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("what's the warranty on a complete terminal vs a module vs a detector?")
    assert "24 months" in reply and "module" in reply and "detector" in reply, reply


def test_when_will_someone_get_back_to_me_asks_how_fast_support_replies(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "submitted a fault report on your website, when will someone get back to me?"
    )
    assert "24 hours" in reply, reply


def test_you_are_the_agent_names_an_agent_product_not_a_person(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say(
        "not your brand (you're the agent). what happens after you receive it for repair?"
    )
    assert "manufacturer" in reply and "12 hours" in reply, reply


def test_a_second_question_about_another_cause_is_not_swallowed_by_the_storm(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say(
        "Is damage from a typhoon covered? And what if one of our own staff knocks the camera off the wall?"
    )
    assert "force majeure" in reply and "man-made" in reply, reply


def test_a_storm_that_knocked_the_camera_down_is_the_storm(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("the typhoon knocked the camera off the wall, covered?")
    assert "force majeure" in reply and "man-made" not in reply, reply


def test_a_box_that_came_dented_is_damage_in_shipment(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "the box came with a big dent and the camera housing inside is cracked. i bought it 5 days ago. "
        "is that a warranty thing?"
    )
    assert "shipment" in reply and "drop" not in reply, reply
