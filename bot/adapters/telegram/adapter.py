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
from pathlib import Path
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, InputMediaDocument, InputMediaPhoto, InputMediaVideo, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, TypeHandler, filters

from bot.adapters.telegram.render import messages
from bot.engine import Engine, Media, Message, Notice, Reply

log = logging.getLogger(__name__)

TYPING_AFTER = 0.4  # seconds of work before the customer sees "typing…"
SEND_ATTEMPTS = 4
COMMANDS = ("start", "menu", "troubleshoot", "rma", "status", "human", "help", "cancel")
ADMIN_COMMANDS = ("faq", "unanswered", "stats")  # shown in admins' own chats only
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
    group_rate: float = 20  # messages a minute to one group, the staff chat (Telegram allows about 20)


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
        self._forum: bool | None = None  # whether the staff chat has topics (None: not known yet)
        self._topic_locks: dict[str, asyncio.Lock] = {}

    # -- wiring ------------------------------------------------------------------------------------

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Every handler, in order: private-chat guard, button presses, commands and text, other kinds."""
        private = filters.ChatType.PRIVATE
        app.add_handler(TypeHandler(Update, self._guard), group=-1)
        if self.settings.staff_chat_id is not None:
            staff = filters.Chat(self.settings.staff_chat_id)
            app.add_handler(MessageHandler(staff & filters.UpdateType.MESSAGE, self.on_staff))
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
        english = [BotCommand(c, self._text(f"command_{c}", "en")) for c in COMMANDS]
        extra = [BotCommand(c, self._text(f"admin_command_{c}", "en")) for c in ADMIN_COMMANDS]
        for admin in sorted(self.settings.admin_ids):
            try:  # an admin who never opened a chat with the bot has no chat to scope it to yet
                await app.bot.set_my_commands([*english, *extra], scope=BotCommandScopeChat(admin))
            except BadRequest as exc:
                log.warning("could not show the admin commands to admin %s (has it started the bot?): %s", admin, exc)

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
        await self._respond(
            update,
            context,
            Message(
                user=user_key(user.id),
                text=text,
                language=user.language_code,
                id=f"tg:{update.update_id}",
                kind=_kind(msg) if msg.caption is not None else "text",
                media=_media(msg),
                name=user.full_name,
                edited=update.edited_message is not None,
                admin=user.id in self.settings.admin_ids,
            ),
        )

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos without a caption, voice, video, locations and contacts."""
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None:
            return
        kind = _kind(msg)
        await self._respond(
            update,
            context,
            Message(
                user=user_key(user.id),
                kind=kind,
                language=user.language_code,
                id=f"tg:{update.update_id}",
                media=_media(msg),
                name=user.full_name,
                edited=update.edited_message is not None,
                admin=user.id in self.settings.admin_ids,
            ),
        )

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
        if chat is not None and chat.id == self.settings.staff_chat_id and not query.from_user.is_bot:
            await self._staff_press(update, context)
            return
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        key = user_key(query.from_user.id)
        data = self._resolve(key, query.data or "")
        await self._respond(
            update,
            context,
            Message(
                user=key,
                press=data,
                language=query.from_user.language_code,
                id=f"tg:{update.update_id}",
                name=query.from_user.full_name,
                admin=query.from_user.id in self.settings.admin_ids,
            ),
        )

    async def on_staff(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A consultant writes in the staff chat: a command, or words for the customer whose topic it is.

        Only members of the staff chat get here (its chat id is the filter); other bots are ignored. The
        answer for consultants goes to the same chat and topic; what is for the customer goes as a notice.
        """
        msg = update.effective_message
        user = update.effective_user
        if msg is None or user is None or (user.is_bot and msg.sender_chat is None):
            return
        text = msg.text if msg.text is not None else (msg.caption or "")
        thread = msg.message_thread_id if msg.is_topic_message else None
        customer = await asyncio.to_thread(self._customer_of, msg)
        if customer is None and not text.startswith("/"):
            return  # consultants talking among themselves
        name = user.full_name if not user.is_bot else (msg.author_signature or "Consultant")
        replies = await asyncio.to_thread(
            self.engine.staff, text, by=f"tg:{user.id}", name=name, customer=customer, media=_media(msg, relay=True)
        )
        for reply in replies:
            await self.send_reply(context.bot, msg.chat_id, reply, thread=thread)
        self._wake.set()

    async def _staff_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        message = query.message
        thread = getattr(message, "message_thread_id", None) if getattr(message, "is_topic_message", False) else None
        replies = await asyncio.to_thread(
            self.engine.staff_press, query.data or "", by=f"tg:{query.from_user.id}", name=query.from_user.full_name
        )
        for reply in replies:
            await self.send_reply(context.bot, query.message.chat.id if query.message else 0, reply, thread=thread)
        self._wake.set()

    def _customer_of(self, msg: Any) -> str | None:
        """The customer a staff chat message is about: by its topic, or by the customer's message it replies to."""
        store = self.engine.store
        if msg.is_topic_message and msg.message_thread_id:
            found = store.user_for_thread(msg.message_thread_id)
            if found is not None:
                return found
        reply = msg.reply_to_message
        return store.user_for_post(reply.message_id) if reply is not None else None

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One place for errors: log with context, tell the staff chat, apologise to the customer."""
        error = context.error
        where = f"update {update.update_id}" if isinstance(update, Update) else "no update"
        log.error("error handling %s: %r", where, error, exc_info=error)
        if self.settings.staff_chat_id is not None:
            with contextlib.suppress(Exception):
                await context.bot.send_message(
                    self.settings.staff_chat_id, f"supportbot error ({where}): {type(error).__name__}"
                )
        if (
            isinstance(update, Update)
            and update.effective_chat is not None
            and update.effective_chat.type == ChatType.PRIVATE
        ):
            with contextlib.suppress(Exception):
                apology = await asyncio.to_thread(self.engine.apology, user_key(update.effective_chat.id))
                await context.bot.send_message(update.effective_chat.id, apology)

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
            if reply.media and refused is None:  # an admin's /stats chart
                await self._send_media(bot, chat_id, reply.media, None)
            await asyncio.to_thread(self.engine.store.mark_sent, message_id, index + 1)
            if refused is not None:
                log.error("Telegram refused a reply to chat %s: %s", chat_id, refused)
                if index == len(replies) - 1:
                    raise refused

    def _delivery_state(self, chat_id: int, message_id: str) -> tuple[int, bool]:
        recorded = self.engine.store.outbox(message_id)
        return (recorded[1] if recorded is not None else 0), bool(self.engine.store.get(f"blocked:{chat_id}"))

    async def _send(self, bot: Any, chat_id: int, text: str, markup: Any, *, thread: int | None = None) -> Any:
        """Send one message, retrying network trouble; the message sent, or None when the chat blocked the bot."""
        for attempt in range(SEND_ATTEMPTS):
            try:
                return await bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    disable_web_page_preview=True,
                    message_thread_id=thread,
                )
            except Forbidden:
                log.info("chat %s blocked the bot; not sending to it again", chat_id)
                await asyncio.to_thread(self.engine.store.put, f"blocked:{chat_id}", "1")
                return None
            except RetryAfter as exc:
                if attempt == SEND_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(_seconds(exc.retry_after))
            except BadRequest:
                raise  # a refusal (PTB makes it a NetworkError): sending it again would be refused again
            except (TimedOut, NetworkError):
                if attempt == SEND_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.5 * 2**attempt)
        return None

    # -- notices: status changes, staff cards, reminders -----------------------------------------------

    async def send_reply(
        self, bot: Any, chat_id: int, reply: Reply, *, thread: int | None = None, sent: list[int] | None = None
    ) -> bool:
        """Send one reply with its media (photos and videos as an album); False when the chat blocked the bot.

        The ids of the messages sent are added to ``sent`` when given.
        """
        for text, markup in messages(reply):
            message = await self._send(bot, chat_id, text, markup, thread=thread)
            if message is None:
                return False
            if sent is not None:
                sent.append(message.message_id)
        if reply.media:
            ids = await self._send_media(bot, chat_id, reply.media, thread)
            if sent is not None:
                sent.extend(ids)
        return True

    async def _send_media(self, bot: Any, chat_id: int, media: tuple[Media, ...], thread: int | None) -> list[int]:
        album = [
            InputMediaVideo(m.ref) if m.kind == "video" else InputMediaPhoto(m.ref)
            for m in media
            if m.kind in ("photo", "video")
        ]
        documents = [InputMediaDocument(m.ref) for m in media if m.kind == "document"]
        ids: list[int] = []
        for group in (album, documents):
            for start in range(0, len(group), 10):  # Telegram takes 2–10 items an album
                items = group[start : start + 10]
                if len(items) == 1:
                    item = items[0]
                    if isinstance(item, InputMediaPhoto):
                        ids.append((await bot.send_photo(chat_id, item.media, message_thread_id=thread)).message_id)
                    elif isinstance(item, InputMediaVideo):
                        ids.append((await bot.send_video(chat_id, item.media, message_thread_id=thread)).message_id)
                    else:
                        ids.append((await bot.send_document(chat_id, item.media, message_thread_id=thread)).message_id)
                else:
                    ids.extend(
                        m.message_id for m in await bot.send_media_group(chat_id, items, message_thread_id=thread)
                    )
        for chart in (m for m in media if m.kind == "chart"):  # a picture the bot drew: uploaded from its file
            try:
                image = await asyncio.to_thread(Path(chart.ref).read_bytes)
            except OSError as exc:
                log.warning("the chart %s is gone, sending the figures without it: %s", chart.ref, exc)
                continue
            ids.append((await bot.send_photo(chat_id, image, message_thread_id=thread)).message_id)
        senders = {
            "voice": bot.send_voice,
            "audio": bot.send_audio,
            "sticker": bot.send_sticker,
            "animation": bot.send_animation,
            "video_note": bot.send_video_note,
        }
        for single in media:  # what cannot go in an album goes one by one, in order
            if single.kind in senders:
                ids.append((await senders[single.kind](chat_id, single.ref, message_thread_id=thread)).message_id)
        return ids

    async def deliver_notices(self, bot: Any) -> int:
        """Deliver queued notices (to customers on Telegram and to the staff chat); returns how many went."""
        notices = await asyncio.to_thread(self.engine.notices, prefix="tg:", limit=50)
        delivered = 0
        for notice in notices:
            chat_id = self._notice_chat(notice)
            if chat_id is not None:
                try:
                    if notice.target.startswith("staff:"):
                        await self._to_topic(bot, notice.target[6:], notice.reply)
                    else:
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
        if notice.target == "staff" or notice.target.startswith("staff:"):
            if self.settings.staff_chat_id is None and not self._warned_no_staff:
                log.warning("no SUPPORTBOT_STAFF_CHAT_ID: RMA cards and staff notes are not posted anywhere")
                self._warned_no_staff = True
            return self.settings.staff_chat_id
        return int(notice.target[3:]) if notice.target[3:].lstrip("-").isdigit() else None

    # -- the staff chat: one topic per customer --------------------------------------------------------------

    async def _to_topic(self, bot: Any, user: str, reply: Reply) -> None:
        """Post to a customer's topic, making it (again, if deleted) as needed; without topics, post as a reply."""
        staff = self.settings.staff_chat_id
        assert staff is not None  # staff notices are delivered only with a staff chat
        thread = await self._topic(bot, user)
        if thread is not None:
            try:
                await self.send_reply(bot, staff, reply, thread=thread)
                return
            except BadRequest as exc:
                if not _topic_gone(exc):
                    raise
                log.info("the topic of %s was deleted; making it again", user)
                await asyncio.to_thread(self.engine.store.set_staff_thread, user, None)
            thread = await self._topic(bot, user, again=not any(b.data.startswith("take:") for b in reply.buttons))
            if thread is not None:
                await self.send_reply(bot, staff, reply, thread=thread)
                return
        # no topics in this staff chat: the title heads the message, and replying to it reaches the customer
        title = await asyncio.to_thread(self.engine.topic_title, user) or user
        sent: list[int] = []
        await self.send_reply(
            bot, staff, Reply(f"💬 {title}\n{reply.text}".rstrip(), reply.buttons, reply.media), sent=sent
        )
        for message_id in sent:
            await asyncio.to_thread(self.engine.store.add_staff_post, message_id, user)

    async def _topic(self, bot: Any, user: str, *, again: bool = False) -> int | None:
        """The customer's topic in the staff chat (made on first use; renamed for a new ticket), or None."""
        topic_chat = self.settings.staff_chat_id
        assert topic_chat is not None
        lock = self._topic_locks.setdefault(user, asyncio.Lock())
        async with lock:  # two notices for a new customer never make two topics
            store = self.engine.store
            found, title = await asyncio.gather(
                asyncio.to_thread(store.staff_thread, user), asyncio.to_thread(self.engine.topic_title, user)
            )
            title = title or user
            if found is not None:
                thread, shown = found
                if shown != title:
                    with contextlib.suppress(BadRequest):  # unchanged or gone: sending will tell
                        await bot.edit_forum_topic(self.settings.staff_chat_id, thread, name=title)
                    await asyncio.to_thread(store.set_staff_thread, user, thread, title)
                return thread
            if self._forum is False:
                return None
            try:
                topic = await bot.create_forum_topic(self.settings.staff_chat_id, title)
            except BadRequest as exc:
                if "forum" not in str(exc).lower():
                    raise
                log.warning("the staff chat has no topics (%s): replies to the bot's posts reach customers", exc)
                self._forum = False
                return None
            self._forum = True
            thread = int(topic.message_thread_id)
            await asyncio.to_thread(store.set_staff_thread, user, thread, title)
            log.info("made topic %s for %s", thread, user)
            if again:  # the old topic was deleted: the context card heads the new one
                card = await asyncio.to_thread(self.engine.topic_card, user)
                if card is not None:
                    await self.send_reply(bot, topic_chat, card, thread=thread)
            return thread

    async def run_notices(self, bot: Any, stop: asyncio.Event) -> None:
        """Deliver notices as they are queued, until ``stop``; sweep RMA expiries, post chats at opening time."""
        last_sweep = last_opening = -1e9
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if loop.time() - last_sweep >= SWEEP_EVERY:
                    last_sweep = loop.time()
                    await asyncio.to_thread(self.engine.sweep)
                if loop.time() - last_opening >= self.engine.opening_sweep_seconds:
                    last_opening = loop.time()
                    await asyncio.to_thread(self.engine.open_desk)
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
        for button in self.engine.offered(key):
            if "h:" + hashlib.sha1(button.data.encode()).hexdigest()[:24] == data:
                return button.data
        return data

    def _text(self, name: str, lang: str) -> str:
        return self.engine.wording(name, lang)


def _kind(msg: Any) -> str:
    for kind in (
        "sticker",
        "photo",
        "video",
        "voice",
        "audio",
        "document",
        "location",
        "contact",
        "animation",
        "video_note",
        "poll",
        "venue",
        "dice",
    ):
        if getattr(msg, kind, None):
            return kind
    return "other"


def _media(msg: Any, *, relay: bool = False) -> tuple[Media, ...]:
    """What a message holds, by file id (the largest size of a photo).

    Photos, videos and documents always; voice, audio and stickers too when the message is for relaying to
    someone (a consultant or a customer) rather than attaching to a repair request.
    """
    if msg.photo:
        return (Media("photo", msg.photo[-1].file_id),)
    for kind in ("video", "document", "animation", "video_note"):
        item = getattr(msg, kind, None)
        if item is not None:
            if relay and kind in ("animation", "video_note"):
                return (Media(kind, item.file_id),)
            return (Media("video" if kind in ("video", "animation", "video_note") else "document", item.file_id),)
    for kind in ("voice", "audio", "sticker"):
        item = getattr(msg, kind, None)
        if item is not None:
            return (Media(kind, item.file_id),)
    return ()


def _topic_gone(exc: BadRequest) -> bool:
    """Whether Telegram refused because the topic no longer exists (a consultant deleted it)."""
    text = str(exc).lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_id_invalid" in text


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
