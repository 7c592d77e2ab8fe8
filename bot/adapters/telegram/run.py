"""Running the Telegram bot: long polling (default) or a webhook.

Polling is our own loop over ``getUpdates`` rather than PTB's Updater, so that an update is confirmed
to Telegram (by asking for the next offset) only after it has been handled: updates of one batch are
handled concurrently across chats and in order within a chat, then the offset moves on and is saved.
Together with the engine's outbox this gives: a crash loses no update, and repeats no reply. The offset
is kept in the adapter's own table (:mod:`.tables`).

Updates are read one by one from Telegram's JSON: one PTB cannot parse (a self-hosted Bot API server
older than PTB, say) is logged, skipped and confirmed, and the others are served; nothing that goes
wrong in one round of the loop stops it. Every call that posts or changes a message waits for Telegram's
limits (:mod:`.limits`). Sends wait :data:`SEND_TIMEOUT` for Telegram's answer, so a slow answer is not
taken for a lost message and sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.faults import wait_for
from bot.adapters.telegram.limits import Limiter, SendLimits
from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.tables import TelegramTables
from bot.core.clock import Clock, system_clock

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 25
SEND_TIMEOUT = 30.0  # seconds to wait for Telegram's answer to a call (PTB's default of 5 s resends slow sends)


@dataclass(frozen=True)
class WebhookSettings:
    """Where Telegram should deliver updates when not polling."""

    url: str
    listen: str = "0.0.0.0"  # a webhook listens where the reverse proxy can reach it
    port: int = 8443
    secret_token: str | None = None


def build_application(settings: TelegramSettings, *, polling: bool) -> Application[Any, Any, Any, Any, Any, Any]:
    """The python-telegram-bot application, pointed at Telegram or a self-hosted Bot API server."""
    base = settings.api_base_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .rate_limiter(Limiter(SendLimits(settings.max_rate, settings.group_rate, 1 / settings.chat_rate)))
        .read_timeout(SEND_TIMEOUT)
        .write_timeout(SEND_TIMEOUT)
        .media_write_timeout(2 * SEND_TIMEOUT)
        .get_updates_read_timeout(POLL_TIMEOUT + 10)
    )
    if polling:
        builder = builder.updater(None)
    return builder.build()


async def _handle_batch(app: Application[Any, Any, Any, Any, Any, Any], updates: tuple[Update, ...]) -> None:
    """Handle a batch: chats in parallel, each chat's updates in order."""
    by_chat: dict[int, list[Update]] = defaultdict(list)
    for update in updates:
        chat = update.effective_chat
        by_chat[chat.id if chat else 0].append(update)

    async def in_order(chat_updates: list[Update]) -> None:
        for update in chat_updates:
            await app.process_update(update)

    await asyncio.gather(*(in_order(u) for u in by_chat.values()))


async def poll(app: Application[Any, Any, Any, Any, Any, Any], tables: TelegramTables, stop: asyncio.Event) -> None:
    """The polling loop: fetch, handle, then confirm by moving the saved offset on."""
    offset = await asyncio.to_thread(tables.offset)
    failures = 0
    while not stop.is_set():
        try:
            fetch = asyncio.ensure_future(fetch_updates(app.bot, offset))
            stopping = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if fetch not in done:
                fetch.cancel()
                break
            stopping.cancel()
            raw = fetch.result()
            if raw:
                await _handle_batch(app, parsed(raw, app.bot))
                offset = int(raw[-1]["update_id"]) + 1
                await asyncio.to_thread(tables.set_offset, offset)
            failures = 0
        except InvalidToken:
            raise
        except Exception as exc:  # nothing in one round stops the loop: wait, then go on
            failures += 1
            delay = wait_for(exc, failures, cap=30)
            log.warning("getUpdates round failed (%r); going on in %.0fs", exc, delay)
            await asyncio.sleep(delay)


async def fetch_updates(bot: Any, offset: int | None) -> list[dict[str, Any]]:
    """The next updates as Telegram's JSON (parsed one by one by :func:`parsed`)."""
    kwargs: dict[str, Any] = {"timeout": POLL_TIMEOUT, "allowed_updates": ALLOWED_UPDATES}
    if offset is not None:
        kwargs["offset"] = offset
    with warnings.catch_warnings():  # "use Bot.get_updates": it parses the whole batch, one bad update kills it
        warnings.simplefilter("ignore")
        raw = await bot.do_api_request("get_updates", api_kwargs=kwargs, read_timeout=POLL_TIMEOUT + 10)
    return [u for u in raw if isinstance(u, dict) and isinstance(u.get("update_id"), int)] if raw else []


def parsed(raw: list[dict[str, Any]], bot: Any) -> tuple[Update, ...]:
    """The updates PTB can read; one it cannot is logged and skipped (its offset is confirmed all the same)."""
    updates = []
    for data in raw:
        try:
            update = Update.de_json(data, bot)
        except Exception as exc:
            log.error("skipped update %s, which could not be read (%r): %.500s", data.get("update_id"), exc, data)
            continue
        if update is not None:
            updates.append(update)
    return tuple(updates)


async def serve(
    engine: EnginePort,
    settings: TelegramSettings,
    webhook: WebhookSettings | None = None,
    *,
    clock: Clock = system_clock,
) -> None:
    """Run until SIGINT or SIGTERM."""
    adapter = TelegramAdapter(engine, settings, clock=clock)
    app = build_application(settings, polling=webhook is None)
    adapter.register(app)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with app:
        me = await app.bot.get_me()
        log.info("connected as @%s", me.username)
        with contextlib.suppress(TelegramError):
            await adapter.set_commands(app)
        await adapter.flush_outbox(app.bot)
        await asyncio.to_thread(engine.prune_outbox)
        await adapter.prune()
        await app.start()
        notices = asyncio.create_task(adapter.run_notices(app.bot, stop))
        try:
            if webhook is None:
                await app.bot.delete_webhook()
                await poll(app, adapter.tables, stop)
            else:
                assert app.updater is not None
                await app.updater.start_webhook(
                    listen=webhook.listen,
                    port=webhook.port,
                    url_path=settings.token,
                    webhook_url=f"{webhook.url.rstrip('/')}/{settings.token}",
                    secret_token=webhook.secret_token,
                    allowed_updates=ALLOWED_UPDATES,
                )
                await stop.wait()
                await app.updater.stop()
        finally:
            stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(notices, 10)
            await adapter.delivery.drain(10)
            await app.stop()
            adapter.close()


def run(
    engine: EnginePort,
    settings: TelegramSettings,
    webhook: WebhookSettings | None = None,
    *,
    clock: Clock = system_clock,
) -> int:
    """Run the bot; returns the process exit code."""
    try:
        asyncio.run(serve(engine, settings, webhook, clock=clock))
    except InvalidToken:
        log.error("Telegram rejected TELEGRAM_BOT_TOKEN: check the token BotFather gave you")
        return 2
    return 0
