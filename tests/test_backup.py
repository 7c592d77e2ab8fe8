"""Backups (issue 19): a copy taken while the bot writes loses nothing, a restore checks before it replaces.

Also continuous replication with Litestream, with the real binary and the shipped deploy/litestream.yml.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Engine, Message, fixed_clock
from bot.store import Store

from .conftest import MONDAY_10, ROOT
from .rma_load import file_one


def engine_on(shared_engine: Engine, path: Path, *, consultants: bool = False) -> Engine:
    store = Store(str(path))
    return Engine(shared_engine.knowledge, store=store, clock=fixed_clock(MONDAY_10), consultants=consultants)


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = ("conversations", "rmas", "tickets")
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


def users(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("select user from conversations")}
    finally:
        conn.close()


def a_busy_bot(shared_engine: Engine, path: Path) -> Engine:
    """Two customers with an RMA each, one waiting for a consultant, another asking a question."""
    engine = engine_on(shared_engine, path, consultants=True)
    file_one(engine, "tg:1")
    file_one(engine, "tg:2")
    engine.handle(Message(user="tg:3", text="/human", id="tg:u3"))
    engine.handle(Message(user="tg:4", text="how long is the warranty?", id="tg:u4"))
    return engine


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_taken_while_turns_go_on_holds_every_turn_committed_before_it(
    shared_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bot.db"
    engine = a_busy_bot(shared_engine, db)
    committed: list[str] = []  # customers whose turn returned (it is committed when handle returns)
    stop = threading.Event()

    def customers_keep_writing() -> None:
        n = 0
        while not stop.is_set():
            user = f"tg:{1000 + n}"
            engine.handle(Message(user=user, text="who pays shipping for an rma?", id=f"tg:w{n}"))
            committed.append(user)
            n += 1

    writer = threading.Thread(target=customers_keep_writing)
    writer.start()
    try:
        while len(committed) < 20:
            time.sleep(0.01)
        before = set(committed)
        assert main(["backup", str(tmp_path / "copy.db"), "--db", str(db)]) == 0
        while len(committed) < len(before) + 20:  # the bot went on writing after the backup
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
    out = capsys.readouterr().out
    copy = tmp_path / "copy.db"
    copied = users(copy)
    assert before <= copied  # every turn committed before the backup began
    assert set(committed) - copied  # and the later ones are not: the copy is one moment
    assert {"tg:1", "tg:2", "tg:3", "tg:4"} <= copied
    assert sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not Path(f"{copy}-wal").exists()  # a single file, nothing beside it
    found = counts(copy)
    assert found["rmas"] == 2 and found["tickets"] == 1
    assert f"{found['conversations']} conversations, 2 RMAs, 1 ticket" in out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_a_backup_never_overwrites_a_file_unless_forced(
    shared_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bot.db"
    a_busy_bot(shared_engine, db)
    target = tmp_path / "copy.db"
    target.write_text("last week's backup")
    assert main(["backup", str(target), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"supportbot: {target} exists already") and "--force" in err and err.count("\n") == 1
    assert target.read_text() == "last week's backup"
    assert main(["backup", str(target), "--force", "--db", str(db)]) == 0
    assert counts(target)["rmas"] == 2


def _spoilt(tmp_path: Path, good: Path) -> dict[str, Path]:
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    page = 4096
    data[3 * page : 6 * page] = bytes(range(256)) * (3 * page // 256)  # pages of the tables overwritten
    damaged.write_bytes(bytes(data))
    text = tmp_path / "notes.db"
    text.write_text("these are not the droids\n")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table photos (id integer)").connection.commit()
    newer = tmp_path / "newer.db"
    shutil.copy(good, newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    return {"truncated": truncated, "damaged": damaged, "text": text, "other": other, "newer": newer}


def test_a_spoilt_file_is_refused_in_one_line_and_the_database_is_untouched(
    shared_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bot.db"
    engine = a_busy_bot(shared_engine, db)
    engine.store.close()
    good = tmp_path / "good.db"
    assert main(["backup", str(good), "--db", str(db)]) == 0
    capsys.readouterr()
    before = digest(db)
    reasons = {
        "truncated": "SQLite",
        "damaged": "SQLite",
        "text": "not a usable SQLite database",
        "other": "not a supportbot database",
        "newer": "schema is version 99",
    }
    for name, path in _spoilt(tmp_path, good).items():
        assert main(["restore", str(path), "--force", "--db", str(db)]) == 2, name
        err = capsys.readouterr().err
        assert err.startswith(f"supportbot: {path}: ") and reasons[name] in err, (name, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    assert digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir() if "before-restore" in p.name or p.name.startswith(".")) == []
    assert main(["restore", str(tmp_path / "missing.db"), "--force", "--db", str(db)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_restore_brings_back_conversations_rmas_and_tickets_and_keeps_what_it_replaced(
    shared_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bot.db"
    engine = a_busy_bot(shared_engine, db)
    backup = tmp_path / "monday.db"
    assert main(["backup", str(backup), "--db", str(db)]) == 0
    rmas = {r["number"] for r in engine.store.rmas.find()}
    # then things go wrong: the RMAs and tickets are lost, and a new customer writes (left in the -wal file)
    with engine.store.db.write() as conn:
        conn.execute("delete from rmas")
        conn.execute("delete from tickets")
    engine.handle(Message(user="tg:99", text="hello", id="tg:u99"))
    assert Path(f"{db}-wal").exists()

    assert main(["restore", str(backup), "--db", str(db)]) == 2  # the bot may be running: not without --force
    err = capsys.readouterr().err
    assert "stop the bot first" in err and "--force" in err
    engine.store.close()
    crash = (  # the bot's last turn, then it is killed: the turn is only in the -wal file
        "import os, sys; from datetime import UTC, datetime; from bot.store import Store; s = Store(sys.argv[1]); "
        "s.conversations.save('tg:98', 'kimpok', 'en', '{}', 1, at=datetime.now(UTC)); os._exit(9)"
    )
    subprocess.run([sys.executable, "-c", crash, str(db)], cwd=ROOT, timeout=60, check=False)
    assert Path(f"{db}-wal").stat().st_size > 0
    assert main(["restore", str(backup), "--force", "--db", str(db), "--now", "2026-11-23T12:00:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert "2 RMAs, 1 ticket" in out
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()  # none of the old file's left

    store = Store(str(db))
    assert {r["number"] for r in store.rmas.find()} == rmas
    assert store.tickets.active("tg:3") is not None
    assert {"tg:1", "tg:2", "tg:3", "tg:4"} == users(db)
    assert store.conversations.load("tg:99") is None
    kept = tmp_path / "bot.db.before-restore-20261123T120000"
    assert f"kept as {kept}" in out
    assert {"tg:98", "tg:99"} <= users(kept) and counts(kept)["rmas"] == 0  # the replaced one, with its WAL
    store.close()


# -- Litestream ------------------------------------------------------------------------------------------


def _litestream() -> str:
    found = shutil.which("litestream") or shutil.which("litestream", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the litestream command is not installed (pip install 'supportbot[litestream]')")
    try:
        subprocess.run([found, "version"], capture_output=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"the litestream command cannot run here: {exc}")
    return found


def _restored(litestream: str, env: dict[str, str], db: Path, out: Path) -> set[str]:
    out.unlink(missing_ok=True)
    config = str(ROOT / "deploy" / "litestream.yml")
    result = subprocess.run(
        [litestream, "restore", "-config", config, "-o", str(out), str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return users(out) if result.returncode == 0 and out.exists() else set()


def test_litestream_replicates_the_database_while_the_bot_writes_and_restores_it_whole(
    shared_engine: Engine, tmp_path: Path
) -> None:
    litestream = _litestream()
    db = tmp_path / "bot.db"
    engine = a_busy_bot(shared_engine, db)
    env = {**os.environ, "SUPPORTBOT_DB": str(db), "SUPPORTBOT_REPLICA": str(tmp_path / "replica")}
    replicate = subprocess.Popen(
        [litestream, "replicate", "-config", str(ROOT / "deploy" / "litestream.yml")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for n in range(30):  # customers go on writing while it replicates
            engine.handle(Message(user=f"tg:{500 + n}", text="hello", id=f"tg:r{n}", now=MONDAY_10))
            time.sleep(0.02)
        file_one(engine, "tg:5")
        engine.handle(Message(user="tg:6", text="/human", id="tg:u6"))
        expected = users(db)
        deadline = time.monotonic() + 60
        found: set[str] = set()
        while found != expected and time.monotonic() < deadline:
            time.sleep(0.5)
            found = _restored(litestream, env, db, tmp_path / "restored.db")
    finally:
        replicate.send_signal(signal.SIGTERM)
        _, err = replicate.communicate(timeout=30)
    assert found == expected, err[-2000:]
    restored = Store(str(tmp_path / "restored.db"))
    assert {r["number"] for r in restored.rmas.find()} == {r["number"] for r in engine.store.rmas.find()}
    assert len(restored.rmas.find()) == 3
    assert {t["user"] for t in restored.tickets.find()} == {"tg:3", "tg:6"}
    restored.close()
