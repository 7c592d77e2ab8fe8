"""Template limits benchmarks (issue 17): prints figures, asserts nothing.

    python benchmarks/bench_templates.py [--rounds N]

Measures what the limits cost an ordinary render (every FAQ answer of every brand in every language,
rendered by the bot and by jinja2's sandbox without the limits, interleaved, best of N rounds), what they
cost a customer turn, and, for each kind of template an admin could send to stop or bloat the bot
(tests/template_payloads.py): how long the preview takes to refuse it, how much the process's memory grows
meanwhile, and how long a customer waits for an answer while it is being refused.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jinja2  # noqa: E402
import jinja2.sandbox  # noqa: E402

from bot.engine import Engine, Message, fixed_clock  # noqa: E402
from bot.knowledge.faq import base_context  # noqa: E402
from bot.knowledge.pack_models import TableView  # noqa: E402
from bot.knowledge.templating import render  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.template_payloads import PAYLOADS  # noqa: E402

MONDAY_10 = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
QUESTIONS = [
    "how long is the warranty",
    "who pays shipping for an rma",
    "is water damage covered",
    "can i get a refund",
]


class Unlimited(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """jinja2's sandbox without the limits (pack pieces read as tables, as the bot does)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        return super().getattr(obj.data if isinstance(obj, TableView) else obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        return super().getitem(obj.data if isinstance(obj, TableView) else obj, argument)


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def ordinary(engine: Engine, rounds: int) -> None:
    content = engine.content
    plain = Unlimited(
        loader=jinja2.FileSystemLoader(str(ROOT / "faq" / "_common" / "templates")),
        undefined=jinja2.StrictUndefined,
        lstrip_blocks=True,
    )
    plain.filters["cause_name"] = content.cause_name
    jobs = []
    for brand, pack in engine.packs.items():
        context = base_context(pack, MONDAY_10)
        for entry in content.entries[brand].values():
            for lang, source in entry.answers.items():
                header = f'{{% import "macros.{lang}.j2" as m with context %}}' if "m." in source else ""
                jobs.append((plain.from_string(header + source), content.env.from_string(header + source), context))
    best = {"without limits": float("inf"), "with limits": float("inf")}
    for _ in range(rounds):
        start = time.perf_counter()
        for without, _with, context in jobs:
            without.render(context)
        best["without limits"] = min(best["without limits"], time.perf_counter() - start)
        start = time.perf_counter()
        for _without, with_, context in jobs:
            render(with_, context)
        best["with limits"] = min(best["with limits"], time.perf_counter() - start)
    figures = ", ".join(f"{k} {v * 1000:.1f} ms ({v / len(jobs) * 1e6:.0f} µs each)" for k, v in best.items())
    print(f"every answer of every brand in every language ({len(jobs)} renders), best of {rounds}: {figures}")
    turns = []
    for n in range(700):
        start = time.perf_counter()
        engine.handle(Message(user=f"c{n}", text=QUESTIONS[n % len(QUESTIONS)]))
        turns.append(time.perf_counter() - start)
    print(f"customer turn: p50 {statistics.median(turns[100:]) * 1000:.2f} ms")


def preview(engine: Engine, answer: str, refusal: list[str], done: threading.Event) -> None:
    replies = engine.handle(Message(user="tg:1", text=answer, admin=True))
    refusal.append("\n".join(r.text for r in replies))
    done.set()


def payloads(engine: Engine) -> None:
    print(f"\n{'preview ms':>10} {'RSS +MB':>8} {'customer ms':>11}  payload: refusal")
    worst = {"seconds": 0.0, "growth": 0.0, "customer": 0.0}
    for n, (name, answer, reason) in enumerate(PAYLOADS):
        admin = Message(user="tg:1", text="/faq edit warranty-length", admin=True)
        engine.handle(admin)
        start_rss, peak, done = rss_mb(), [0.0], threading.Event()
        max_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        refusal: list[str] = []
        worker = threading.Thread(target=preview, args=(engine, answer, refusal, done))
        start = time.perf_counter()
        worker.start()
        engine.handle(Message(user=f"w{n}", text=QUESTIONS[n % len(QUESTIONS)]))  # a customer meanwhile
        customer = time.perf_counter() - start
        while not done.wait(0.002):
            peak[0] = max(peak[0], rss_mb())
        seconds = time.perf_counter() - start
        worker.join()
        growth = max(peak[0] - start_rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - max_before, 0)
        text = refusal[0]
        said = text.split("template: ", 1)[-1].split("\n")[0] if text.startswith("Not saved.") else "NOT REFUSED"
        mark = "" if reason in text else "  <-- expected " + reason
        print(f"{seconds * 1000:10.1f} {growth:8.1f} {customer * 1000:11.1f}  {name}: {said}{mark}")
        worst = {
            "seconds": max(worst["seconds"], seconds),
            "growth": max(worst["growth"], growth),
            "customer": max(worst["customer"], customer),
        }
        engine.handle(Message(user="tg:1", text="/cancel", admin=True))
    print(
        f"\n{len(PAYLOADS)} payloads: slowest refusal {worst['seconds'] * 1000:.0f} ms, largest RSS growth "
        f"{worst['growth']:.1f} MB, longest customer wait meanwhile {worst['customer'] * 1000:.0f} ms; "
        f"RSS now {rss_mb():.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    engine = Engine.from_root(ROOT, store=Store(":memory:"), clock=fixed_clock(MONDAY_10))
    ordinary(engine, args.rounds)
    payloads(engine)


if __name__ == "__main__":
    main()
