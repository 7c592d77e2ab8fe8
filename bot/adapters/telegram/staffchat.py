"""The staff chat and notices: one topic per customer, messages queued outside turns, the periodic sweeps.

Notices (RMA status changes, ticket cards, relays both ways) are queued by the engine in SQLite and
delivered here as they come (:meth:`StaffChat.run_notices`): to customers on Telegram, and to the staff
chat, where each customer has a topic (made on first use, renamed for a new ticket, made again with the
context card if a consultant deletes it). In a staff chat without topics the bot posts with the
customer's name on each message, and a reply to one of those reaches the customer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.tables import TelegramTables
from bot.core.messages import Notice, Reply

log = logging.getLogger(__name__)

NOTICE_POLL = 1.0  # seconds between looks for notices queued by others (the CLI, the sweep)
SWEEP_EVERY = 300.0  # seconds between RMA expiry sweeps
NOTICE_BATCH = 50


class StaffChat:
    """Delivers notices and keeps the customers' topics in the staff chat."""

    def __init__(
        self, engine: EnginePort, settings: TelegramSettings, tables: TelegramTables, delivery: Delivery
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.tables = tables
        self.delivery = delivery
        self._wake = asyncio.Event()  # set when a turn may have queued notices
        self._warned_no_staff = False
        self._forum: bool | None = None  # whether the staff chat has topics (None: not known yet)
        self._topic_locks: dict[str, asyncio.Lock] = {}

    def wake(self) -> None:
        """Look for notices now (a turn or a consultant may have queued some)."""
        self._wake.set()

    def customer_of(self, msg: Any) -> str | None:
        """The customer a staff chat message is about: by its topic, or by the customer's message it replies to."""
        if msg.is_topic_message and msg.message_thread_id:
            found = self.tables.customer_of_topic(msg.message_thread_id)
            if found is not None:
                return found
        reply = msg.reply_to_message
        return self.tables.customer_of_post(reply.message_id) if reply is not None else None

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
                while await self.deliver_notices(bot) == NOTICE_BATCH:
                    pass
            except Exception:  # one bad notice must not stop the others, nor the bot
                log.exception("delivering notices failed; retrying shortly")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), NOTICE_POLL)

    async def deliver_notices(self, bot: Any) -> int:
        """Deliver queued notices (to customers on Telegram and to the staff chat); returns how many went."""
        notices = await asyncio.to_thread(self.engine.notices, prefix="tg:", limit=NOTICE_BATCH)
        delivered = 0
        for notice in notices:
            chat_id = self._notice_chat(notice)
            if chat_id is not None:
                try:
                    if notice.target.startswith("staff:"):
                        await self._to_topic(bot, notice.target[6:], notice.reply)
                    else:
                        await self.delivery.send_reply(bot, chat_id, notice.reply)
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

    async def _to_topic(self, bot: Any, user: str, reply: Reply) -> None:
        """Post to a customer's topic, making it (again, if deleted) as needed; without topics, post as a reply."""
        staff = self.settings.staff_chat_id
        assert staff is not None  # staff notices are delivered only with a staff chat
        thread = await self._topic(bot, user)
        if thread is not None:
            try:
                await self.delivery.send_reply(bot, staff, reply, thread=thread)
                return
            except BadRequest as exc:
                if not _topic_gone(exc):
                    raise
                log.info("the topic of %s was deleted; making it again", user)
                await asyncio.to_thread(self.tables.forget_topic, user)
            thread = await self._topic(bot, user, again=not any(b.data.startswith("take:") for b in reply.buttons))
            if thread is not None:
                await self.delivery.send_reply(bot, staff, reply, thread=thread)
                return
        # no topics in this staff chat: the title heads the message, and replying to it reaches the customer
        title = await asyncio.to_thread(self.engine.topic_title, user) or user
        sent: list[int] = []
        await self.delivery.send_reply(
            bot, staff, Reply(f"💬 {title}\n{reply.text}".rstrip(), reply.buttons, reply.media), sent=sent
        )
        for message_id in sent:
            await asyncio.to_thread(self.tables.add_post, message_id, user)

    async def _topic(self, bot: Any, user: str, *, again: bool = False) -> int | None:
        """The customer's topic in the staff chat (made on first use; renamed for a new ticket), or None."""
        staff = self.settings.staff_chat_id
        assert staff is not None
        lock = self._topic_locks.setdefault(user, asyncio.Lock())
        async with lock:  # two notices for a new customer never make two topics
            found, title = await asyncio.gather(
                asyncio.to_thread(self.tables.topic, user), asyncio.to_thread(self.engine.topic_title, user)
            )
            title = title or user
            if found is not None:
                thread, shown = found
                if shown != title:
                    with contextlib.suppress(BadRequest):  # unchanged or gone: sending will tell
                        await bot.edit_forum_topic(staff, thread, name=title)
                    await asyncio.to_thread(self.tables.set_topic, user, thread, title)
                return thread
            if self._forum is False:
                return None
            try:
                topic = await bot.create_forum_topic(staff, title)
            except BadRequest as exc:
                if "forum" not in str(exc).lower():
                    raise
                log.warning("the staff chat has no topics (%s): replies to the bot's posts reach customers", exc)
                self._forum = False
                return None
            self._forum = True
            thread = int(topic.message_thread_id)
            await asyncio.to_thread(self.tables.set_topic, user, thread, title)
            log.info("made topic %s for %s", thread, user)
            if again:  # the old topic was deleted: the context card heads the new one
                card = await asyncio.to_thread(self.engine.topic_card, user)
                if card is not None:
                    await self.delivery.send_reply(bot, staff, card, thread=thread)
            return thread


def _topic_gone(exc: BadRequest) -> bool:
    """Whether Telegram refused because the topic no longer exists (a consultant deleted it)."""
    text = str(exc).lower()
    return "thread not found" in text or "topic_deleted" in text or "topic_id_invalid" in text
