"""The running Telegram bot's memory does not grow with the number of distinct customers (issue 18).

The real python-telegram-bot ``Application``, wired by the adapter and fed by its own polling loop, serves
customers through the fake Bot API in this process; then every container the application, its bot and the
adapter's parts hold (sets, dicts, lists, per-chat locks…) is measured. Serving more distinct customers must
not make any of them larger: what the bot keeps of a customer lives in SQLite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sized
from pathlib import Path
from typing import Any

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.perchat import KeyedLocks
from bot.adapters.telegram.run import build_application, poll
from bot.adapters.telegram.settings import TelegramSettings
from bot.engine import Engine
from bot.store import Store

from .conftest import fresh_engine
from .fakebot import FakeBotAPI


def containers(owner: str, obj: Any) -> dict[str, int]:
    """The size of everything sized that ``obj`` holds directly (its attributes and slots)."""
    names = set(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        slots = getattr(cls, "__slots__", ())
        names.update([slots] if isinstance(slots, str) else slots)
    sizes = {}
    for name in names:
        mangled = f"_{type(obj).__name__.lstrip('_')}{name}" if name.startswith("__") else name
        value = getattr(obj, mangled, getattr(obj, name, None))
        if isinstance(value, Sized) and not isinstance(value, str | bytes):
            sizes[f"{owner}.{name}"] = len(value)
    return sizes


async def customers(fake: FakeBotAPI, first: int, count: int) -> None:
    """``count`` new customers each ask a question and get their answer."""
    users = range(first, first + count)
    for user in users:
        await fake.customer_text(user, "how long is the warranty?", language="zh" if user % 2 else "en")
    await fake.wait_for(lambda: all(fake.sent_to(u) for u in users), timeout=60)
    await asyncio.sleep(0.3)  # the deliveries' records and their tasks' ends


async def test_serving_more_distinct_customers_grows_nothing_the_bot_holds_in_memory(
    fake: FakeBotAPI, shared_engine: Engine, tmp_path: Path
) -> None:
    path = str(tmp_path / "bot.db")
    engine = fresh_engine(shared_engine, store=Store(path))
    settings = TelegramSettings(token=fake.token, api_base_url=fake.base_url, max_rate=1000, db_path=path)
    adapter = TelegramAdapter(engine, settings)
    app = build_application(settings, polling=True)
    adapter.register(app)
    stop = asyncio.Event()

    def measured() -> dict[str, int]:
        staff = adapter.staff_chat
        parts = {"app": app, "bot": app.bot, "rate_limiter": app.bot.rate_limiter, "adapter": adapter}
        parts |= {"handlers": adapter.handlers, "delivery": adapter.delivery, "staff_chat": staff}
        parts |= {"topics": staff.topics, "engine": engine}
        sizes: dict[str, int] = {}
        for owner, obj in parts.items():
            sizes |= containers(owner, obj)
        return sizes

    async with app:
        await app.start()
        loops = [
            asyncio.create_task(poll(app, adapter.tables, stop)),
            asyncio.create_task(adapter.run_notices(app.bot, stop)),
        ]
        try:
            await customers(fake, 1000, 20)
            before = measured()
            await customers(fake, 2000, 80)
            after = measured()
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*loops), 30)
            await adapter.delivery.drain(5)
            await app.stop()
            adapter.close()

    assert "app._chat_ids_to_be_updated_in_persistence" in before  # PTB's own notes are among those measured
    assert "staff_chat._locks" in before and "delivery._chains" in before
    grown = {name: (before[name], after[name]) for name in before if after.get(name, 0) > before[name] + 2}
    assert not grown, f"grew with 80 more customers (before, after): {grown}"


async def test_a_chats_lock_is_kept_only_while_it_is_held_or_waited_for() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    order: list[str] = []

    async def deliver(name: str, pause: float) -> None:
        async with locks.hold("tg:1"):
            order.append(f"{name} starts")
            await asyncio.sleep(pause)
            order.append(f"{name} ends")

    first = asyncio.create_task(deliver("first", 0.05))
    await asyncio.sleep(0)
    second = asyncio.create_task(deliver("second", 0))
    await asyncio.sleep(0.01)
    assert len(locks) == 1  # one lock, held by the first and waited for by the second
    await asyncio.gather(first, second)
    assert order == ["first starts", "first ends", "second starts", "second ends"]
    assert len(locks) == 0
