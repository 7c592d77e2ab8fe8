"""The ``supportbot`` command.

supportbot                       console chat (or the Telegram bot once TELEGRAM_BOT_TOKEN is set)
supportbot chat [--brand B] [--now T] [--admin]
supportbot ask --jsonl           batch: one JSON object per stdin line, one per stdout line
supportbot check                 validate every brand pack and FAQ file
supportbot rma list|show|set-status   RMAs for staff at a desk (customers are notified through the bot)
supportbot faq export DIR | import DIR [--dry-run]   the FAQ with admins' changes, as files
supportbot stats [--brand B] [--days N…] [--chart FILE]   figures for admins (all brands and each brand)
supportbot health [--db F]       exit 0 when the running Telegram bot is healthy, else 1 and why
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys

from bot.cli import desk, ops, ops_health, talk
from bot.config import load_dotenv
from bot.core.errors import SupportbotError
from bot.store import SchemaError, StoreBusy

COMMANDS = (talk, desk, ops, ops_health)  # modules whose register() adds their subcommands


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(prog="supportbot", description="After-sales support bot.")
    sub = parser.add_subparsers(dest="command")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``supportbot`` console script."""
    load_dotenv()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args(["run" if os.environ.get("TELEGRAM_BOT_TOKEN", "").strip() else "chat"])
    try:
        return int(args.func(args))
    except (SupportbotError, SchemaError, StoreBusy, sqlite3.DatabaseError) as exc:  # said in one line
        print(f"supportbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
