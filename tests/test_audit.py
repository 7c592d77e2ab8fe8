"""The answers the fact-by-fact audit of issue 16 found wrong, one regression test each, named after it.

The fact tables (tests/test_facts.py) ask every statement of every document; these pin the cases the audit
reported, in the words it reported them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import pytest

from bot.engine import Engine, fixed_clock
from bot.store import Store

from .conftest import MONDAY_10, ROOT, Chat

ChatFactory = Callable[..., Chat]
NOT_COVERED = re.compile(
    r"isn.t covered|not covered|not as a free|excludes|no free|not .{0,20}free|can.t promise|不在保修|不保|"
    r"không được bảo hành",
    re.I,
)


@pytest.mark.parametrize(
    ("brand", "question"),
    [
        ("ktnc", "dropped my camera, 5 months old, free repair?"),
        ("kimpok", "dropped my camera, 5 months old, free repair?"),
        ("longgang", "water got into my camera, its 3 months old, is repair free?"),
        ("jingpin", "i accidentally knocked my scope off the table, bought 2 months ago, free repair?"),
    ],
)
def test_excluded_damage_promised_as_free_when_an_age_is_given(chat: ChatFactory, brand: str, question: str) -> None:
    reply = chat(brand).say(question)
    assert NOT_COVERED.search(reply), reply
    assert not re.search(r"covered, free of charge|^\W*yes\b", reply, re.I), reply


def test_ktnc_who_pays_shipping_for_a_warranty_repair(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("who pays shipping for a warranty repair?")
    assert "prepaid by the customer" in reply  # the way in, for any repair (line 11)
    assert "both ways" not in reply  # that is the non-warranty rule (line 19)


def test_ktnc_a_declined_quote_costs_the_diagnosis_fee_plus_shipping_and_handling(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("i declined the repair quote, what do i owe you?")
    assert "$50" in reply and re.search(r"plus the shipping and handling", reply), reply


def test_ktnc_accessories_are_returned_as_received_not_replenished(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("will you replace missing accessories when you return it?")
    assert re.search(r"not replenish", reply, re.I) and "same condition" in reply, reply


def test_ktnc_a_200_dollar_camera_returned_for_credit_says_the_sum(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("bought a $200 camera 10 days ago, unused, how much credit do i get if i return it?")
    assert "$160" in reply and "$40" in reply, reply


@pytest.mark.parametrize(
    "question",
    [
        "what is the warranty on ip cameras?",
        "my ip camera bought 2 years ago stopped working, is it under warranty?",
        "IP摄像机保修几年？",
    ],
)
def test_a_period_the_pack_marks_illegible_is_not_stated(chat: ChatFactory, question: str) -> None:
    reply = chat("ktnc").say(question)
    assert not re.search(r"covered until|3 years?,? so|3年保修|ran out", reply), reply
    assert re.search(r"did not come through|can.t tell you|can.t read|无法辨认|没有.*期限|看不清|不清楚", reply), reply


def test_an_rma_for_a_product_whose_period_is_illegible_goes_to_a_consultant(engine: Engine) -> None:
    from bot.policy import eligibility
    from bot.understand.situation import SituationReader

    pack = engine.packs["ktnc"]
    reader = SituationReader(ROOT / "faq" / "_common" / "matching" / "situations.toml")
    situation = reader.read("IP camera bought 2024-01-15, no video", MONDAY_10, pack)
    verdict = eligibility.assess(pack, situation, MONDAY_10.date())
    assert verdict.outcome == "review" and verdict.warranty.status == "unreadable"


@pytest.mark.parametrize(
    ("brand", "remedy"),
    [
        ("kimpok", r"defective.*repaired or replaced free"),
        ("jingpin", r"7 days|return|exchange"),
        ("ktnc", r"advance"),
    ],
)
def test_arrived_broken_gets_the_brands_dead_on_arrival_remedy(chat: ChatFactory, brand: str, remedy: str) -> None:
    reply = chat(brand).say("my camera arrived broken, what now?")
    assert re.search(remedy, reply, re.I | re.S), reply
    assert not reply.startswith("No"), reply


NOV_25 = datetime.fromisoformat("2026-11-25T10:00:00+08:00")


def test_day_30_kimpok_first_30_days_include_day_30(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=NOV_25).say("bought it on 26 Oct, it stopped working, who pays the shipping?")
    assert "within the first 30 days" in reply and "past the first" not in reply, reply


def test_day_30_jingpin_exchange_on_day_30(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=NOV_25).say("i bought it on 26 October and it's faulty, can i exchange it?")
    assert "30-day window" in reply and "not any more" not in reply, reply


def test_day_7_jingpin_return_on_day_7(chat: ChatFactory) -> None:
    reply = chat("jingpin", now=NOV_25).say("bought it on 18 November, it is faulty, can i return it?")
    assert re.search(r"7-day.{0,20}window", reply) and "return" in reply, reply


@pytest.mark.parametrize(
    "question",
    ["what does the warranty cover?", "how do i send a product in for repair?", "what is not covered?"],
)
def test_wording_no_yes_in_front_of_what_and_how_answers(chat: ChatFactory, question: str) -> None:
    for brand in ("kimpok", "longgang", "jingpin", "poesec", "ktnc"):
        reply = chat(brand, user=f"u-{brand}").say(question)
        assert not re.match(r"\W*(yes|no)\b", reply, re.I), f"{brand}: {reply}"


def test_wording_a_part_of_a_clause_is_named_with_its_clause(chat: ChatFactory) -> None:
    reply = chat("poesec").say("i opened the camera myself, still covered?")
    assert "excludes the product has been" not in reply and "excludes product has" not in reply, reply


def test_wording_a_plural_category_follows_its_manufacturers_warranty(chat: ChatFactory) -> None:
    reply = chat("poesec").say("is the poe switch under warranty?")
    assert "products follows" not in reply, reply


def test_wording_months_past_the_warranty_are_no_fraction_of_a_year(chat: ChatFactory) -> None:
    reply = chat("longgang").say("my nvr warranty ended 8 months ago, what do i pay for repair?")
    assert "0." not in reply and "by about 8 months" in reply, reply


def test_wording_the_ktnc_fee_is_stated_once(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("my camera is 4 years old and broken, how much to repair it?")
    assert reply.count("$50") <= 2 and reply.count("diagnosis fee per product") <= 1, reply


def test_wording_no_leave_your_question_here_without_a_staff_chat(chat: ChatFactory) -> None:
    saturday_night = datetime.fromisoformat("2026-11-28T20:00:00+08:00")
    reply = chat("kimpok", now=saturday_night).say("i want to talk to a human")
    assert "Leave your question here" not in reply and "86-755-26786281" in reply, reply


def test_wording_leave_your_question_here_when_a_staff_chat_reads_it() -> None:
    staffed = Engine.from_root(ROOT, store=Store(":memory:"), clock=fixed_clock(MONDAY_10), consultants=True)
    saturday_night = datetime.fromisoformat("2026-11-28T20:00:00+08:00")
    reply = Chat(staffed, brand="kimpok", now=saturday_night).say("what are your opening hours?")
    assert "Leave your question here" in reply, reply
