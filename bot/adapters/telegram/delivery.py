"""Sending to Telegram: replies with their media, faults sorted (:mod:`.faults`), and the outbox.

Each customer turn's replies are recorded by the engine before they are sent (its outbox); here they are
sent one by one and each is recorded as delivered as it goes, so a crash and restart neither loses nor
repeats a reply (:meth:`Delivery.flush_outbox` sends what a crash left).

A call that fails for a moment (429, 5xx, a dropped connection) is tried again at once a few times, with
short waits; one that still fails, or asks for a long wait, is left in the outbox and tried again while
the bot runs (:meth:`Delivery.retry_due`), with backoff, up to a cap; then it is set aside with the
reason. A call answered too late to know is taken as sent: sending it again would show it twice. A chat
that blocked the bot is remembered, and its replies set aside, until it writes again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from telegram import InputMediaDocument, InputMediaPhoto, InputMediaVideo, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.adapters.telegram import observe, raw
from bot.adapters.telegram.faults import BLOCKED, GONE, RETRY, UNSURE, Undeliverable, fault_of, retry_after, wait_for
from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.render import messages
from bot.adapters.telegram.settings import customer_chat, user_key
from bot.adapters.telegram.tables import TelegramTables
from bot.core.messages import Media, Reply, Unsent

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3  # calls for one message at once; then the retry loop takes it on
INLINE_WAIT = 3.0  # seconds the bot waits at most between those (a longer 429 goes to the retry loop)
REPLY_TRIES = 16  # rounds of the retry loop before a reply is set aside (about 12 minutes with the backoff)
RETRY_CAP = 60.0  # seconds between rounds at most
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # a reply's links (the brand's site) open no preview card


class Delivery:
    """Sends replies and media; records delivery with the engine's outbox."""

    def __init__(self, engine: EnginePort, tables: TelegramTables) -> None:
        self.engine = engine
        self.tables = tables
        self._busy: set[str] = set()  # messages whose replies are being delivered now
        self._due: dict[str, tuple[int, float, int]] = {}  # message id -> (rounds so far, when to try again, chat)
        self._chains: dict[int, asyncio.Task[None]] = {}  # chat -> the last delivery under way to it
        self._records = ThreadPoolExecutor(1, thread_name_prefix="delivered")
        self.bots: dict[str, Any] = {}  # each bot by name ("" the first): a customer is written to by their bot

    def bot_for(self, key: str, default: Any) -> Any | None:
        """The bot a customer wrote to (by their conversation key; ``default`` is the first); None: not running."""
        found = customer_chat(key)
        if found is None or not found[0]:
            return default
        return self.bots.get(found[0])

    def name_of(self, bot: Any) -> str:
        """The name of a bot ("" the first, or one not registered)."""
        return next((name for name, known in self.bots.items() if known is bot), "")

    async def record(self, write: Callable[..., Any], *args: Any) -> None:
        """Record a delivery at once, in a thread of its own (not behind turns waiting for the shared threads).

        Between Telegram's answer and this record a crash would send the message again: the shorter, the better.
        """
        await asyncio.get_running_loop().run_in_executor(self._records, write, *args)

    def later(self, chat: int, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` (a delivery to ``chat``) after those under way to it, in order, without waiting for it.

        A turn is safe once the engine recorded it (its outbox): its delivery need not hold the polling
        loop, so one slow or failing chat never keeps the others waiting. ``work`` handles its own errors.
        """
        previous = self._chains.get(chat)

        async def chained() -> None:
            if previous is not None:
                await asyncio.wait({previous})
            await work()

        task = asyncio.create_task(chained())
        self._chains[chat] = task

        def done(finished: asyncio.Task[None]) -> None:
            if self._chains.get(chat) is finished:
                del self._chains[chat]
            if not finished.cancelled() and finished.exception() is not None:
                log.error("a delivery to chat %s failed", chat, exc_info=finished.exception())

        task.add_done_callback(done)

    async def drain(self, timeout: float) -> None:
        """Wait (up to ``timeout`` seconds) for the deliveries under way; the outbox keeps what is left."""
        if self._chains:
            await asyncio.wait(list(self._chains.values()), timeout=timeout)

    # -- replies to a customer's message --------------------------------------------------------------

    async def deliver(
        self, bot: Any, chat_id: int, message_id: str, replies: list[Reply], *, fresh: bool = False
    ) -> None:
        """Send the replies not yet delivered for a message, recording each as it goes out.

        A reply Telegram refuses for good is set aside and the next one sent; the refusal is raised at the
        end when it was the last (the error handler apologises). Transient faults leave it to the retry loop.
        ``fresh``: the replies were made just now for a customer who just wrote, so none went out yet and
        the chat is not blocked (nothing to look up before sending the first).
        """
        if message_id in self._busy:
            return
        self._busy.add(message_id)
        try:
            if await self._earlier_waits(bot, chat_id, message_id):  # replies keep their order
                waits = Undeliverable(RETRY, RuntimeError("an earlier reply to the chat waits"))
                await self._later(chat_id, message_id, replies, 0, waits)
                return
            await self._deliver(bot, chat_id, message_id, replies, fresh=fresh and message_id not in self._due)
        finally:
            self._busy.discard(message_id)

    async def _earlier_waits(self, bot: Any, chat_id: int, message_id: str) -> bool:
        """Try the chat's earlier replies that wait for the retry loop; True when one still waits."""
        if not any(c == chat_id and m != message_id for m, (_, _, c) in self._due.items()):
            return False
        for unsent in await asyncio.to_thread(self.engine.unsent):
            if unsent.message_id == message_id:
                break
            if (
                unsent.message_id in self._due
                and unsent.message_id not in self._busy
                and unsent.user == user_key(chat_id, self.name_of(bot))
            ):
                self._busy.add(unsent.message_id)
                try:
                    await self._deliver(bot, chat_id, unsent.message_id, list(unsent.replies))
                except TelegramError as exc:
                    log.warning("could not deliver an earlier reply to chat %s: %s", chat_id, exc)
                finally:
                    self._busy.discard(unsent.message_id)
                if unsent.message_id in self._due:
                    return True
        return False

    async def _deliver(
        self, bot: Any, chat_id: int, message_id: str, replies: list[Reply], *, fresh: bool = False
    ) -> None:
        sent, blocked = 0, False
        if not fresh:
            sent, blocked = await asyncio.to_thread(self._delivery_state, chat_id, message_id, self.name_of(bot))
        if blocked:
            await self._set_aside(chat_id, message_id, replies, sent, "blocked by the user")
            return
        refused: Undeliverable | None = None  # the last reply, refused for good
        for index, reply in enumerate(replies):
            if index < sent:
                continue
            try:
                await self.send_reply(bot, chat_id, reply)
            except Undeliverable as exc:
                if exc.kind == RETRY:
                    await self._later(chat_id, message_id, replies, index, exc)
                    return
                if exc.kind in (BLOCKED, GONE):
                    why = "blocked by the user" if exc.kind == BLOCKED else f"the chat cannot be reached: {exc.cause}"
                    log.info("chat %s: %s; not sending to it until it writes", chat_id, why)
                    await asyncio.to_thread(self.tables.block, chat_id, self.name_of(bot))
                    await self._set_aside(chat_id, message_id, replies, index, why)
                    return
                log.error("Telegram refused a reply to chat %s (%s): set aside", chat_id, exc)
                await asyncio.to_thread(self.tables.reply_aside, message_id, chat_id, 1, f"refused: {exc.cause}")
                refused = exc if index == len(replies) - 1 else None
            await self.record(self.engine.mark_sent, message_id, index + 1)
        self._due.pop(message_id, None)
        if refused is not None:
            raise refused.cause

    def _delivery_state(self, chat_id: int, message_id: str, bot: str) -> tuple[int, bool]:
        return self.engine.delivered(message_id), self.tables.blocked(chat_id, bot)

    async def _later(self, chat_id: int, message_id: str, replies: list[Reply], index: int, exc: Undeliverable) -> None:
        rounds = self._due.get(message_id, (0, 0.0, chat_id))[0] + 1
        if rounds >= REPLY_TRIES:
            log.error("gave up on a reply to chat %s after %d rounds: %s", chat_id, rounds, exc.cause)
            await self._set_aside(chat_id, message_id, replies, index, f"gave up after {rounds} rounds: {exc.cause}")
            return
        wait = wait_for(exc.cause, rounds, cap=RETRY_CAP)
        self._due[message_id] = (rounds, asyncio.get_running_loop().time() + wait, chat_id)
        log.warning("could not reply to chat %s yet (%s); trying again in %.0fs", chat_id, exc.cause, wait)

    async def _set_aside(self, chat_id: int, message_id: str, replies: list[Reply], index: int, why: str) -> None:
        self._due.pop(message_id, None)
        if index < len(replies):
            await asyncio.to_thread(self.tables.reply_aside, message_id, chat_id, len(replies) - index, why)
        await self.record(self.engine.mark_sent, message_id, len(replies))

    async def flush_outbox(self, bot: Any) -> int:
        """At start-up: deliver replies that a crash left unsent. Returns how many messages had some."""
        pending = await asyncio.to_thread(self.engine.unsent)
        for unsent in pending:
            await self._flush(bot, unsent)
        return len(pending)

    async def retry_due(self, bot: Any) -> int:
        """Try again the replies whose time has come (see the module's docstring); returns how many."""
        now = asyncio.get_running_loop().time()
        due = {m for m, (_, at, _) in self._due.items() if at <= now and m not in self._busy}
        if not due:
            return 0
        pending = await asyncio.to_thread(self.engine.unsent)
        for unsent in pending:
            if unsent.message_id in due:
                await self._flush(bot, unsent)
        for gone in due - {u.message_id for u in pending}:
            self._due.pop(gone, None)  # delivered meanwhile
        return len(due)

    async def _flush(self, bot: Any, unsent: Unsent) -> None:
        found = customer_chat(unsent.user)
        if found is None:
            return
        if found[0] and found[0] not in self.bots:
            log.warning("replies to %s wait: its bot %r is not running", unsent.user, found[0])
            return
        try:
            await self.deliver(self.bots.get(found[0], bot), found[1], unsent.message_id, list(unsent.replies))
        except TelegramError as exc:  # refused for good and set aside: nothing more to do
            log.warning("could not deliver an earlier reply to %s: %s", unsent.user, exc)

    # -- sending ---------------------------------------------------------------------------------------------

    async def call(self, what: Callable[[], Awaitable[Any]]) -> Any:
        """Make one Bot API call, trying a transient fault again at once a few times.

        Returns its result, or None when the answer came too late to know (taken as done); raises
        :class:`~.faults.Undeliverable` with the fault's kind otherwise.
        """
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                answer = await what()
                observe.sent()
                return answer
            except TelegramError as exc:
                kind = fault_of(exc)
                observe.error(kind)
                if kind == UNSURE:
                    log.warning("a call was answered too late (%s): taken as done, not sent again", exc)
                    return None
                asked = retry_after(exc)
                if kind != RETRY or attempt == SEND_ATTEMPTS or (asked is not None and asked > INLINE_WAIT):
                    raise Undeliverable(kind, exc) from exc
                await asyncio.sleep(min(wait_for(exc, attempt, first=0.3), INLINE_WAIT))
        raise AssertionError("unreachable")

    async def send(self, bot: Any, chat_id: int, text: str, markup: Any, *, thread: int | None = None) -> int | None:
        """Send one message (see :meth:`call`): its id, or None when it is not known."""
        fields: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": ParseMode.HTML}
        fields["link_preview_options"] = NO_PREVIEW
        if markup is not None:
            fields["reply_markup"] = markup
        if thread is not None:
            fields["message_thread_id"] = thread
        return raw.message_id(await self.call(lambda: raw.call(bot, "send_message", fields)))

    async def send_reply(
        self,
        bot: Any,
        chat_id: int,
        reply: Reply,
        *,
        thread: int | None = None,
        sent: list[int] | None = None,
        skip: int = 0,
        progress: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        """Send one reply with its media (photos and videos as an album); raises Undeliverable.

        The ids of the messages sent are added to ``sent`` when given. ``skip``: its first messages went out
        already; ``progress`` is told how many have after each one.
        """
        done = 0
        for text, markup in messages(reply):
            done += 1
            if done <= skip:
                continue
            message_id = await self.send(bot, chat_id, text, markup, thread=thread)
            if sent is not None and message_id is not None:
                sent.append(message_id)
            if progress is not None:
                await progress(done)
        if reply.media and done + 1 > skip:
            ids = await self.send_media(bot, chat_id, reply.media, thread)
            if sent is not None:
                sent.extend(ids)
            if progress is not None:
                await progress(done + 1)

    async def send_media(self, bot: Any, chat_id: int, media: tuple[Media, ...], thread: int | None) -> list[int]:
        """Send media in order: photos and videos as albums, documents, charts, then one by one; their ids."""
        album = [
            InputMediaVideo(m.ref) if m.kind == "video" else InputMediaPhoto(m.ref)
            for m in media
            if m.kind in ("photo", "video")
        ]
        documents = [InputMediaDocument(m.ref) for m in media if m.kind == "document"]
        ids: list[int] = []

        async def one(send: Callable[..., Awaitable[Any]], item: Any) -> None:
            message = await self.call(lambda: send(chat_id, item, message_thread_id=thread))
            ids.extend([message.message_id] if message is not None else [])

        for group in (album, documents):
            for start in range(0, len(group), 10):  # Telegram takes 2–10 items an album
                items = group[start : start + 10]
                if len(items) == 1:
                    item = items[0]
                    if isinstance(item, InputMediaPhoto):
                        await one(bot.send_photo, item.media)
                    elif isinstance(item, InputMediaVideo):
                        await one(bot.send_video, item.media)
                    else:
                        await one(bot.send_document, item.media)
                else:
                    sent = await self.call(partial(bot.send_media_group, chat_id, items, message_thread_id=thread))
                    ids.extend(m.message_id for m in sent or ())
        for chart in (m for m in media if m.kind == "chart"):  # a picture the bot drew: uploaded from its file
            try:
                image = await asyncio.to_thread(Path(chart.ref).read_bytes)
            except OSError as exc:
                log.warning("the chart %s is gone, sending the figures without it: %s", chart.ref, exc)
                continue
            await one(bot.send_photo, image)
        senders = {
            "voice": bot.send_voice,
            "audio": bot.send_audio,
            "sticker": bot.send_sticker,
            "animation": bot.send_animation,
            "video_note": bot.send_video_note,
        }
        for single in media:  # what cannot go in an album goes one by one, in order
            if single.kind in senders:
                await one(senders[single.kind], single.ref)
        return ids
