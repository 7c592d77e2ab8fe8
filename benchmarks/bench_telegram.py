"""Telegram throughput: the real bot (`supportbot run`) against the fake Bot API server on 127.0.0.1.

    python benchmarks/bench_telegram.py [--customers 100] [--messages 5000]

Each simulated customer sends its next question when the reply to the previous one has arrived, so the
bot always has up to `--customers` conversations in flight. Prints replies/s, p50/p99 latency from the
customer's message to the bot's reply, and lost and duplicated replies. Targets (issue 4): >= 200
replies/s, zero lost, zero duplicated. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botprocess import BotProcess  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

QUESTIONS = [
    "how long is the warranty?",
    "who pays shipping for an rma?",
    "where do i write the rma number?",
    "is lightning damage covered?",
    "what does the warranty not cover?",
    "will my replacement be new?",
    "how do i contact support?",
    "what if my camera can't be repaired?",
]


async def customer(fake: FakeBotAPI, user: int, count: int, latencies: list[float]) -> None:
    for i in range(count):
        before = len(fake.sent_to(user))
        start = time.perf_counter()
        await fake.customer_text(user, QUESTIONS[(user + i) % len(QUESTIONS)])
        await fake.wait_for(lambda u=user, b=before: len(fake.sent_to(u)) > b, timeout=120)
        latencies.append((time.perf_counter() - start) * 1000)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument(
        "--max-rate",
        default="1000",
        help="SUPPORTBOT_MAX_RATE for the bot (Telegram's own "
        "limit is about 30 messages a second; the default measures the bot, not that limit)",
    )
    args = parser.parse_args()
    per_customer = max(1, args.messages // args.customers)
    total = per_customer * args.customers
    fake = FakeBotAPI()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, Path(tmp), SUPPORTBOT_NOW="2026-11-23T10:00:00+08:00", SUPPORTBOT_MAX_RATE=args.max_rate)
        await bot.start()
        latencies: list[float] = []
        users = range(10_000, 10_000 + args.customers)
        start = time.perf_counter()
        await asyncio.gather(*(customer(fake, u, per_customer, latencies) for u in users))
        elapsed = time.perf_counter() - start
        await asyncio.sleep(2.0)  # late duplicates would arrive now
        await bot.stop()
    await fake.stop()
    received = sum(len(fake.sent_to(u)) for u in users)
    lost = sum(max(0, per_customer - len(fake.sent_to(u))) for u in users)
    duplicated = sum(max(0, len(fake.sent_to(u)) - per_customer) for u in users)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{args.customers} customers, {total} messages through the fake Bot API server "
        f"(SUPPORTBOT_MAX_RATE={args.max_rate})"
    )
    print(f"replies: {received} in {elapsed:.1f}s = {received / elapsed:,.0f} replies/s   (target >= 200)")
    print(f"latency message -> reply: p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms")
    print(f"lost replies: {lost}   duplicated replies: {duplicated}   (target: 0 and 0)")


if __name__ == "__main__":
    asyncio.run(main())
