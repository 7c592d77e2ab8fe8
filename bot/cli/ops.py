"""Commands for whoever runs the bot: backups and restores of its database, and forgetting a customer."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

from bot.adapters.telegram.tables import forget_customer
from bot.cli.common import clock_for, desk_options, settings_of
from bot.core.errors import InputError
from bot.store import SchemaError, Store, StoreBusy
from bot.store.backup import BackupError, backup, restore
from bot.store.privacy import anonymous, customer_key, forget


def _backup(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    try:
        summary = backup(Path(settings.db_path), Path(args.file), force=args.force)
    except BackupError as exc:
        raise InputError(str(exc)) from None
    print(f"backed up {settings.db_path} to {summary.path}: {summary.line()}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    database = Path(settings.db_path)
    try:
        done = restore(Path(args.file), database, now=clock_for(settings)(), force=args.force)
    except BackupError as exc:
        raise InputError(str(exc)) from None
    print(f"restored {args.file} as {database}: {done.summary.line()}")
    if done.kept is not None:
        print(f"the database it replaced is kept as {done.kept}")
    return 0


def _forget(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    user = customer_key(args.user)
    if not user:
        raise InputError("forget needs the customer's key (tg:12345) or Telegram id")
    if not Path(settings.db_path).is_file():
        raise InputError(f"{settings.db_path}: no such database")
    if not args.yes:
        print(f"This removes everything kept about {user} and anonymises their RMAs; it cannot be undone.")
        try:
            typed = input("Type the customer's key again to go ahead: ").strip()
        except EOFError:
            typed = ""
        if customer_key(typed) != user:
            print("not confirmed: nothing was removed (type the key again, or add --yes)", file=sys.stderr)
            return 1
    try:
        store = Store(settings.db_path)
        try:
            gone = forget(store.db, user)
        finally:
            store.close()
    except (SchemaError, StoreBusy, sqlite3.Error) as exc:
        raise InputError(f"{settings.db_path}: nothing was removed: {exc}") from None
    try:
        telegram = forget_customer(settings.db_path, user)
    except sqlite3.Error as exc:
        raise InputError(f"{settings.db_path}: the Telegram tables' rows stay ({exc}): run forget again") from None
    removed = [f"{what} {n}" for what, n in gone.items() if n and what != "rmas anonymised"]
    removed += [f"Telegram records {telegram}"] if telegram else []
    print(f"forgot {user}: " + (", ".join(removed) if removed else "nothing more was kept about them"))
    if gone.rmas_anonymised:
        print(
            f"{gone.rmas_anonymised} RMA{'s' if gone.rmas_anonymised != 1 else ''} kept for warranty records, "
            f"now under {anonymous(user)} without name, contact or address"
        )
    return 0


def register(sub: Any) -> None:
    """Add these commands to the ``supportbot`` parser's subcommands."""
    back = sub.add_parser("backup", help="copy the database to FILE while the bot runs (consistent, atomic)")
    back.add_argument("file", metavar="FILE")
    back.add_argument("--force", action="store_true", help="replace FILE if it exists")
    res = sub.add_parser("restore", help="check a backup and put it in place of the database (stop the bot first)")
    res.add_argument("file", metavar="FILE")
    res.add_argument("--force", action="store_true", help="replace the existing database (kept as a copy beside it)")
    gone = sub.add_parser("forget", help="remove everything kept about one customer; their RMAs are anonymised")
    gone.add_argument("user", metavar="USER", help="the customer's key (tg:12345) or Telegram id")
    gone.add_argument("--yes", action="store_true", help="do not ask to type the key again")
    desk_options(back, res, gone)
    back.set_defaults(func=_backup)
    res.set_defaults(func=_restore)
    gone.set_defaults(func=_forget)
