"""Transcripts where the bot applies the policy to the customer's own situation, asking for what's missing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.engine import Engine, Message, fixed_clock
from bot.store import Store

from .conftest import MONDAY_10, ROOT, Chat

ChatFactory = Callable[..., Chat]


def test_bot_asks_for_the_missing_date_then_answers(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    first = c.say("my nvr stopped working, is it still under warranty?")
    assert "Tell me when you bought it" in first
    assert "1 year" in first  # the general answer comes with the question
    second = c.say("last August")
    assert second.startswith("It's covered, free of charge")
    assert "1 August 2027" in second and "last August" in second
    assert "purchase date" in second  # says what it assumed


def test_answer_says_the_assumption_and_the_time_left(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=MONDAY_10).say("bought my dvr on 15 March 2026, it died, is the repair free?")
    assert "counting from your purchase date, 15 March 2026" in reply
    assert "covered until 15 March 2027 (112 days left)" in reply


def test_expired_warranty_says_when_it_ended_and_what_a_repair_costs(chat: ChatFactory) -> None:
    reply = chat("longgang", now=MONDAY_10).say("bought NVR on 2025-06-01, broke this week. what will repair cost me?")
    assert reply.startswith("It's out of warranty, so a repair is not free")
    assert "ran out on 1 June 2026" in reply
    assert "the cost of parts is charged, and labour is free" in reply


def test_category_is_asked_with_buttons_when_periods_differ(chat: ChatFactory) -> None:
    c = chat("jingpin", now=MONDAY_10)
    c.say("bought it 2025-06-01, broken, is it free?")
    assert c.buttons == ["Terminal whole machine", "Module", "Detector"]
    module = c.press("Module")
    assert module.startswith("It's out of warranty, so a repair is not free") and "1 June 2026" in module
    c.say("and a terminal bought on 2025-06-01?")
    assert "covered until 1 June 2027" in c.text


def test_ambiguous_day_month_is_asked_when_it_matters(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    assert "11 December 2025 or 12 November 2025" in c.say("bought on 11/12/2025, broken, free?")
    assert c.buttons == ["11 December 2025", "12 November 2025"]
    assert "covered until 11 December 2026" in c.press("11 December 2025")


def test_ambiguous_day_month_is_not_asked_when_both_readings_agree(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=MONDAY_10).say("bought on 3/4/2025, broken, free?")
    assert reply.startswith("It's out of warranty, so a repair is not free")


def test_impossible_and_future_dates_get_a_question_back(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    assert "isn't a date on the calendar" in c.say("bought on 30 February 2026, is it free?")
    assert "covered until 28 February 2027" in c.say("sorry, 28 February 2026")
    assert "is in the future" in chat("kimpok", user="f", now=MONDAY_10).say("bought 2027-01-05, covered?")


def test_exclusion_beats_the_date(chat: ChatFactory) -> None:
    reply = chat("poesec", now=MONDAY_10).say("camera bought 2026-05-10, it fell off the wall and cracked. free?")
    # the brand's own clause for what happened, not "covered, free of charge" for the date
    assert reply.startswith("Mechanical damage caused by dropping") and "not covered by the warranty" in reply
    assert "free of charge" not in reply


def test_refund_window_by_age(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=MONDAY_10).say("bought it 3 weeks ago, it has a fault, i want refund not replacement")
    assert "the 7-day return window has passed" in reply and "30-day window" in reply
    week = chat("jingpin", user="w", now=MONDAY_10).say("bought 2026-11-16, exactly a week ago, faulty. refund?")
    assert week.startswith("Yes, with our consent first: you bought it 7 days ago, within the 7-day (inclusive) window")
    # the conditions of the document go with the yes: a confirmed product fault, consent first, what to send
    assert "confirm the fault is caused by the product itself" in week
    assert "original accessories" in week and "original purchase receipt" in week
    zh = chat("jingpin", user="z", now=MONDAY_10).say("买了五天，有故障，能直接寄回退款吗")
    assert zh.startswith("可以，须事先征得我们同意") and "寄回任何产品前必须先征得我们同意" in zh


def test_rma_validity_and_repair_totals(chat: ChatFactory) -> None:
    us = datetime.fromisoformat("2026-11-23T10:00:00-08:00")
    rma = chat("ktnc", now=us).say("RMA number came by email on 11/10. I can only ship on 11/26. will it still work?")
    assert rma.startswith("It will have expired by then: an RMA number is valid for only 15 days")
    assert "25 November 2026" in rma
    total = chat("ktnc", user="t", now=us).say("diagnosis $50, parts $80, shipping $15. if i approve what do i pay?")
    assert "$145 in total" in total and "credit card" in total
    quote = chat("ktnc", user="q", now=us).say("diagnosis done, they quoted parts $60 and s&h $18. my total?")
    assert "$128 in total" in quote  # the diagnosis fee is added: the document's total is fee + parts + S&H
    unknown = chat("ktnc", user="u", now=us).say("quote came back: parts $45, and $22 something else. total?")
    assert "I can't tell what $22 is for" in unknown and "in total" not in unknown  # no sum that could be wrong
    priced = chat("ktnc", user="p", now=us).say("my $300 camera is out of warranty and needs parts $60. total?")
    assert "$110 in total" in priced and "× 300" not in priced


def test_vietnamese_and_chinese_verdicts(chat: ChatFactory) -> None:
    vi = chat("poesec", now=datetime.fromisoformat("2026-11-23T10:00:00+07:00")).say(
        "camera giao ngày 20/11/2024, giờ hỏng IR, còn bảo hành không?"
    )
    assert vi.startswith("Sản phẩm đã hết bảo hành") and "2 năm" in vi
    zh = chat("longgang", user="z", now=MONDAY_10).say("8个月前买的录像机坏了，免费修吗？")
    assert zh.startswith("在保修期内")


def test_a_pending_question_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "bot.db")
    first = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(MONDAY_10))
    asked = first.handle(Message(user="r", brand="kimpok", text="my camera is broken, is it still covered?"))
    assert "Tell me when you bought it" in asked[0].text
    first.store.close()
    second = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(MONDAY_10))
    answer = second.handle(Message(user="r", text="2026-01-20"))
    assert "covered until 20 January 2027" in answer[0].text


def test_a_date_the_product_reached_us_is_not_its_purchase_date(chat: ChatFactory) -> None:
    reply = chat("longgang", now=MONDAY_10).say("u received my camera back yesterday, has anyone checked the fault?")
    assert "12 hours" in reply
    assert "It's covered" not in reply and "purchase date" not in reply


def test_beyond_repair_is_answered_not_dated(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=MONDAY_10).say("my 4 month old nvr is beyond repair says your engineer, refund?")
    assert "comparable" in reply
    assert "counting from" not in reply


def test_product_words_in_chinese_and_vietnamese_need_no_question_back(chat: ChatFactory) -> None:
    zh = chat("poesec", now=MONDAY_10).say("硬盘录像机去年2月收到的，现在不能用了，还保修吗？")
    assert "哪一类" not in zh and "2年" in zh
    vi = chat("poesec", now=MONDAY_10).say("Camera nhận hàng được 18 tháng thì bị hỏng, còn bảo hành không?")
    assert "còn" in vi and "ngày giao hàng" in vi and "bảo hành 2 năm" in vi
    plain = chat("poesec", now=MONDAY_10).say("dau ghi mua duoc 3 nam roi bi hong, con bao hanh ko")
    assert "hết bảo hành" in plain


def test_the_product_the_customer_calls_their_own_decides_the_period(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=MONDAY_10).say("purchased a module from you in 2025-07, its sensor died, free repair?")
    assert "module" in reply and "out of warranty" in reply
    assert "Which is yours" not in reply


def test_no_date_question_after_an_answer_that_needs_none(chat: ChatFactory) -> None:
    reply = chat("ktnc", now=MONDAY_10).say(
        "3 out of warranty cameras to send for checking, what is the fee before parts?"
    )
    assert "$50" in reply and "Tell me when you bought it" not in reply


def test_asked_whether_the_warranty_is_gone_the_answer_opens_with_no_bare_no(chat: ChatFactory) -> None:
    reply = chat("poesec", now=MONDAY_10).say("my son opened the camera to clean it, is the warranty gone now?")
    assert not re.match(r"No\b", reply) and "not covered" in reply.lower()  # "Not covered: …", no bare "No, …"


def test_returning_an_unused_product_gets_the_return_window_not_a_warranty_verdict(chat: ChatFactory) -> None:
    en = chat("ktnc", now=MONDAY_10).say("bought it 12 days ago, never installed, can i return it for credit? any fee?")
    assert "30" in en and "covered" not in en
    vi = chat("ktnc", now=MONDAY_10).say("mua duoc 12 ngay, chua lap, tra lai lay tien duoc khong?")
    assert "30 ngày" in vi and "bảo hành" not in vi


def test_still_under_warranty_in_vietnamese_without_diacritics_is_no_storm(chat: ChatFactory) -> None:
    reply = chat("poesec", now=MONDAY_10).say("dau ghi mua 5 thang, bi loi, con bao hanh khong?")
    assert "thiên tai" not in reply and "vẫn trong thời hạn bảo hành" in reply


def test_a_repair_sent_in_vietnamese_is_dated_from_when_it_was_sent(chat: ChatFactory) -> None:
    reply = chat("longgang", now=MONDAY_10).say("toi gui camera cho ben ban 9 ngay truoc, bao gio xong?")
    assert "3 ngày làm việc" in reply and "bảo hành 1 năm" not in reply


def test_still_under_warranty_at_the_end_is_the_same_question_not_another(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=MONDAY_10).say("ong nhom nhiet mua duoc 10 thang thi bi loi, con bao hanh khong?")
    assert "vẫn trong thời hạn bảo hành" in reply
    assert "Không," not in reply  # no exclusion answered to "còn bảo hành không?" on its own


def test_the_day_the_customer_called_is_not_the_purchase_date(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    first = c.say("the engineer came to my house on 2 November and said the nvr is faulty. is the repair free?")
    assert "counting from" not in first and "Tell me when you bought it" in first
    second = c.say("I told you already, 5 May 2026")
    assert second.startswith("It's covered") and "5 May 2026" in second


def test_who_pays_shipping_asked_in_vietnamese_without_diacritics(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=MONDAY_10).say(
        "mua camera 8 ngay truoc, 1 cai da hu roi. toi co phai tra tien gui ve khong?"
    )
    assert reply.startswith("Chúng tôi chịu toàn bộ phí vận chuyển") and "30 ngày" in reply


def test_out_of_warranty_fees_in_vietnamese_quote_the_packs_tiers(chat: ChatFactory) -> None:
    # longgang's document gives the charges by years past the warranty: the Vietnamese answer gives them too,
    # never "the policy does not say"
    reply = chat("longgang", now=MONDAY_10).say("mua 4 nam truoc, camera hong, sua het bao nhieu")
    assert "tính phí linh kiện và tiền công" in reply
    assert "không nêu" not in reply


def test_a_sensor_inside_a_jingpin_device_is_no_detector(chat: ChatFactory) -> None:
    # the sensor of a scope or module is a part of it: the device's own period counts (terminal 24 months)
    scope = chat("jingpin", now=MONDAY_10).say("my thermal scope is 14 months old and the sensor died")
    assert "terminal whole machine is 2 years" in scope and "detector" not in scope.lower()
    module = chat("jingpin", user="m", now=MONDAY_10).say("bought a module 15 months ago, the sensor is failing")
    assert "1 year of warranty on your module ran out" in module


def test_an_rma_given_on_a_day_and_shipped_today_is_checked(chat: ChatFactory) -> None:
    us = datetime.fromisoformat("2026-12-09T10:00:00-08:00")
    late = chat("ktnc", now=us).say("tech support gave us an RMA on 2026-11-18; we're only sending it out today. ok?")
    assert late.startswith("It will have expired by then") and "3 December 2026" in late
    fresh = chat("ktnc", user="f", now=us).say("KT&C emailed me an rma on Dec 4, shipping it today, still good?")
    assert fresh.startswith("It's still valid then") and "4 December 2026" in fresh


def test_a_return_within_so_many_days_is_credited_for_the_price_given(chat: ChatFactory) -> None:
    us = datetime.fromisoformat("2026-12-09T10:00:00-08:00")
    one = chat("ktnc", now=us).say(
        "i'm returning an unused $250 nvr within 3 weeks of buying it. what credit do i get?"
    )
    assert "at most 21 days ago" in one and "$200 back as credit" in one and "shipping cost is not credited" in one
    assert "$250 back" not in one
    three = chat("ktnc", user="t", now=us).say("returning three $100 cameras within 10 days, how much credit?")
    assert "$240 back as credit" in three  # a price per unit, times the units
    later = chat("ktnc", user="l", now=us).say(
        "returning my dvr for credit 2 weeks after buying it, how much back? $400"
    )
    assert "$320 back as credit" in later and "days ago" in later


def test_several_products_sent_to_be_checked_cost_the_fee_each_before_parts(chat: ChatFactory) -> None:
    reply = chat("ktnc", now=MONDAY_10).say("3 dvrs past warranty need to be tested, what's the cost before parts?")
    assert reply.startswith("Before parts, you'd pay $150 in diagnosis fees") and "$50 per product × 3" in reply
    assert "in total" not in reply


def test_a_dent_found_after_delivery_is_about_checking_the_product_on_receipt(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=MONDAY_10).say(
        "a few days after it was delivered i found a dent on the casing. covered?"
    )
    assert "appearance" in reply and "on site" in reply
    assert "accident" not in reply


def test_a_storm_that_knocked_the_pole_down_is_force_majeure_without_diacritics(chat: ChatFactory) -> None:
    reply = chat("longgang", now=MONDAY_10).say("bao danh do cot, camera hong roi, co bao hanh khong?")
    assert "bất khả kháng" in reply
    assert "con người" not in reply


def test_an_overdue_repair_says_what_the_time_depends_on(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=MONDAY_10).say("you have had my scope for 30 working days and it still isn't repaired")
    assert "inventory and supply" in reply and "separately" in reply


def test_asking_whether_anyone_is_there_gets_the_hours_even_with_a_fault_after_it(chat: ChatFactory) -> None:
    c = chat("kimpok", now=MONDAY_10)
    reply = c.say("is somebody there right now? all the channels on my recorder went black")
    assert "available right now" in reply
    assert "don't have information" not in reply


def test_a_product_from_a_year_long_ago_is_dated_by_its_age_not_the_fault(chat: ChatFactory) -> None:
    reply = chat("longgang", now=MONDAY_10).say("my nvr from 2018 died on friday, how much is a repair?")
    assert reply.startswith("It's out of warranty")
    assert "counting from 2018" in reply and "from from" not in reply
    assert "labour is charged too" in reply


def test_country_name_in_vietnamese_is_not_read_as_years(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=MONDAY_10).say("minh dang o Viet Nam, muon goi dien thi bam so nao?")
    assert "+86-028-85355966" in reply
    assert "không có thông tin" not in reply


def test_the_standard_warranty_length_with_a_rumour_gets_the_period(chat: ChatFactory) -> None:
    reply = chat("longgang", now=MONDAY_10).say("what is your normal standard guarantee? a friend said two years")
    assert "1 year" in reply
    assert "not sure which" not in reply


def test_a_misspelt_warranty_length_is_understood(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=MONDAY_10).say("wats the warrenty lenght on a dvr i got last month")
    assert "1 year" in reply
    assert "don't have information" not in reply


def test_own_brand_repair_turnaround_is_three_working_days(chat: ChatFactory) -> None:
    reply = chat("longgang", now=MONDAY_10).say(
        "my longgang own brand camera went in for repair, about when is it back?"
    )
    assert "3 working days" in reply


def test_what_to_pack_for_an_exchange_names_accessories_and_proof(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=MONDAY_10).say("for an exchange, what do i need to put in the parcel?")
    assert "accessories" in reply and "certificate" in reply


def test_reporting_a_fault_by_email_gives_the_address_and_the_reply_time(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=MONDAY_10).say(
        "which mail address do i send a fault report to and how fast do you reply?"
    )
    assert "JPNVision@votinfrared.com" in reply and "24 hours" in reply


def test_rma_postage_after_the_first_month_is_paid_one_way(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=MONDAY_10).say(
        "bought my nvr on 2026-08-15, needs an rma, must i pay to post it to you?"
    )
    assert "you pay to ship" in reply and "shipping it back to you" in reply
    assert "don't have information" not in reply


def test_a_repaired_unit_that_fails_again_is_dated_from_when_it_shipped_back(chat: ChatFactory) -> None:
    # no "free?" asked: a fault after a repair is a question about the repair's warranty
    reply = chat("ktnc").say("u repaired my dvr (paid) and shipped it 2026-08-01. its failing again")
    assert "180 days" in reply and "28 January 2027" in reply, reply
    assert "1 August 2029" not in reply  # not a purchase on that day
    expired = chat("ktnc").say("paid repair shipped back to me 2026-04-15 and the same channel died again")
    assert "no longer under the repair warranty" in expired, expired
    # a brand whose document gives no warranty for repaired units says it does not know
    assert "don't have information" in chat("kimpok").say(
        "you repaired my nvr and shipped it back 2026-10-01, now it died again"
    )


def test_a_chinese_date_with_hao_and_a_bare_tui_ask_for_the_return_window(chat: ChatFactory) -> None:
    reply = chat("jingpin").say("11月10号买的 有问题 能退吗")  # 13 days before the fixture's Monday 23 November
    assert "7天退货期限已过" in reply and "30天" in reply, reply
    recent = chat("jingpin", user="recent").say("11月20号买的 有问题 能退吗")
    assert "7天（含）期限内" in recent, recent


def test_a_described_cause_settles_which_answer_without_asking(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("i shipped my cam to u wrapped in just a plastic bag and it arrived cracked. warranty?")
    assert "improper packaging" in reply and "Please pick one" not in reply, reply
    assert "when you bought it" not in reply  # not responsible whatever its age


def test_two_causes_with_two_clauses_are_both_named(chat: ChatFactory) -> None:
    reply = chat("poesec").say(
        "a fire in the warehouse burned one recorder, and an outside repair guy opened the other one. covered?"
    )
    assert "fire" in reply and "not authorized" in reply, reply
    dropped = chat("kimpok", user="d").say("i dropped my nvr off the shelf, warranty?")  # a damage no clause names
    assert "drop or knock" in dropped


@pytest.mark.parametrize(
    ("brand", "story", "clause"),
    [
        # "will you replace it?" and "…and it breaks?" after what happened ask whether that is covered
        (
            "kimpok",
            "Someone spray painted over the lens and bent the bracket overnight. Will kimpok replace it?",
            "vandalism",
        ),
        ("poesec", "what about if I've only paid half of the invoice so far and the camera breaks?", "paid in full"),
        (
            "ktnc",
            "I sent the camera back wrapped in a plastic bag inside a padded envelope and it arrived smashed",
            "packaging",
        ),
    ],
)
def test_a_described_cause_is_answered_without_the_word_covered(
    chat: ChatFactory, brand: str, story: str, clause: str
) -> None:
    reply = chat(brand, user=f"cause-{brand}").say(story)
    assert clause in reply and "don't have information" not in reply, reply
