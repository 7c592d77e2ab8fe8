"""Start-up: a desk command and the first batch answer, beside importing the libraries alone.

    python benchmarks/bench_startup.py [--runs N]

Prints the median wall time of each over N fresh processes (default 7), and the ratios the layout issue
asks for: `supportbot rma list` on an empty database at most 3× `import telegram, rapidfuzz, jinja2,
sqlite_utils`.
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
        env = {**os.environ, "SUPPORTBOT_DB": str(Path(folder) / "empty.db")}
        imports = median(args.runs, [sys.executable, "-c", "import telegram, rapidfuzz, jinja2, sqlite_utils"])
        bot_imports = median(args.runs, [sys.executable, "-c", "import bot.cli, bot.engine, bot.adapters.batch"])
        rma_list = median(args.runs, [supportbot, "rma", "list"], env=env)
        first = median(
            args.runs,
            [supportbot, "ask", "--jsonl"],
            stdin='{"user": "u", "text": "how long is the warranty?"}\n',
            env=env,
        )
    rows = [
        ("import telegram, rapidfuzz, jinja2, sqlite_utils", imports, ""),
        ("import the bot's modules", bot_imports, ""),
        ("supportbot rma list (empty database)", rma_list, f"{rma_list / imports:.2f}× the imports"),
        ("supportbot ask --jsonl, one answer", first, f"{first / bot_imports:.2f}× the bot's imports"),
    ]
    for label, seconds, ratio in rows:
        print(f"{label:50} {seconds:6.2f} s  {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
