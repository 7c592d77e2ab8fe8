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

from telegram import BotCommand, InputMediaDocument, InputMediaPhoto, InputMediaVideo, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, TypeHandler, filters

from bot.engine import Engine, Media, Message, Notice, Reply
from bot.faq import base_context
from bot.tg.render import messages

log = logging.getLogger(__name__)

TYPING_AFTER = 0.4  # seconds of work before the customer sees "typing…"
SEND_ATTEMPTS = 4
COMMANDS = ("start", "menu", "troubleshoot", "rma", "status", "help", "cancel")
NOTICE_POLL = 1.0  # seconds between looks for notices queued by others (the CLI, the sweep)
SWEEP_EVERY = 300.0  # seconds between RMA expiry sweeps


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
        self._wake = asyncio.Event()  # set when a turn may have queued notices
        self._warned_no_staff = False

    # -- wiring ------------------------------------------------------------------------------------

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Every handler, in order: private-chat guard, button presses, commands and text, other kinds."""
        private = filters.ChatType.PRIVATE
        app.add_handler(TypeHandler(Update, self._guard), group=-1)
        if self.settings.staff_chat_id is not None:
            staff = filters.Chat(self.settings.staff_chat_id)
            app.add_handler(MessageHandler(staff & filters.UpdateType.MESSAGE & filters.COMMAND, self.on_staff))
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
        """Serve private chats and the staff chat only: updates from other groups and channels go no further."""
        from telegram.ext import ApplicationHandlerStop

        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE and chat.id != self.settings.staff_chat_id:
            raise ApplicationHandlerStop

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text, a command, an edited message, or a captioned photo or document."""
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None:
            return
        text = msg.text if msg.text is not None else msg.caption
        await self._respond(update, context, Message(user=user_key(user.id), text=text, language=user.language_code,
                                                     id=f"tg:{update.update_id}", kind=_kind(msg) if msg.caption
                                                     is not None else "text", media=_media(msg),
                                                     name=user.full_name))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos without a caption, voice, video, locations and contacts."""
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None:
            return
        kind = _kind(msg)
        await self._respond(update, context, Message(user=user_key(user.id), kind=kind, language=user.language_code,
                                                     id=f"tg:{update.update_id}", media=_media(msg),
                                                     name=user.full_name))

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

    async def on_staff(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A consultant's command in the staff chat (``/rma …``): the answer goes to the same chat and topic."""
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None or not msg.text:
            return
        by = f"{user.full_name} (tg:{user.id})"
        replies = await asyncio.to_thread(self.engine.staff, msg.text, by=by)
        for reply in replies:
            await self.send_reply(context.bot, msg.chat_id, reply,
                                  thread=msg.message_thread_id if msg.is_topic_message else None)
        self._wake.set()

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
        self._wake.set()

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

    async def _send(self, bot: Any, chat_id: int, text: str, markup: Any, *, thread: int | None = None) -> bool:
        """Send one message, retrying network trouble; False when the customer blocked the bot."""
        for attempt in range(SEND_ATTEMPTS):
            try:
                await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                       disable_web_page_preview=True, message_thread_id=thread)
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

    # -- notices: status changes, staff cards, reminders -----------------------------------------------

    async def send_reply(self, bot: Any, chat_id: int, reply: Reply, *, thread: int | None = None) -> bool:
        """Send one reply with its media (photos and videos as an album); False when the chat blocked the bot."""
        for text, markup in messages(reply):
            if not await self._send(bot, chat_id, text, markup, thread=thread):
                return False
        if reply.media:
            await self._send_media(bot, chat_id, reply.media, thread)
        return True

    async def _send_media(self, bot: Any, chat_id: int, media: tuple[Media, ...], thread: int | None) -> None:
        album = [InputMediaVideo(m.ref) if m.kind == "video" else InputMediaPhoto(m.ref)
                 for m in media if m.kind in ("photo", "video")]
        documents = [InputMediaDocument(m.ref) for m in media if m.kind not in ("photo", "video")]
        for group in (album, documents):
            for start in range(0, len(group), 10):  # Telegram takes 2–10 items an album
                items = group[start:start + 10]
                if len(items) == 1:
                    item = items[0]
                    if isinstance(item, InputMediaPhoto):
                        await bot.send_photo(chat_id, item.media, message_thread_id=thread)
                    elif isinstance(item, InputMediaVideo):
                        await bot.send_video(chat_id, item.media, message_thread_id=thread)
                    else:
                        await bot.send_document(chat_id, item.media, message_thread_id=thread)
                else:
                    await bot.send_media_group(chat_id, items, message_thread_id=thread)

    async def deliver_notices(self, bot: Any) -> int:
        """Deliver queued notices (to customers on Telegram and to the staff chat); returns how many went."""
        notices = await asyncio.to_thread(self.engine.notices, prefix="tg:", limit=50)
        delivered = 0
        for notice in notices:
            chat_id = self._notice_chat(notice)
            if chat_id is not None:
                try:
                    await self.send_reply(bot, chat_id, notice.reply)
                except BadRequest as exc:  # refused for good (a deleted chat, a stale file id): don't retry forever
                    log.error("Telegram refused a notice to %s: %s", notice.target, exc)
                except (TimedOut, NetworkError, RetryAfter) as exc:
                    log.warning("could not deliver a notice to %s yet (%s); will retry", notice.target, exc)
                    break
            await asyncio.to_thread(self.engine.notice_sent, notice)
            delivered += 1
        return delivered

    def _notice_chat(self, notice: Notice) -> int | None:
        if notice.target == "staff":
            if self.settings.staff_chat_id is None and not self._warned_no_staff:
                log.warning("no SUPPORTBOT_STAFF_CHAT_ID: RMA cards and staff notes are not posted anywhere")
                self._warned_no_staff = True
            return self.settings.staff_chat_id
        return int(notice.target[3:]) if notice.target[3:].lstrip("-").isdigit() else None

    async def run_notices(self, bot: Any, stop: asyncio.Event) -> None:
        """Deliver notices as they are queued, until ``stop``; sweep RMA expiries every few minutes."""
        last_sweep = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if loop.time() - last_sweep >= SWEEP_EVERY:
                    last_sweep = loop.time()
                    await asyncio.to_thread(self.engine.sweep)
                while await self.deliver_notices(bot) == 50:
                    pass
            except Exception:  # one bad notice must not stop the others, nor the bot
                log.exception("delivering notices failed; retrying shortly")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), NOTICE_POLL)

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


def _media(msg: Any) -> tuple[Media, ...]:
    """What a photo, video or document message holds, by file id (the largest size of a photo)."""
    if msg.photo:
        return (Media("photo", msg.photo[-1].file_id),)
    for kind in ("video", "document", "animation", "video_note"):
        item = getattr(msg, kind, None)
        if item is not None:
            return (Media("video" if kind in ("video", "animation", "video_note") else "document", item.file_id),)
    return ()


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


