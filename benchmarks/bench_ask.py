"""Answers per second of `supportbot ask --jsonl`, now and at an earlier commit: prints figures, asserts nothing.

    python benchmarks/bench_ask.py [--before REF] [--questions N] [--rounds N]

The understanding stage reads every message once into a full reading (language, parts, intents, the
situation, each part's decision). Target (issue 15): answers per second no lower than before it, so by
default the same questions also go through the commit before that work (``--before``, checked out in a
temporary git worktree and run with this environment's packages). Each side runs ``--rounds`` times and
the best round counts (the machine is shared). Questions are customer-like: FAQ phrasings of every brand
with words dropped and misspelt, some with a date, a second question or the situation told first.
Target (issue 18): at least 1,000 answers/s over 5,000 questions, start-up included (the default run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import Engine  # noqa: E402
from bot.store import Store  # noqa: E402

BEFORE = "5245527"  # the last commit before the understanding stage of issue 15

SITUATIONS = ["bought it on 2025-06-14.", "we got it 8 months ago.", "it fell off the wall.", "lightning hit the pole."]


def questions(engine: Engine, n: int, rng: random.Random) -> list[dict[str, str]]:
    out = []
    brands = sorted(engine.packs)
    for i in range(n):
        brand = brands[i % len(brands)]
        phrasings = [p for e in engine.content.entries[brand].values() if e.kind == "faq" for p in e.phrasings]
        words = rng.choice(phrasings).split()
        if len(words) > 3 and rng.random() < 0.4:
            words.pop(rng.randrange(len(words)))
        if rng.random() < 0.3:
            k = rng.randrange(len(words))
            if len(words[k]) > 4:
                words[k] = words[k][:2] + words[k][3] + words[k][2] + words[k][4:]
        text = " ".join(words)
        roll = rng.random()
        if roll < 0.2:
            text = f"{rng.choice(SITUATIONS)} {text}?"
        elif roll < 0.35:
            text = f"{text}? and {rng.choice(phrasings)}?"
        out.append({"user": f"bench-{i}", "brand": brand, "text": text})
    return out


def run(cmd: list[str], lines: str, env: dict[str, str], rounds: int, cwd: Path) -> tuple[float, float]:
    """The best answers/s over ``rounds`` runs, with and without the process's start-up."""
    best_total = best_warm = 0.0
    n = lines.count("\n")
    with tempfile.TemporaryDirectory() as tmp:  # a first process keeps the content's snapshot (bot/loading.py): not
        # timed, else one round's start-up would include making it while its answering run would not
        warm_env = {**env, "SUPPORTBOT_DB": str(Path(tmp) / "warm.db")}
        subprocess.run(cmd, input="", capture_output=True, text=True, env=warm_env, check=True, cwd=cwd)
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**env, "SUPPORTBOT_DB": str(Path(tmp) / "bench.db")}
            start = time.perf_counter()
            subprocess.run(cmd, input="", capture_output=True, text=True, env=env, check=True, cwd=cwd)
            startup = time.perf_counter() - start
            start = time.perf_counter()
            done = subprocess.run(cmd, input=lines, capture_output=True, text=True, env=env, check=True, cwd=cwd)
            total = time.perf_counter() - start
        if len(done.stdout.splitlines()) != n:
            raise SystemExit(f"expected {n} answers, got {len(done.stdout.splitlines())}: {done.stderr[-500:]}")
        best_total = max(best_total, n / total)
        best_warm = max(best_warm, n / max(total - startup, 1e-9))
    return best_total, best_warm


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default=BEFORE, help=f"git ref to compare with (default {BEFORE}; '' for none)")
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = Engine.from_root(ROOT, store=Store(":memory:"))
    lines = "".join(
        json.dumps(q, ensure_ascii=False) + "\n" for q in questions(engine, args.questions, random.Random(15))
    )
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}

    def cmd_for(root: Path) -> tuple[list[str], dict[str, str]]:
        env = {**base_env, "PYTHONPATH": str(root), "SUPPORTBOT_CONTENT": str(root)}
        return [sys.executable, "-m", "bot.cli", "ask", "--jsonl"], env

    cmd, env = cmd_for(ROOT)
    now_total, now_warm = run(cmd, lines, env, args.rounds, ROOT)
    print(f"`supportbot ask --jsonl`, {args.questions} questions, best of {args.rounds}:")
    print(
        f"  now      {now_total:7,.0f} answers/s including start-up, {now_warm:7,.0f}/s after start-up"
        "   (target >= 1,000 including start-up)"
    )
    if not args.before:
        return
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.before], check=True,
                       capture_output=True)  # fmt: skip
        try:
            cmd, env = cmd_for(tree)
            then_total, then_warm = run(cmd, lines, env, args.rounds, tree)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    print(
        f"  before   {then_total:7,.0f} answers/s including start-up, {then_warm:7,.0f}/s after start-up"
        f"  ({args.before})"
    )
    print(f"  ratio    {now_warm / then_warm:.2f}x after start-up   (target >= 1.00)")


if __name__ == "__main__":
    main()
