"""Running the real bot (``supportbot run``) as a subprocess against the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from .conftest import ROOT
from .fakebot import FakeBotAPI


class BotProcess:
    """One ``supportbot run`` process; can be killed and started again on the same database."""

    running: ClassVar[set[BotProcess]] = set()  # started and not yet seen to end (see kill_left_over)

    def __init__(self, fake: FakeBotAPI, workdir: Path, **env: str) -> None:
        self.fake = fake
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPPORTBOT_", "TELEGRAM_"))}
        self.env.update(
            {
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "SUPPORTBOT_DB": str(workdir / "bot.db"),
                "PYTHONUNBUFFERED": "1",
                # Telegram's one message a second to a chat would make every conversation here take seconds a
                # turn; the fake server has no such limit. Tests of that limit set it back (test_telegram_limits).
                "SUPPORTBOT_CHAT_RATE": "1000",
                **env,
            }
        )
        self.proc: asyncio.subprocess.Process | None = None
        self.log = workdir / "bot.log"
        self.args: list[str] = []

    async def start(self, timeout: float = 60.0, ready: Callable[[], bool] | None = None) -> None:
        """Start the bot and wait until it is polling (or until ``ready()``)."""
        polls = sum(1 for method, _ in self.fake.calls if method == "getUpdates")
        with self.log.open("a") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                *self.args,
                cwd=ROOT,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        BotProcess.running.add(self)
        try:
            await self.fake.wait_for(
                ready or (lambda: sum(1 for method, _ in self.fake.calls if method == "getUpdates") > polls), timeout
            )
        except TimeoutError:
            raise AssertionError(f"the bot did not start polling; its log:\n{self.log.read_text()}") from None

    async def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()
        BotProcess.running.discard(self)

    async def stop(self) -> int | None:
        """SIGTERM, then wait (SIGKILL after 15 s)."""
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), 15)
        except TimeoutError:
            await self.kill()
            return None
        BotProcess.running.discard(self)
        return code

    @classmethod
    async def kill_left_over(cls, fake: FakeBotAPI) -> None:
        """Kill the bots a test against ``fake`` left running (it failed before stopping them)."""
        for bot in [b for b in cls.running if b.fake is fake]:
            await bot.kill()
