"""Running the Telegram bot: long polling (default) or a webhook.

Polling is our own loop over ``getUpdates`` rather than PTB's Updater (:mod:`.polling`), so that an update
is confirmed to Telegram only after it has been handled. Together with the engine's outbox this gives: a
crash loses no update, and repeats no reply.

Every call that posts or changes a message waits for Telegram's limits (:mod:`.limits`). Sends wait
:data:`SEND_TIMEOUT` for Telegram's answer, so a slow answer is not taken for a lost message and sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from functools import partial
from typing import Any

from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.adapters.telegram import observe
from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.heartbeat import Backlog, Heartbeat, backlog, connect
from bot.adapters.telegram.limits import Limiter, SendLimits
from bot.adapters.telegram.metrics import METRICS
from bot.adapters.telegram.polling import ALLOWED_UPDATES, POLL_TIMEOUT, ChatOrder, poll
from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.settings import BotSettings, TelegramSettings
from bot.adapters.telegram.transport import AiohttpRequest
from bot.core.clock import Clock, system_clock

log = logging.getLogger(__name__)

SEND_TIMEOUT = 30.0  # seconds to wait for Telegram's answer to a call (PTB's default of 5 s resends slow sends)


@dataclass(frozen=True)
class WebhookSettings:
    """Where Telegram should deliver updates when not polling."""

    url: str
    listen: str = "0.0.0.0"  # a webhook listens where the reverse proxy can reach it
    port: int = 8443
    secret_token: str | None = None


@dataclass(frozen=True)
class MetricsSettings:
    """Where the Prometheus metrics are served (:mod:`.metrics`)."""

    port: int
    bind: str = "127.0.0.1"


def _backlog(path: str) -> Backlog:
    with contextlib.closing(connect(path)) as conn:
        return backlog(conn, system_clock(), 0)


class LeanApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's application without its note of every chat and user it served.

    After each update PTB adds the chat and the user to two sets, for a persistence to save their
    ``chat_data`` and ``user_data``; only that persistence empties them, and the bot has none (its state is
    the engine's, in SQLite), so they grew by every distinct customer for as long as the bot ran.
    """

    def _mark_for_persistence_update(self, *, update: object | None = None, job: Any = None) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)


def build_application(
    settings: TelegramSettings, *, polling: bool, token: str | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The python-telegram-bot application of a bot, pointed at Telegram or a self-hosted Bot API server.

    ``token``: the bot's (the settings' own by default). Each bot has its own limiter: Telegram's limits are per bot.
    """
    base = settings.api_base_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .application_class(LeanApplication)
        .token(token or settings.token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .rate_limiter(Limiter(SendLimits(settings.max_rate, settings.group_rate, 1 / settings.chat_rate)))
        .request(AiohttpRequest(read_timeout=SEND_TIMEOUT, write_timeout=2 * SEND_TIMEOUT))
        .get_updates_request(AiohttpRequest(connections=1, read_timeout=POLL_TIMEOUT + 10))
    )
    # polling: our own loop (.polling); a webhook: PTB's, with each chat's updates in order
    builder = builder.updater(None) if polling else builder.concurrent_updates(ChatOrder())
    return builder.build()


async def serve(
    engine: EnginePort,
    settings: TelegramSettings,
    webhook: WebhookSettings | None = None,
    *,
    clock: Clock = system_clock,
    metrics: MetricsSettings | None = None,
) -> None:
    """Run until SIGINT or SIGTERM: every bot of the settings, each polling on its own, one engine behind them."""
    bots = settings.all_bots
    adapter = TelegramAdapter(engine, settings, clock=clock)
    if metrics is not None:
        METRICS.start(metrics.port, metrics.bind, partial(_backlog, settings.db_path))
    apps = [build_application(settings, polling=webhook is None, token=b.token) for b in bots]
    for number, app in enumerate(apps):
        adapter.register(app, number)
    first = apps[0]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    heartbeat = Heartbeat(settings.db_path, "polling" if webhook is None else "webhook")  # the real time, always
    observe.start(heartbeat, await asyncio.to_thread(heartbeat.open))
    beat = asyncio.create_task(heartbeat.run(stop))  # from here: a start-up that hangs shows too
    try:
        async with contextlib.AsyncExitStack() as running:
            for app, bot in zip(apps, bots, strict=True):
                await running.enter_async_context(app)
                try:
                    me = await app.bot.get_me()
                except InvalidToken:
                    raise RejectedToken(_setting_of(settings, bot)) from None
                log.info("connected as @%s%s", me.username, f" (brand {bot.brand})" if bot.brand else "")
                with contextlib.suppress(TelegramError):
                    await adapter.set_commands(app)
            await adapter.flush_outbox(first.bot)
            for app in apps:
                await app.start()
            notices = asyncio.create_task(adapter.run_notices(first.bot, stop))
            upkeep = asyncio.create_task(adapter.run_upkeep(stop))  # retention: now, then every hour
            try:
                if webhook is None:
                    for app in apps:
                        await app.bot.delete_webhook()
                    await asyncio.gather(
                        *(poll(a, adapter.tables, stop, bot=b.name) for a, b in zip(apps, bots, strict=True))
                    )
                else:
                    assert first.updater is not None
                    await first.updater.start_webhook(
                        listen=webhook.listen,
                        port=webhook.port,
                        url_path=settings.token,
                        webhook_url=f"{webhook.url.rstrip('/')}/{settings.token}",
                        secret_token=webhook.secret_token,
                        allowed_updates=ALLOWED_UPDATES,
                    )
                    await stop.wait()
                    await first.updater.stop()
            finally:
                stop.set()
                upkeep.cancel()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(notices, 10)
                await adapter.delivery.drain(10)
                for app in apps:
                    await app.stop()
                adapter.close()
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(beat, 10)  # its last write says the bot stopped
        heartbeat.close()


class RejectedToken(Exception):
    """Telegram rejected a bot's token; the message names the setting that holds it."""


def _setting_of(settings: TelegramSettings, bot: BotSettings) -> str:
    if not settings.bots:
        return "TELEGRAM_BOT_TOKEN"
    return f"SUPPORTBOT_BOTS (the bot of brand {bot.brand or bot.name})"


def run(
    engine: EnginePort,
    settings: TelegramSettings,
    webhook: WebhookSettings | None = None,
    *,
    clock: Clock = system_clock,
    metrics: MetricsSettings | None = None,
) -> int:
    """Run the bot; returns the process exit code."""
    try:
        asyncio.run(serve(engine, settings, webhook, clock=clock, metrics=metrics))
    except InvalidToken:
        log.error("Telegram rejected TELEGRAM_BOT_TOKEN: check the token BotFather gave you")
        return 2
    except RejectedToken as exc:
        log.error("Telegram rejected the token in %s: check the token BotFather gave you", exc)
        return 2
    return 0
