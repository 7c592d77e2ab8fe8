"""The fake Bot API server behaves as Telegram does where the bot depends on it (checked with PTB's Bot)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden

from .fakebot import FakeBotAPI


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeBotAPI, Bot]]:
    fake = FakeBotAPI()
    base = await fake.start()
    bot = Bot(fake.token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")
    async with bot:
        yield fake, bot
    await fake.stop()


async def test_get_updates_long_polls_and_offset_confirms(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9  # it really waited
    first = await fake.customer_text(1, "hello")
    second = await fake.customer_text(1, "again")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [first, second]
    assert abs(updates[0].message.date.timestamp() - time.time()) < 5  # dates in seconds
    assert [u.update_id for u in await bot.get_updates(offset=second, timeout=0)] == [second]
    assert await bot.get_updates(offset=second + 1, timeout=0) == ()


async def test_malformed_html_is_refused_like_telegram(api: tuple[FakeBotAPI, Bot]) -> None:
    _, bot = api
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await bot.send_message(5, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await bot.send_message(5, "a <script> tag", parse_mode="HTML")
    sent = await bot.send_message(5, "&lt;b&gt; &amp; <b>bold</b>", parse_mode="HTML")
    assert sent.text == "<b> & bold"


async def test_limits_on_text_and_callback_data(api: tuple[FakeBotAPI, Bot]) -> None:
    _, bot = api
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(5, "x" * 4097)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(5, "hi", reply_markup=too_long)


async def test_blocked_customer_is_forbidden(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    fake.blocked.add(7)
    with pytest.raises(Forbidden):
        await bot.send_message(7, "hi")


async def test_files_upload_and_download(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    message = await bot.send_photo(5, photo=b"\x89PNG-fake-bytes", caption="label")
    file = await bot.get_file(message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"\x89PNG-fake-bytes"
    await fake.customer_photo(9)
    (update,) = await bot.get_updates(timeout=1)
    customer_file = await bot.get_file(update.message.photo[-1].file_id)
    assert bytes(await customer_file.download_as_bytearray()).startswith(b"\xff\xd8")


async def test_every_call_is_recorded(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    await bot.send_message(5, "one")
    await bot.send_chat_action(5, "typing")
    assert [method for method, _ in fake.calls][-2:] == ["sendMessage", "sendChatAction"]
