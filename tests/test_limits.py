"""Telegram's three limits held at once (bot/adapters/telegram/limits.py), on a fake clock: no real waiting."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest

from bot.adapters.telegram.limits import Limiter, SendLimits, chat_key, counts
from bot.config import telegram_settings_from_env
from bot.core.errors import ConfigError

GROUP = -100777


class FakeTime:
    """A clock and a sleep for the limits: time moves only when everything that can run has run."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, delay), next(self._order), future))
        await future

    async def run(self, work: Coroutine[Any, Any, Any]) -> Any:
        task = asyncio.ensure_future(work)
        for _ in range(10_000):  # a limiter that never lets a send go fails here rather than hanging
            for _ in range(50):  # let every task that can go on, go on
                await asyncio.sleep(0)
            if task.done():
                return task.result()
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)  # cancelled
            assert self._sleepers, "stuck: nothing is waiting for time to pass"
            when, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            future.set_result(None)
        task.cancel()
        raise AssertionError(f"still waiting at {self.now:.1f}s")


@pytest.fixture
def time_() -> FakeTime:
    return FakeTime()


def limits(time_: FakeTime, per_second: float = 30, group_per_minute: float = 20, chat_gap: float = 1.0) -> SendLimits:
    return SendLimits(per_second, group_per_minute, chat_gap, clock=time_.clock, sleep=time_.sleep)


class Server:
    """Telegram, as far as the limits go: when each send arrived, and when it was answered."""

    def __init__(self, time_: FakeTime, latency: float = 0.0) -> None:
        self.time = time_
        self.latency = latency
        self.arrived: list[tuple[float, int, str]] = []  # (time, chat, what)
        self.answered: dict[str, float] = {}

    def call(self, chat: int, what: str) -> Callable[[], Awaitable[str]]:
        async def send() -> str:
            self.arrived.append((self.time.now, chat, what))
            if self.latency:
                await self.time.sleep(self.latency)
            self.answered[what] = self.time.now
            return what

        return send

    def times(self, chat: int | None = None) -> list[float]:
        return [at for at, c, _ in self.arrived if chat is None or c == chat]


def most_in_any_window(times: list[float], span: float) -> int:
    """The most sends in any window of ``span`` seconds (each window starting at a send)."""
    ordered = sorted(times)
    return max((sum(1 for t in ordered if start <= t < start + span) for start in ordered), default=0)


async def test_no_more_than_30_sends_in_any_second_to_all_chats(time_: FakeTime) -> None:
    lim, server = limits(time_), Server(time_, latency=0.05)
    sends = [lim.send(1000 + n, server.call(1000 + n, f"m{n}")) for n in range(100)]
    done = await time_.run(asyncio.gather(*sends))
    assert done == [f"m{n}" for n in range(100)]  # nothing dropped
    assert most_in_any_window(server.times(), 1.0) == 30
    assert time_.now < 3.2 + 0.05 * 3  # and no slower than the limit: 100 sends take a bit over 3 seconds


async def test_a_chat_gets_one_send_a_second_in_the_order_asked(time_: FakeTime) -> None:
    lim, server = limits(time_), Server(time_, latency=0.3)
    sends = [lim.send(42, server.call(42, f"reply {n}")) for n in range(5)]
    sends += [lim.send(43, server.call(43, "other chat"))]
    done = await time_.run(asyncio.gather(*sends))
    assert done[:5] == [f"reply {n}" for n in range(5)]
    assert [what for _, chat, what in server.arrived if chat == 42] == [f"reply {n}" for n in range(5)]
    starts = server.times(42)
    # a second from the answer to the previous send, so that Telegram sees them a second apart however long
    # a request takes to get there
    for n in range(1, 5):
        assert starts[n] >= server.answered[f"reply {n - 1}"] + 1.0
    assert server.times(43) == [0.0]  # another chat does not wait for this one


async def test_no_more_than_20_sends_a_minute_to_a_group(time_: FakeTime) -> None:
    lim, server = limits(time_), Server(time_, latency=0.1)
    done = await time_.run(asyncio.gather(*(lim.send(GROUP, server.call(GROUP, f"card {n}")) for n in range(45))))
    assert len(done) == 45
    times = server.times(GROUP)
    assert most_in_any_window(times, 60.0) == 20
    assert times[20] >= server.answered["card 0"] + 60.0  # the 21st waits for the first to leave the minute
    assert times[:20] == pytest.approx([1.1 * n for n in range(20)])  # within the minute, a send a second


async def test_a_group_waiting_out_its_minute_holds_no_private_chat(time_: FakeTime) -> None:
    lim, server = limits(time_), Server(time_)
    group = [lim.send(GROUP, server.call(GROUP, f"card {n}")) for n in range(21)]
    await time_.run(asyncio.gather(*group[:20]))
    late_card = asyncio.ensure_future(group[20])
    reply = await time_.run(lim.send(501, server.call(501, "reply")))
    assert reply == "reply"
    assert server.times(501) == [pytest.approx(19.0)]  # at once, while the 21st card waits
    await time_.run(late_card)
    assert server.times(GROUP)[20] == pytest.approx(60.0)


