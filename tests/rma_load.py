"""Files RMAs for many customers at once through the real engine, printing each number as it is filed.

Run as a subprocess by tests/test_rma_load.py (which SIGKILLs it midway) and by benchmarks/bench_rma.py:

    python -m tests.rma_load DB COUNT [THREADS]
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bot.engine import Engine, Message, fixed_clock
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
ANSWERS = [
    ("text", "/rma"),
    ("press", "rma:go"),
    ("text", "IPC-B2M bullet camera"),
    ("text", "SN K7F2-99812"),
    ("text", "bought 2 September 2026"),
    ("press", "rma:from:direct"),
    ("text", "no picture at night, the IR lights never switch on"),
    ("press", "rma:photos:skip"),
    ("press", "rma:q:opened:no"),
    ("press", "rma:q:damage:none"),
    ("text", "load@example.com"),
    ("text", "12 Garden Road, Central, Hong Kong"),
    ("press", "rma:confirm"),
]


def answer(user: str, kind: str, value: str) -> Message:
    """A typed answer or a button press."""
    return (
        Message(user=user, brand="kimpok", text=value)
        if kind == "text"
        else Message(user=user, brand="kimpok", press=value)
    )


def file_one(engine: Engine, user: str) -> str:
    """One customer's whole request; returns the RMA number."""
    for kind, value in ANSWERS:
        replies = engine.handle(answer(user, kind, value))
    number = next(w.strip(".") for r in replies for w in r.text.split() if w.startswith("RMA-"))
    return number


def main() -> int:
    db, count = sys.argv[1], int(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    engine = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(NOW))
    print("ready", flush=True)
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for number in pool.map(lambda i: file_one(engine, f"load:{i}"), range(count)):
            print(number, flush=True)  # printed only after the RMA is committed
    print(f"done {count} in {time.perf_counter() - started:.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
