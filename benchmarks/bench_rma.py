"""RMA benchmarks: prints figures, asserts nothing.

    python benchmarks/bench_rma.py [--rmas N] [--threads N] [--existing N]

Measures (issue 6): filing N RMAs concurrently through the engine (13 turns each, on a file-backed SQLite
database as in production): RMAs a second, per-turn latency p50 / p99, distinct numbers; then, with
``--existing`` RMAs already stored, how long a customer's ``/status`` and a consultant's status change take.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import Engine, Message, fixed_clock  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.rma_load import ANSWERS, NOW, answer  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rmas", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--existing", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = Engine.from_root(ROOT, store=Store(str(Path(folder) / "bench.db")), clock=fixed_clock(NOW))
        turns: list[float] = []

        def file_one(i: int) -> str:
            user = f"bench:{i}"
            for kind, value in ANSWERS:
                start = time.perf_counter()
                replies = engine.handle(answer(user, kind, value))
                turns.append((time.perf_counter() - start) * 1000)
            return next(w.strip(".") for r in replies for w in r.text.split() if w.startswith("RMA-"))

        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            numbers = list(pool.map(file_one, range(args.rmas)))
        elapsed = time.perf_counter() - started
        p50, p99 = percentiles(turns)
        print(
            f"filed {args.rmas} RMAs with {args.threads} threads in {elapsed:.2f} s: "
            f"{args.rmas / elapsed:.0f} RMAs/s, {len(turns) / elapsed:.0f} turns/s"
        )
        print(f"turn latency p50 {p50:.2f} ms, p99 {p99:.2f} ms; distinct numbers: {len(set(numbers))}/{len(numbers)}")

        moment = datetime(2026, 11, 18, 4, tzinfo=UTC)
        for i in range(args.existing):
            engine.store.rmas.create(
                make_number=f"RMA-000-BENC-{i:04X}".strip,
                user=f"other:{i % 500}",
                brand="kimpok",
                status="awaiting_shipment",
                data={"model": "x", "serial": "y"},
                outcome="free",
                at=moment,
                expires_on=None,
            )
        status, change = [], []
        for i, number in enumerate(numbers[:200]):
            start = time.perf_counter()
            engine.handle(Message(user=f"bench:{i}", text="/status"))
            status.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            engine.set_rma_status(number, "received", by="bench", now=moment)
            change.append((time.perf_counter() - start) * 1000)
        sp50, sp99 = percentiles(status)
        cp50, cp99 = percentiles(change)
        print(
            f"with {args.existing + args.rmas} RMAs stored: /status p50 {sp50:.2f} ms, p99 {sp99:.2f} ms; "
            f"status change p50 {cp50:.2f} ms, p99 {cp99:.2f} ms"
        )
        start = time.perf_counter()
        engine.sweep(moment)
        print(f"expiry sweep over {args.existing + args.rmas} RMAs: {(time.perf_counter() - start) * 1000:.0f} ms")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        engine.store.close()


if __name__ == "__main__":
    main()
