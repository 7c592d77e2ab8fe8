"""Notices and the staff chat: messages queued outside turns, delivered so that one broken chat stalls none.

Notices (RMA status changes, ticket cards, relays both ways) are queued by the engine in SQLite; the
adapter takes them into its ledger (:mod:`.ledger`) and delivers them as they come
(:meth:`StaffChat.run_notices`): to customers on Telegram, and to the staff chat, where each customer has
a topic (:mod:`.topics`). Each notice ends, and the queue moves on whatever happens to one:

* a transient fault waits with backoff (up to a cap, then it is set aside); later notices to the same
  chat wait behind it, to keep their order, and those to other chats go on;
* a customer who blocked the bot: set aside, and the staff chat is told, once;
* a staff chat the bot cannot post in (removed, kicked): its notices are held and the rest flow; the
  customers waiting for consultants are told, once; the chat is looked at again with backoff, and when
  it is back (or Telegram says the bot was added again) the held notices go, in order, once each;
* anything else Telegram refuses for good: set aside with the reason.

The same loop sweeps RMA expiries, posts the waiting chats at opening time, and tries again the replies
that could not be sent (:meth:`.delivery.Delivery.retry_due`).
"""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

from telegram.error import TelegramError

from bot.adapters.telegram.delivery import Delivery
from bot.adapters.telegram.faults import BLOCKED, GONE, RETRY, Undeliverable, backoff, wait_for
from bot.adapters.telegram.ledger import ASIDE, HELD, SENT, Queued
from bot.adapters.telegram.perchat import KeyedLocks
from bot.adapters.telegram.port import EnginePort
from bot.adapters.telegram.settings import TelegramSettings, customer_chat
from bot.adapters.telegram.tables import TelegramTables
from bot.adapters.telegram.topics import Topics
from bot.core.messages import Reply

log = logging.getLogger(__name__)

NOTICE_POLL = 1.0  # seconds between looks for notices queued by others (the CLI, the sweep)
SWEEP_EVERY = 300.0  # seconds between RMA expiry sweeps
NOTICE_BATCH = 200
NOTICE_TRIES = 16  # transient faults before a notice is set aside (about 12 minutes with the backoff)
RETRY_CAP = 60.0
PROBE_FIRST, PROBE_CAP = 2.0, 60.0  # seconds between looks at a staff chat the bot cannot post in
STREAK = 3  # transient faults in a row, to different chats: Telegram is unreachable, the round ends
LANES = 8  # customers served side by side (and the staff chat)


