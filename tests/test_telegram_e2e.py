"""The real bot on Telegram, end to end: `supportbot run` against a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .botprocess import BotProcess
from .conftest import ROOT
from .fakebot import FakeBotAPI

NOW = "2026-11-23T10:00:00+08:00"  # a Monday morning in Shenzhen


@pytest.fixture
async def bot(fake: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=NOW)
    await process.start()
    yield process
    await process.stop()


async def test_start_shows_the_menu_and_commands_are_registered(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(101, "/start")
    welcome, menu = await fake.wait_for_messages(101, 2)
    assert welcome.text.startswith("Hello! I'm the Kimpok after-sales assistant")
    assert [label for label, _ in menu.buttons] == [
        "Ask a question",
        "Troubleshoot a problem",
        "Request a repair (RMA)",
        "My RMA status",
        "Talk to a consultant",
    ]
    assert {c["command"] for c in fake.commands[None]} == {
        "start",
        "menu",
        "troubleshoot",
        "rma",
        "status",
        "human",
        "help",
        "cancel",
    }
    assert "zh" in fake.commands  # kimpok has Chinese wording


async def test_the_menus_repair_button_offers_troubleshooting_first_as_kimpok_does(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    await fake.customer_text(102, "/menu")
    (menu,) = await fake.wait_for_messages(102, 1)
    await fake.customer_press(102, menu, "Request a repair (RMA)")
    replies = await fake.wait_for_messages(102, 2)
    assert "first tries to fix the problem with you" in replies[1].text
    assert fake.answered_callbacks  # every callback query is answered


async def test_a_question_is_answered(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(103, "how long is the warrenty on my nvr?")
    (answer,) = await fake.wait_for_messages(103, 1)
    assert answer.text.startswith("1 year")
    assert "<" not in answer.raw


async def test_a_clarification_button_is_pressed(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(104, "shipping")
    (question,) = await fake.wait_for_messages(104, 1)
    assert "Please pick one" in question.text and len(question.buttons) >= 3
    await fake.customer_press(104, question, question.buttons[0][0])
    replies = await fake.wait_for_messages(104, 2)
    assert "pick one" not in replies[1].text


async def test_photo_sticker_and_captioned_photo(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_photo(105)
    await fake.customer_sticker(105)
    await fake.customer_photo(105, caption="is lightning damage covered?")
    replies = await fake.wait_for_messages(105, 3)
    assert "only read text" in replies[0].text and "only read text" in replies[1].text
    assert replies[2].text.startswith("No")


async def test_html_looking_text_is_echoed_back_safely(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(106, "/x<b>y</b>&<script>alert(1)</script>")
    await fake.customer_text(106, "<b>is</b> & <i>my</i> camera covered <script>?")
    replies = await fake.wait_for_messages(106, 2)
    assert "/x<b>y</b>&<script>alert(1)</script>" in replies[0].text  # shown as text, not markup
    assert "&lt;script&gt;" in replies[0].raw
    assert not [c for c in fake.calls if c[0] == "sendMessage" and "error" in str(c[1]).lower()]


async def test_a_4000_character_message(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(107, "how long is the warranty? " + "x" * 3974)
    replies = await fake.wait_for_messages(107, 2)
    text = "\n".join(r.text for r in replies)
    assert "first 2000 characters" in text and "1 year" in text


async def test_groups_are_ignored(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(108, "how long is the warranty?", chat_type="group")
    await fake.customer_text(109, "how long is the warranty?")
    await fake.wait_for_messages(109, 1)
    assert fake.sent_to(-108) == []


async def test_language_code_picks_the_reply_language(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(110, "/start", language="zh-hans")
    welcome, _ = await fake.wait_for_messages(110, 2)
    assert welcome.text.startswith("您好")


async def test_a_customer_who_blocked_the_bot_is_not_retried_until_they_write_again(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    fake.blocked.add(111)
    await fake.customer_text(111, "how long is the warranty?")
    await fake.customer_text(112, "how long is the warranty?")
    await fake.wait_for_messages(112, 1)
    await asyncio.sleep(0.5)
    tries = [p for m, p in fake.calls if m == "sendMessage" and str(p.get("chat_id")) == "111"]
    assert len(tries) == 1  # refused once, recorded, not retried
    fake.blocked.discard(111)  # the customer unblocks the bot and writes again
    await fake.customer_text(111, "who pays shipping for an rma?")
    (answer,) = await fake.wait_for_messages(111, 1)
    assert "30 days" in answer.text


async def test_killed_mid_conversation_continues_without_losing_or_repeating(fake: FakeBotAPI, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=NOW)
    await bot.start()
    await fake.customer_text(200, "my nvr stopped working, is it still under warranty?")
    (asked,) = await fake.wait_for_messages(200, 1)
    assert "Tell me when you bought it" in asked.text
    customers = range(300, 320)
    for round_ in range(3):
        for user in customers:
            await fake.customer_text(
                user,
                ["how long is the warranty?", "who pays shipping for an rma?", "where do i write the rma number?"][
                    round_
                ],
            )
    fake.hold_sends_after = len(fake.sent) + 15  # after 15 more replies, the next sends hang in flight
    await fake.wait_for(lambda: fake.held > 0)
    await asyncio.sleep(0.3)  # replies already delivered are recorded as delivered
    await bot.kill()  # SIGKILL mid-backlog, with sends in flight
    fake.release_sends()
    await fake.customer_text(200, "last August")  # written while the bot is down
    await bot.start()
    await fake.wait_for(lambda: all(len(fake.sent_to(u)) >= 3 for u in customers), timeout=60)
    replies = await fake.wait_for_messages(200, 2)
    assert replies[1].text.startswith("It's covered, free of charge") and "1 August 2027" in replies[1].text
    await asyncio.sleep(1.0)  # anything duplicated would show up now
    for user in customers:
        texts = [s.text for s in fake.sent_to(user)]
        assert len(texts) == 3, texts
        assert texts[0].startswith("1 year") and "30 days" in texts[1] and "exterior shipping box" in texts[2]
    assert len(fake.sent_to(200)) == 2
    await bot.stop()


def test_without_a_token_run_says_what_to_set_and_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN",)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "BotFather" in result.stderr
    assert ROOT.exists()


async def test_errors_are_reported_to_staff_and_the_customer_gets_an_apology(fake: FakeBotAPI, tmp_path: Path) -> None:
    from .fakebot import ApiError

    bot = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=NOW, SUPPORTBOT_STAFF_CHAT_ID="-100500")
    await bot.start()
    fake.fail_next = [ApiError(400, "Bad Request: something unexpected")]
    await fake.customer_text(120, "how long is the warranty?")
    await fake.wait_for(lambda: fake.sent_to(-100500) and fake.sent_to(120))
    assert "supportbot error" in fake.sent_to(-100500)[0].text
    assert "something went wrong on our side" in fake.sent_to(120)[0].text
    await bot.stop()


async def test_webhook_mode_receives_updates_and_answers(fake: FakeBotAPI, tmp_path: Path) -> None:
    import aiohttp

    from .fakebot import BOT_USER

    port = _free_port()
    bot = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=NOW)
    bot.args = [
        "--webhook-url",
        f"http://127.0.0.1:{port}",
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        "--secret-token",
        "s3cret",
    ]
    # PTB sets the webhook before its server listens: ready once both are done
    await bot.start(ready=lambda: fake.webhook is not None and _listening(port))
    assert fake.webhook == {"url": f"http://127.0.0.1:{port}/{fake.token}", "secret_token": "s3cret"}
    update = {
        "update_id": 77,
        "message": {
            "message_id": 1,
            "date": 1,
            "text": "how long is the warranty?",
            "chat": {"id": 130, "type": "private"},
            "from": {**BOT_USER, "id": 130, "is_bot": False},
        },
    }
    async with aiohttp.ClientSession() as session:
        wrong = await session.post(fake.webhook["url"], json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
        assert wrong.status == 403
        ok = await session.post(fake.webhook["url"], json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        assert ok.status == 200
    (answer,) = await fake.wait_for_messages(130, 1)
    assert answer.text.startswith("1 year")
    await bot.stop()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_troubleshooting_walk_by_pressing_buttons(fake: FakeBotAPI, bot: BotProcess) -> None:
    await fake.customer_text(140, "/troubleshoot")
    (choose,) = await fake.wait_for_messages(140, 1)
    await fake.customer_press(140, choose, "No power / won't turn on")
    step1 = (await fake.wait_for_messages(140, 2))[1]
    assert "adapter" in step1.text
    await fake.customer_press(140, step1, "Power adapter")
    step2 = (await fake.wait_for_messages(140, 3))[2]
    await fake.customer_press(140, step2, "No, or not sure")
    step3 = (await fake.wait_for_messages(140, 4))[3]
    await fake.customer_press(140, step3, "Yes, it works")
    messages = await fake.wait_for_messages(140, 6)
    assert "working again" in messages[4].text
    assert [label for label, _ in messages[5].buttons] == ["1", "2", "3", "4", "5"]
    await fake.customer_press(140, messages[5], "5")
    thanks = (await fake.wait_for_messages(140, 7))[6]
    assert "5/5" in thanks.text
