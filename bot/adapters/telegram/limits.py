"""Telegram's limits on sending, held at once: all chats together, one chat, one group.

Telegram asks a bot to send no more than about 30 messages a second in all, no more than one a second
to one chat, and no more than 20 a minute to one group. :class:`SendLimits` holds the three exactly,
with sliding windows; a send waits until

* fewer than ``per_second`` sends were made in the last second, to all chats together;
* the chat's previous send was answered ``chat_gap`` seconds ago;
* fewer than ``group_per_minute`` sends were made to the group in the last minute (a group, supergroup
  or channel: a negative chat id, or an ``@name``). The staff chat is one.

A send counts from the moment it is asked until a second (a minute, the chat's gap) after Telegram
answered it: however long a request takes to get there, Telegram never sees more than a limit in any
window, and after a quiet spell there is no burst (a quiet minute earns nothing, unlike a token bucket).
Sends to one chat go in the order they were asked, one at a time; a send waits, it is never dropped.

:class:`Limiter` puts this under python-telegram-bot (``ApplicationBuilder.rate_limiter``), so every call
that posts or changes a message in a chat goes through it, wherever in the adapter it is made (replies,
notices, topics, edits). Other calls (``getUpdates``, ``answerCallbackQuery``, ``sendChatAction``,
``getChat``…) are not held.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram.ext import BaseRateLimiter

T = TypeVar("T")
Clock = Callable[[], float]  # seconds, monotonic
Sleep = Callable[[float], Awaitable[None]]
ChatKey = int | str

# Calls that put a message in a chat or change one (a topic made, renamed, closed or reopened is a
# service message in the group): each counts against the limits.
SENDS = frozenset(
    {
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "stopPoll",
        "stopMessageLiveLocation",
        "pinChatMessage",
        "createForumTopic",
        "editForumTopic",
        "closeForumTopic",
        "reopenForumTopic",
    }
)
NOT_SENDS = frozenset({"sendChatAction"})  # "typing…" is not a message


def counts(endpoint: str) -> bool:
    """Whether a Bot API call counts against the limits (it posts or changes a message)."""
    if endpoint in NOT_SENDS:
        return False
    return endpoint.startswith(("send", "editMessage")) or endpoint in SENDS


def chat_key(chat_id: object) -> ChatKey | None:
    """A call's ``chat_id`` as a key: a number, an ``@name``, or None when the call names no chat."""
    if isinstance(chat_id, bool) or chat_id is None:
        return None
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return text or None


def is_group(chat: ChatKey) -> bool:
    """Groups, supergroups and channels have negative ids (or a public ``@name``); users' chats positive ones."""
    return chat < 0 if isinstance(chat, int) else chat.startswith("@")


class Window:
    """At most ``count`` sends in any ``span`` seconds: a send counts from its start until ``span`` after its answer."""

    def __init__(self, count: int, span: float) -> None:
        self.count = count
        self.span = span
        self.answered: deque[float] = deque()  # answer times in the last span, oldest first
        self.flying = 0  # asked and not answered yet

    def wait(self, now: float) -> float | None:
        """Seconds until one more send may start (0: now); None while only an answer can make room."""
        while self.answered and self.answered[0] <= now - self.span:
            self.answered.popleft()
        over = len(self.answered) + self.flying - self.count + 1
        if over <= 0:
            return 0.0
        if over > len(self.answered):
            return None
        return max(0.0, self.answered[over - 1] + self.span - now)

    def start(self) -> None:
        """A send starts."""
        self.flying += 1

    def end(self, now: float, *, sent: bool = True) -> None:
        """A send was answered (or failed: it may have got there all the same); ``sent=False``: it never started."""
        self.flying -= 1
        if sent:
            self.answered.append(now)

    def idle(self, now: float) -> bool:
        """Nothing under way and nothing answered in the last span: the window may be forgotten."""
        self.wait(now)
        return not self.answered and not self.flying


def window(rate: float, per: float) -> Window:
    """``rate`` sends every ``per`` seconds as a window: a whole count in ``per``, or one send in a longer span."""
    if rate >= 1:
        return Window(int(rate), per)
    return Window(1, per / rate)


