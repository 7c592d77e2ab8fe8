"""The log's checkpoints run in a thread of a long-running process, not inside a customer's turn."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.checkpoints import BACKSTOP_PAGES, Checkpointer

MEGABYTE = 1024 * 1024


def _write_megabytes(store: Store, count: int) -> None:
    with store.db.write() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS ballast (data BLOB)")
    for _ in range(count):  # a commit each, as turns are
        with store.db.write() as conn:
            conn.execute("INSERT INTO ballast (data) VALUES (randomblob(?))", [MEGABYTE])


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "wal-checkpoints" and t.is_alive()]


def test_a_short_command_keeps_sqlites_own_checkpoints(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "bot.db"))
    try:
        _write_megabytes(store, 6)  # past SQLite's 1,000 pages: a commit copied the log into the file
        assert (tmp_path / "bot.db").stat().st_size > 4 * MEGABYTE
        assert not _checkpoint_threads()
    finally:
        store.close()


def test_a_long_running_store_checkpoints_in_its_thread_and_not_in_commits(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = Store(str(path))
    store.checkpoint_behind()
    try:
        assert store.db.one("PRAGMA wal_autocheckpoint") == (BACKSTOP_PAGES,)
        assert len(_checkpoint_threads()) == 1
        store.db._checkpointer.stop()  # type: ignore[union-attr]  # this test checkpoints by hand, below
        _write_megabytes(store, 6)
        assert path.stat().st_size < MEGABYTE  # no commit paid for a checkpoint: it is all in the log
        with sqlite3.connect(path) as other:
            busy, pages, copied = Checkpointer(str(path)).checkpoint(other)
        assert (busy, copied) == (0, pages) and pages > 1000
        assert path.stat().st_size > 6 * MEGABYTE  # now in the database file
        assert store.db.one("SELECT count(*) FROM ballast") == (6,)
    finally:
        store.close()


def test_the_thread_checkpoints_on_its_own_and_stops_with_the_store(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = Store(str(path))
    store.db._checkpointer = Checkpointer(str(path), every=0.05)  # a faster thread than the second it waits
    store.db._checkpointer.start()
    try:
        _write_megabytes(store, 2)
        deadline = time.monotonic() + 10
        while path.stat().st_size < 2 * MEGABYTE and time.monotonic() < deadline:
            time.sleep(0.05)
        assert path.stat().st_size > 2 * MEGABYTE
    finally:
        store.close()
    assert not _checkpoint_threads()


def test_a_failing_checkpoint_is_logged_once_and_answering_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    checkpointer = Checkpointer(":memory:")
    broken = sqlite3.connect(":memory:")
    broken.close()
    with caplog.at_level(logging.WARNING, logger="bot.store.checkpoints"):
        assert checkpointer.checkpoint(broken) == (1, -1, -1)
        assert checkpointer.checkpoint(broken) == (1, -1, -1)
    assert len(caplog.records) == 1
    assert "SQLite's own will do" in caplog.records[0].getMessage()
