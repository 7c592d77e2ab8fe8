"""Consultant handoff end to end on Telegram: the real bot, a fake Bot API, a staff supergroup with topics."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .botprocess import BotProcess
from .fakebot import FakeBotAPI, Sent

MONDAY_10 = "2026-11-23T10:00:00+08:00"
SUNDAY_10 = "2026-11-22T10:00:00+08:00"
MONDAY_9 = "2026-11-23T09:00:00+08:00"
STAFF = -100777
CONSULTANT = 7001
# Telegram lets a bot post about 20 messages a minute in one group, and the bot keeps to that by default; the
# fake server has no such limit, and twenty new tickets (a topic and a card each) would take minutes.
FAST = {"SUPPORTBOT_GROUP_RATE": "6000"}


@pytest.fixture
async def bot(fake: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    fake.make_forum(STAFF)
    process = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=MONDAY_10, SUPPORTBOT_STAFF_CHAT_ID=str(STAFF), **FAST)
    await process.start()
    yield process
    await process.stop()


async def said(fake: FakeBotAPI, chat: int, expected: str, *, after: int = 0, thread: int | None = None) -> Sent:
    """Wait for the bot to send ``expected`` (a substring) to a chat (a topic), after its first ``after`` messages."""

    def messages() -> list[Sent]:
        sent = fake.sent_to_thread(chat, thread) if thread is not None else fake.sent_to(chat)
        return sent[after:]

    await fake.wait_for(lambda: any(expected in s.text for s in messages()))
    return next(s for s in messages() if expected in s.text)


def topic_of(fake: FakeBotAPI, name_part: str) -> int:
    (thread,) = [t for chat, t, name in fake.topics_created if chat == STAFF and name_part in name]
    return thread


async def test_a_customer_and_a_consultant_talk_through_a_topic(
    fake: FakeBotAPI, bot: BotProcess, tmp_path: Path
) -> None:
    await fake.customer_text(401, "is the warranty 1 year?")
    await said(fake, 401, "warranty")
    await fake.customer_text(401, "/human")
    await said(fake, 401, "passed your chat to our consultants (ticket T-1)")

    # a topic named after the customer, with the context card and a Claim button at its top
    await fake.wait_for(lambda: len(fake.topics_created) == 1)
    thread = topic_of(fake, "Customer401 · Kimpok · T-1")
    card = await said(fake, STAFF, "T-1 · Kimpok · waiting", thread=thread)
    assert fake.sent_to_thread(STAFF, thread)[0] is card
    assert "is the warranty 1 year?" in card.text and "language en" in card.text
    assert [label for label, _ in card.buttons] == ["🙋 Claim"]

    # the customer's words and photo reach the topic; the bot stays quiet
    before = len(fake.sent_to(401))
    await fake.customer_text(401, "my NVR beeps every night at 2am")
    await said(fake, STAFF, "my NVR beeps every night at 2am", thread=thread)
    await fake.customer_photo(401)
    await fake.wait_for(lambda: any(s.media for s in fake.sent_to_thread(STAFF, thread)))
    (photo,) = [s for s in fake.sent_to_thread(STAFF, thread) if s.media]
    assert photo.media[0].startswith("ph")

    # the consultant claims it: the topic and the customer are told
    await fake.staff_press(STAFF, CONSULTANT, card, "🙋 Claim")
    await said(fake, STAFF, "Consultant7001 took T-1", thread=thread)
    await said(fake, 401, "Consultant7001 from our support team has picked up your chat", after=before)

    # words and a photo from the topic reach the customer; an internal note does not
    await fake.staff_text(STAFF, CONSULTANT, "// sounds like the HDD alarm", thread=thread)
    await fake.staff_text(STAFF, CONSULTANT, "Hi! Is the HDD light red?", thread=thread)
    await said(fake, 401, "💬 Consultant7001: Hi! Is the HDD light red?", after=before)
    await fake.staff_photo(STAFF, CONSULTANT, thread=thread, caption="Like this one?")
    await fake.wait_for(lambda: any(s.media for s in fake.sent_to(401)[before:]))
    assert not any("HDD alarm" in s.text for s in fake.sent_to(401))

    # /close: the customer is asked for a rating, which is stored and shown in the topic
    await fake.staff_text(STAFF, CONSULTANT, "/close", thread=thread)
    await said(fake, STAFF, "T-1 closed by Consultant7001", thread=thread)
    closing = await said(fake, 401, "has closed this chat (ticket T-1)", after=before)
    await fake.customer_press(401, closing, "⭐⭐⭐⭐⭐ 5")
    await said(fake, 401, "Your rating (5/5) is recorded")
    await said(fake, STAFF, "The customer rated T-1: 5/5", thread=thread)
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("select status, rating from tickets").fetchall() == [("closed", 5)]


async def test_out_of_hours_the_customer_is_told_the_opening_and_the_queue_is_posted_then(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    fake.make_forum(STAFF)
    sunday = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=SUNDAY_10, SUPPORTBOT_STAFF_CHAT_ID=str(STAFF), **FAST)
    await sunday.start()
    try:
        await fake.customer_text(402, "i want to talk to a real person")
        reply = await said(fake, 402, "away right now")
        assert "Monday 23 November, 9:00 (China time)" in reply.text and "ticket T-1" in reply.text
        await fake.customer_text(402, "DVR-4 lost all recordings after a power cut")
        await said(fake, 402, "Kept on ticket T-1")
        await fake.customer_text(403, "/human")
        await said(fake, 403, "ticket T-2")
        await asyncio.sleep(0.5)
        assert fake.topics_created == [] and fake.sent_to(STAFF) == []  # nothing posted while closed
    finally:
        await sunday.stop()

    monday = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=MONDAY_9, SUPPORTBOT_STAFF_CHAT_ID=str(STAFF), **FAST)
    await monday.start()
    try:
        summary = await said(fake, STAFF, "We're open")
        assert summary.thread is None and summary.text.index("T-1") < summary.text.index("T-2")
        await fake.wait_for(lambda: len(fake.topics_created) == 2)
        first = topic_of(fake, "T-1")
        card = await said(fake, STAFF, "Written while we were closed", thread=first)
        assert "DVR-4 lost all recordings" in card.text
        assert [name for _, _, name in fake.topics_created] == [
            "Customer402 · Kimpok · T-1",
            "Customer403 · Kimpok · T-2",
        ]
        before = len(fake.sent_to(402))
        await fake.staff_text(STAFF, CONSULTANT, "/take", thread=first)
        await said(fake, 402, "has picked up your chat (ticket T-1)", after=before)
        await fake.staff_text(STAFF, CONSULTANT, "/queue")
        queue = await said(fake, STAFF, "Waiting (1)")
        assert "T-2 · Customer403" in queue.text and "With a consultant: T-1 (Consultant7001)" in queue.text
    finally:
        await monday.stop()


async def test_twenty_customers_at_once_get_twenty_topics_and_a_restart_keeps_every_mapping(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    customers = range(500, 520)
    await asyncio.gather(
        *(fake.customer_text(c, "/human") for c in customers),
        *(fake.customer_text(600, text) for text in ("/human", "real person please", "人工", "agent please", "/human")),
    )
    await fake.wait_for(lambda: len(fake.topics_created) >= 21, timeout=60)
    await asyncio.sleep(1.0)  # time for any duplicate to appear
    names = [name for _, _, name in fake.topics_created]
    assert len(names) == 21 and len(set(names)) == 21
    assert sorted(int(n.split(" · ")[0][8:]) for n in names) == [*customers, 600]

    # a restart in the middle: every topic still leads to its customer, and back
    await bot.kill()
    await bot.start()
    for c in (500, 519, 600):
        thread = topic_of(fake, f"Customer{c} ·")
        before = len(fake.sent_to(c))
        await fake.staff_text(STAFF, CONSULTANT, f"hello customer {c}", thread=thread)
        await said(fake, c, f"hello customer {c}", after=before)
        await fake.customer_text(c, f"hi, it's {c} again")
        await said(fake, STAFF, f"hi, it's {c} again", thread=thread)
    assert len(fake.topics_created) == 21


async def test_a_deleted_topic_is_made_again_with_the_card_on_top(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(404, "/human")
    await fake.wait_for(lambda: len(fake.topics_created) == 1)
    old = topic_of(fake, "Customer404")
    await said(fake, STAFF, "T-1", thread=old)
    fake.delete_topic(STAFF, old)
    await fake.customer_text(404, "are you there?")
    await fake.wait_for(lambda: len(fake.topics_created) == 2)
    new = fake.topics_created[-1][1]
    await said(fake, STAFF, "are you there?", thread=new)
    messages = fake.sent_to_thread(STAFF, new)
    assert "T-1 · Kimpok" in messages[0].text and messages[-1].text == "are you there?"


async def test_without_topics_consultants_answer_by_replying(fake: FakeBotAPI, tmp_path: Path) -> None:
    process = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=MONDAY_10, SUPPORTBOT_STAFF_CHAT_ID=str(STAFF), **FAST)
    await process.start()  # STAFF is a plain supergroup here
    try:
        await fake.customer_text(405, "/human")
        card = await said(fake, STAFF, "T-1 · Kimpok · waiting")
        assert card.text.startswith("💬 Customer405 · Kimpok · T-1") and card.thread is None
        await fake.customer_text(405, "the camera keeps rebooting")
        relayed = await said(fake, STAFF, "the camera keeps rebooting")
        before = len(fake.sent_to(405))
        await fake.staff_text(STAFF, CONSULTANT, "Which firmware version is it on?", reply_to=relayed)
        await said(fake, 405, "Which firmware version is it on?", after=before)
        await fake.staff_text(STAFF, CONSULTANT, "lunch anyone?")  # not a reply: stays among consultants
        await asyncio.sleep(0.5)
        assert not any("lunch" in s.text for s in fake.sent_to(405))
    finally:
        await process.stop()