@dataclass
class _Lane:
    """One chat: its sends one at a time, in the order asked, each ``chat_gap`` after the last one's answer."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # sends waiting for the chat or under way
    answered: float = -math.inf


@dataclass
class _Waiter:
    group: Window | None
    admitted: asyncio.Future[None]


class SendLimits:
    """The three limits, for sends made through :meth:`send` (see the module's docstring)."""

    def __init__(
        self,
        per_second: float = 30,
        group_per_minute: float = 20,
        chat_gap: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.overall = window(per_second, 1.0)
        self.group_per_minute = group_per_minute
        self.chat_gap = chat_gap
        self.clock = clock
        self.sleep = sleep
        self._lanes: dict[ChatKey, _Lane] = {}
        self._groups: dict[ChatKey, Window] = {}
        self._queue: deque[_Waiter] = deque()  # waiting for the overall and group windows, in the order asked
        self._timer: asyncio.Future[None] | None = None
        self._timer_at = math.inf
        self._tidy_at = 1024  # lanes and groups kept before the idle ones are forgotten

    async def send(self, chat: ChatKey | None, call: Callable[[], Awaitable[T]]) -> T:
        """Make ``call`` (a send to ``chat``; None: no chat, the overall limit only) when the limits allow it."""
        if chat is None:
            return await self._sent(None, call)
        lane = self._lanes.get(chat)
        if lane is None:
            lane = self._lanes[chat] = _Lane()
            self._tidy()
        started = False

        async def marked() -> T:
            nonlocal started
            started = True
            return await call()

        lane.users += 1
        try:
            async with lane.lock:
                while (wait := lane.answered + self.chat_gap - self.clock()) > 0:
                    await self.sleep(wait)
                try:
                    return await self._sent(chat, marked)
                finally:
                    if started:
                        lane.answered = self.clock()
        finally:
            lane.users -= 1

    async def _sent(self, chat: ChatKey | None, call: Callable[[], Awaitable[T]]) -> T:
        group = None
        if chat is not None and is_group(chat):
            group = self._groups.get(chat)
            if group is None:
                group = self._groups[chat] = window(self.group_per_minute, 60.0)
        waiter = _Waiter(group, asyncio.get_running_loop().create_future())
        self._queue.append(waiter)
        self._pump()
        try:
            await waiter.admitted
        except asyncio.CancelledError:
            if waiter in self._queue:
                self._queue.remove(waiter)
            elif waiter.admitted.done() and not waiter.admitted.cancelled():
                self._end(group, sent=False)  # admitted, but gone before it started
            raise
        try:
            return await call()
        finally:
            self._end(group)

    def _end(self, group: Window | None, *, sent: bool = True) -> None:
        now = self.clock()
        self.overall.end(now, sent=sent)
        if group is not None:
            group.end(now, sent=sent)
        self._pump()

    def _pump(self) -> None:
        """Admit the waiting sends the windows allow, in order (one a group holds back lets later ones by)."""
        now = self.clock()
        wake = math.inf
        for waiter in list(self._queue):
            if waiter.admitted.done():  # cancelled meanwhile
                self._queue.remove(waiter)
                continue
            wait = self.overall.wait(now)
            if wait != 0.0:
                wake = min(wake, now + wait if wait is not None else math.inf)
                break
            if waiter.group is not None:
                wait = waiter.group.wait(now)
                if wait != 0.0:
                    wake = min(wake, now + wait if wait is not None else math.inf)
                    continue
                waiter.group.start()
            self.overall.start()
            self._queue.remove(waiter)
            waiter.admitted.set_result(None)
        if self._queue and wake < math.inf:
            self._ring_at(wake)

    def _ring_at(self, when: float) -> None:
        if self._timer is not None and not self._timer.done():
            if self._timer_at <= when:
                return
            self._timer.cancel()
        self._timer_at = when
        self._timer = asyncio.ensure_future(self._ring(max(0.0, when - self.clock())))

    async def _ring(self, delay: float) -> None:
        await self.sleep(delay)
        self._timer, self._timer_at = None, math.inf
        self._pump()

    def _tidy(self) -> None:
        """Forget chats and groups with nothing under way and nothing left to wait for (keeps memory flat)."""
        if len(self._lanes) + len(self._groups) < self._tidy_at:
            return
        now = self.clock()
        for key in [k for k, lane in self._lanes.items() if not lane.users and lane.answered + self.chat_gap <= now]:
            del self._lanes[key]
        busy = {id(w.group) for w in self._queue}
        for key in [k for k, g in self._groups.items() if g.idle(now) and id(g) not in busy]:
            del self._groups[key]
        self._tidy_at = max(1024, 2 * (len(self._lanes) + len(self._groups)))

    async def close(self) -> None:
        """Stop the timer (the sends still waiting are the callers' to cancel)."""
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None


class Limiter(BaseRateLimiter[None]):
    """:class:`SendLimits` under python-telegram-bot: every call that counts (:func:`counts`) waits its turn.

    A 429 is not retried here: the delivery waits it out (see :mod:`.faults`).
    """

    def __init__(self, limits: SendLimits) -> None:
        self.limits = limits

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Stop the limits' timer."""
        await self.limits.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Make the call when the limits allow it (at once, when it does not count)."""
        if not counts(endpoint):
            return await callback(*args, **kwargs)
        return await self.limits.send(chat_key(data.get("chat_id")), lambda: callback(*args, **kwargs))
