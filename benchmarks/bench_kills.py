"""Crash safety under load: customers keep writing while the bot is SIGKILLed and restarted.

    python benchmarks/bench_kills.py [--customers 100] [--seconds 60] [--kills 4]

The real bot (`supportbot run`) serves customers through the fake Bot API server on 127.0.0.1. Each
customer sends its next question when the reply to the previous one has arrived; ten of them are half-way
through a repair request (model and serial given) when the run starts. ``--kills`` times, at random moments,
the bot is killed with SIGKILL and started again on the same database. Prints: messages without a reply,
replies sent twice (a reply on its way to Telegram at the kill is sent again after the restart: Telegram
offers no way to send exactly once), and repair drafts lost. Targets (issue 17): 0; only the replies in
flight at a kill, at most one per chat and kill; 0. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_telegram import QUESTIONS  # noqa: E402  (the same customers' questions)
from tests.botprocess import BotProcess  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

DRAFT = ["/rma", "I've already tried: start the request", "KP-NVR8 recorder", "SN KP{user}0001"]


class Tally:
    def __init__(self) -> None:
        self.sent = 0
        self.unanswered = 0
        self.questions = 0  # messages of the customers asking questions (one reply each)
        self.per_user: dict[int, int] = {}  # answered questions per customer


async def _ask(fake: FakeBotAPI, user: int, text: str, tally: Tally, patience: float) -> None:
    before = len(fake.sent_to(user))
    last = fake.sent_to(user)[-1] if before else None
    if last is not None and any(label == text for label, _ in last.buttons):
        await fake.customer_press(user, last, text)  # a button of the last reply
    else:
        await fake.customer_text(user, text)
    tally.sent += 1
    try:
        await fake.wait_for(lambda: len(fake.sent_to(user)) > before, timeout=patience)
    except TimeoutError:
        tally.unanswered += 1


async def customer(fake: FakeBotAPI, user: int, deadline: float, tally: Tally, drafting: bool) -> None:
    if drafting:
        for step in DRAFT:
            await _ask(fake, user, step.format(user=user), tally, 90)
        return
    i = 0
    while time.monotonic() < deadline:
        unanswered = tally.unanswered
        await _ask(fake, user, QUESTIONS[(user + i) % len(QUESTIONS)], tally, 90)
        tally.questions += tally.unanswered == unanswered
        tally.per_user[user] = tally.per_user.get(user, 0) + (tally.unanswered == unanswered)
        i += 1


async def killer(bot: BotProcess, deadline: float, kills: int, rng: random.Random, done: list[float]) -> None:
    start = time.monotonic()
    moments = sorted(rng.uniform(5, max(6.0, deadline - start - 5)) for _ in range(kills))
    for moment in moments:
        await asyncio.sleep(max(0.0, start + moment - time.monotonic()))
        await bot.kill()
        done.append(time.monotonic() - start)
        await bot.start(timeout=90)


def drafts_kept(db: Path, users: list[int]) -> int:
    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("select user, state from conversations").fetchall())
    kept = 0
    for user in users:
        state = json.loads(rows.get(f"tg:{user}", "{}") or "{}")
        facts = ((state.get("rma") or {}).get("draft") or {}).get("facts") or {}
        if facts.get("model") and facts.get("serial"):
            kept += 1
    return kept


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    fake = FakeBotAPI()
    await fake.start()
    tally = Tally()
    kills: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, Path(tmp), SUPPORTBOT_NOW="2026-11-23T10:00:00+08:00", SUPPORTBOT_MAX_RATE="1000")
        await bot.start()
        users = list(range(30_000, 30_000 + args.customers))
        drafting = users[:10]
        deadline = time.monotonic() + args.seconds
        await asyncio.gather(
            killer(bot, deadline, args.kills, random.Random(args.seed), kills),
            *(customer(fake, u, deadline, tally, u in drafting) for u in users),
        )
        await asyncio.sleep(3.0)  # late duplicates would arrive now
        await bot.stop()
        kept = drafts_kept(Path(tmp) / "bot.db", drafting)

    await fake.stop()
    replies = sum(len(fake.sent_to(u)) for u in users)
    asking = [u for u in users if u not in drafting]
    twice = max(0, sum(len(fake.sent_to(u)) for u in asking) - tally.questions)  # one reply per question
    per_chat = [max(0, len(fake.sent_to(u)) - tally.per_user.get(u, 0)) for u in asking]
    print(f"{args.customers} customers for {args.seconds:.0f} s, SIGKILL at {', '.join(f'{k:.0f}s' for k in kills)}")
    print(f"messages: {tally.sent}, without a reply: {tally.unanswered}   (target 0)")
    print(
        f"replies: {replies}, sent twice: {twice} in {sum(1 for n in per_chat if n)} chats, at most "
        f"{max(per_chat, default=0)} in one chat   (target: only what was in flight at a kill, one per chat per kill)"
    )
    print(f"repair drafts kept: {kept} of {len(drafting)}   (target: all)")


if __name__ == "__main__":
    asyncio.run(main())
