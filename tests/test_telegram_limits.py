"""Telegram's limits and the polling loop, end to end: the real bot against the fake Bot API server."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

from .botprocess import BotProcess
from .fakebot import FakeBotAPI

NOW = "2026-11-23T10:00:00+08:00"


async def test_a_burst_to_one_chat_goes_out_a_second_apart_and_whole(fake: FakeBotAPI, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=NOW, SUPPORTBOT_CHAT_RATE="1")  # Telegram's one a second
    await bot.start()
    try:
        for question in (
            "how long is the warranty?",
            "who pays shipping for an rma?",
            "is lightning damage covered?",
        ):
            await fake.customer_text(701, question)
        await fake.customer_text(702, "how long is the warranty?")
        replies = await fake.wait_for_messages(701, 3, timeout=20)
        await fake.wait_for_messages(702, 1)
        await asyncio.sleep(1.0)  # anything more would come now
    finally:
        await bot.stop()
    assert len(fake.sent_to(701)) == 3  # nothing dropped, nothing twice
    assert "1 year" in replies[0].text and "shipping" in replies[1].text and "lightning" in replies[2].text
    times = [at for at, _, _ in fake.posts(701)]
    assert len(times) == 3
    assert min(b - a for a, b in itertools.pairwise(times)) >= 1.0
    other = fake.posts(702)[0][0]
    assert other - times[0] < 1.0  # another chat does not wait behind this one's burst


async def test_a_slow_update_holds_no_other_chat_and_is_handled_after_a_crash(fake: FakeBotAPI, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=NOW)
    await bot.start()
    await fake.customer_text(601, "/menu")
    (menu,) = await fake.wait_for_messages(601, 1)
    # Telegram is slow to answer the press's edit (its buttons go): the press is handled only after that
    fake.inject("slow", method="editMessageReplyMarkup", chat=601, seconds=5)
    press = await fake.customer_press(601, menu, "Ask a question")
    await fake.wait_for(lambda: any(method == "editMessageReplyMarkup" for method, _ in fake.calls))

    asked = time.monotonic()
    await fake.customer_text(602, "how long is the warranty?")
    (answer,) = await fake.wait_for_messages(602, 1, timeout=10)
    assert time.monotonic() - asked < 2.5  # the other customer is answered at once, not after the slow press
    assert "1 year" in answer.text
    assert len(fake.sent_to(601)) == 1
    assert fake.confirmed_offset > press  # the next poll is under way: the press is kept by the bot meanwhile

    await asyncio.sleep(0.5)  # the answer's delivery is recorded (a kill in between sends it again: see delivery.py)
    await bot.kill()  # SIGKILL with the press under way and a later update handled
    fake.clear()
    await bot.start()
    try:
        await fake.wait_for_messages(601, 2)  # the press came again and was answered
        await asyncio.sleep(1.0)
    finally:
        await bot.stop()
    assert len(fake.sent_to(602)) == 1  # handled before the kill: not answered twice
    assert len(fake.sent_to(601)) == 2
