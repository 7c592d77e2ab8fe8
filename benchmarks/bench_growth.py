"""Growth without bound (issue 18): the running bot's memory by distinct users, the database over days.

    python benchmarks/bench_growth.py [--users 1000 20000] [--days 10] [--keep-days 2]

(a) RSS of the real bot (`supportbot run`, a subprocess against the fake Bot API server on 127.0.0.1, as
    bench_telegram.py runs it): each distinct user sends one question and gets its answer; the bot's RSS
    (/proc/<pid>/status) is read after each number of users in `--users`. Target: the RSS after the last
    within 5% of the RSS after the first (flat with the number of distinct users).
(b) The SQLite file over `--days` simulated days of traffic through the engine (a real `Engine` on a file,
    its clock moved a day at a time): 400 of 1,000 returning customers write 5 messages a day (questions,
    some the bot cannot answer, each with a Telegram-style message id, so the outbox records it), the
    replies are marked delivered, an admin deals with the day's inbox, and the store prunes at the end of the
    day as the running bot does, with every retention window set to `--keep-days` (short, so the
    simulation reaches the steady state in a few days). Prints the file's size and the rows kept each day.
    Target: flat once retention applies (the last day's size within 5% of the size on day 7). SQLite does
    not shrink a file after a DELETE: "flat" means the freed pages are reused.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_telegram import QUESTIONS  # noqa: E402  (the same customers' questions)
from tests.botprocess import BotProcess  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # the bot hanging up on a long poll as it stops

UNKNOWN = ["does the doorbell chime play a tune of my choice?", "can i paint the dome housing purple?"]
WAVE = 250  # users whose messages are queued at once
NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def forget(fake: FakeBotAPI) -> None:
    """Drop what the fake server recorded (its own memory and scans are not what is measured)."""
    fake.calls.clear()
    fake.sent.clear()
    fake._sent_by_chat.clear()
    fake._messages.clear()


async def wave(fake: FakeBotAPI, first: int, count: int) -> None:
    for user in range(first, first + count):
        await fake.customer_text(user, QUESTIONS[user % len(QUESTIONS)])
    await fake.wait_for(lambda: len(fake._sent_by_chat) >= count, timeout=300)
    forget(fake)


async def memory(marks: list[int]) -> None:
    fake = FakeBotAPI()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, Path(tmp), SUPPORTBOT_NOW=NOW.isoformat(), SUPPORTBOT_MAX_RATE="1000")
        await bot.start()
        assert bot.proc is not None
        await wave(fake, 1, 50)  # warm-up: first answers compile and load what they need
        print("(a) RSS of `supportbot run` by distinct users (one question each; SUPPORTBOT_MAX_RATE=1000)")
        print(f"    after warm-up (50 users): {rss_mb(bot.proc.pid):.1f} MB")
        done, start, figures = 50, time.perf_counter(), []
        for mark in marks:
            while done < mark:
                count = min(WAVE, mark - done)
                await wave(fake, 100_000 + done, count)
                done += count
            await asyncio.sleep(1.0)  # deliveries and their records settle
            figures.append(rss_mb(bot.proc.pid))
            rate = (done - 50) / (time.perf_counter() - start)
            print(f"    after {mark:>6,} distinct users: {figures[-1]:.1f} MB   ({rate:,.0f} users/s)")
        await bot.stop()
    await fake.stop()
    growth = (figures[-1] - figures[0]) / (marks[-1] - marks[0]) * 1000
    print(
        f"    ratio {marks[-1]:,} / {marks[0]:,} users: {figures[-1] / figures[0]:.3f}   (target: within 5%, <= 1.05); "
        f"{growth:+.3f} MB per 1,000 users"
    )


def database(days: int, keep: int) -> None:
    from bot.engine import Engine, Message
    from bot.store import Store
    from bot.store.retention import Keep

    print(f"\n(b) the SQLite file over {days} simulated days, every retention window {keep} days")
    print("    day   file MB   pages  free   events  outbox  unanswered  notices  conversations")
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/bot.db"
        now = [NOW]
        store = Store(path, keep=Keep(events=keep, outbox=keep, unanswered=keep))
        engine = Engine.from_root(ROOT, store=store, clock=lambda: now[0])
        sizes = []
        for day in range(days):
            for n in range(2000):  # 400 customers, 5 messages each, through the day
                user = f"tg:{(day * 397 + n // 5) % 1000}"
                moment = NOW + timedelta(days=day, seconds=n * 40)
                text = UNKNOWN[n % 2] + f" ({day}.{n})" if n % 10 == 0 else QUESTIONS[n % len(QUESTIONS)]
                message_id = f"tg:{day * 10_000 + n}"
                replies = engine.handle(Message(user=user, text=text, id=message_id, now=moment))
                engine.mark_sent(message_id, len(replies))
            now[0] = NOW + timedelta(days=day + 1)
            inbox = store.inbox.open("kimpok")
            store.inbox.close([row["id"] for row in inbox], by="admin", action="dismissed", at=now[0])
            engine.prune()
            counts = [
                store.db.one(f"select count(*) from {t}")[0]  # type: ignore[index]
                for t in ("events", "outbox", "unanswered", "notices", "conversations")
            ]
            pages, free = (store.db.one(f"pragma {p}")[0] for p in ("page_count", "freelist_count"))  # type: ignore[index]
            store.db.conn.execute("pragma wal_checkpoint(TRUNCATE)")
            sizes.append(Path(path).stat().st_size / 1e6)
            print(f"    {day + 1:>3}   {sizes[-1]:7.2f}  {pages:6}  {free:4}  " + "  ".join(f"{c:7}" for c in counts))
        store.close()
    steady = max(7, keep + 2)  # a week in, and well past the first day whose end prunes a whole window
    if days > steady:
        print(
            f"    day {days} / day {steady}: {sizes[-1] / sizes[steady - 1]:.3f}   (target: flat once retention "
            f"applies, within 5%; day {keep + 1} is the first whose end prunes)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, nargs="+", default=[1000, 20_000])
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--keep-days", type=int, default=2)
    parser.add_argument("--only", choices=["memory", "database"])
    args = parser.parse_args()
    if args.only != "database":
        asyncio.run(memory(sorted(args.users)))
    if args.only != "memory":
        database(args.days, args.keep_days)


if __name__ == "__main__":
    main()
