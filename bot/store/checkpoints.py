"""Checkpoints of the write-ahead log, off the answer path.

In WAL mode SQLite copies the log back into the database file (a checkpoint) in whichever connection's
commit takes the log past ``wal_autocheckpoint`` pages (1,000 by default). For the bot that is every
hundred turns or so, and that turn waits for the copy and its fsync: 5–7 ms against under 1 ms for the
turn itself, which is what a customer's slowest replies were made of.

A process that runs for long (the Telegram bot, the console chat, a batch worker) checkpoints in a thread
of its own instead, on a connection of its own, every :data:`EVERY` seconds, without waiting for readers
or writers (``PASSIVE``): SQLite does that work with the GIL released, so answering goes on meanwhile. Its
answering connections keep SQLite's own checkpoint only as a backstop far above what that interval writes
(:data:`BACKSTOP_PAGES`), so the log stays bounded even if the thread were stopped, and the log file is
cut back to :data:`LOG_LIMIT` bytes once it starts over. Short commands (the desk's) keep SQLite's default.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

EVERY = 1.0  # seconds between checkpoints
BACKSTOP_PAGES = 10_000  # an answering connection's own checkpoint, should the thread not keep up (~40 MB)
LOG_LIMIT = 8 * 1024 * 1024  # bytes the log file is cut back to after it starts over


def hand_over(conn: sqlite3.Connection) -> None:
    """Leave ``conn``'s checkpoints to a :class:`Checkpointer` (SQLite's own stays as a backstop)."""
    conn.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit={LOG_LIMIT}")


class Checkpointer:
    """A daemon thread checkpointing one SQLite file's log every :data:`EVERY` seconds until :meth:`stop`."""

    def __init__(self, path: str, every: float = EVERY) -> None:
        self.path = path
        self.every = every
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False  # a failure is logged once, not every second

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it (a checkpoint under way finishes first)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        try:
            while not self._stopping.wait(self.every):
                self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        """One passive checkpoint: (1 if it could not run whole, pages in the log, pages copied)."""
        try:
            row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # the backstop still bounds the log; say so once
            if not self._failing:
                log.warning("%s: a checkpoint of the write-ahead log failed (%s); SQLite's own will do", self.path, exc)
            self._failing = True
            return (1, -1, -1)
        self._failing = False
        return (int(row[0]), int(row[1]), int(row[2]))
