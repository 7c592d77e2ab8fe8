"""The wording self-check: everything a customer, a consultant or an admin can read, rendered once.

Run by ``supportbot check`` (before a deploy, in CI) and by the tests, not at every start-up: loading
content checks its shape (:mod:`bot.loading`); this renders it.

    render.py          every FAQ answer, shared message, verdict and troubleshooting step, every brand and language
    conversations.py   repair requests and handoffs run through the engine, down every path
    admin.py           every admin message through its branches
    (stats)            every statistics template, empty and full (:func:`bot.backoffice.report.check_wording`)
"""

from __future__ import annotations

from pathlib import Path

from bot.backoffice.report import check_wording as check_stats_wording
from bot.core.clock import fixed_clock
from bot.engine import Engine
from bot.loading import Knowledge
from bot.selfcheck.admin import check_admin_wording
from bot.selfcheck.conversations import converse
from bot.selfcheck.moment import MOMENT
from bot.selfcheck.render import render_everything
from bot.store import Store


def check_root(root: Path) -> Knowledge:
    """Load the content under ``root`` and check all its wording; the knowledge, when it passes."""
    knowledge = Knowledge.load(root)
    check(knowledge)
    return knowledge


def check(knowledge: Knowledge) -> None:
    """Render all the wording of ``knowledge``; raise :class:`~bot.core.errors.FaqError` on the first failure."""
    render_everything(knowledge)
    store = Store(":memory:")
    try:
        converse(Engine(knowledge, store=store, clock=fixed_clock(MOMENT), consultants=True, strict=True))
    finally:
        store.close()
    check_admin_wording(knowledge.packs, knowledge.content, MOMENT)
    check_stats_wording(knowledge.content, knowledge.packs, MOMENT)
