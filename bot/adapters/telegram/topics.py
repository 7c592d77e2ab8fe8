"""The customers' topics in the staff chat: made on first use, renamed for a new ticket, kept one a customer.

A topic is made when a customer's first message for consultants is posted, and recorded as being made
*before* ``createForumTopic`` is asked: a bot stopped right after Telegram answered finds, at the next
start, the topic it made (by the "topic created" update Telegram sends it) instead of making a second
one. A deleted topic is made again with the context card on top; a closed one is reopened; where the
bot may not manage topics (or the chat has none) it posts in the chat itself, the customer's name heading
each message, and a reply to one of those reaches the customer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.faults import GONE, NO_RIGHTS, RETRY, TOPIC_CLOSED, TOPIC_GONE, Undeliverable
from bot.adapters.telegram.perchat import KeyedLocks
from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.tables import TelegramTables
from bot.adapters.telegram.transport import AnswerLate, ConnectionBroke
from bot.core.messages import Reply

log = logging.getLogger(__name__)

FIND_WAIT = 8.0  # seconds to wait for the "topic created" update of a topic made before a restart
TOPICS_AGAIN = 600.0  # seconds before trying topics again where the bot could not make one

Progress = Callable[[int], Awaitable[None]]


class Topics:
    """Posts to customers' topics, making, renaming and reopening them as needed."""

    def __init__(
        self, engine: EnginePort, settings: TelegramSettings, tables: TelegramTables, delivery: Delivery
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.tables = tables
        self.delivery = delivery
        self._locks: KeyedLocks[str] = KeyedLocks()  # one customer's topic is made once
        self._no_topics_until = 0.0  # loop time: no topics can be made before then (none, or no rights)
        self._finding: dict[str, float] = {}  # customer -> when this run first found their topic in making

    @property
    def staff(self) -> int:
        """The staff chat's id."""
        assert self.settings.staff_chat_id is not None  # staff notices are delivered only with a staff chat
        return self.settings.staff_chat_id

    async def post(self, bot: Any, user: str, reply: Reply, *, skip: int = 0, progress: Progress | None = None) -> None:
        """Post to a customer's topic; raises :class:`~.faults.Undeliverable` when it cannot (yet)."""
        done = skip

        async def note(count: int) -> None:
            nonlocal done
            done = count
            if progress is not None:
                await progress(count)

        thread = await self.topic(bot, user)
        if thread is not None:
            try:
                await self.delivery.send_reply(bot, self.staff, reply, thread=thread, skip=done, progress=note)
                return
            except Undeliverable as exc:
                if exc.kind == TOPIC_CLOSED:
                    if await self._reopen(bot, user, thread):
                        await self.delivery.send_reply(bot, self.staff, reply, thread=thread, skip=done, progress=note)
                        return
                elif exc.kind == TOPIC_GONE:
                    log.info("the topic of %s was deleted; making it again", user)
                    await asyncio.to_thread(self.tables.forget_topic, user)
                    again = not any(b.data.startswith("take:") for b in reply.buttons)
                    thread = await self.topic(bot, user, again=again)
                    if thread is not None:
                        await self.delivery.send_reply(bot, self.staff, reply, thread=thread, skip=done, progress=note)
                        return
                else:
                    raise
        # no topic: the title heads the message, and replying to it reaches the customer
        title = await asyncio.to_thread(self.engine.topic_title, user) or user
        sent: list[int] = []
        headed = Reply(f"💬 {title}\n{reply.text}".rstrip(), reply.buttons, reply.media)
        try:
            await self.delivery.send_reply(bot, self.staff, headed, sent=sent, skip=done, progress=note)
        finally:
            for message_id in sent:
                await asyncio.to_thread(self.tables.add_post, message_id, user)

    async def _reopen(self, bot: Any, user: str, thread: int) -> bool:
        """Reopen a topic a consultant closed; False when the bot may not (it posts in the chat instead)."""
        try:
            await self.delivery.call(lambda: bot.reopen_forum_topic(self.staff, thread))
        except Undeliverable as exc:
            if exc.kind in (GONE, RETRY):
                raise
            log.warning("the topic of %s is closed and could not be reopened (%s): posting in the chat", user, exc)
            return False
        log.info("reopened the closed topic of %s", user)
        return True

    async def topic(self, bot: Any, user: str, *, again: bool = False) -> int | None:
        """The customer's topic in the staff chat (made on first use; renamed for a new ticket), or None."""
        async with self._locks.hold(user):  # two notices for a new customer never make two topics
            found, title = await asyncio.gather(
                asyncio.to_thread(self.tables.topic, user), asyncio.to_thread(self.engine.topic_title, user)
            )
            title = title or user
            if found is None:
                found = await self._found(user)
            if found is not None:
                thread, shown = found
                if shown != title:
                    await self._rename(bot, user, thread, title)
                return thread
            loop = asyncio.get_running_loop()
            if loop.time() < self._no_topics_until:
                return None
            await asyncio.to_thread(self.tables.making_topic, user, title)
            try:
                topic = await self.delivery.call(lambda: bot.create_forum_topic(self.staff, title))
            except Undeliverable as exc:
                if not _maybe_done(exc.cause):  # refused, or an answer: no topic was made
                    await asyncio.to_thread(self.tables.making_topic, user, None)
                if exc.kind != NO_RIGHTS:
                    raise
                log.warning("no topics can be made in the staff chat (%s): posting in the chat itself", exc.cause)
                self._no_topics_until = loop.time() + TOPICS_AGAIN
                return None
            if topic is None:  # answered too late: it was most likely made, and its update will say which
                raise Undeliverable(RETRY, RuntimeError("createForumTopic was answered too late"))
            thread = int(topic.message_thread_id)
            await asyncio.to_thread(self.tables.set_topic, user, thread, title)
            log.info("made topic %s for %s", thread, user)
            if again:  # the old topic was deleted: the context card heads the new one
                card = await asyncio.to_thread(self.engine.topic_card, user)
                if card is not None:
                    await self.delivery.send_reply(bot, self.staff, card, thread=thread)
            return thread

    async def _found(self, user: str) -> tuple[int, str] | None:
        """A topic made for the customer before a restart, by its "topic created" update; None to make one.

        Raises a transient fault while that update may still come (the first seconds of this run).
        """
        making = await asyncio.to_thread(self.tables.topic_in_making, user)
        if making is None:  # none in making, or its "created" update was recorded since topic() looked
            return await asyncio.to_thread(self.tables.topic, user)
        seen = await asyncio.to_thread(self.tables.seen_topic_named, making)
        if seen is not None:
            self._finding.pop(user, None)
            await asyncio.to_thread(self.tables.set_topic, user, seen, making)
            log.info("found topic %s, made for %s before a restart", seen, user)
            return seen, making
        loop = asyncio.get_running_loop()
        first = self._finding.setdefault(user, loop.time())
        if loop.time() - first < FIND_WAIT:
            raise Undeliverable(RETRY, RuntimeError("looking for a topic made before a restart"))
        log.warning("a topic for %s was asked for before a restart and never seen: making one", user)
        self._finding.pop(user, None)
        return None

    async def _rename(self, bot: Any, user: str, thread: int, title: str) -> None:
        try:
            await self.delivery.call(lambda: bot.edit_forum_topic(self.staff, thread, name=title))
        except Undeliverable as exc:
            if exc.kind == GONE:
                raise
            if exc.kind == RETRY:
                return  # renamed next time
            log.info("could not rename the topic of %s (%s)", user, exc.cause)  # unchanged or gone: sending will tell
        await asyncio.to_thread(self.tables.set_topic, user, thread, title)


def _maybe_done(exc: BaseException) -> bool:
    """Whether a failed call may have been done all the same: the connection broke before its answer."""
    return isinstance(exc, ConnectionBroke | AnswerLate)
