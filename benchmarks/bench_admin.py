"""Admin benchmarks: prints figures, asserts nothing.

    python benchmarks/bench_admin.py [--edits N] [--inbox N]

Measures (issue 8), on a file-backed SQLite database as in production: what checking for FAQ changes costs
every customer turn (none made), one admin edit from Send to Save (render check, store, re-index), the first
customer turn in another process after it (noticing the change and re-indexing), ``/unanswered`` over an
inbox of N questions (grouping by similarity), and ``faq export`` / ``faq import`` with N entries changed.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.backoffice.faqfiles import export_faq, import_faq  # noqa: E402
from bot.engine import Engine, Message, fixed_clock  # noqa: E402
from bot.store import Store  # noqa: E402

MONDAY_10 = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
QUESTIONS = [
    "how long is the warranty",
    "who pays shipping for an rma",
    "is water damage covered",
    "can i get a refund",
    "how long does a repair take",
]
ODD = [
    "is the moon made of cheese",
    "can the camera film ghosts",
    "do you sell {} cables",
    "my {} ate the remote",
    "what is the price of model {} in bulk",
    "is there a {} discount",
    "can i pay in {}",
    "how tall is {}",
]
WORDS = ["red", "blue", "dog", "cat", "bitcoin", "euro", "everest", "k2", "xmas", "summer", "parrot", "hdmi"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--inbox", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    db = str(folder / "bench.db")
    engine = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(MONDAY_10))
    other = Engine.from_root(ROOT, store=Store(db), clock=fixed_clock(MONDAY_10))

    def turn(e: Engine, n: int) -> float:
        start = time.perf_counter()
        e.handle(Message(user=f"c{n}", text=QUESTIONS[n % len(QUESTIONS)]))
        return time.perf_counter() - start

    plain = [turn(engine, n) for n in range(300)]
    start = time.perf_counter()
    for _ in range(2000):
        engine.sync_faq()
    check = (time.perf_counter() - start) / 2000
    print(
        f"customer turn, no FAQ change: p50 {statistics.median(plain) * 1000:.2f} ms; "
        f"the change check itself {check * 1e6:.0f} µs"
    )

    saves, noticed = [], []
    entries = [e.id for e in engine.content.entries["kimpok"].values() if e.kind == "faq"]
    for n in range(args.edits):
        entry = entries[n % len(entries)]
        engine.handle(Message(user="admin", text=f"/faq edit {entry}", admin=True))
        engine.handle(Message(user="admin", text=f"Answer {n} for {{{{ brand.name }}}}.", admin=True))
        start = time.perf_counter()
        engine.handle(Message(user="admin", press="adm:save", admin=True))
        saves.append(time.perf_counter() - start)
        noticed.append(turn(other, 10_000 + n))
    print(
        f"admin Save (check, store, re-index): p50 {statistics.median(saves) * 1000:.1f} ms, "
        f"max {max(saves) * 1000:.1f} ms over {args.edits} edits"
    )
    print(
        f"first turn in another process after a change: p50 {statistics.median(noticed) * 1000:.1f} ms, "
        f"max {max(noticed) * 1000:.1f} ms"
    )

    for n in range(args.inbox):
        pattern = ODD[n % len(ODD)]
        text = pattern.format(WORDS[(n * 7) % len(WORDS)]) if "{}" in pattern else pattern
        engine.store.inbox.add(brand="kimpok", user=f"u{n}", text=text, reason="unknown", entry_id=None, at=MONDAY_10)
    start = time.perf_counter()
    replies = engine.handle(Message(user="admin", text="/unanswered", admin=True))
    inbox = time.perf_counter() - start
    print(f"/unanswered over {args.inbox} questions: {inbox * 1000:.0f} ms ({replies[0].text.split(',')[0]})")

    start = time.perf_counter()
    export_faq(engine.book, ROOT / "faq", folder / "out")
    exported = time.perf_counter() - start
    fresh = Engine.from_root(ROOT, store=Store(str(folder / "fresh.db")), clock=fixed_clock(MONDAY_10))
    start = time.perf_counter()
    changes = import_faq(fresh.book, folder / "out", by="bench", at=MONDAY_10)
    imported = time.perf_counter() - start
    print(
        f"faq export: {exported * 1000:.0f} ms; faq import ({len(changes)} entries changed, every entry of "
        f"every brand rendered first): {imported * 1000:.0f} ms"
    )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