class StaffChat:
    """Delivers notices and keeps the customers' topics in the staff chat."""

    def __init__(
        self, engine: EnginePort, settings: TelegramSettings, tables: TelegramTables, delivery: Delivery
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.tables = tables
        self.delivery = delivery
        self.topics = Topics(engine, settings, tables, delivery)
        self._wake = asyncio.Event()  # set when a turn may have queued notices
        self._warned_no_staff = False
        self._wait: dict[int, float] = {}  # queued notice -> loop time before which it is not tried again
        self._down: str | None = None  # why the bot cannot post in the staff chat (None: it can, as far as known)
        self._probe_at = 0.0
        self._probes = 0
        self._unreached: set[str] = set()  # customers told that consultants cannot be reached just now
        self._locks: KeyedLocks[str] = KeyedLocks()  # one delivery at a time to a target

    def wake(self) -> None:
        """Look for notices now (a turn or a consultant may have queued some)."""
        self._wake.set()

    def customer_of(self, msg: Any) -> str | None:
        """The customer a staff chat message is about: by its topic, or by the customer's message it replies to."""
        thread = getattr(msg, "message_thread_id", None)
        if getattr(msg, "is_topic_message", False) and thread:
            found = self.tables.customer_of_topic(thread)
            if found is not None:
                return found
        reply = getattr(msg, "reply_to_message", None)
        return self.tables.customer_of_post(reply.message_id) if reply is not None else None

    def retry_now(self) -> None:
        """Try waiting notices now, not after their backoff (what they waited for has happened)."""
        self._wait.clear()
        self.wake()

    def staff_alive(self) -> None:
        """The staff chat showed signs of life (a message, the bot added again): look at it now."""
        if self._down is not None:
            self._probe_at = 0.0
            self.wake()

    def staff_gone(self, reason: str) -> None:
        """Telegram says the bot left the staff chat: hold its notices until it is back."""
        self._went_down(reason)

    async def run_notices(self, bot: Any, stop: asyncio.Event) -> None:
        """Deliver notices as they are queued, until ``stop``; sweep RMA expiries, post chats at opening time."""
        last_sweep = last_opening = -1e9
        loop = asyncio.get_running_loop()
        held, reason = await asyncio.to_thread(self.tables.held)
        if held:  # held before a restart: look at the staff chat at once
            self._down = reason or "unreachable before the restart"
        while not stop.is_set():
            try:
                if loop.time() - last_sweep >= SWEEP_EVERY:
                    last_sweep = loop.time()
                    await asyncio.to_thread(self.engine.sweep)
                if loop.time() - last_opening >= self.engine.opening_sweep_seconds:
                    last_opening = loop.time()
                    await asyncio.to_thread(self.engine.open_desk)
                await self._probe(bot)
                await self.deliver_notices(bot)
                await self.delivery.retry_due(bot)
            except Exception:  # one bad notice must not stop the others, nor the bot
                log.exception("delivering notices failed; retrying shortly")
            self._wake.clear()
            await _either(self._wake, stop, timeout=NOTICE_POLL)  # a SIGTERM ends the wait at once

    def _take(self) -> int:
        """Take the engine's queued notices into the ledger (recorded, then confirmed to the engine)."""
        notices = self.engine.notices(prefix="tg:", limit=NOTICE_BATCH)
        for notice in notices:
            self.tables.take(notice.id, notice.target, notice.reply)
            self.engine.notice_sent(notice)
        return len(notices)

    async def deliver_notices(self, bot: Any) -> int:
        """One round over the queued notices; returns how many were delivered.

        The staff chat's notices go one after another (its topics are made in the order of the tickets);
        each customer's go in order too, and customers are served side by side, so one slow chat holds no other.
        """
        while await asyncio.to_thread(self._take) == NOTICE_BATCH:
            pass
        lanes: dict[str, list[Queued]] = {}
        for item in await asyncio.to_thread(self.tables.pending, 5 * NOTICE_BATCH):
            lanes.setdefault("staff" if _is_staff(item.target) else item.target, []).append(item)
        now = asyncio.get_running_loop().time()
        slots = asyncio.Semaphore(LANES)
        delivered = streak = 0

        async def lane(items: list[Queued]) -> None:
            nonlocal delivered, streak
            waiting: set[str] = set()  # targets whose earlier notice waits: theirs keep their order
            async with slots:
                for item in items:
                    if streak >= STREAK:
                        return  # Telegram cannot be reached: the next round will tell
                    if item.target in waiting or self._wait.get(item.id, 0.0) > now:
                        waiting.add(item.target)
                        continue
                    end = await self._deliver(bot, item)
                    delivered += end == SENT
                    streak = streak + 1 if end == RETRY else 0
                    if end == RETRY:
                        waiting.add(item.target)

        await asyncio.gather(*(lane(items) for items in lanes.values()))
        return delivered

    async def deliver_to(self, bot: Any, target: str) -> None:
        """Deliver the notices queued for one target now.

        A consultant's words to a customer go before the consultant reads that the customer was told.
        """
        await asyncio.to_thread(self._take)
        for item in await asyncio.to_thread(self.tables.pending, NOTICE_BATCH, target=target):
            if (
                self._wait.get(item.id, 0.0) > asyncio.get_running_loop().time()
                or await self._deliver(bot, item) == RETRY
            ):
                break

    async def _deliver(self, bot: Any, item: Queued) -> str:
        """Deliver one notice, unless it was meanwhile; returns how it ended (sent, held, set aside) or RETRY."""
        async with self._locks.hold(item.target):  # the loop, or deliver_to
            now = await asyncio.to_thread(self.tables.queued, item.id)  # as it is now (parts sent meanwhile)
            if now is None:
                return SENT
            return await self._deliver_now(bot, now)

    async def _deliver_now(self, bot: Any, item: Queued) -> str:
        staff = _is_staff(item.target)
        chat = self.settings.staff_chat_id if staff else _chat_of(item.target)
        if not staff:
            bot = self.delivery.bot_for(item.target, bot)  # a customer hears from the bot they wrote to
            chat = chat if bot is not None else None
        if chat is None:
            if staff and not self._warned_no_staff:
                log.warning("no SUPPORTBOT_STAFF_CHAT_ID: RMA cards and staff notes are not posted anywhere")
                self._warned_no_staff = True
            await self._end(item, ASIDE, "no staff chat configured" if staff else "no Telegram chat of a running bot")
            return ASIDE
        if staff and self._down is not None:
            await self._hold(item)
            return HELD

        async def progress(parts: int) -> None:
            await self.delivery.record(self.tables.sent_parts, item.id, parts)

        try:
            if item.target.startswith("staff:"):
                await self.topics.post(bot, item.target[6:], item.reply, skip=item.parts, progress=progress)
            else:
                await self.delivery.send_reply(bot, chat, item.reply, skip=item.parts, progress=progress)
        except Undeliverable as exc:
            return await self._failed(item, exc, staff, chat)
        await self._end(item, SENT)
        if staff:
            self._probes = 0
        else:
            await asyncio.to_thread(
                self.tables.unblock, chat, _bot_of(item.target)
            )  # it reached them: they do not block the bot
        return SENT

    async def _failed(self, item: Queued, exc: Undeliverable, staff: bool, chat: int) -> str:
        if exc.kind == RETRY:
            tries = await asyncio.to_thread(self.tables.tried, item.id, str(exc.cause))
            if tries >= NOTICE_TRIES:
                log.error("gave up on a notice to %s after %d tries: %s", item.target, tries, exc.cause)
                await self._end(item, ASIDE, f"gave up after {tries} tries: {exc.cause}")
                return ASIDE
            wait = wait_for(exc.cause, tries, cap=RETRY_CAP)
            self._wait[item.id] = asyncio.get_running_loop().time() + wait
            log.warning(
                "could not deliver a notice to %s yet (%s); trying again in %.0fs", item.target, exc.cause, wait
            )
            return RETRY
        if staff and exc.kind == GONE:
            self._went_down(str(exc.cause))
            await self._hold(item)
            return HELD
        if not staff and exc.kind in (BLOCKED, GONE):
            why = "blocked by the user" if exc.kind == BLOCKED else f"the chat cannot be reached: {exc.cause}"
            log.info("a notice to %s is set aside: %s", item.target, why)
            await self._end(item, ASIDE, why)
            await asyncio.to_thread(self.tables.block, chat, _bot_of(item.target))
            if not item.own:
                await self._tell_staff_unreachable(item.target, chat, exc.kind == BLOCKED)
            return ASIDE
        log.error("Telegram refused a notice to %s for good (%s): set aside", item.target, exc.cause)
        await self._end(item, ASIDE, f"refused: {exc.cause}")
        return ASIDE

    async def _end(self, item: Queued, state: str, reason: str | None = None) -> None:
        self._wait.pop(item.id, None)
        await self.delivery.record(self.tables.finish, item.id, state, reason)

    # -- customers the bot cannot reach ------------------------------------------------------------------

    async def _tell_staff_unreachable(self, user: str, chat: int, blocked: bool) -> None:
        """Tell the staff chat, once until they write again, that a customer cannot be reached."""
        if self.settings.staff_chat_id is None:
            return
        if not await asyncio.to_thread(self.tables.staff_told_blocked, chat, _bot_of(user)):
            return
        topic, title = await asyncio.gather(
            asyncio.to_thread(self.tables.topic, user), asyncio.to_thread(self.engine.topic_title, user)
        )
        await asyncio.to_thread(
            self.tables.take, None, f"staff:{user}" if topic else "staff", unreachable(title, user, blocked)
        )
        self.wake()

    # -- a staff chat the bot cannot post in --------------------------------------------------------------

    def _went_down(self, reason: str) -> None:
        if self._down is None:
            log.error("the bot cannot post in the staff chat (%s): its messages are kept until it can", reason)
            self._down = reason
            self._probe_at = asyncio.get_running_loop().time() + backoff(self._probes + 1, first=PROBE_FIRST)

    async def _hold(self, item: Queued) -> None:
        await self._end(item, HELD, f"the staff chat cannot be reached: {self._down}")
        user = item.target[6:] if item.target.startswith("staff:tg:") and not item.own else None
        if user is not None and user not in self._unreached:  # the customer was told consultants have it
            self._unreached.add(user)
            await self._tell_customer(user, "handoff_unreachable")

    async def _tell_customer(self, user: str, wording: str) -> None:
        """Queue a note for a customer, in the language the bot speaks with them."""
        if _chat_of(user) is None:
            return
        text = await asyncio.to_thread(self.engine.say_to, user, wording)
        await asyncio.to_thread(self.tables.take, None, user, Reply(text))

    async def _probe(self, bot: Any) -> None:
        """While the staff chat cannot be reached, look at it with backoff; when it is back, release its notices."""
        loop = asyncio.get_running_loop()
        if self._down is None or loop.time() < self._probe_at or self.settings.staff_chat_id is None:
            return
        self._probes += 1
        self._probe_at = loop.time() + backoff(self._probes, first=PROBE_FIRST, cap=PROBE_CAP)
        try:
            await bot.get_chat(self.settings.staff_chat_id)
        except TelegramError as exc:
            log.info(
                "the staff chat still cannot be reached (%s); looking again in %.0fs", exc, self._probe_at - loop.time()
            )
            return
        held, reason = await asyncio.to_thread(self.tables.held)
        note = f"✅ The bot can post here again. It could not ({reason or self._down})"
        note += f"; the {held} messages kept meanwhile follow, in order." if held else "."
        try:
            await self.delivery.send(bot, self.settings.staff_chat_id, html.escape(note, quote=False), None)
        except Undeliverable as exc:
            log.info("the staff chat still cannot be reached (%s)", exc)
            return
        log.info("the staff chat can be reached again: delivering the %d notices held", held)
        await asyncio.to_thread(self.tables.release_held)
        self._down = None
        for user in sorted(self._unreached):
            await self._tell_customer(user, "handoff_reached")
        self._unreached.clear()
        self.wake()


def unreachable(title: str | None, user: str, blocked: bool) -> Reply:
    """What the staff chat is told about a customer the bot cannot reach (once, until they write again)."""
    who = title or user
    if blocked:
        return Reply(
            f"⚠️ {who} has blocked the bot: nothing sent to them arrives (it stays on the ticket) "
            "until they write to the bot again."
        )
    return Reply(
        f"⚠️ {who} cannot be reached on Telegram (the account is gone or deactivated): nothing sent to them arrives."
    )


def _is_staff(target: str) -> bool:
    return target == "staff" or target.startswith("staff:")


def _chat_of(target: str) -> int | None:
    found = customer_chat(target)
    return found[1] if found is not None else None


def _bot_of(target: str) -> str:
    found = customer_chat(target)
    return found[0] if found is not None else ""


async def _either(first: asyncio.Event, second: asyncio.Event, *, timeout: float) -> None:
    """Wait until either event is set, or ``timeout`` seconds."""
    waits = {asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())}
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
