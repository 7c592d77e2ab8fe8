"""What the running bot tells operators: one log line per update handled, the heartbeat, the metrics.

The log line (logger ``bot.adapters.telegram.observe``, at INFO) carries, as fields a JSON log can ship
(``supportbot run --log-format json``): ``update_id``, ``customer`` (see :func:`customer_hash`), ``kind``
(text, press, photo…; ``staff`` for the staff chat), ``flow`` and ``outcome`` (what the engine concluded,
as the event log has it), and ``duration_ms`` (the engine's work on it). Never the message's text, nor
the customer's Telegram id: what customers wrote is in the database, for whoever may read it.

The heartbeat (:mod:`.heartbeat`) and the metrics (:mod:`.metrics`) are noted here, from the polling loop,
the handlers and the delivery: each is a no-op until :func:`start` (``supportbot run``) sets them up.
"""

from __future__ import annotations

import hashlib
import logging

from bot.adapters.telegram.heartbeat import Heartbeat
from bot.adapters.telegram.metrics import METRICS
from bot.core.messages import REPEATED
from bot.core.outcomes import flow_of

log = logging.getLogger(__name__)


class _State:
    heartbeat: Heartbeat | None = None
    salt = ""


_state = _State()


def start(heartbeat: Heartbeat | None, salt: str) -> None:
    """Note on ``heartbeat`` from now on, and hash customers' keys with ``salt``."""
    _state.heartbeat = heartbeat
    _state.salt = salt


def customer_hash(key: str) -> str:
    """A customer's conversation key in the logs: the first 10 hex digits of sha256(salt + key).

    The salt is the installation's own (kept in the database, made at the first start): the same customer
    has the same hash from line to line and restart to restart, and a hash cannot be turned back into a
    Telegram id by trying them all without the database.
    """
    return hashlib.sha256(f"{_state.salt}{key}".encode()).hexdigest()[:10]


def polled() -> None:
    """``getUpdates`` answered."""
    if _state.heartbeat is not None:
        _state.heartbeat.polled()


def received() -> None:
    """An update came (polled, or posted to the webhook)."""
    if _state.heartbeat is not None:
        _state.heartbeat.received()


def sent() -> None:
    """Telegram took a message."""
    if _state.heartbeat is not None:
        _state.heartbeat.sent()


def error(kind: str) -> None:
    """Something failed: a Bot API call (its fault kind), a polling round (``poll``), a handler (``handler``)."""
    METRICS.error(kind)


def handled(update_id: int, key: str, kind: str, outcome: str, seconds: float) -> None:
    """One update handled: its log line, and the metrics' count."""
    flow = "staff" if kind == "staff" else ("-" if outcome in ("", REPEATED) else flow_of(outcome))
    fields = {
        "update_id": update_id,
        "customer": customer_hash(key) if key else "-",
        "kind": kind,
        "flow": flow,
        "outcome": outcome or "-",
        "duration_ms": round(seconds * 1000),
    }
    log.info("handled " + " ".join(f"{k}={v}" for k, v in fields.items()), extra={"fields": fields})
    METRICS.update(kind)


def delivered(seconds: float, replies: int) -> None:
    """A customer's replies were delivered ``seconds`` after their update came."""
    METRICS.delivered(seconds, replies)
