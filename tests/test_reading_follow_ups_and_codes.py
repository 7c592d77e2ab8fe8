"""How a message's shape is read: model codes, follow-up questions, conditions that lead into a question,
parts of a year, and what a customer tells in passing (a quote declined, a repair shipped back, an RMA
number's day)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.understand.dates import find_dates
from bot.understand.intents import Intents
from bot.understand.normalise import is_code

from .conftest import ROOT

INTENTS = Intents.load(ROOT / "faq" / "_common" / "matching")
WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))


def test_a_model_code_names_the_product_and_does_not_drown_the_question(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok").say("hi, what is the warranty period on the kimpok DVR model KP-D6108?")
    assert "1 year" in reply, reply
    assert "don't have information" not in reply, reply


@pytest.mark.parametrize(
    ("token", "code"),
    [("kpd6108", True), ("960h", True), ("ds2cd2143", True), ("zzn7", False), ("warranty", False), ("2019", False)],
)
def test_what_counts_as_a_code(token: str, code: bool) -> None:
    assert is_code(token) is code


def test_a_follow_up_leaning_on_the_question_before_it_gets_that_answer(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok").say("do you pay all the shipping in the first month? and what about after that?")
    assert "30 days" in reply, reply
    assert "Please pick one" not in reply, reply


def test_a_second_question_with_a_subject_of_its_own_is_no_follow_up(chat) -> None:  # type: ignore[no-untyped-def]
    # "and refunds?" names its own subject: it never rides on the first question's answer as a follow-up
    assert not INTENTS.refers_back("and refunds?")
    assert INTENTS.refers_back("what about after that?")
    assert INTENTS.refers_back("那之后呢？")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "once you've diagnosed it, will you tell me the full cost first? and if i approve, can you bill me net 30?",
            [
                "once you've diagnosed it, will you tell me the full cost first?",
                "and if i approve, can you bill me net 30?",
            ],
        ),
        (
            "to exchange the unit what do I need to send you, and what if that model is no longer made?",
            ["to exchange the unit what do I need to send you", "and what if that model is no longer made?"],
        ),
        ("if it broke, how much is it?", ["if it broke, how much is it?"]),  # a condition and its one question
    ],
)
def test_where_a_message_of_several_questions_splits(text: str, parts: list[str]) -> None:
    got = INTENTS.questions(text)
    assert [p.lower().lstrip("and ").strip() for p in got] == [p.lower().lstrip("and ").strip() for p in parts]


def test_both_questions_are_answered_when_the_first_asks_after_its_lead(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin").say(
        "to exchange the unit what do I need to send you, and what if that model is no longer made?"
    )
    assert "purchase certificate" in reply, reply
    assert "not inferior" in reply, reply


def test_the_bill_question_after_a_condition_gets_the_payment_terms(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc").say(
        "once you've diagnosed it, will you tell me the full cost first? and if i approve, can you bill me net 30?"
    )
    assert "credit card" in reply, reply


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("cameras from early 2019", date(2019, 1, 1), date(2019, 4, 30)),
        ("bought mid-2025", date(2025, 5, 1), date(2025, 8, 31)),
        ("purchased in the summer of 2023", date(2023, 6, 1), date(2023, 8, 31)),
        ("2019年底买的", date(2019, 10, 1), date(2019, 12, 31)),
        ("mua cuối năm 2024", date(2024, 10, 1), date(2024, 12, 31)),
        ("mua cuoi nam 2024", date(2024, 10, 1), date(2024, 12, 31)),
        ("in late 2026", date(2026, 9, 1), date(2026, 12, 2)),  # not beyond today
        ("bought in 2019", date(2019, 1, 1), date(2019, 12, 31)),  # the whole year, as before
    ],
)
def test_a_part_of_a_year_is_read_as_its_months(text: str, earliest: date, latest: date) -> None:
    (found,) = find_dates(text, WEDNESDAY)
    assert (found.earliest, found.latest) == (earliest, latest)


def test_early_in_a_year_long_past_is_priced_in_its_band(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say(
        "We have cameras from early 2019 that had the 1 year warranty. A couple have died. How will the repair be "
        "priced?"
    )
    assert "year 3 and later" in reply, reply
    assert "labour is free" not in reply, reply


def test_a_part_that_only_tells_is_not_answered_with_the_hours(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "can i ship the return to you freight collect in a padded envelope? nobody told me anything about it"
    )
    assert "freight collect" in reply, reply
    assert "available right now" not in reply, reply


def test_a_declined_quote_costs_the_diagnosis_and_the_way_back(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc").say(
        "the quote came back $180 for my DVR which is too much. i decline. return shipping & handling was quoted "
        "at $35. what do I owe?"
    )
    assert "$85" in reply, reply


def test_the_day_an_rma_number_was_given_is_read_in_chinese(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("RMA号是11月12日给的，我现在才寄，还能用吗？")
    assert "不行" in reply and "到期" in reply, reply


def test_a_repair_shipped_back_told_in_second_language_english(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "you repair my camera and send back at 2026-04-01, now again same problem, it is free?"
    )
    assert "180 days" in reply and "ended" in reply, reply


@pytest.mark.parametrize(
    ("brand", "text", "said"),
    [
        (
            "longgang",
            "Our IT guy flashed an open-source firmware onto the camera to get RTSP working. Now it is bricked. "
            "Warranty?",
            "not covered",
        ),
        ("kimpok", "warranty is cover when the shipping company broke my NVR in the way?", "shipment is not covered"),
        ("kimpok", "my camera have problem inside the warranty time, you will repair it free or i must pay?", "free"),
        ("kimpok", "what does the kimpok warranty protect me against exactly", "defect"),
    ],
)
def test_plain_words_for_what_happened_and_what_is_asked(chat, brand: str, text: str, said: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat(brand, now=WEDNESDAY).say(text)
    assert said in reply, reply
    assert "Please pick one" not in reply and "don't have information" not in reply, reply


def test_a_running_warranty_still_answers_what_happens_once_it_runs_out(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "we put a kimpok NVR in our shop about a month ago. How long is the guarantee? and once it runs out, do you "
        "still do repairs?"
    )
    assert "covered until" in reply and "basic cost" in reply, reply
    # asked only what a repair costs, a running warranty's verdict is the whole answer
    reply = chat("kimpok", user="b", now=WEDNESDAY).say("bought it 2 months ago, what does a repair cost?")
    assert "covered until" in reply and "basic cost" not in reply, reply


@pytest.mark.parametrize(
    "text",
    [
        "It is the summer 2025 model, I bought it last week",  # a model's season, not when it was bought
        "It came with the early 2019 firmware, bought 2 weeks ago",
        "The camera survived a fall of 2000 mm",
        "After this fall it does not turn on",  # a fall is a drop
        "This spring-loaded bracket snapped",
        "the last spring in the mount broke",
        "until the end of 2027",
    ],
)
def test_a_year_part_or_season_that_is_no_purchase_is_not_read_as_one(text: str) -> None:
    assert all(d.earliest is None or d.earliest.year >= 2026 for d in find_dates(text, WEDNESDAY)), text


@pytest.mark.parametrize(
    ("text", "whole_year"),
    [("2020年初次买", 2020), ("2024年底座坏了", 2024)],  # 初次 is "the first time", 底座 a base
)
def test_chinese_words_that_start_like_a_part_of_a_year_leave_the_year_whole(text: str, whole_year: int) -> None:
    (found,) = find_dates(text, WEDNESDAY)
    assert (found.earliest, found.latest) == (date(whole_year, 1, 1), date(whole_year, 12, 31))


@pytest.mark.parametrize(
    ("brand", "text"),
    [
        ("kimpok", "We installed it in early 2020 but bought it 5 months ago, it died. covered?"),
        ("longgang", "去年春天的新款，上个月买的，坏了，保修吗？"),
    ],
)
def test_a_buying_word_belongs_to_the_date_it_stands_before(chat, brand: str, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat(brand, now=WEDNESDAY).say(text)
    assert "covered until" in reply or "保修至" in reply, reply


def test_a_code_hyphenated_to_a_word_keeps_the_word(chat) -> None:  # type: ignore[no-untyped-def]
    # KT&C's table gives no legible period for its 960H recorders: the word "DVR" must not be lost
    reply = chat("ktnc").say("What is the warranty on the 960H-DVR?")
    assert "3 years: warranty for most" not in reply, reply


@pytest.mark.parametrize(
    ("text", "not_said"),
    [
        ("The shipping company dropped off the NVR yesterday, it won't power on, covered?", "is not covered by"),
        ("I have a problem, my order has not arrived yet", "defective"),
        ("Can I send the invoice in an envelope?", "RMA"),
    ],
)
def test_near_misses_of_the_days_words(chat, text: str, not_said: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(text)
    assert not reply.startswith(("No,", "Damage incurred")) and not_said not in reply.split("\n")[0], reply


@pytest.mark.parametrize(
    ("brand", "text", "said"),
    [
        ("kimpok", "purchased our cameras early 2024, one just stopped recording. free repair?", "out of warranty"),
        ("longgang", "My camera was installed late 2019 and bought early 2025, is it covered?", "years 1–2"),
        ("poesec", "recorder was delivered early 2025 and now it won't boot. free warranty?", "covered until"),
    ],
)
def test_a_part_of_a_year_told_after_other_words_dates_the_product(chat, brand: str, text: str, said: str) -> None:  # type: ignore[no-untyped-def]
    assert said in chat(brand, now=WEDNESDAY).say(text)
