"""Admins edit the FAQ from their phone, end to end: the real bot process against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .botprocess import BotProcess
from .fakebot import FakeBotAPI, Sent

MONDAY_10 = "2026-11-23T10:00:00+08:00"
ADMIN = 900
CUSTOMER = 401
QUESTION = "how long is the warranty"
OLD = "1 year from the date of purchase"


@pytest.fixture
async def bot(fake: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=MONDAY_10, SUPPORTBOT_ADMIN_IDS=f"{ADMIN}, 901")
    await process.start()
    yield process
    await process.stop()


async def reply_to(fake: FakeBotAPI, chat: int, text: str, expected: str) -> Sent:
    """Send ``text`` as ``chat`` and wait for a reply containing ``expected``."""
    before = len(fake.sent_to(chat))
    await fake.customer_text(chat, text)
    await fake.wait_for(lambda: any(expected in s.text for s in fake.sent_to(chat)[before:]))
    return next(s for s in fake.sent_to(chat)[before:] if expected in s.text)


async def press(fake: FakeBotAPI, chat: int, sent: Sent, label: str, expected: str) -> Sent:
    before = len(fake.sent_to(chat))
    await fake.customer_press(chat, sent, label)
    await fake.wait_for(lambda: any(expected in s.text for s in fake.sent_to(chat)[before:]))
    return next(s for s in fake.sent_to(chat)[before:] if expected in s.text)


async def test_an_admin_edits_an_answer_customers_get_it_and_undo_restores(fake: FakeBotAPI, bot: BotProcess) -> None:
    await reply_to(fake, CUSTOMER, QUESTION, OLD)

    await reply_to(fake, ADMIN, "/faq edit warranty-length", "Send the new en answer")
    preview = await reply_to(
        fake,
        ADMIN,
        "Every {{ brand.name }} camera: {{ m.period(warranty.default_months) }}, parts and labour.",
        "Preview",
    )
    assert "Every Kimpok camera: 1 year, parts and labour." in preview.text
    await press(fake, ADMIN, preview, "✅ Save", "Saved: warranty-length")

    answer = await reply_to(fake, CUSTOMER, QUESTION, "Every Kimpok camera: 1 year, parts and labour.")
    assert OLD not in answer.text
    await reply_to(fake, 402, "warranty how long?", "Every Kimpok camera")  # every customer, not just one

    await reply_to(fake, ADMIN, "/faq undo warranty-length", "Undone: the edit by Customer900 (tg:900)")
    await reply_to(fake, CUSTOMER, QUESTION, OLD)


async def test_a_broken_template_from_the_phone_is_refused_and_customers_keep_the_answer(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    await reply_to(fake, ADMIN, "/faq edit warranty-length", "Send the new en answer")
    refused = await reply_to(fake, ADMIN, "It lasts {{ warranty.years }", "Not saved")
    assert "template syntax error" in refused.text and not refused.buttons
    await reply_to(fake, CUSTOMER, QUESTION, OLD)


async def test_customers_are_refused_admin_commands_and_only_admins_see_them_in_the_menu(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    for command in ("/faq list", "/unanswered", "/stats"):
        await reply_to(fake, CUSTOMER, command, "only for the Kimpok support team")
    names = {c["command"] for c in fake.chat_commands[ADMIN]}
    assert {"faq", "unanswered", "stats", "start", "help"} <= names
    assert "faq" not in {c["command"] for c in fake.commands[None]}


async def test_feedback_reaches_the_admins_inbox(fake: FakeBotAPI, bot: BotProcess) -> None:
    answer = await reply_to(fake, CUSTOMER, QUESTION, "Did this help?")
    await press(fake, CUSTOMER, answer, "👎 No", "passed your question on")
    inbox = await reply_to(fake, ADMIN, "/unanswered", "Marked unhelpful: warranty-length")
    assert inbox.buttons and any(label.startswith("✎ Edit") for label, _ in inbox.buttons)


async def test_stats_come_with_a_chart(fake: FakeBotAPI, bot: BotProcess) -> None:
    await reply_to(fake, CUSTOMER, QUESTION, OLD)
    before = len(fake.sent_to(ADMIN))
    await fake.customer_text(ADMIN, "/stats")
    await fake.wait_for(lambda: any(s.kind == "photo" for s in fake.sent_to(ADMIN)[before:]))
    photo = next(s for s in fake.sent_to(ADMIN)[before:] if s.kind == "photo")
    assert fake.files[f"files/{photo.media[0]}"].startswith(b"\x89PNG")
