"""Two things a question turns on besides its words: the number of days it names (a 7-day return is not a
30-day exchange), and, in a sentence that opens with a condition, the main clause that asks."""

from __future__ import annotations

import pytest

from bot.understand.intents import Intents

from .conftest import ROOT

INTENTS = Intents.load(ROOT / "faq" / "_common" / "matching")


@pytest.mark.parametrize(
    ("question", "said", "not_said"),
    [
        # Jingpin: a return within 7 days needs the purchase receipt; an exchange within 30 the certificate
        ("returning within the 7 days — what exactly do i have to send back with it?", "receipt", "certificate"),
        ("七天内可以退货吗", "退", None),
        ("30天内可以换货吗", "30天", None),
        ("within 30 days but the model is discontinued - what replacement do i get?", "not inferior", None),
    ],
)
def test_the_number_of_days_asked_about_picks_the_window(chat, question: str, said: str, not_said: str | None) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin").say(question)
    assert said in reply, reply
    assert not_said is None or not_said not in reply, reply


def test_a_number_of_days_no_phrasing_names_changes_nothing(chat) -> None:  # type: ignore[no-untyped-def]
    # KT&C names no 9-day anything: the question is read as if the number were not there
    with_number = chat("ktnc", user="a").say("who pays shipping when i send a camera in within 9 days?")
    without = chat("ktnc", user="b").say("who pays shipping when i send a camera in within days?")
    assert with_number == without


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("if i return within 7 days how much do i get back?", "how much do i get back?"),
        ("如果7天内退货，能退多少钱？", "能退多少钱？"),
        ("neu tra hang trong 7 ngay thi duoc hoan bao nhieu", "duoc hoan bao nhieu"),
        ("if it breaks after the warranty, what do i pay?", "what do i pay?"),
        ("if the camera fell, is it covered?", None),  # a yes/no question is about what the condition tells
        ("if so how long", None),  # no condition told
        ("how much do i get back if i return it?", None),  # the question comes first: the whole message asks
    ],
)
def test_a_condition_first_is_told_and_the_main_clause_asks(text: str, asked: str | None) -> None:
    assert INTENTS.main_clause(text) == asked


def test_a_condition_first_does_not_turn_the_question_into_its_condition(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin").say("if i return within 7 days how much do i get back?")
    assert "purchase price" in reply or "price" in reply, reply
    assert "Please pick one" not in reply, reply


@pytest.mark.parametrize(
    ("brand", "question", "said"),
    [
        ("kimpok", "so what does the warranty actually cover, just defects or anything that goes wrong?", "defect"),
        ("longgang", "and if it's 3 years or more past the warranty?", "year 3 and later"),
    ],
)
def test_how_customers_put_faults_and_time_past_the_warranty(chat, brand: str, question: str, said: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat(brand).say(question)
    assert said in reply, reply
    assert "labour is free" not in reply and "improper installation" not in reply.lower().split(".")[0], reply


def test_a_question_about_a_dealer_somewhere_gets_no_yes(chat) -> None:  # type: ignore[no-untyped-def]
    # Jingpin's document lists no dealers: "contact your local dealer" may answer, never "yes, there is one"
    for question in ("is there a distributor in hanoi", "上海有经销商吗"):
        reply = chat("jingpin", user=question).say(question)
        assert not reply.startswith(("Yes", "可以", "Có")), reply
