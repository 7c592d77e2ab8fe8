"""Start-up: a desk command and the first batch answer, beside importing the libraries alone.

    python benchmarks/bench_startup.py [--runs N]

Prints the median wall time of each over N fresh processes (default 7), and the ratios issue 18 asks for:
`supportbot rma list` on an empty database and the first batch answer, each at most 1.5× the time of
importing the bot's modules. Both find the content's snapshot kept by an earlier process (the usual case);
the first answer after the content changed (no snapshot yet: every file read and checked) is printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(command: list[str], *, stdin: str | None = None, env: dict[str, str] | None = None) -> float:
    """Seconds one run of ``command`` takes (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(command, input=stdin, text=True, capture_output=True, check=True, env=env, cwd=ROOT)
    return time.perf_counter() - start


def median(runs: int, command: list[str], **kwargs: object) -> float:
    """The median of ``runs`` runs."""
    return statistics.median(timed(command, **kwargs) for _ in range(runs))  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    supportbot = str(BIN / "supportbot")
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "SUPPORTBOT_DB": str(Path(folder) / "empty.db"), "SUPPORTBOT_CACHE": folder}
        cold = {**env, "SUPPORTBOT_CACHE": "off"}
        question = '{"user": "u", "text": "how long is the warranty?"}\n'
        imports = median(args.runs, [sys.executable, "-c", "import telegram, rapidfuzz, jinja2, sqlite_utils"])
        bot_imports = median(args.runs, [sys.executable, "-c", "import bot.cli, bot.engine, bot.adapters.batch"])
        timed([supportbot, "rma", "list"], env=env)  # keeps the snapshot the runs below find
        rma_list = median(args.runs, [supportbot, "rma", "list"], env=env)
        first = median(args.runs, [supportbot, "ask", "--jsonl"], stdin=question, env=env)
        first_cold = median(args.runs, [supportbot, "ask", "--jsonl"], stdin=question, env=cold)
    target = "(target <= 1.50)"
    rows = [
        ("import telegram, rapidfuzz, jinja2, sqlite_utils", imports, ""),
        ("import the bot's modules", bot_imports, ""),
        ("supportbot rma list (empty database)", rma_list, f"{rma_list / bot_imports:.2f}× the bot's imports {target}"),
        ("supportbot ask --jsonl, one answer", first, f"{first / bot_imports:.2f}× the bot's imports {target}"),
        ("…the same with no snapshot (content changed)", first_cold, f"{first_cold / bot_imports:.2f}× the imports"),
    ]
    for label, seconds, ratio in rows:
        print(f"{label:50} {seconds:6.2f} s  {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
