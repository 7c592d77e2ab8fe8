"""The update handlers: customers' messages and presses in private chats, consultants' in the staff chat.

Each turns a Telegram update into an engine :class:`~bot.core.messages.Message` (or a staff call), lets the
engine handle it off the event loop, and hands the replies to :class:`~.delivery.Delivery`. Other groups
and channels are ignored (:meth:`Handlers.guard`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from typing import Any

from telegram import Update
from telegram.constants import ChatAction, ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.adapters.telegram import observe
from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.faults import Undeliverable
from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.settings import BotSettings, TelegramSettings, customer_chat
from bot.adapters.telegram.staffchat import StaffChat, unreachable
from bot.adapters.telegram.tables import TelegramTables
from bot.core.messages import REPEATED, Media, Message, Reply

log = logging.getLogger(__name__)

TYPING_AFTER = 0.4  # seconds of work before the customer sees "typing…"
DELIVER_FIRST = 10.0  # seconds a consultant's answer waits for what they sent the customer to be delivered
# what staff replies say was done for a customer: not so when the customer blocked the bot
CLAIMS = (" The customer was told.", " The customer is back with the bot and was asked for a rating.")
LOST_TOPIC = (
    "⚠️ This topic no longer leads to a customer (the bot made it twice, or lost it), so nothing was sent. "
    "Write in the customer's current topic; /queue lists the open tickets."
)


class Handlers:
    """python-telegram-bot callbacks over the engine (wired by :meth:`.adapter.TelegramAdapter.register`)."""

    def __init__(
        self,
        engine: EnginePort,
        settings: TelegramSettings,
        tables: TelegramTables,
        delivery: Delivery,
        staff_chat: StaffChat,
        bot: BotSettings | None = None,
    ) -> None:
        self.bot = bot or BotSettings(settings.token)  # the bot whose customers these are
        self.engine = engine
        self.settings = settings
        self.tables = tables
        self.delivery = delivery
        self.staff_chat = staff_chat

    async def guard(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Serve private chats and the staff chat only: updates from other groups and channels go no further.

        The staff chat is the first bot's to serve: a further bot in it ignores it.
        """
        observe.received()
        chat = update.effective_chat
        staff = chat is not None and chat.id == self.settings.staff_chat_id and not self.bot.name
        if chat is not None and chat.type != ChatType.PRIVATE and not staff:
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
                user=self.bot.key(user.id),
                text=text,
                language=user.language_code,
                id=self.bot.update_id(update.update_id),
                brand=self.bot.brand,
                brands=self.bot.brands,
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
        await self._respond(
            update,
            context,
            Message(
                user=self.bot.key(user.id),
                kind=_kind(msg),
                language=user.language_code,
                id=self.bot.update_id(update.update_id),
                brand=self.bot.brand,
                brands=self.bot.brands,
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
        key = self.bot.key(query.from_user.id)
        data = await asyncio.to_thread(self._resolve, key, query.data or "")
        await self._respond(
            update,
            context,
            Message(
                user=key,
                press=data,
                language=query.from_user.language_code,
                id=self.bot.update_id(update.update_id),
                brand=self.bot.brand,
                brands=self.bot.brands,
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
        self.staff_chat.staff_alive()
        if msg is None or user is None:
            return
        if msg.forum_topic_created is not None and user.id == context.bot.id and msg.message_thread_id:
            found = await asyncio.to_thread(self.tables.topic_seen, msg.message_thread_id, msg.forum_topic_created.name)
            if found is not None:
                log.info("topic %s, made before a restart, is the topic of %s", msg.message_thread_id, found)
                self.staff_chat.retry_now()  # its notices were waiting for it
            return
        if user.is_bot and msg.sender_chat is None:
            return
        text = msg.text if msg.text is not None else (msg.caption or "")
        thread = msg.message_thread_id if msg.is_topic_message else None
        customer = await asyncio.to_thread(self.staff_chat.customer_of, msg)
        replied = msg.reply_to_message
        for _ in range(30):  # a reply to a post of ours sent an instant ago: its record follows the send
            if customer is not None or replied is None or replied.from_user is None or not replied.from_user.is_bot:
                break
            await asyncio.sleep(0.1)
            customer = await asyncio.to_thread(self.staff_chat.customer_of, msg)
        if customer is None and thread is not None:
            customer = await self._lost_topic(update, context, thread)
            if customer is None:
                return
        if customer is None and not text.startswith("/"):
            return  # consultants talking among themselves
        if await asyncio.to_thread(self.tables.staff_update, update.update_id) == "done":
            log.info("staff chat update %s was handled before a restart: not again", update.update_id)
            return
        await asyncio.to_thread(self.tables.staff_update_is, update.update_id, "started")
        name = user.full_name if not user.is_bot else (msg.author_signature or "Consultant")
        came = time.monotonic()
        replies = await asyncio.to_thread(
            self.engine.staff, text, by=f"tg:{user.id}", name=name, customer=customer, media=_media(msg, relay=True)
        )
        what = "command" if text.startswith("/") else "relayed"
        observe.handled(update.update_id, customer or "", "staff", what, time.monotonic() - came)
        await asyncio.to_thread(self.tables.staff_update_is, update.update_id, "done")
        await self._to_staff(context, msg.chat_id, thread, customer, replies)

    async def _lost_topic(self, update: Update, context: ContextTypes.DEFAULT_TYPE, thread: int) -> str | None:
        """A message in a topic the bot made and does not know (made twice after a crash): its customer, or None.

        Such a topic leads to the customer whose topic bears its name; when none does, the consultant is told
        that nothing was sent, rather than nothing at all.
        """
        msg = update.effective_message
        assert msg is not None
        opening = msg.reply_to_message
        created = opening.forum_topic_created if opening is not None else None
        if created is None or opening is None or opening.from_user is None or opening.from_user.id != context.bot.id:
            return None  # a topic consultants made: their own talk
        found = await asyncio.to_thread(self.tables.adopt_topic, thread, created.name)
        if found is not None:
            log.info("topic %s (%s) leads to %s again", thread, created.name, found)
            return found
        with contextlib.suppress(Undeliverable):
            await self.delivery.send(context.bot, msg.chat_id, LOST_TOPIC, None, thread=thread)
        return None

    async def _to_staff(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        thread: int | None,
        customer: str | None,
        replies: list[Reply],
    ) -> None:
        """Answer consultants (after the polling loop went on); nothing says a customer who blocked the bot was told."""
        self.delivery.later(chat_id, lambda: self._answer_staff(context, chat_id, thread, customer, replies))

    async def _answer_staff(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        thread: int | None,
        customer: str | None,
        replies: list[Reply],
    ) -> None:
        found = customer_chat(customer) if customer else None
        if customer is not None and found is not None:  # what reaches the customer goes first: then we know
            with contextlib.suppress(TelegramError, TimeoutError):
                await asyncio.wait_for(self.staff_chat.deliver_to(context.bot, customer), DELIVER_FIRST)
        if found is not None and await asyncio.to_thread(self.tables.blocked, found[1], found[0]):
            replies = [Reply(_unclaimed(r.text), r.buttons, r.media) for r in replies]
            if await asyncio.to_thread(self.tables.staff_told_blocked, found[1], found[0]):
                title = await asyncio.to_thread(self.engine.topic_title, customer or "")
                replies.append(unreachable(title, customer or "", True))
        for reply in replies:
            try:
                await self.delivery.send_reply(context.bot, chat_id, reply, thread=thread)
            except Undeliverable as exc:
                log.warning("could not answer in the staff chat: %s", exc)
        self.staff_chat.wake()

    async def on_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was added to or removed from a chat: the staff chat's notices wait or go."""
        change = update.my_chat_member
        if change is None or change.chat.id != self.settings.staff_chat_id:
            return
        status = change.new_chat_member.status
        if status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
            log.info("the bot is in the staff chat again")
            self.staff_chat.staff_alive()
        elif status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            self.staff_chat.staff_gone(f"the bot was removed from the staff chat ({status})")

    async def _staff_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        message = query.message
        thread = getattr(message, "message_thread_id", None) if getattr(message, "is_topic_message", False) else None
        if await asyncio.to_thread(self.tables.staff_update, update.update_id) == "done":
            return
        await asyncio.to_thread(self.tables.staff_update_is, update.update_id, "started")
        replies = await asyncio.to_thread(
            self.engine.staff_press, query.data or "", by=f"tg:{query.from_user.id}", name=query.from_user.full_name
        )
        await asyncio.to_thread(self.tables.staff_update_is, update.update_id, "done")
        customer = None
        if message is not None:  # the card's topic, or the card itself in a chat without topics
            customer = await asyncio.to_thread(self.staff_chat.customer_of, message)
            customer = customer or await asyncio.to_thread(self.tables.customer_of_post, message.message_id)
        chat_id = message.chat.id if message is not None else 0
        await self._to_staff(context, chat_id, thread, customer, replies)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One place for errors: log with context, tell the staff chat, apologise to the customer."""
        await self.report(update, context.error, context.bot)

    async def report(self, update: object, error: BaseException | None, bot: Any) -> None:
        """Log an error with its update, tell the staff chat, apologise to the customer."""
        where = f"update {update.update_id}" if isinstance(update, Update) else "no update"
        log.error("error handling %s: %r", where, error, exc_info=error)
        observe.error("handler")
        if self.settings.staff_chat_id is not None:
            with contextlib.suppress(Exception):  # by the first bot: the one in the staff chat
                await self.delivery.bots.get("", bot).send_message(
                    self.settings.staff_chat_id, f"supportbot error ({where}{self._of_bot}): {type(error).__name__}"
                )
        if (
            isinstance(update, Update)
            and update.effective_chat is not None
            and update.effective_chat.type == ChatType.PRIVATE
        ):
            with contextlib.suppress(Exception):
                apology = await asyncio.to_thread(self.engine.say_to, self.bot.key(update.effective_chat.id))
                await bot.send_message(update.effective_chat.id, apology)

    @property
    def _of_bot(self) -> str:
        return f", bot of {self.bot.brand or self.bot.name}" if self.bot.name else ""

    async def _respond(self, update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        typing = asyncio.create_task(self._typing_later(context, chat.id))
        came = time.monotonic()

        def handle() -> list[Reply]:  # one trip to a thread: the loop has more to do than wait for them
            self.tables.unblock(chat.id, self.bot.name)  # writing again means unblocked
            return self.engine.handle(message)

        try:
            replies = await asyncio.to_thread(handle)
        finally:
            typing.cancel()
        took = time.monotonic() - came
        outcome = getattr(replies, "outcome", "")
        message_id = message.id
        assert message_id is not None
        bot = context.bot

        async def deliver() -> None:  # recorded: the polling loop goes on meanwhile
            try:
                await self.delivery.deliver(bot, chat.id, message_id, replies, fresh=outcome != REPEATED)
                observe.delivered(time.monotonic() - came, len(replies))
            except Exception as exc:  # refused for good (set aside): the customer is told something went wrong
                await self.report(update, exc, bot)
            kind = "press" if message.press is not None else message.kind
            observe.handled(update.update_id, message.user, kind, outcome, took)  # logged once the customer has it
            self.staff_chat.wake()

        self.delivery.later(chat.id, deliver)

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


def _unclaimed(text: str) -> str:
    for claim in CLAIMS:
        text = text.replace(claim, "")
    return text


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
