"""What every ``supportbot`` command shares: its settings, its clock, its engine, its usual options."""

from __future__ import annotations

import argparse
import gc

from bot.config import Settings, content_root
from bot.core.clock import Clock
from bot.engine import Engine, fixed_clock, system_clock
from bot.store import Store


def clock_for(settings: Settings) -> Clock:
    """The settings' fixed clock, else the real one."""
    return fixed_clock(settings.now) if settings.now else system_clock


def engine_for(settings: Settings, *, consultants: bool = False) -> Engine:
    """An engine over the content root and the settings' database."""
    store = Store(settings.db_path, keep=settings.keep)
    engine = Engine.from_root(
        content_root(), store=store, clock=clock_for(settings), default_brand=settings.brand, consultants=consultants
    )
    gc.freeze()  # what is loaded lives as long as the process: the collector need not walk it again
    return engine


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings, with the command line's --brand, --now and --db over the environment's."""
    return Settings.from_env(
        brand=getattr(args, "brand", None), now=getattr(args, "now", None), db=getattr(args, "db", None)
    )


def conversation_options(p: argparse.ArgumentParser) -> None:
    """--brand, --now and --db, for commands that talk to customers."""
    p.add_argument("--brand", help="brand pack (default: SUPPORTBOT_BRAND, else kimpok)")
    p.add_argument("--now", help="fix the clock, ISO 8601 with offset (default: SUPPORTBOT_NOW, else real time)")
    p.add_argument("--db", help="SQLite file (default: SUPPORTBOT_DB, else supportbot.db)")


def desk_options(*parsers: argparse.ArgumentParser) -> None:
    """Commands for staff at a desk: a database, and a clock fixed only for tests."""
    for p in parsers:
        p.add_argument("--db", help="SQLite file (default: SUPPORTBOT_DB, else supportbot.db)")
        p.add_argument("--now", help=argparse.SUPPRESS)
