"""Matcher and batch benchmarks: prints figures, asserts nothing.

    python benchmarks/bench_match.py [--questions N] [--batch N]

Targets (issue 2): p99 <= 2 ms on the real FAQ, <= 10 ms at 10,000 phrasings, >= 1,000 questions/s in
batch through `supportbot ask --jsonl`, peak RSS <= 150 MB; (issue 18) p99 <= 10 ms at 50,000 phrasings.
Each synthetic index is also searched by a naive scan (rapidfuzz's ``extractOne`` over every phrasing),
the reference its time is printed beside. As in the bot, what is loaded is frozen for the collector.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from bot.engine import Engine  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.understand.matcher import Matcher  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def questions_from(engine: Engine, brand: str, rng: random.Random, n: int) -> list[str]:
    """Customer-like questions: phrasings with words dropped, swapped, misspelt and noise added."""
    phrasings = [p for e in engine.content.entries[brand].values() for p in e.phrasings]
    noise = ["pls", "asap", "hello", "my installer said", "thanks!!", "bought last year", "urgent", "?"]
    out = []
    for _ in range(n):
        words = rng.choice(phrasings).split()
        if len(words) > 3 and rng.random() < 0.5:
            words.pop(rng.randrange(len(words)))
        if rng.random() < 0.4:
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 4:
                j = rng.randrange(1, len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words) + 1), rng.choice(noise))
        out.append(" ".join(words))
    return out


def time_matcher(matcher: Matcher, questions: list[str]) -> tuple[float, float]:
    for q in questions[:50]:
        matcher.decide(q)  # warm the typo cache the way a running bot would
    samples = []
    for q in questions:
        start = time.perf_counter()
        matcher.decide(q)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def naive_p50(choices: list[str], questions: list[str]) -> float:
    """Median ms of rapidfuzz's ``extractOne`` over the same phrasings: the scan an index should beat."""
    samples = []
    for q in questions:
        start = time.perf_counter()
        process.extractOne(q, choices, scorer=fuzz.token_set_ratio)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def synthetic_matcher(engine: Engine, rng: random.Random, size: int) -> tuple[Matcher, list[str], list[str]]:
    vocabulary = sorted(engine.index.normaliser.vocabulary)
    phrasings = []
    for i in range(size):
        words = rng.sample(vocabulary, rng.randint(3, 9))
        phrasings.append((f"entry-{i // 20}", " ".join(words)))
    matcher = Matcher(engine.index.normaliser, phrasings)
    questions = []
    for _ in range(2000):
        words = rng.choice(phrasings)[1].split()
        rng.shuffle(words)
        questions.append(" ".join(words[: rng.randint(2, len(words))] + rng.sample(vocabulary, 2)))
    return matcher, questions, [text for _, text in phrasings]


def batch_throughput(n: int, rng: random.Random, engine: Engine) -> tuple[float, float, float]:
    brands = sorted(engine.packs)
    lines = []
    for i in range(n):
        brand = brands[i % len(brands)]
        lines.append(
            json.dumps({"user": f"bench-{i % 400}", "brand": brand, "text": questions_from(engine, brand, rng, 1)[0]})
        )
    exe = Path(sys.executable).with_name("supportbot")
    cmd = [str(exe), "ask", "--jsonl"] if exe.exists() else [sys.executable, "-m", "bot.cli", "ask", "--jsonl"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {"SUPPORTBOT_DB": str(Path(tmp) / "bench.db"), "PATH": "/usr/bin:/bin"}
        start = time.perf_counter()
        startup = subprocess.run(cmd, input="", capture_output=True, text=True, env=env, check=True)
        startup_s = time.perf_counter() - start
        start = time.perf_counter()
        result = subprocess.run(cmd, input="\n".join(lines) + "\n", capture_output=True, text=True, env=env, check=True)
        total = time.perf_counter() - start
    assert len(result.stdout.splitlines()) == n, startup.stderr
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return n / total, n / max(total - startup_s, 1e-9), rss_mb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(20261121)
    engine = Engine.from_root(ROOT, store=Store(":memory:"))
    # first, while this process is small: a child's peak RSS counts what it shares with this one at fork
    rate, rate_warm, child_rss = batch_throughput(args.batch, rng, engine)
    print(
        f"batch through `supportbot ask --jsonl`, {args.batch} questions: {rate:,.0f} questions/s "
        f"including start-up, {rate_warm:,.0f}/s after start-up   (target >= 1,000)"
    )
    gc.freeze()  # as `supportbot` does once it has loaded

    print("match latency on the real FAQ (ms)")
    for brand in sorted(engine.packs):
        questions = questions_from(engine, brand, rng, args.questions)
        p50, p99 = time_matcher(engine.index.matchers[brand], questions)
        phrasings = sum(len(e.phrasings) for e in engine.content.entries[brand].values())
        print(f"  {brand:9s} {phrasings:5d} phrasings  p50 {p50:6.3f}  p99 {p99:6.3f}   (target p99 <= 2)")

    for size in (10_000, 50_000):
        matcher, questions, phrasings = synthetic_matcher(engine, rng, size)
        gc.freeze()  # as `supportbot` does once it has loaded
        p50, p99 = time_matcher(matcher, questions)
        naive = naive_p50(phrasings, questions[:200])
        print(
            f"match latency, synthetic FAQ of {size:,} phrasings (ms): p50 {p50:.3f}  p99 {p99:.3f}"
            f"   (target p99 <= 10); a naive extractOne scan: p50 {naive:.2f} ({p50 / naive:.2f}x)"
        )
        del matcher
        gc.unfreeze()

    own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS: batch process {child_rss:.0f} MB, this benchmark (with the synthetic indexes) "
        f"{own_rss:.0f} MB   (target <= 150)"
    )


if __name__ == "__main__":
    main()
