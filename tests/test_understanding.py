"""How a message is read: a Yes or a No only where it answers the question as asked, several questions answered."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import Chat

ChatFactory = Callable[..., Chat]


def test_a_plain_yes_no_question_gets_the_answers_yes(chat: ChatFactory) -> None:
    assert chat("kimpok").say("does the warranty cover faults?").startswith("Yes, the warranty covers")


@pytest.mark.parametrize(
    "question",
    [
        "what does the warranty cover?",  # a what-question: "Yes, …" would answer nothing
        "warranty coverage pls",  # no question at all
        "是否保修？保修范围包括什么？",
    ],
)
def test_an_answer_opens_with_yes_only_when_the_question_asks_yes_or_no(chat: ChatFactory, question: str) -> None:
    reply = chat("kimpok").say(question)
    assert not reply.lower().startswith(("yes", "是的", "有，")), reply


@pytest.mark.parametrize(
    ("brand", "question"),
    [
        ("ktnc", "my serial sticker came off, is that a problem?"),
        ("ktnc", "the serial label peeled away, does that matter for the warranty?"),
        ("ktnc", "will i lose the warranty if the serial sticker is defaced?"),
    ],
)
def test_a_question_about_a_downside_gets_no_bare_no(chat: ChatFactory, brand: str, question: str) -> None:
    reply = chat(brand).say(question)
    assert not reply.lower().startswith("no"), reply  # "No" would read as "no problem"
    assert "void" in reply  # the verdict itself is there


def test_two_questions_in_one_message_get_both_answers(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("how long is the warranty? and who pays the shipping for a repair?")
    assert "1 year" in reply  # the warranty's length
    assert "shipping" in reply.lower() and reply.count("\n\n") >= 1  # and who pays shipping, in its own paragraph


def test_one_question_in_two_sentences_is_one_question(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("My camera arrived last week. Is it covered?")
    assert "\n\n" not in reply


@pytest.mark.parametrize(
    ("question", "total"),
    [
        ("sending 4 cameras out of warranty in for a check, what is the total diagnosis fee?", "$200"),
        ("3 units were diagnosed and I decline the repair; return shipping & handling is $25. what do I owe?", "$175"),
    ],
)
def test_a_per_product_fee_is_counted_for_every_unit(chat: ChatFactory, question: str, total: str) -> None:
    reply = chat("ktnc").say(question)
    assert total in reply, reply


@pytest.mark.parametrize(
    ("brand", "question", "language_word"),
    [
        ("poesec", "my hp laptop won't turn on anymore, could your technicians repair it?", "don't have information"),
        ("ktnc", "the screen of my samsung tablet is cracked, can you fix it", "don't have information"),
        ("kimpok", "is there an extended warranty I can buy for 2 more years?", "don't have information"),
        ("kimpok", "买得多可以打折吗？", "没有这方面的信息"),
        ("longgang", "could I borrow a demo recorder for a week?", "don't have information"),
    ],
)
def test_an_out_of_domain_question_is_never_answered_with_a_policy(
    chat: ChatFactory, brand: str, question: str, language_word: str
) -> None:
    c = chat(brand)
    reply = c.say(question)
    assert language_word in reply, reply  # says it does not know, in the customer's language
    assert c.buttons == ["Talk to a consultant"] or c.buttons == ["与顾问交谈"] or len(c.buttons) == 1
    assert not reply.lower().startswith(("yes", "no,", "可以", "是的"))


def test_watching_the_cameras_on_a_phone_is_not_another_device(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("the app on my phone doesn't show the cameras any more")
    assert "don't have information" not in reply
