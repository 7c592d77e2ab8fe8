"""The wording self-check: everything a customer, a consultant or an admin can read, rendered once.

Run by ``supportbot check`` (before a deploy, in CI) and by the tests, not at every start-up: loading
content checks its shape (:mod:`bot.loading`); this renders it.

    render.py          every FAQ answer, shared message, verdict and troubleshooting step, every brand and language
    conversations.py   repair requests and handoffs run through the engine, down every path
    admin.py           every admin message through its branches
    (stats)            every statistics template, empty and full (:func:`bot.backoffice.report.check_wording`)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.backoffice.report import check_wording as check_stats_wording
from bot.core.clock import fixed_clock
from bot.core.errors import PackError
from bot.engine import Engine
from bot.knowledge.hours import NEXT_YEAR_REQUIRED_MONTH, uncovered_years
from bot.loading import Knowledge
from bot.selfcheck.admin import check_admin_wording
from bot.selfcheck.conversations import converse
from bot.selfcheck.moment import MOMENT
from bot.selfcheck.render import render_everything
from bot.store import Store


def check_root(root: Path, today: date | None = None) -> Knowledge:
    """Load the content under ``root`` and check all its wording; the knowledge, when it passes.

    Given ``today``, the holiday calendar must hold this year and, in December, the next one too.
    """
    knowledge = Knowledge.load(root)
    if today is not None:
        check_calendar(knowledge, root / "policies" / "_calendar.toml", today)
    check(knowledge)
    return knowledge


def check_calendar(knowledge: Knowledge, path: Path, today: date) -> None:
    """Raise :class:`~bot.core.errors.PackError` when a calendar in use lacks a year hours answers need."""
    ahead = today.month >= NEXT_YEAR_REQUIRED_MONTH
    missing = uncovered_years(knowledge.packs.values(), today, ahead=ahead)
    if missing:
        name, year = missing[0].rsplit(" ", 1)
        raise PackError(
            path,
            f"{name}.years.{year}",
            "missing: add that year's public holidays and make-up working days from the State Council's notice"
            + (" (it is December: next year's are needed now)" if int(year) > today.year else ""),
        )


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
