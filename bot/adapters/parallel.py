"""Batch answering on several processes (``supportbot ask --jsonl --workers N``).

Answering is CPU work in one Python thread, so a batch of many customers' questions is spread over
processes forked once the content is loaded (they share it, copy-on-write). Every line of one user goes to
the same worker, in order, so a conversation reads exactly as it would in one process; other users'
conversations never affect an answer (batch lines are never an admin's). Each worker opens its own
connection to the same SQLite file (WAL: readers and one writer at a time, each turn a short transaction).

Output keeps the input's order and streams: a line is written as soon as it and every line before it are
answered. A line a worker is given is only waited for once sent, and each worker's answers come back in
the order its lines went in, so no pipe can hold up another.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
import zlib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from multiprocessing.connection import Connection

from bot.engine import Engine

log = logging.getLogger(__name__)

STOP = b""  # sent to a worker when the input ends (no line is empty: blank lines are skipped)


Answer = Callable[[Engine, bytes, dict[str, datetime]], bytes]  # one line's output (users' clocks kept)
Worker = Callable[[], AbstractContextManager[Engine]]  # a worker's engine: the loaded content, its own connection


def answer_in_parallel(
    worker_engine: Worker,
    lines: Iterable[bytes | str],
    emit: Callable[[bytes], None],
    *,
    answer: Answer,
    user_of: Callable[[bytes | str], str | None],
    workers: int,
    clocks: dict[str, datetime],
) -> int:
    """Answer ``lines`` on ``workers`` processes, calling ``emit`` with each output line in input order.

    ``worker_engine`` gives each worker its engine (called in the worker, after the fork); ``answer``
    answers one line on it; ``user_of`` tells whose a line is; ``clocks``: each user's last "now" so far
    (every worker starts with a copy).
    """
    context = multiprocessing.get_context("fork")
    inboxes: list[Connection] = []
    outboxes: list[Connection] = []
    processes = []
    for _ in range(workers):
        inbox_read, inbox_write = context.Pipe(duplex=False)
        outbox_read, outbox_write = context.Pipe(duplex=False)
        process = context.Process(
            target=_work, args=(worker_engine, answer, clocks, inbox_read, outbox_write), daemon=True
        )
        process.start()
        inbox_read.close()
        outbox_write.close()
        inboxes.append(inbox_write)
        outboxes.append(outbox_read)
        processes.append(process)
    order: queue.SimpleQueue[int | None] = queue.SimpleQueue()  # the worker of each line sent, in input order

    def feed() -> None:
        try:
            for raw in lines:
                if not raw.strip():
                    continue
                data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
                user = user_of(raw)
                worker = zlib.crc32(user.encode("utf-8", "surrogatepass")) % workers if user is not None else 0
                inboxes[worker].send_bytes(data)
                order.put(worker)  # only once sent: the writer never waits for a line no worker has
        except Exception:
            log.exception("could not read the batch input")
        finally:
            order.put(None)
            for inbox in inboxes:
                inbox.send_bytes(STOP)

    reader = threading.Thread(target=feed, name="batch-input", daemon=True)
    reader.start()
    status = 0
    while (worker := order.get()) is not None:
        try:
            emit(outboxes[worker].recv_bytes())
        except EOFError:  # a worker died (killed, out of memory): what it had is not answered
            log.error("a batch worker stopped; its remaining lines are not answered")
            status = 1
            break
    reader.join(timeout=5)
    for process in processes:
        process.join(timeout=30)
    return status


def _work(
    worker_engine: Worker, answer: Answer, clocks: dict[str, datetime], inbox: Connection, outbox: Connection
) -> None:
    with worker_engine() as engine:
        try:
            while (raw := inbox.recv_bytes()) != STOP:
                outbox.send_bytes(answer(engine, raw, clocks))
        except (EOFError, BrokenPipeError):
            pass
        finally:
            outbox.close()


def worth(db_path: str, asked: int | None) -> int:
    """How many workers to use: ``asked``, else one per CPU (up to 4); one for a database in memory."""
    if db_path == ":memory:":
        return 1
    if asked is not None:
        return max(1, asked)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, cpus))
