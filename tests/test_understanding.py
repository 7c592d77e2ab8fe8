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
