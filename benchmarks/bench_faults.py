"""Delivery under Telegram faults: the real bot (`supportbot run`) against the fake Bot API, errors injected.

    python benchmarks/bench_faults.py [--customers 100] [--seconds 60] [--kills 4]

Customers ask one question after another; two talk to consultants through their topics; notices are queued
by another process; one customer has blocked the bot. Meanwhile the fake answers with 429s, dropped
connections, late answers, a 502 outage, the bot removed from the staff group and added back, an update
PTB cannot read, and the bot is SIGKILLed and restarted ``--kills`` times (see tests/faultrun.py). Prints
the counts: messages without a reply, replies sent twice (a reply in flight at a kill can be, see the
README), notices and relays missing or twice, what was set aside and why. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import faultrun  # noqa: E402
from tests.fakebot import FakeBotAPI  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kills", type=int, default=4)
    args = parser.parse_args()
    fake = FakeBotAPI()
    await fake.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            counts = await faultrun.run(
                fake, Path(tmp), customers=args.customers, seconds=args.seconds, kills=args.kills
            )
    finally:
        await fake.stop()
    print(counts.line())
    print("faults answered:", dict(counts.hits))
    print("set aside:", dict(counts.reasons))


if __name__ == "__main__":
    asyncio.run(main())
