"""The Telegram adapter: translates updates into engine messages and renders the replies.

It holds an engine (it does not subclass anything of the engine's) and registers every handler in
one place (:meth:`TelegramAdapter.register`). Customers are served in private chats only; other
chats are ignored. Each update is handled once: its replies are recorded with the conversation state
(the engine's outbox) before they are sent, and delivery is recorded as it happens, so a crash and
restart neither loses nor repeats a reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, TypeHandler, filters

from bot.engine import Engine, Message, Reply
from bot.faq import base_context
from bot.tg.render import messages

log = logging.getLogger(__name__)

TYPING_AFTER = 0.4  # seconds of work before the customer sees "typing…"
SEND_ATTEMPTS = 4
COMMANDS = ("start", "menu", "troubleshoot", "help", "cancel")


@dataclass(frozen=True)
class TelegramSettings:
    """What the Telegram adapter needs beyond the engine."""

    token: str
    api_base_url: str = "https://api.telegram.org"
    staff_chat_id: int | None = None
    admin_ids: frozenset[int] = frozenset()
    max_rate: float = 30  # messages a second to all chats together (Telegram asks for about 30)


def user_key(user_id: int) -> str:
    """The engine's conversation key for a Telegram user."""
    return f"tg:{user_id}"


class TelegramAdapter:
    """Serves one brand's customers on Telegram through the engine."""

    def __init__(self, engine: Engine, settings: TelegramSettings) -> None:
        self.engine = engine
        self.settings = settings

    # -- wiring ------------------------------------------------------------------------------------

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Every handler, in order: private-chat guard, button presses, commands and text, other kinds."""
        private = filters.ChatType.PRIVATE
        app.add_handler(TypeHandler(Update, self._guard), group=-1)
        app.add_handler(CallbackQueryHandler(self.on_press))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGES & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGES & filters.CAPTION, self.on_text))
        app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGES & ~filters.TEXT, self.on_other))
        app.add_error_handler(self.on_error)

    async def set_commands(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the command list, in each language the brand has wording for."""
        pack = self.engine.packs[self.engine.default_brand]
        for lang in pack.languages:
            commands = [BotCommand(c, self._text(f"command_{c}", lang)) for c in COMMANDS]
            await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)

    # -- handlers ----------------------------------------------------------------------------------

    async def _guard(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Serve private chats only: updates from groups and channels go no further."""
        from telegram.ext import ApplicationHandlerStop

        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            raise ApplicationHandlerStop

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text, a command, an edited message, or a captioned photo or document."""
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None:
            return
        text = msg.text if msg.text is not None else msg.caption
        await self._respond(update, context, Message(user=user_key(user.id), text=text, language=user.language_code,
                                                     id=f"tg:{update.update_id}"))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos without a caption, voice, video, locations and contacts."""
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None:
            return
        kind = _kind(msg)
        await self._respond(update, context, Message(user=user_key(user.id), kind=kind, language=user.language_code,
                                                     id=f"tg:{update.update_id}"))

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: always answered, then handled like a message."""
        query = update.callback_query
        if query is None:
            return
        with contextlib.suppress(BadRequest):  # a query too old to answer is still handled
            await query.answer()
        if query.message is not None:
            with contextlib.suppress(TelegramError):  # its buttons have done their job
                await query.edit_message_reply_markup(reply_markup=None)
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        key = user_key(query.from_user.id)
        data = self._resolve(key, query.data or "")
        await self._respond(update, context, Message(user=key, press=data, language=query.from_user.language_code,
                                                     id=f"tg:{update.update_id}"))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One place for errors: log with context, tell the staff chat, apologise to the customer."""
        error = context.error
        where = f"update {update.update_id}" if isinstance(update, Update) else "no update"
        log.error("error handling %s: %r", where, error, exc_info=error)
        if self.settings.staff_chat_id is not None:
            with contextlib.suppress(Exception):
                await context.bot.send_message(self.settings.staff_chat_id,
                                               f"supportbot error ({where}): {type(error).__name__}")
        if isinstance(update, Update) and update.effective_chat is not None \
                and update.effective_chat.type == ChatType.PRIVATE:
            with contextlib.suppress(Exception):
                conv = self.engine.store.load(user_key(update.effective_chat.id), brand=self.engine.default_brand)
                await context.bot.send_message(update.effective_chat.id, self._text("error", conv.lang))

    # -- the work ------------------------------------------------------------------------------------

    async def _respond(self, update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await asyncio.to_thread(self.engine.store.delete, f"blocked:{chat.id}")  # writing again means unblocked
        typing = asyncio.create_task(self._typing_later(context, chat.id))
        try:
            replies = await asyncio.to_thread(self.engine.handle, message)
        finally:
            typing.cancel()
        assert message.id is not None
        await self.deliver(context.bot, chat.id, message.id, replies)

    async def deliver(self, bot: Any, chat_id: int, message_id: str, replies: list[Reply]) -> None:
        """Send the replies not yet delivered for a message, recording each as it goes out."""
        sent, blocked = await asyncio.to_thread(self._delivery_state, chat_id, message_id)
        if blocked:
            await asyncio.to_thread(self.engine.store.mark_sent, message_id, len(replies))
            return
        for index, reply in enumerate(replies):
            if index < sent:
                continue
            refused: BadRequest | None = None
            for text, markup in messages(reply):
                try:
                    ok = await self._send(bot, chat_id, text, markup)
                except BadRequest as exc:  # refused for good: go on with the next reply, report it after
                    refused = exc
                    break
                if not ok:
                    await asyncio.to_thread(self.engine.store.mark_sent, message_id, len(replies))
                    return
            await asyncio.to_thread(self.engine.store.mark_sent, message_id, index + 1)
            if refused is not None:
                log.error("Telegram refused a reply to chat %s: %s", chat_id, refused)
                if index == len(replies) - 1:
                    raise refused

    def _delivery_state(self, chat_id: int, message_id: str) -> tuple[int, bool]:
        recorded = self.engine.store.outbox(message_id)
        return (recorded[1] if recorded is not None else 0), bool(self.engine.store.get(f"blocked:{chat_id}"))

    async def _send(self, bot: Any, chat_id: int, text: str, markup: Any) -> bool:
        """Send one message, retrying network trouble; False when the customer blocked the bot."""
        for attempt in range(SEND_ATTEMPTS):
            try:
                await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                       disable_web_page_preview=True)
                return True
            except Forbidden:
                log.info("chat %s blocked the bot; not sending to it again", chat_id)
                await asyncio.to_thread(self.engine.store.put, f"blocked:{chat_id}", "1")
                return False
            except RetryAfter as exc:
                if attempt == SEND_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(_seconds(exc.retry_after))
            except BadRequest:
                raise  # a refusal (PTB makes it a NetworkError): sending it again would be refused again
            except (TimedOut, NetworkError):
                if attempt == SEND_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.5 * 2 ** attempt)
        return False

    async def flush_outbox(self, bot: Any) -> int:
        """At start-up: deliver replies that a crash left unsent. Returns how many messages had some."""
        pending = await asyncio.to_thread(self.engine.store.unsent)
        for message_id, user, replies, _ in pending:
            if user.startswith("tg:"):
                try:
                    await self.deliver(bot, int(user[3:]), message_id, [Reply.from_dict(r) for r in replies])
                except TelegramError as exc:  # one undeliverable reply must not stop the bot from starting
                    log.warning("could not deliver an earlier reply to %s: %s", user, exc)
        return len(pending)

    async def _typing_later(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
        await asyncio.sleep(TYPING_AFTER)
        with contextlib.suppress(Exception):
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)

    def _resolve(self, key: str, data: str) -> str:
        """Turn a shortened callback back into the button's data (see render.callback_data)."""
        if not data.startswith("h:"):
            return data
        conv = self.engine.store.load(key, brand=self.engine.default_brand)
        for button in conv.state.get("buttons", []):
            if "h:" + hashlib.sha1(button["data"].encode()).hexdigest()[:24] == data:
                return str(button["data"])
        return data

    def _text(self, name: str, lang: str) -> str:
        pack = self.engine.packs[self.engine.default_brand]
        context = base_context(pack, self.engine.clock())
        return self.engine.content.render_message(pack.id, name, lang, context)


def _kind(msg: Any) -> str:
    for kind in ("sticker", "photo", "video", "voice", "audio", "document", "location", "contact", "animation",
                 "video_note", "poll", "venue", "dice"):
        if getattr(msg, kind, None):
            return kind
    return "other"


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


