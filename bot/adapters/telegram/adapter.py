"""The Telegram adapter: translates updates into engine messages and renders the replies.

It holds an engine, typed as the :class:`~.port.EnginePort` it needs (named calls only), and registers
every handler in one place (:meth:`TelegramAdapter.register`). Its parts:

* :mod:`.handlers`: customers' messages and presses in private chats, consultants' in the staff chat;
* :mod:`.delivery`: sending replies and media with retries, recording delivery in the engine's outbox;
* :mod:`.faults`: what a failed call means (try again, set aside, hold for the staff chat, taken as done);
* :mod:`.staffchat`: notices, delivered so that one broken chat stalls none; the periodic sweeps;
* :mod:`.topics`: the customers' topics in the staff chat;
* :mod:`.tables` and :mod:`.ledger`: the adapter's own SQLite tables (polling offset, topics, staff posts,
  blocked chats; the notices being delivered, what was set aside, the staff chat updates handled).

Customers are served in private chats only; other chats are ignored. Each update is handled once: its
replies are recorded with the conversation state (the engine's outbox) before they are sent, and delivery
is recorded as it happens, so a crash and restart neither loses nor repeats a reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, timedelta
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, ChatMemberHandler, MessageHandler, TypeHandler, filters

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.handlers import Handlers
from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.settings import TelegramSettings, user_key
from bot.adapters.telegram.staffchat import StaffChat
from bot.adapters.telegram.tables import TelegramTables
from bot.core.clock import Clock, system_clock

__all__ = ["TelegramAdapter", "TelegramSettings", "user_key"]

log = logging.getLogger(__name__)

COMMANDS = ("start", "menu", "troubleshoot", "rma", "status", "human", "help", "cancel")
ADMIN_COMMANDS = ("faq", "unanswered", "stats")  # shown in admins' own chats only
KEEP_DAYS = 30  # the delivery ledger keeps what ended this long
PRUNE_EVERY = 3600.0  # seconds between prunings while the bot runs (the first is at start-up)


class TelegramAdapter:
    """Serves one brand's customers on Telegram through the engine."""

    def __init__(
        self,
        engine: EnginePort,
        settings: TelegramSettings,
        *,
        tables: TelegramTables | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.tables = tables or TelegramTables(settings.db_path, clock=clock)
        self.delivery = Delivery(engine, self.tables)
        self.staff_chat = StaffChat(engine, settings, self.tables, self.delivery)
        self.bot_handlers = [
            Handlers(engine, settings, self.tables, self.delivery, self.staff_chat, bot) for bot in settings.all_bots
        ]
        self.handlers = self.bot_handlers[0]  # the first bot's: it also reads and posts in the staff chat

    def register(self, app: Application[Any, Any, Any, Any, Any, Any], bot: int = 0) -> None:
        """Every handler of a bot (``bot``: its place in the settings); only the first serves the staff chat.

        In order: the private-chat guard, button presses, commands and text, other kinds.
        """
        on = self.bot_handlers[bot]
        self.delivery.bots[on.bot.name] = app.bot
        private = filters.ChatType.PRIVATE
        app.add_handler(TypeHandler(Update, on.guard), group=-1)
        if self.settings.staff_chat_id is not None and bot == 0:
            staff = filters.Chat(self.settings.staff_chat_id)
            app.add_handler(MessageHandler(staff & filters.UpdateType.MESSAGE, on.on_staff))
            app.add_handler(ChatMemberHandler(on.on_member, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_handler(CallbackQueryHandler(on.on_press))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGES & filters.TEXT, on.on_text))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGES & filters.CAPTION, on.on_text))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGES & ~filters.TEXT, on.on_other))
        app.add_error_handler(on.on_error)

    async def set_commands(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the command list, in each language the brand has wording for (/brand: a bot of several)."""
        several = any(
            len(h.bot.brands) > 1 and self.delivery.bots.get(h.bot.name) is app.bot for h in self.bot_handlers
        )
        names = (*COMMANDS, "brand") if several else COMMANDS
        for lang in await asyncio.to_thread(self.engine.languages):
            commands = [BotCommand(c, self.engine.wording(f"command_{c}", lang)) for c in names]
            await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
        english = [BotCommand(c, self.engine.wording(f"command_{c}", "en")) for c in names]
        extra = [BotCommand(c, self.engine.wording(f"admin_command_{c}", "en")) for c in ADMIN_COMMANDS]
        for admin in sorted(self.settings.admin_ids):
            try:  # an admin who never opened a chat with the bot has no chat to scope it to yet
                await app.bot.set_my_commands([*english, *extra], scope=BotCommandScopeChat(admin))
            except BadRequest as exc:
                log.warning("could not show the admin commands to admin %s (has it started the bot?): %s", admin, exc)

    async def flush_outbox(self, bot: Any) -> int:
        """At start-up: deliver replies that a crash left unsent. Returns how many messages had some."""
        return await self.delivery.flush_outbox(bot)

    async def prune(self, *, keep_days: int = KEEP_DAYS) -> int:
        """Forget the delivery ledger's finished rows older than ``keep_days``; returns how many notices."""
        before = (self.clock() - timedelta(days=keep_days)).astimezone(UTC).isoformat()
        return await asyncio.to_thread(self.tables.prune, before)

    async def run_upkeep(self, stop: asyncio.Event, *, every: float = PRUNE_EVERY) -> None:
        """Until ``stop``, now and then every ``every`` seconds: forget what the retention settings let go.

        The engine's store prunes in short batches (turns go on in between), then the delivery ledger.
        """
        while not stop.is_set():
            try:
                gone = await asyncio.to_thread(self.engine.prune) + await self.prune()
                if gone:
                    log.info("retention: %d old records forgotten", gone)
            except Exception:
                log.exception("pruning old records failed; trying again in %.0f s", every)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    async def run_notices(self, bot: Any, stop: asyncio.Event) -> None:
        """Deliver notices until ``stop``, with the periodic sweeps (see :class:`.staffchat.StaffChat`)."""
        await self.staff_chat.run_notices(bot, stop)

    def close(self) -> None:
        """Close the adapter's own database connection."""
        self.tables.close()
