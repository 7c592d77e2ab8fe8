"""Shared fixtures: the real content, an engine on an in-memory store, and a transcript-style chat."""

from __future__ import annotations

import gc
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

from bot.engine import Engine, Message, Reply, fixed_clock
from bot.store import Store

from .fakebot import FakeBotAPI

# Speed is measured by the benchmark scripts, not by timed tests: no per-example deadline (the first call into
# dateparser, or a loaded CI machine, would make it flaky).
settings.register_profile("supportbot", deadline=None)
settings.load_profile("supportbot")

ROOT = Path(__file__).resolve().parent.parent
# A Monday morning in Shenzhen: consultants are in.
MONDAY_10 = datetime.fromisoformat("2026-11-23T10:00:00+08:00")


def _kept_for_the_session() -> None:
    """What the process holds now lives as long as it: the collector need not walk it again.

    As the bot's CLI freezes what it loaded (bot/cli.py). In a test process the full passes over the test
    modules, hypothesis and the loaded content took 0.1 to 0.3 s each, and fell inside renders that have a
    0.5 s wall-clock budget (a template that does too much work is refused).
    """
    gc.collect()
    gc.freeze()


def pytest_collection_finish(session: pytest.Session) -> None:
    _kept_for_the_session()


@pytest.fixture(scope="session")
def shared_engine() -> Engine:
    """One engine over the real content (read-only tests)."""
    engine = Engine.from_root(ROOT, store=Store(":memory:"), clock=fixed_clock(MONDAY_10))
    _kept_for_the_session()
    return engine


def fresh_engine(
    e: Engine, *, store: Store | None = None, consultants: bool = False, now: datetime = MONDAY_10
) -> Engine:
    """A new engine over ``e``'s content (loaded once per session), with its own database."""
    return Engine(e.knowledge, store=store or Store(":memory:"), clock=fixed_clock(now), consultants=consultants)


@pytest.fixture
def engine(shared_engine: Engine) -> Engine:
    """A fresh engine with its own in-memory database (no staff chat: no consultant handoff)."""
    return fresh_engine(shared_engine)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of policies/ and faq/ for tests that change or break content."""
    for name in ("policies", "faq"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


@dataclass
class Chat:
    """A conversation driven like a customer would: say things, press buttons."""

    engine: Engine
    user: str = "customer-1"
    brand: str | None = None
    now: datetime | None = None
    log: list[list[Reply]] = field(default_factory=list)

    def say(self, text: str) -> str:
        replies = self.engine.handle(Message(user=self.user, text=text, brand=self.brand, now=self.now))
        self.log.append(replies)
        return self.text

    def press(self, label: str) -> str:
        replies = self.engine.handle(Message(user=self.user, press=label, brand=self.brand, now=self.now))
        self.log.append(replies)
        return self.text

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.log[-1])

    @property
    def buttons(self) -> list[str]:
        return [b.label for r in self.log[-1] for b in r.buttons]


@pytest.fixture
def chat(engine: Engine) -> Callable[..., Chat]:
    def make(brand: str | None = None, user: str = "customer-1", now: datetime | None = None) -> Chat:
        return Chat(engine, user=user, brand=brand, now=now)

    return make


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """A fake Telegram Bot API server on 127.0.0.1 (see tests/fakebot.py)."""
    from .botprocess import BotProcess  # (it imports this module)

    api = FakeBotAPI()
    await api.start()
    yield api
    await BotProcess.kill_left_over(api)  # a bot a failed test left running would poll on for good
    await api.stop()