@pytest.mark.parametrize("idle", [5.0, 120.0])
async def test_no_burst_after_a_quiet_spell(time_: FakeTime, idle: float) -> None:
    """A token bucket would let a full bucket go at once after idling, on top of the sends just made."""
    lim, server = limits(time_), Server(time_)
    await time_.run(asyncio.gather(*(lim.send(2000 + n, server.call(2000 + n, f"a{n}")) for n in range(25))))
    await time_.run(time_.sleep(idle - 0.5))
    await time_.run(asyncio.gather(*(lim.send(3000 + n, server.call(3000 + n, f"b{n}")) for n in range(90))))
    assert most_in_any_window(server.times(), 1.0) <= 30
    first = time_.now
    await time_.run(asyncio.gather(*(lim.send(GROUP, server.call(GROUP, f"c{n}")) for n in range(15))))
    await time_.run(time_.sleep(idle))
    await time_.run(asyncio.gather(*(lim.send(GROUP, server.call(GROUP, f"d{n}")) for n in range(30))))
    assert most_in_any_window(server.times(GROUP), 60.0) <= 20
    assert time_.now > first


async def test_a_send_given_up_while_it_waits_leaves_no_hole(time_: FakeTime) -> None:
    lim, server = limits(time_, per_second=2), Server(time_)
    await time_.run(asyncio.gather(lim.send(1, server.call(1, "x")), lim.send(2, server.call(2, "y"))))
    waiting = asyncio.ensure_future(lim.send(3, server.call(3, "gone")))
    await asyncio.sleep(0)
    waiting.cancel()
    done = await time_.run(asyncio.gather(lim.send(4, server.call(4, "z")), lim.send(5, server.call(5, "w"))))
    assert done == ["z", "w"]
    assert "gone" not in server.answered
    assert server.times() == [0.0, 0.0, 1.0, 1.0]


async def test_a_failed_send_counts_and_the_chat_goes_on(time_: FakeTime) -> None:
    lim, server = limits(time_), Server(time_)

    async def refused() -> str:
        server.arrived.append((time_.now, 7, "refused"))
        raise RuntimeError("Telegram said no")

    with pytest.raises(RuntimeError):
        await time_.run(lim.send(7, refused))
    assert await time_.run(lim.send(7, server.call(7, "next"))) == "next"
    assert server.times(7) == [0.0, 1.0]


def test_what_counts_against_the_limits() -> None:
    for endpoint in ("sendMessage", "sendPhoto", "sendMediaGroup", "copyMessage", "forwardMessage"):
        assert counts(endpoint), endpoint
    for endpoint in ("editMessageText", "editMessageReplyMarkup", "createForumTopic", "reopenForumTopic"):
        assert counts(endpoint), endpoint
    for endpoint in ("getUpdates", "answerCallbackQuery", "sendChatAction", "getChat", "setMyCommands", "getMe"):
        assert not counts(endpoint), endpoint
    assert chat_key(-100777) == -100777 and chat_key("-100777") == -100777 and chat_key("@channel") == "@channel"
    assert chat_key(None) is None


async def test_under_ptb_a_send_waits_and_an_answer_to_a_press_does_not(time_: FakeTime) -> None:
    limiter = Limiter(limits(time_, per_second=1))
    made: list[tuple[float, str]] = []

    async def call(endpoint: str, data: dict[str, Any]) -> dict[str, Any]:
        made.append((time_.now, endpoint))
        return {"ok": True}

    def request(endpoint: str, data: dict[str, Any]) -> Coroutine[Any, Any, Any]:
        return limiter.process_request(call, (endpoint, data), {}, endpoint, data, None)

    await time_.run(
        asyncio.gather(
            request("sendMessage", {"chat_id": 1, "text": "a"}),
            request("editMessageText", {"chat_id": 2, "text": "b"}),
            request("answerCallbackQuery", {"callback_query_id": "q"}),
            request("sendMessage", {"chat_id": 3, "text": "c"}),
        )
    )
    assert made == [(0.0, "sendMessage"), (0.0, "answerCallbackQuery"), (1.0, "editMessageText"), (2.0, "sendMessage")]


@pytest.mark.parametrize("name", ["SUPPORTBOT_MAX_RATE", "SUPPORTBOT_GROUP_RATE", "SUPPORTBOT_CHAT_RATE"])
def test_a_wrong_limit_stops_start_up_naming_the_setting(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv(name, "0")
    with pytest.raises(ConfigError, match=f"^{name}: '0' is not a positive number") as raised:
        telegram_settings_from_env()
    assert "\n" not in str(raised.value)


def test_the_limits_default_to_telegrams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    for name in ("SUPPORTBOT_MAX_RATE", "SUPPORTBOT_GROUP_RATE", "SUPPORTBOT_CHAT_RATE"):
        monkeypatch.delenv(name, raising=False)
    assert telegram_settings_from_env()[4:] == (30, 20, 1)
