"""Backups and restores of the bot's SQLite file, safe while the bot runs.

:func:`backup` copies the database with SQLite's online backup API in one step: the copy is the database as
it stood at one moment (every transaction committed before it began, none half), while the bot goes on
reading and writing (WAL mode: a reader never blocks a writer). The copy is written to a temporary file
beside the destination and renamed into place, so a crash leaves either no backup or a whole one.

:func:`restore` first checks the file to restore (:func:`inspect`: it opens as SQLite, its integrity check
is ok, it holds the bot's tables and a schema version this code reads), keeps the current database as
``<db>.before-restore-<timestamp>`` (a consistent copy, with what its ``-wal`` file still held), then puts
the copy in place and removes the target's stale ``-wal`` and ``-shm`` files. Nothing is changed when the
check fails. The bot must be stopped first: a running bot keeps writing to the file it opened.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from bot.store.schema import MIGRATIONS

TABLES = ("conversations", "rmas", "tickets", "events", "outbox", "notices")  # the core tables a copy must hold


class BackupError(RuntimeError):
    """A backup or restore refused (one line saying why); nothing was changed."""


@dataclass(frozen=True)
class Summary:
    """What a database file holds, as a backup reports it."""

    path: Path
    size: int
    version: int
    conversations: int
    rmas: int
    tickets: int

    def line(self) -> str:
        """``12.3 kB, schema 5: 4 conversations, 2 RMAs, 1 ticket``."""
        return (
            f"{_size(self.size)}, schema version {self.version}: {_count(self.conversations, 'conversation')}, "
            f"{_count(self.rmas, 'RMA')}, {_count(self.tickets, 'ticket')}"
        )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _size(size: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000  # type: ignore[assignment]
    return f"{size} bytes"  # pragma: no cover


def inspect(path: Path) -> Summary:
    """Check that ``path`` is a sound copy of the bot's database this code can read; what it holds.

    Raises :class:`BackupError` (one line) when it is missing, not SQLite, damaged, not the bot's, or newer.
    """
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: cannot be opened as SQLite ({exc})") from None
    try:
        try:
            check = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path}: not a usable SQLite database ({exc})") from None
        if check != ["ok"]:
            raise BackupError(f"{path}: SQLite's integrity check failed ({'; '.join(check[:3])})")
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
        missing = [t for t in TABLES if t not in tables]
        if missing:
            raise BackupError(f"{path}: not a supportbot database (no table {', '.join(missing)})")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise BackupError(
                f"{path}: its schema is version {version}, this bot knows up to {len(MIGRATIONS)} "
                "(a newer bot wrote it)"
            )
        counts = [int(conn.execute(f'select count(*) from "{t}"').fetchone()[0]) for t in TABLES[:3]]
    finally:
        conn.close()
    return Summary(path, path.stat().st_size, version, *counts)


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` (with what its WAL holds) as the single file ``target``."""
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one moment
            dst.execute("PRAGMA journal_mode=DELETE")  # the copy stands alone: no -wal beside it
        finally:
            dst.close()
    finally:
        src.close()
    with open(target, "rb") as f:
        os.fsync(f.fileno())


def _temp_beside(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _remove(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def backup(database: Path, target: Path, *, force: bool = False) -> Summary:
    """Copy the live database to ``target`` (refused if it exists, unless ``force``); what the copy holds."""
    if not database.is_file():
        raise BackupError(f"{database}: no such database")
    if target.exists() and not force:
        raise BackupError(f"{target} exists already: choose another name, or add --force to replace it")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    temp = _temp_beside(target)
    _remove(temp)
    try:
        _copy(database, temp)
        summary = inspect(temp)
        os.replace(temp, target)
    except sqlite3.Error as exc:
        raise BackupError(f"{database}: could not be copied ({exc})") from None
    finally:
        _remove(temp, Path(f"{temp}-journal"))
    return replace(summary, path=target)


@dataclass(frozen=True)
class Restored:
    """A restore: what was put in place, and where the database it replaced was kept (None: there was none)."""

    summary: Summary
    kept: Path | None


def restore(source: Path, database: Path, *, now: datetime, force: bool = False) -> Restored:
    """Put the backup ``source`` in place of ``database`` (the bot stopped), keeping the one it replaces.

    An existing database is replaced only with ``force`` (the caller has made sure the bot is stopped).
    """
    inspect(source)
    if database.exists() and not force:
        raise BackupError(
            f"{database} exists: stop the bot first, then run the restore again with --force "
            "(the current database is kept beside it)"
        )
    temp = _temp_beside(database)
    _remove(temp)
    kept: Path | None = None
    try:
        _copy(source, temp)
        summary = inspect(temp)
        if database.exists():
            kept = database.with_name(f"{database.name}.before-restore-{now.strftime('%Y%m%dT%H%M%S')}")
            if kept.exists():
                raise BackupError(f"{kept} exists already: wait a second and run the restore again")
            _copy(database, kept)
        _remove(Path(f"{database}-wal"), Path(f"{database}-shm"))
        os.replace(temp, database)
    except sqlite3.Error as exc:
        raise BackupError(f"{source}: could not be restored ({exc})") from None
    finally:
        _remove(temp, Path(f"{temp}-journal"))
    return Restored(replace(summary, path=database), kept)
