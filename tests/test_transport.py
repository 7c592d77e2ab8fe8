"""The bot's HTTP to the Bot API (bot/adapters/telegram/transport.py), against the fake server.

What matters to delivery is that each failure is told apart rightly: a message whose answer came late was
most likely shown to the customer and must not be sent twice; one that never left may be sent again.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import NetworkError

from bot.adapters.telegram import faults
from bot.adapters.telegram.topics import _maybe_done
from bot.adapters.telegram.transport import AiohttpRequest, AnswerLate, ConnectionBroke

from .fakebot import DROP, SLOW, FakeBotAPI


async def started(base: str, token: str, **timeouts: float) -> Bot:
    bot = Bot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=AiohttpRequest(**timeouts),
        get_updates_request=AiohttpRequest(connections=1),
    )
    await bot.initialize()
    return bot


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    bot = await started(fake.base_url, fake.token, read_timeout=0.5)
    yield bot
    await bot.shutdown()


async def test_a_message_with_markup_and_buttons_arrives_as_sent(fake: FakeBotAPI, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Start a repair", callback_data="rma:start")]])
    text = "<b>Warranty</b>: 12 months &amp; ‘more’ 保修"
    sent = await bot.send_message(501, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    [got] = fake.sent_to(501)
    assert got.text == "Warranty: 12 months & ‘more’ 保修"
    assert got.buttons == [("Start a repair", "rma:start")]
    assert sent.message_id == got.message_id


async def test_a_picture_the_bot_drew_is_uploaded_whole(fake: FakeBotAPI, bot: Bot) -> None:
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # binary, 10 kB
    await bot.send_photo(502, picture, caption="Replies a day")
    [got] = fake.sent_to(502)
    assert got.kind == "photo" and got.text == "Replies a day"
    method, params = fake.calls[-1]
    assert method == "sendPhoto" and params["photo"][2] == picture


async def test_an_answer_that_comes_too_late_is_taken_as_done_not_sent_again(fake: FakeBotAPI, bot: Bot) -> None:
    fake.inject(SLOW, method="sendMessage", seconds=2.0)
    with pytest.raises(AnswerLate) as caught:
        await bot.send_message(503, "Your RMA number is RMA-1")
    assert faults.fault_of(caught.value) == faults.UNSURE
    assert _maybe_done(caught.value)
    assert [s.text for s in fake.sent_to(503)] == ["Your RMA number is RMA-1"]  # it was shown


async def test_a_connection_that_breaks_before_the_answer_is_tried_again(fake: FakeBotAPI, bot: Bot) -> None:
    fake.inject(DROP, method="sendMessage", times=1)
    with pytest.raises(ConnectionBroke) as caught:
        await bot.send_message(504, "hello")
    assert faults.fault_of(caught.value) == faults.RETRY
    assert _maybe_done(caught.value)  # a topic being made may exist: it is looked for, not made twice
    await bot.send_message(504, "hello")  # the next call gets a fresh connection
    assert [s.text for s in fake.sent_to(504)] == ["hello"]


async def test_a_server_that_cannot_be_reached_is_tried_again_and_nothing_was_sent(fake: FakeBotAPI) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    request = AiohttpRequest(connect_timeout=1.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/bot{fake.token}/sendMessage")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, ConnectionBroke | AnswerLate)
    assert faults.fault_of(caught.value) == faults.RETRY
    assert not _maybe_done(caught.value)


async def test_a_long_poll_waits_for_updates_beyond_the_send_timeout(fake: FakeBotAPI, bot: Bot) -> None:
    """getUpdates passes its own read timeout: a poll of 1 s outlives the 0.5 s a send waits."""
    poll = asyncio.create_task(bot.get_updates(timeout=1, read_timeout=5))
    await asyncio.sleep(0.7)
    await fake.customer_text(506, "still there?")
    updates = await poll
    assert [u.message.text for u in updates if u.message] == ["still there?"]


async def test_a_request_after_shutdown_is_refused_plainly(fake: FakeBotAPI) -> None:
    request = AiohttpRequest()
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{fake.base_url}/bot{fake.token}/getMe", "POST")
    await request.initialize()  # opened again, it works again
    status, _ = await request.do_request(f"{fake.base_url}/bot{fake.token}/getMe", "POST")
    await request.shutdown()
    assert status == 200


async def test_the_proxy_the_environment_names_carries_the_calls(
    fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that reaches Telegram only through a proxy: HTTP(S)_PROXY is honoured (here the fake is it)."""
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", fake.base_url)
    bot = await started("http://api.telegram.invalid", fake.token)  # a name that resolves nowhere
    try:
        await bot.send_message(507, "through the proxy")
    finally:
        await bot.shutdown()
    assert [s.text for s in fake.sent_to(507)] == ["through the proxy"]
    monkeypatch.setenv("NO_PROXY", "api.telegram.invalid")  # named as not to be proxied: asked directly
    request = AiohttpRequest(connect_timeout=2.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://api.telegram.invalid/bot{fake.token}/getMe")
    finally:
        await request.shutdown()
