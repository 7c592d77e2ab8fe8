"""Telegram's limits, as the fake Bot API server saw them, and latency at saturation beside a minimal PTB bot.

    python benchmarks/bench_limits.py [--part limits|latency|both] [--customers 100] [--burst 3] [--handoffs 12]
                                      [--paced 30] [--seconds 20] [--rounds 4]

The real bot (`supportbot run`) runs with Telegram's limits as shipped (SUPPORTBOT_MAX_RATE 30 a second,
SUPPORTBOT_CHAT_RATE 1 a second, SUPPORTBOT_GROUP_RATE 20 a minute) against the fake server on 127.0.0.1.

* limits: `--customers` customers each send `--burst` questions at once, while `--handoffs` others ask for a
  consultant during business hours, each getting a topic and a card in the staff group (about two posts
  there a ticket; more than twenty in all, so the group's minute fills). From the server's record of every
  call with its arrival time: one-second windows with more than 30 posts, chats that got two posts within
  one second, sixty-second windows with more than 20 posts to the staff group (a window per post, starting
  at it), and what did not arrive.
* latency: `--paced` customers (Telegram's 30 a second) each ask again a second after their reply, spread
  over the second, for `--seconds`: the bot's overall limit is what the load leans on. The same load, in the
  same run, against a minimal python-telegram-bot echo bot (`echo_bot.py`: `Application`, `run_polling`,
  default settings), the two taking turns in `--rounds` so that the machine's other work weighs on both
  alike. Prints p50 and p99 from a customer's message to the reply, CPU per reply, and the p99 ratio.

Each figure is printed beside its target. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_telegram import QUESTIONS  # noqa: E402
from tests.botprocess import BotProcess  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402

MONDAY_10 = "2026-11-23T10:00:00+08:00"  # consultants are in
STAFF = -100777
TELEGRAM = {"SUPPORTBOT_MAX_RATE": "30", "SUPPORTBOT_CHAT_RATE": "1", "SUPPORTBOT_GROUP_RATE": "20"}


def crowded(times: list[float], span: float, limit: int) -> int:
    """Windows of ``span`` seconds, one starting at each post, that hold more than ``limit`` posts."""
    times = sorted(times)
    over, end = 0, 0
    for start, at in enumerate(times):
        while end < len(times) and times[end] < at + span:
            end += 1
        over += end - start > limit
    return over


def too_close(times: list[float], gap: float) -> bool:
    ordered = sorted(times)
    return any(b - a < gap for a, b in itertools.pairwise(ordered))


async def limits(args: argparse.Namespace) -> None:
    fake = FakeBotAPI()
    await fake.start()
    fake.make_forum(STAFF)
    customers = range(20_000, 20_000 + args.customers)
    handoffs = range(30_000, 30_000 + args.handoffs)
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, Path(tmp), SUPPORTBOT_NOW=MONDAY_10, SUPPORTBOT_STAFF_CHAT_ID=str(STAFF), **TELEGRAM)
        await bot.start()
        start = time.monotonic()
        for user in handoffs:
            await fake.customer_text(user, "/human")
        for i in range(args.burst):
            for user in customers:
                await fake.customer_text(user, QUESTIONS[(user + i) % len(QUESTIONS)])

        def arrived() -> bool:
            return (
                all(len(fake.sent_to(u)) >= args.burst for u in customers)
                and all(fake.sent_to(u) for u in handoffs)
                and len({s.thread for s in fake.sent_to(STAFF)}) >= args.handoffs
            )

        with contextlib.suppress(TimeoutError):
            await fake.wait_for(arrived, timeout=args.handoffs * 6 + args.customers * args.burst / 10 + 60)
        elapsed = time.monotonic() - start
        await asyncio.sleep(2.0)  # late sends would arrive now
        await bot.stop()
    await fake.stop()
    posts = fake.posts()
    by_chat: dict[int | None, list[float]] = defaultdict(list)
    for at, _, chat in posts:
        by_chat[chat].append(at)
    staff = by_chat.get(STAFF, [])
    lost = sum(max(0, args.burst - len(fake.sent_to(u))) for u in customers)
    lost += sum(not fake.sent_to(u) for u in handoffs)
    lost += max(0, args.handoffs - len({s.thread for s in fake.sent_to(STAFF)}))
    print(
        f"limits: {args.customers} customers x {args.burst} questions at once, {args.handoffs} handoffs; "
        f"{len(posts)} posts in {elapsed:.1f}s, {len(staff)} of them to the staff group"
    )
    second = crowded([at for at, _, _ in posts], 1.0, 30)
    print(f"  one-second windows with more than 30 posts:       {second:5}  (target 0)")
    two = sum(too_close(times, 1.0) for chat, times in by_chat.items() if chat is not None)
    print(f"  chats with two posts within one second:           {two:5}  (target 0, of {len(by_chat)} chats)")
    print(f"  sixty-second windows with more than 20 to staff:  {crowded(staff, 60.0, 20):5}  (target 0)")
    print(f"  replies, topics and cards that did not arrive:    {lost:5}  (target 0)")


async def paced_load(fake: FakeBotAPI, users: range, seconds: float) -> list[float]:
    """Each customer asks, waits for the reply, waits a second, asks again; starts spread over the first second."""
    latencies: list[float] = []
    end = time.perf_counter() + seconds

    async def customer(n: int, user: int) -> None:
        await asyncio.sleep(n / len(users))
        i = 0
        while time.perf_counter() < end:
            before = len(fake.sent_to(user))
            start = time.perf_counter()
            await fake.customer_text(user, QUESTIONS[(user + i) % len(QUESTIONS)])
            await fake.wait_for(lambda b=before: len(fake.sent_to(user)) > b, timeout=120)
            latencies.append((time.perf_counter() - start) * 1000)
            i += 1
            await asyncio.sleep(1.0)

    await asyncio.gather(*(customer(n, u) for n, u in enumerate(users)))
    return latencies


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (Linux; 0 elsewhere)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def p99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def latency(args: argparse.Namespace) -> None:
    """Both bots up at once, each on its own fake server; the load goes to one, then the other, in rounds."""
    users = range(40_000, 40_000 + args.paced)
    fakes = {name: FakeBotAPI() for name in ("minimal PTB echo bot", "supportbot")}
    for fake in fakes.values():
        await fake.start()
    echo_fake, our_fake = fakes.values()
    echo = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "benchmarks" / "echo_bot.py"),
        echo_fake.token,
        echo_fake.base_url,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await echo_fake.wait_for(lambda: any(m == "getUpdates" for m, _ in echo_fake.calls), timeout=60)
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(our_fake, Path(tmp), SUPPORTBOT_NOW=MONDAY_10, **TELEGRAM)
        await bot.start()
        assert bot.proc is not None
        pids = {"minimal PTB echo bot": echo.pid, "supportbot": bot.proc.pid}
        for fake in fakes.values():  # the first answer of each (imports, caches) is not measured
            await fake.customer_text(999, QUESTIONS[0])
            await fake.wait_for(lambda f=fake: bool(f.sent_to(999)), timeout=60)
        got: dict[str, list[float]] = {name: [] for name in fakes}
        cpu = dict.fromkeys(fakes, 0.0)
        for _ in range(args.rounds):  # in turns, so that whatever else the machine does weighs on both alike
            for name, fake in fakes.items():
                used = cpu_seconds(pids[name])
                got[name] += await paced_load(fake, users, args.seconds / args.rounds)
                cpu[name] += cpu_seconds(pids[name]) - used
        await bot.stop()
    echo.terminate()
    await echo.wait()
    for fake in fakes.values():
        await fake.stop()
    rate = len(got["supportbot"]) / args.seconds
    print(
        f"latency at saturation: {args.paced} customers, a question a second each, {args.seconds:.0f}s a bot "
        f"in {args.rounds} turns, {rate:.0f}/s"
    )
    for name, samples in got.items():
        ordered = sorted(samples)
        print(
            f"  {name:21} p50 {statistics.median(ordered):6.1f} ms   p99 {p99(ordered):6.1f} ms   "
            f"({len(ordered)} replies, {cpu[name] / len(ordered) * 1000:.1f} ms CPU each)"
        )
    ratio = p99(sorted(got["supportbot"])) / p99(sorted(got["minimal PTB echo bot"]))
    print(f"  p99 ratio supportbot / echo bot: {ratio:.2f}x  (target <= 1.1x)")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=("limits", "latency", "both"), default="both")
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--burst", type=int, default=3)
    parser.add_argument("--handoffs", type=int, default=12)
    parser.add_argument("--paced", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    if args.part in ("limits", "both"):
        await limits(args)
    if args.part in ("latency", "both"):
        await latency(args)


if __name__ == "__main__":
    asyncio.run(main())
