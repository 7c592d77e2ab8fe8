"""A run of the real bot with several customers while Telegram faults are injected, and what it counted.

Used by ``tests/test_telegram_faults.py`` (a short run) and ``benchmarks/bench_faults.py`` (a long one,
with SIGKILLs). Customers ask questions one after another (each waits for its answer); two talk to
consultants through their topics; notices are queued by "another process" for others; one customer has
blocked the bot. Meanwhile the fake Bot API answers with 429s, drops connections, answers late, has a
502 outage, loses the bot from the staff group and gets it back, and sends an update PTB cannot read.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.core.messages import Reply
from bot.store import Store

from .botprocess import BotProcess
from .fakebot import FakeBotAPI, Sent

STAFF = -100999
CONSULTANT = 7001
QUESTIONS = (
    "how long is the warranty?",
    "who pays shipping for an rma?",
    "where do i write the rma number?",
    "is lightning damage covered?",
    "will my replacement be new?",
    "how do i contact support?",
)
BLOCKED = 1999  # a customer who blocked the bot
Where = tuple[str, int]  # ("chat", a customer) or ("topic", a thread of the staff chat)


@dataclass
class Counts:
    """What a run counted."""

    asked: int = 0
    unanswered: int = 0  # messages without a reply (the blocked customer's aside)
    twice: int = 0  # replies sent more than once
    notices: int = 0
    notices_missing: int = 0
    notices_twice: int = 0
    relays: int = 0  # customers' words for consultants, and consultants' for customers
    relays_missing: int = 0
    relays_twice: int = 0
    aside: int = 0  # notices and replies set aside, with a reason
    held: int = 0  # still held for the staff chat at the end
    most_calls: int = 0  # the most calls made to deliver one message (the first and the tries again)
    faults: int = 0
    kills: int = 0
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)  # why what was set aside was
    hits: Counter[str] = field(default_factory=Counter)  # faults answered, by kind

    def line(self) -> str:
        """The figures, on one line."""
        return (
            f"fault run: {self.asked} messages, {self.unanswered} without a reply, {self.twice} replies sent twice; "
            f"{self.notices} notices ({self.notices_missing} missing, {self.notices_twice} twice); "
            f"{self.relays} relays ({self.relays_missing} missing, {self.relays_twice} twice); "
            f"{self.aside} set aside, {self.held} held; at most {self.most_calls} calls for one message; "
            f"{self.faults} faults injected, {self.kills} kills, {self.seconds:.0f} s"
        )


async def run(
    fake: FakeBotAPI, workdir: Path, *, customers: int = 10, seconds: float = 15.0, kills: int = 0, seed: int = 17
) -> Counts:
    """Run the bot under faults for about ``seconds`` (and until it has caught up); returns the counts."""
    rng = random.Random(seed)
    fake.make_forum(STAFF)
    fake.service_updates = True
    fake.blocked.add(BLOCKED)
    bot = BotProcess(
        fake,
        workdir,
        SUPPORTBOT_NOW="2026-11-23T10:00:00+08:00",
        SUPPORTBOT_STAFF_CHAT_ID=str(STAFF),
        SUPPORTBOT_GROUP_RATE="6000",
        SUPPORTBOT_MAX_RATE="1000",
    )
    await bot.start()
    counts = Counts()
    started = time.monotonic()
    end = started + seconds
    talkers = (1901, 1902)
    for talker in talkers:
        await fake.customer_text(talker, "/human")
    asked: dict[int, int] = {}
    notices: list[tuple[Where, str]] = []
    relays: list[tuple[Where, str]] = []  # customers' words in their topic, consultants' at the customer

    async def customer(user: int) -> None:
        while time.monotonic() < end:
            before = len(fake.sent_to(user))
            await fake.customer_text(user, QUESTIONS[(user + asked.get(user, 0)) % len(QUESTIONS)])
            asked[user] = asked.get(user, 0) + 1
            try:
                await fake.wait_for(lambda u=user, b=before: len(fake.sent_to(u)) > b, timeout=90)
            except TimeoutError:
                return
            await asyncio.sleep(rng.uniform(0.05, 0.4))

    async def talker(user: int) -> None:
        await fake.wait_for(lambda: any(f"Customer{user} ·" in name for _, _, name in fake.topics_created), 60)
        thread = next(t for _, t, name in fake.topics_created if f"Customer{user} ·" in name)
        n = 0
        while time.monotonic() < end:
            n += 1
            words = f"customer {user} says {n}"
            await fake.customer_text(user, words)
            relays.append((("topic", thread), words))
            await asyncio.sleep(rng.uniform(0.5, 1.2))
            answer = f"consultant answers {user} {n}"
            await fake.staff_text(STAFF, CONSULTANT, answer, thread=thread)
            relays.append((("chat", user), answer))
            await asyncio.sleep(rng.uniform(0.5, 1.2))

    async def other_process() -> None:
        n = 0
        while time.monotonic() < end:
            n += 1
            user = 3000 + n
            text = f"RMA-{user} is now: received"
            store = Store(str(workdir / "bot.db"))
            store.notices.add(f"tg:{user}", Reply(text).to_dict(), datetime(2026, 11, 23, 2, tzinfo=UTC))
            store.close()
            notices.append((("chat", user), text))
            await asyncio.sleep(0.7)

    async def faults() -> None:
        timeline = [
            (0.1, lambda: fake.inject("flood", method="sendMessage", chat=1003, times=2, seconds=1)),
            (0.5, lambda: fake.inject("drop", method="sendMessage", times=3)),
            (1.0, lambda: fake.inject("slow", method="sendMessage", times=2, seconds=6)),
            (1.5, lambda: fake.inject("bad_gateway", method="sendMessage", times=4)),
            (2.0, lambda: fake.remove_bot(STAFF)),
            (3.0, lambda: fake.customer_poll(1001)),
            (4.0, lambda: fake.inject("bad_gateway", method="sendMessage")),  # an outage of a few seconds
            (7.0, lambda: fake.clear("bad_gateway")),
            (8.0, lambda: fake.add_bot(STAFF)),
            (9.0, lambda: fake.inject("flood", method="createForumTopic", times=1, seconds=1)),
            (10.0, lambda: fake.inject("drop", method="sendMessage", chat=STAFF, times=2)),
        ]
        for at, act in timeline:
            await asyncio.sleep(max(0.0, started + at * seconds / 15 - time.monotonic()))
            result = act()
            if asyncio.iscoroutine(result):
                await result
            counts.faults += 1

    async def killer() -> None:
        for k in range(kills):
            await asyncio.sleep(max(0.0, started + (k + 1) * seconds / (kills + 1) - time.monotonic()))
            await bot.kill()
            counts.kills += 1
            await bot.start()

    async def blocked() -> None:
        for _ in range(3):
            await fake.customer_text(BLOCKED, QUESTIONS[0])
            await asyncio.sleep(seconds / 4)

    users = [1003 + i for i in range(customers)]
    await asyncio.gather(
        *(customer(u) for u in users), *(talker(t) for t in talkers), other_process(), faults(), killer(), blocked()
    )
    # caught up: every message answered, every notice and relay delivered (or the run is over by far)
    fake.clear()

    def caught_up() -> bool:
        answered = all(len(fake.sent_to(u)) >= asked.get(u, 0) for u in users)
        delivered = all(any(s.text.endswith(t) for s in _in(fake, c)) for c, t in [*notices, *relays])
        return answered and delivered

    with contextlib.suppress(TimeoutError):
        await fake.wait_for(caught_up, timeout=max(60.0, seconds * 2))
    await asyncio.sleep(1.5)  # anything sent twice shows now
    await bot.stop()
    counts.seconds = time.monotonic() - started
    counts.hits.update(kind for _, kind, _ in fake.fault_hits)
    counts.asked = sum(asked.values())
    for user in users:
        got = len(fake.sent_to(user))
        counts.unanswered += max(0, asked.get(user, 0) - got)
        counts.twice += max(0, got - asked.get(user, 0))
    for found, missing, twice, wanted in (
        ("notices", "notices_missing", "notices_twice", notices),
        ("relays", "relays_missing", "relays_twice", relays),
    ):
        setattr(counts, found, len(wanted))
        for chat, text in wanted:
            n = sum(1 for s in _in(fake, chat) if s.text.endswith(text))
            setattr(counts, missing, getattr(counts, missing) + (n == 0))
            setattr(counts, twice, getattr(counts, twice) + max(0, n - 1))
    # A message to a chat is delivered before the next one to it is sent, so the calls for one message are those
    # since the last that was done with the same text to the same chat. (Counting every call with that text
    # against the ones done added up the tries of a reply sent a dozen times to a customer who asked again.)
    tries: Counter[tuple[str, str]] = Counter()
    for index, (method, params) in enumerate(fake.calls):
        if method == "sendMessage":
            key = (str(params.get("chat_id")), str(params.get("text")))
            tries[key] += 1
            counts.most_calls = max(counts.most_calls, tries[key])
            if index not in fake.refused:
                tries[key] = 0
    with sqlite3.connect(workdir / "bot.db") as db:
        for state, reason, n in db.execute("select state, reason, count(*) from tg_queue group by state, reason"):
            if state == "aside":
                counts.aside += n
                counts.reasons[str(reason)] += n
            elif state == "held":
                counts.held += n
        for reason, n in db.execute("select reason, count(*) from tg_aside group by reason"):
            counts.aside += n
            counts.reasons[str(reason)] += n
    return counts


def _in(fake: FakeBotAPI, where: Where) -> list[Sent]:
    """What the bot sent to a customer's chat or to a topic of the staff chat."""
    kind, number = where
    return fake.sent_to(number) if kind == "chat" else fake.sent_to_thread(STAFF, number)
