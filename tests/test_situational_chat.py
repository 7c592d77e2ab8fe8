"""Transcripts where the bot applies the policy to the customer's own situation, asking for what's missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

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


def test_out_of_warranty_fees_in_vietnamese_quote_the_packs_tiers(chat: ChatFactory) -> None:
    # longgang's document gives the charges by years past the warranty: the Vietnamese answer gives them too,
    # never "the policy does not say"
    reply = chat("longgang", now=MONDAY_10).say("mua 4 nam truoc, camera hong, sua het bao nhieu")
    assert "tính phí linh kiện và phí công" in reply
    assert "không nêu" not in reply


def test_a_sensor_inside_a_jingpin_device_is_no_detector(chat: ChatFactory) -> None:
    # the sensor of a scope or module is a part of it: the device's own period counts (terminal 24 months)
    scope = chat("jingpin", now=MONDAY_10).say("my thermal scope is 14 months old and the sensor died")
    assert "terminal whole machine is 2 years" in scope and "detector" not in scope.lower()
    module = chat("jingpin", user="m", now=MONDAY_10).say("bought a module 15 months ago, the sensor is failing")
    assert "1 year of warranty on your module ran out" in module
