"""Bad input, every kind of it, through the engine: prints how many kinds were handled well.

    python benchmarks/bench_bad_input.py

"Handled well" (tests/bad_input.py): a reply that is not empty, shows no trace, template, file path or
another customer's data, is not huge, and the turn is recorded. The same table is the test
tests/test_bad_input.py; this script prints the figures and the time each kind took.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import Engine, fixed_clock  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.bad_input import KINDS, NOW, file_other_request, handled_well  # noqa: E402


def main() -> None:
    engine = Engine.from_root(ROOT, store=Store(":memory:"), clock=fixed_clock(NOW))
    file_other_request(engine)
    good, slowest = 0, (0.0, "")
    for bad in KINDS:
        start = time.perf_counter()
        ok, why = handled_well(engine, bad, f"bench-{bad.name}")
        took = time.perf_counter() - start
        slowest = max(slowest, (took, bad.name))
        good += ok
        if not ok:
            print(f"  NOT handled well: {bad.name}: {why}")
    print(f"bad input: {good} of {len(KINDS)} kinds handled well (target: all)")
    print(f"slowest kind: {slowest[1]} in {slowest[0] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
