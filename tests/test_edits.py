"""An earlier message, edited (issue 17): never the answer to the step the bot asks now.

Telegram sends an edit as a new update; a transport marks it ``edited``. The Telegram end-to-end test is in
``tests/test_telegram_faults.py``; here the engine alone, over every kind of step that waits for an answer.
"""

from __future__ import annotations

from bot.core.outcomes import Outcome
from bot.engine import Engine, Message
from bot.flows.state import RmaFacts


def say(engine: Engine, text: str, *, edited: bool = False, press: str | None = None) -> str:
    replies = engine.handle(Message(user="tg:5", text=None if press else text, press=press, edited=edited))
    return "\n".join(r.text for r in replies)


def test_an_edited_earlier_message_is_not_taken_as_the_rma_step_answer(engine: Engine) -> None:
    assert "first tries to fix the problem with you" in say(engine, "/rma")
    assert "Which product is it?" in say(engine, "", press="rma:go")
    note = say(engine, "IPC-B2M bullet camera", edited=True)
    assert "changed an earlier message" in note and "serial number" not in note
    assert facts(engine).model is None
    assert "serial number" in say(engine, "IPC-B2M bullet camera")
    assert "changed an earlier message" in say(engine, "S/N: k7f2 99812", edited=True)
    assert facts(engine).serial is None
    assert "When did you buy it" in say(engine, "S/N: k7f2 99812")


def test_an_edit_with_nothing_waiting_is_answered_as_a_question(engine: Engine) -> None:
    assert say(engine, "how long is the warrenty?", edited=True).startswith("1 year")


def test_an_edit_while_a_question_waits_for_a_fact_gets_the_note_and_is_logged_as_such(engine: Engine) -> None:
    assert "Tell me when you bought it" in say(engine, "my nvr stopped working, is it still under warranty?")
    assert "changed an earlier message" in say(engine, "last August", edited=True)
    assert engine.store.events.all("tg:5")[-1]["outcome"] == Outcome.EDITED
    assert "1 August" in say(engine, "last August")  # the fact, sent as a new message, is taken


def facts(engine: Engine) -> RmaFacts:
    draft = engine.conversation("tg:5").state.rma.draft
    assert draft is not None
    return draft.facts
