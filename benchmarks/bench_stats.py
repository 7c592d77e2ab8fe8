"""Admins' statistics benchmark: prints figures, asserts nothing.

    python benchmarks/bench_stats.py [--events N] [--days N] [--repeat N]

Fills a file-backed SQLite database (as in production) with N events spread over ``--days`` days for five
brands, written with mixed offsets (UTC and +08:00) as the bot writes them, plus proportional walks,
feedback, tickets with their messages, and RMAs; then times ``gather`` for 7 + 30 days (all brands, and one
brand), the text report, the daily counts and the chart (matplotlib's first import shown apart).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.backoffice import report, stats  # noqa: E402
from bot.knowledge.faq import load_content  # noqa: E402
from bot.store import Store, utc  # noqa: E402

NOW = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
BRANDS = ("kimpok", "longgang", "jingpin", "poesec", "ktnc")
CHINA = timezone(timedelta(hours=8))
OUTCOMES = (
    ["answered"] * 40
    + ["advised"] * 5
    + ["clarify"] * 8
    + ["asked"] * 3
    + ["unknown"] * 6
    + ["out_of_scope"] * 2
    + ["troubleshoot_offered"] * 3
    + ["refused"]
    + ["handoff_not_understood"]
    + ["start"] * 6
    + ["menu"] * 4
    + ["troubleshoot_step"] * 8
    + ["rma_answer"] * 6
    + ["relayed"] * 4
    + ["handoff_asked"]
    + ["help"]
)


def moment(rng: random.Random, days: int) -> datetime:
    at = NOW - timedelta(seconds=rng.uniform(0, days * 86400))
    return at.astimezone(UTC if rng.random() < 0.5 else CHINA)


def fill(store: Store, events: int, days: int) -> None:
    rng = random.Random(7)
    users = [f"tg:{100000 + i}" for i in range(max(1, events // 20))]
    rows = []
    for _ in range(events):
        outcome = rng.choice(OUTCOMES)
        text = "/start" if outcome == "start" else "[faq:x]" if rng.random() < 0.2 else "how long is the warranty?"
        rows.append(
            (
                rng.choice(users),
                rng.choice(BRANDS),
                utc(moment(rng, days)),
                "en",
                text,
                outcome,
                "warranty-length",
                0.8,
                "reply",
            )
        )
    rows.sort(key=lambda row: datetime.fromisoformat(row[2]))  # the bot logs as things happen: ids follow time
    with store.db.write() as conn:  # moments as the store writes them: UTC
        conn.executemany(
            "insert into events (user, brand, at, lang, text, outcome, entry_id, score, reply) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "insert into walk_outcomes (user, brand, tree, leaf, outcome, tried, rating, at) values (?, ?, ?, ?, ?, "
            "'[]', ?, ?)",
            [
                (
                    rng.choice(users),
                    rng.choice(BRANDS),
                    "no-picture",
                    "end",
                    rng.choice(("solved", "repair", "consultant", "left")),
                    rng.choice((None, 3, 4, 5)),
                    utc(moment(rng, days)),
                )
                for _ in range(events // 20)
            ],
        )
        conn.executemany(
            "insert into feedback (user, brand, entry_id, question, helpful, at) values (?, ?, ?, ?, ?, ?)",
            [
                (f"f{i}", rng.choice(BRANDS), "warranty-length", "q", rng.random() < 0.8, utc(moment(rng, days)))
                for i in range(events // 15)
            ],
        )
        for i in range(events // 50):
            opened = moment(rng, days)
            answered = rng.random() < 0.9
            claimed = utc(opened + timedelta(minutes=rng.uniform(1, 600))) if answered else None
            cursor = conn.execute(
                "insert into tickets (user, brand, lang, status, reason, opened_at, posted_at, claimed_at, rating, "
                "reopened) values (?, ?, 'en', 'closed', ?, ?, ?, ?, ?, 0)",
                [
                    f"t{i}",
                    rng.choice(BRANDS),
                    rng.choice(("asked", "not_understood", "troubleshooting")),
                    utc(opened),
                    utc(opened),
                    claimed,
                    rng.choice((None, 4, 5)),
                ],
            )
            conn.executemany(
                "insert into ticket_messages (ticket, at, direction, by, text) values (?, ?, ?, 'x', 'text')",
                [
                    (
                        cursor.lastrowid,
                        utc(opened + timedelta(minutes=5 * n)),
                        "consultant" if answered and n % 2 else "customer",
                    )
                    for n in range(4)
                ],
            )
        conn.executemany(
            "insert into rmas (number, user, brand, status, data, outcome, created_at, updated_at, reminded) "
            "values (?, 'u', ?, ?, '{}', 'covered', ?, ?, 0)",
            [
                (
                    f"RMA-{i}",
                    rng.choice(BRANDS),
                    rng.choice(("requested", "awaiting_shipment", "shipped", "closed")),
                    at,
                    at,
                )
                for i in range(events // 100)
                for at in [utc(moment(rng, days))]
            ],
        )


def timed(work: object, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=90, help="the events are spread over this many days")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    packs, content = load_content(ROOT)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = Store(str(path))
        start = time.perf_counter()
        fill(store, args.events, args.days)
        counts = {
            t: store.db.read(f"select count(*) from {t}")[0][0]
            for t in ("events", "walk_outcomes", "feedback", "tickets", "ticket_messages", "rmas")
        }
        print(
            f"filled in {time.perf_counter() - start:.1f} s: "
            + ", ".join(f"{n:,} {t}" for t, n in counts.items())
            + f" over {args.days} days"
        )
        for brand in (None, "kimpok"):
            median, worst = timed(
                lambda b=brand: [
                    stats.gather(store, brand=b, now=NOW, days=d)  # type: ignore[misc]
                    for d in (7, 30)
                ],
                args.repeat,
            )
            print(f"gather 7 + 30 days, {brand or 'all brands'}: {median:.1f} ms (worst {worst:.1f} ms)")
        median, worst = timed(
            lambda: [report.report(store, content, packs, brand=b, now=NOW) for b in (None, *packs)], args.repeat
        )
        print(f"report, all brands and each of {len(packs)}: {median:.1f} ms (worst {worst:.1f} ms)")
        median, worst = timed(lambda: stats.daily(store, brand=None, now=NOW, days=30), args.repeat)
        print(f"daily counts for the chart, 30 days: {median:.1f} ms (worst {worst:.1f} ms)")
        start = time.perf_counter()
        import matplotlib.figure  # noqa: F401

        print(f"matplotlib's first import: {(time.perf_counter() - start) * 1000:.0f} ms")
        median, worst = timed(
            lambda: report.chart(store, Path(folder) / "stats.png", content=content, packs=packs, brand=None, now=NOW),
            args.repeat,
        )
        print(
            f"chart, 30 days: {median:.1f} ms (worst {worst:.1f} ms), "
            f"{(Path(folder) / 'stats.png').stat().st_size / 1024:.0f} KiB"
        )
        where, window = stats._window("at", NOW - timedelta(days=30), NOW)
        plan = store.db.read(
            f"explain query plan select outcome, count(*) from events where {where} "
            f"and {stats._QUESTIONS} group by outcome",
            window,
        )
        print("events plan: " + "; ".join(str(row[-1]) for row in plan))
        store.close()


if __name__ == "__main__":
    main()
