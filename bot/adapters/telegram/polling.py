"""Long polling through our own loop over ``getUpdates``, confirming an update only once it is kept.

Telegram forgets an update once ``getUpdates`` is asked for a higher offset: that is how an update is
confirmed. The loop keeps each update it fetches in the adapter's ``tg_inbox`` table (:mod:`.tables`)
before it asks past it, and records the offset just past the updates *handled* (those below it all are);
at start, the updates kept and not handled (a crash left them) are handled first. So a crash loses no
update, and the engine's outbox makes sure that handling one again repeats no reply.

Handling never holds the next ``getUpdates``: each update is handed to its chat's lane as soon as it is
fetched (chats side by side, each chat's updates in order), and the next long poll is under way while it
is handled, so a message that comes meanwhile is fetched at once and Telegram's answer to a reply does
not queue behind a poll. At most :data:`UNDER_WAY` updates are being handled at once; beyond that the loop
waits for some to be done before it fetches more.

Updates are read one by one from Telegram's JSON: one PTB cannot parse (a self-hosted Bot API server
older than PTB, say) is logged, skipped and confirmed, and the others are served; nothing that goes
wrong in one round of the loop stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from functools import partial
from typing import Any

from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import BaseUpdateProcessor

from bot.adapters.telegram import observe, raw
from bot.adapters.telegram.faults import wait_for
from bot.adapters.telegram.tables import TelegramTables

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
POLL_TIMEOUT = 25
UNDER_WAY = 500  # updates being handled at once, at most (five of Telegram's answers): then the loop waits
LOOK_AGAIN = 0.1  # seconds: the longest wait for an update to be handled before the loop looks again
SAVE_EVERY = 0.2  # seconds between saves of the handled offset, at least (each drops the kept updates before it)
STOP_GRACE = 10.0  # seconds the updates under way may take to be handled when the bot stops


class Backlog:
    """The updates fetched and not yet confirmed, each handled in its chat's lane; the offset they allow."""

    def __init__(self, app: Any, offset: int | None) -> None:
        self.app = app
        self.offset = offset  # every update below it is handled (None: none was ever confirmed)
        self._handled: dict[int, bool] = {}  # update id (at or above the offset) -> handled yet
        self._lanes: dict[int, asyncio.Task[None]] = {}  # chat -> the last update of it under way
        self.progress = asyncio.Event()  # set when an update was handled

    def under_way(self) -> int:
        """How many updates are fetched and not yet handled (or wait for one before them)."""
        return len(self._handled)

    def take(self, raw: list[dict[str, Any]]) -> None:
        """Start handling the updates not seen yet (in order within each chat)."""
        for data in raw:
            update_id = int(data["update_id"])
            if update_id in self._handled or (self.offset is not None and update_id < self.offset):
                continue
            update = parsed(data, self.app.bot)
            if update is None:
                self._done(update_id)
                continue
            self._handled[update_id] = False
            chat = update.effective_chat.id if update.effective_chat else 0
            previous = self._lanes.get(chat)
            task = asyncio.create_task(self._handle(update, previous))
            self._lanes[chat] = task
            task.add_done_callback(partial(self._finished, chat=chat, update_id=update_id))

    async def _handle(self, update: Update, previous: asyncio.Task[None] | None) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        failures = 0
        while True:  # PTB hands a handler's error to the error handler: this is for a failure of PTB itself
            try:
                await self.app.process_update(update)
                return
            except Exception as exc:
                failures += 1
                delay = wait_for(exc, failures, cap=30)
                log.error("update %s could not be handled (%r); trying again in %.0fs", update.update_id, exc, delay)
                await asyncio.sleep(delay)

    def _finished(self, task: asyncio.Task[None], *, chat: int, update_id: int) -> None:
        if self._lanes.get(chat) is task:
            del self._lanes[chat]
        if not task.cancelled():
            self._done(update_id)

    def _done(self, update_id: int) -> None:
        self._handled[update_id] = True
        for handled in sorted(self._handled):  # the offset moves past the handled updates that come first
            if not self._handled[handled]:
                break
            del self._handled[handled]
            self.offset = handled + 1
        self.progress.set()

    async def wait(self, timeout: float) -> None:
        """Until an update is handled, or ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.progress.wait(), timeout)
        self.progress.clear()

    async def finish(self, timeout: float) -> None:
        """Let the updates under way be handled (up to ``timeout`` seconds); those left stay unconfirmed."""
        lanes = list(self._lanes.values())
        if lanes:
            _, left = await asyncio.wait(lanes, timeout=timeout)
            for task in left:
                task.cancel()
            if left:
                log.warning("stopped with %d chats' updates not handled: they come again at the next start", len(left))
                await asyncio.wait(left)


class ChatOrder(BaseUpdateProcessor):
    """For a webhook: updates of different chats handled side by side, each chat's in the order they came.

    (PTB's default handles one update at a time: one waiting for Telegram's limits would hold every chat.)
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._lanes: dict[int, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle ``update`` after the updates of its chat that came before it."""
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        previous = self._lanes.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._lanes[key] = mine
        try:
            if previous is not None:
                await asyncio.wait({previous})
            await coroutine
        finally:
            mine.set_result(None)
            if self._lanes.get(key) is mine:
                del self._lanes[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


async def poll(app: Any, tables: TelegramTables, stop: asyncio.Event, *, bot: str = "") -> None:
    """The polling loop: fetch while earlier updates are handled; confirm each once kept (see the docstring).

    ``bot``: a further bot's name, whose offset is its own.
    """
    backlog = Backlog(app, await asyncio.to_thread(tables.offset, bot))
    saved = backlog.offset
    kept = await asyncio.to_thread(tables.kept_updates, bot)
    if kept:
        log.info("handling %d updates fetched before the last stop and not handled then", len(kept))
        backlog.take(kept)
    asked = max((int(u["update_id"]) + 1 for u in kept), default=backlog.offset)  # Telegram's offset

    async def save() -> None:  # a handled offset saved late only means updates handled again after a crash
        nonlocal saved
        try:
            while backlog.offset is not None and backlog.offset != saved:
                offset = backlog.offset
                await asyncio.to_thread(tables.set_offset, offset, bot)
                saved = offset
        except Exception as exc:  # the kept updates stay: the next save catches up
            log.warning("could not save the polling offset (%r)", exc)

    async def saving() -> None:  # as updates are handled, at most every SAVE_EVERY seconds
        while True:
            await backlog.wait(POLL_TIMEOUT)
            await save()
            await asyncio.sleep(SAVE_EVERY)

    failures = 0
    saver = asyncio.create_task(saving())
    try:
        while not stop.is_set():
            try:
                if backlog.under_way() >= UNDER_WAY:
                    await backlog.wait(LOOK_AGAIN)
                    continue
                fetch = asyncio.ensure_future(fetch_updates(app.bot, asked))
                stopping = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if fetch not in done:
                    fetch.cancel()
                    break
                stopping.cancel()
                observe.polled()
                fetched = [u for u in fetch.result() if asked is None or u["update_id"] >= asked]
                if fetched:
                    observe.received()
                    backlog.take(fetched)  # handled at once; kept before Telegram is told it may forget them
                    await asyncio.to_thread(tables.keep_updates, fetched, bot)
                    asked = max(u["update_id"] for u in fetched) + 1
                failures = 0
            except InvalidToken:
                raise
            except Exception as exc:  # nothing in one round stops the loop: wait, then go on
                failures += 1
                observe.error("poll")
                delay = wait_for(exc, failures, cap=30)
                log.warning("getUpdates round failed (%r); going on in %.0fs", exc, delay)
                await asyncio.sleep(delay)
    finally:
        await backlog.finish(STOP_GRACE)
        saver.cancel()
        await asyncio.wait({saver})
        await save()


async def fetch_updates(bot: Any, offset: int | None, timeout: float = POLL_TIMEOUT) -> list[dict[str, Any]]:
    """The next updates as Telegram's JSON (parsed one by one by :func:`parsed`)."""
    kwargs: dict[str, Any] = {"timeout": timeout, "allowed_updates": ALLOWED_UPDATES}
    if offset is not None:
        kwargs["offset"] = offset
    # not Bot.get_updates: it parses the whole batch, and one update it cannot read loses the batch
    found = await raw.call(bot, "get_updates", kwargs, read_timeout=POLL_TIMEOUT + 10)
    return [u for u in found if isinstance(u, dict) and isinstance(u.get("update_id"), int)] if found else []


def parsed(data: dict[str, Any], bot: Any) -> Update | None:
    """The update, if PTB can read it; one it cannot is logged and skipped (and confirmed all the same)."""
    try:
        return Update.de_json(data, bot)
    except Exception as exc:
        log.error("skipped update %s, which could not be read (%r)", data.get("update_id"), exc)
        log.debug("the update skipped: %.500s", data)  # what a customer wrote: never above DEBUG
        return None
