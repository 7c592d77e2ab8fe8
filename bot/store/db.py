"""The SQLite connection every area of the store shares: one lock, transactions, reads, migrations.

One :class:`Database` per process and file. Writes go through :meth:`Database.write`, a ``BEGIN IMMEDIATE``
transaction (the write lock is taken at the start, so a check and the write after it are one, across
processes too); a write inside another joins it, which is how a turn's state, event and replies, or an
RMA's change and the notices it causes, land together or not at all. The schema's version is SQLite's
``PRAGMA user_version``; :meth:`Database.migrate` runs the steps the file has not had yet, each in the
transaction that records its number.

Every moment is written as UTC ISO 8601 (:func:`utc`), so moments compare and sort as plain strings.

Another process may hold the write lock for a while (a desk command, a backup, an admin's sqlite3 shell):
a write waits for it (SQLite's busy timeout) and tries again, up to :data:`WRITE_PATIENCE` seconds in all,
before giving up with :class:`StoreBusy`, so a turn is saved whole or is known not to be.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from bot.store.checkpoints import Checkpointer, hand_over

Migration = Callable[[sqlite3.Connection], None]


BUSY_SECONDS = 5.0  # SQLite's busy timeout: how long one attempt waits for another connection's lock
WRITE_PATIENCE = 30.0  # how long a write keeps trying, in all, before it gives up


class SchemaError(RuntimeError):
    """The database was written by a newer version of the bot (its schema is ahead of this code)."""


class StoreBusy(RuntimeError):
    """Another connection held the write lock for longer than a write waits: nothing was written."""


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def utc(moment: datetime | str) -> str:
    """A moment as stored: UTC ISO 8601 such as ``2026-11-23T02:00:00+00:00``.

    ``moment`` must carry its UTC offset (a datetime, or an ISO 8601 string as an earlier row holds).
    """
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        raise ValueError(f"a stored moment needs its UTC offset: {moment.isoformat()}")
    return moment.astimezone(UTC).isoformat()


def utc_or_none(moment: datetime | str | None) -> str | None:
    """:func:`utc`, keeping None."""
    return None if moment is None else utc(moment)


class Database:
    """One SQLite file (or ``:memory:``), safe to share between the threads of one process."""

    def __init__(self, path: str = "supportbot.db") -> None:
        self.path = path
        # autocommit outside write(): transactions are begun and ended here, never implicitly
        self.patience = WRITE_PATIENCE
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS)
        self._lock = threading.RLock()
        self._depth = 0  # write() blocks open on the thread holding the lock
        self._checkpointer: Checkpointer | None = None
        # sqlite-utils over the same connection: dict rows, schema introspection (writes stay in write())
        self.utils = sqlite_utils.Database(self.conn)
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")

    def checkpoint_behind(self) -> None:
        """Checkpoint the log in a thread of this process from now on, not in the commits (:mod:`.checkpoints`).

        For processes that run for long, once they will not fork: a forked child must not inherit a thread
        that may be inside SQLite. No-op in memory.
        """
        if self.path == ":memory:" or self._checkpointer is not None:
            return
        with self._lock:
            hand_over(self.conn)
        self._checkpointer = Checkpointer(self.path)
        self._checkpointer.start()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``); committed at the end, rolled back on an exception.

        Inside another :meth:`write` on the same thread it joins the outer transaction.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self._begin()
            self._depth = 1
            try:
                yield self.conn
            except BaseException:
                self._depth = 0
                self.conn.rollback()
                raise
            self._depth = 0
            self.conn.commit()

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE``, waiting out another connection's write lock up to :attr:`patience` seconds."""
        deadline = time.monotonic() + self.patience
        pause = 0.05
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"{self.path}: the write lock was held elsewhere for {self.patience:g} s") from exc
            time.sleep(pause)  # a lock SQLite reports at once (no busy wait), or one held past the busy timeout
            pause = min(pause * 2, 1.0)

    def read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query, as tuples."""
        with self._lock:
            return self.conn.execute(sql, list(args)).fetchall()

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        with self._lock:
            row: tuple[Any, ...] | None = self.conn.execute(sql, list(args)).fetchone()
        return row

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of a query, as dicts by column name."""
        with self._lock:
            return list(self.utils.query(sql, list(args)))

    @property
    def version(self) -> int:
        """The schema's version (``PRAGMA user_version``): how many migrations the file has had."""
        row = self.one("PRAGMA user_version")
        return int(row[0]) if row else 0

    def migrate(self, steps: Sequence[Migration]) -> None:
        """Run the migrations the file has not had, in order, each with its version number.

        Refuses (:class:`SchemaError`) a file whose version is ahead of ``steps``: a newer bot wrote it.
        """
        with self.write() as conn:  # two processes starting at once: the second finds the work done
            done = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if done > len(steps):
                raise SchemaError(
                    f"{self.path}: the database's schema is version {done}, this bot knows up to {len(steps)}"
                )
            for number, step in enumerate(steps[done:], start=done + 1):
                step(conn)
                conn.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        """Stop the checkpoints' thread, if any, and close the connection."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        with self._lock:
            self.conn.close()
