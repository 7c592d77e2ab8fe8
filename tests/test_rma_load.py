"""RMA numbers under load: distinct when a thousand are filed at once, and none lost to a SIGKILL."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from bot.engine import Engine, Message, fixed_clock
from bot.store import Store

from .conftest import ROOT
from .rma_load import ANSWERS, NOW, answer


def test_a_thousand_rmas_filed_at_once_survive_a_sigkill_and_the_restart(tmp_path: Path) -> None:
    db = tmp_path / "load.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.rma_load", str(db), "1400", "16"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
    printed: list[str] = []
    while len(printed) < 1000:
        line = proc.stdout.readline()
        assert line, f"the filer stopped early: {proc.stderr.read() if proc.stderr else ''}"
        printed.append(line.strip())
    proc.send_signal(signal.SIGKILL)  # mid-run: other customers are half-way through their requests
    proc.wait()
    proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()

    assert len(set(printed)) == 1000  # a thousand distinct numbers
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("select number, user from rmas").fetchall())
        drafts = [
            user
            for user, state in conn.execute("select user, state from conversations")
            if (json.loads(state).get("rma") or {}).get("draft")
        ]
    assert set(printed) <= set(stored)  # every number a customer was given is there after the kill
    assert len(stored) < 1400 and drafts  # killed midway: some requests were still being collected

    engine = Engine.from_root(ROOT, store=Store(str(db)), clock=fixed_clock(NOW))
    try:
        for number in printed[::97]:  # each customer still sees their own RMA after the restart
            status = engine.handle(Message(user=stored[number], text="/status"))
            assert number in status[0].text
        user = drafts[0]  # and a request interrupted by the kill carries on where it was
        draft = engine.conversation(user).state.rma.draft
        position = {
            "model": 2,
            "serial": 3,
            "date": 4,
            "bought_from": 5,
            "fault": 6,
            "photos": 7,
            "questions": 8 + len(draft.facts.answers),
            "contact": 10,
            "address": 11,
            "summary": 12,
        }
        start = position[draft.step]  # the next answer this customer would have given
        for kind, value in ANSWERS[start:]:
            replies = engine.handle(answer(user, kind, value))
        assert "Your RMA number is RMA-000-" in replies[0].text
    finally:
        engine.store.close()


def test_numbers_stay_distinct_when_the_random_draw_clashes(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "clash.db"))
    # every number is drawn twice, so about half the draws clash (at three, one thread in ten of 300 could meet
    # 20 clashes in a row and give up, as the store does after 20 draws: a flaky test, not a bug)
    pool = iter(f"RMA-000-AAAA-{i // 2:04d}" for i in range(10**6))
    lock = threading.Lock()

    def draw() -> str:
        with lock:
            return next(pool)

    numbers: list[str] = []

    def file(i: int) -> None:
        numbers.append(
            store.rmas.create(
                make_number=draw,
                user=f"u{i}",
                brand="kimpok",
                status="requested",
                data={},
                outcome="free",
                at=datetime(2026, 11, 18, tzinfo=UTC),
                expires_on=None,
            )
        )

    threads = [threading.Thread(target=file, args=(i,)) for i in range(300)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 300 and len(set(numbers)) == 300
    assert len(store.rmas.find(limit=1000)) == 300
    store.close()
