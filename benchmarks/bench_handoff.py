"""Consultant handoff benchmarks: prints figures, asserts nothing.

    python benchmarks/bench_handoff.py [--customers N] [--messages N] [--threads N] [--queued N]

Measures (issue 7), through the engine on a file-backed SQLite database as in production: N customers asking
for a person at once and each sending M messages that are relayed (customer turns a second, per-turn latency
p50 / p99), a consultant's answer relayed back (p50 / p99), ``/queue`` with N tickets open, and the opening
sweep posting ``--queued`` tickets that waited overnight.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import Engine, Message, fixed_clock  # noqa: E402
from bot.store import Store  # noqa: E402

MONDAY_10 = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
SUNDAY_10 = datetime.fromisoformat("2026-11-22T10:00:00+08:00")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(samples: list[float], work: object) -> None:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    samples.append((time.perf_counter() - start) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--queued", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine.from_root(
            ROOT, store=Store(str(Path(folder) / "bench.db")), clock=fixed_clock(MONDAY_10), consultants=True
        )
        turns: list[float] = []
        answers: list[float] = []

        def customer(i: int) -> None:
            user = f"tg:{100000 + i}"
            timed(turns, lambda: engine.handle(Message(user=user, text="/human", name=f"Customer {i}")))
            for n in range(args.messages):
                timed(turns, lambda n=n: engine.handle(Message(user=user, text=f"message {n} about my NVR")))
                if n % 3 == 0:
                    timed(
                        answers, lambda n=n: engine.staff(f"answer {n}", by="tg:7001", name="Mei Chen", customer=user)
                    )

        start = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(customer, range(args.customers)))
        elapsed = time.perf_counter() - start
        tickets = engine.store.tickets.find()
        p50, p99 = percentiles(turns)
        a50, a99 = percentiles(answers)
        print(
            f"{args.customers} customers x {args.messages + 1} turns, {args.threads} threads: {elapsed:.2f} s, "
            f"{len(turns) / elapsed:.0f} customer turns/s; {len(tickets)} tickets "
            f"({len({t['user'] for t in tickets})} customers)"
        )
        print(
            f"customer turn (relayed) p50 {p50:.2f} ms, p99 {p99:.2f} ms; consultant answer p50 {a50:.2f} ms, "
            f"p99 {a99:.2f} ms"
        )
        queue: list[float] = []
        for _ in range(20):
            timed(queue, lambda: engine.staff("/queue", by="tg:7001", name="Mei Chen"))
        q50, _ = percentiles(queue)
        print(f"/queue with {len(tickets)} open tickets: p50 {q50:.1f} ms")

        night = Engine.from_root(
            ROOT, store=Store(str(Path(folder) / "night.db")), clock=fixed_clock(SUNDAY_10), consultants=True
        )
        for i in range(args.queued):
            at = SUNDAY_10 + timedelta(seconds=i * 30)
            night.handle(Message(user=f"tg:{200000 + i}", text="/human", now=at, name=f"Night {i}"))
            night.handle(Message(user=f"tg:{200000 + i}", text="my camera is offline since last night", now=at))
        start = time.perf_counter()
        posted = night.open_desk(MONDAY_10.replace(hour=9))
        sweep = (time.perf_counter() - start) * 1000
        print(
            f"opening sweep: {posted} waiting tickets posted in {sweep:.0f} ms ({sweep / max(posted, 1):.2f} ms each)"
        )
        print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
