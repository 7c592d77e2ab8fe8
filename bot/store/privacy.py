"""Forgetting one customer: everything the store keeps under their conversation key goes, their RMAs stay.

:func:`forget` deletes, in one transaction, the customer's conversation, events, outbox rows, notices to
them (and to their topic in the staff chat), tickets with their messages, feedback, troubleshooting walks,
inbox questions and ban. Their RMAs are warranty records and stay, anonymised: the key becomes
:func:`anonymous` (the same token each time, so one customer's requests still go together) and the
personal fields of the request (name, contact, address) are blanked; model, serial, dates, fault, status
and history stay. Running it again finds nothing more to do.

A transport keeps its own data under the customer too (the Telegram adapter's ``tg_`` tables): it forgets
that itself (see :func:`bot.adapters.telegram.tables.forget_customer`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from bot.store.db import Database
from bot.store.notices import FORGOTTEN
from bot.store.retention import Counts

PERSONAL = ("name", "contact", "address")  # an RMA's fields about the person, blanked when they are forgotten


def customer_key(word: str) -> str:
    """A customer as an admin names them: a conversation key (``tg:12345``), or a bare Telegram id."""
    word = word.strip()
    return f"tg:{word}" if re.fullmatch(r"\d{1,15}", word) else word


def anonymous(user: str) -> str:
    """The stable token an anonymised RMA carries instead of the customer's key."""
    return FORGOTTEN + hashlib.sha256(user.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Forgotten(Counts):
    """What forgetting one customer removed (rows by table) and how many of their RMAs were anonymised."""

    conversations: int = 0
    events: int = 0
    outbox: int = 0
    notices: int = 0
    tickets: int = 0
    ticket_messages: int = 0
    feedback: int = 0
    walk_outcomes: int = 0
    unanswered: int = 0
    bans: int = 0
    rmas_anonymised: int = 0


_BY_USER = ("conversations", "events", "outbox", "feedback", "walk_outcomes", "unanswered", "bans")


def forget(db: Database, user: str) -> Forgotten:
    """Remove everything kept under ``user`` and anonymise their RMAs, in one transaction."""
    counts: dict[str, int] = {}
    with db.write() as conn:
        tickets = [row[0] for row in conn.execute("select id from tickets where user = ?", [user])]
        counts["ticket_messages"] = sum(
            conn.execute("delete from ticket_messages where ticket = ?", [t]).rowcount for t in tickets
        )
        counts["tickets"] = conn.execute("delete from tickets where user = ?", [user]).rowcount
        counts["notices"] = conn.execute(
            "delete from notices where target = ? or target = ?", [user, f"staff:{user}"]
        ).rowcount
        named = re.compile(rf"(?<![\w:]){re.escape(user)}(?![\w])")  # cards about them, for the staff chat
        staff = "select id, reply from notices where target = 'staff' and instr(reply, ?)"
        for notice, reply in conn.execute(staff, [user]).fetchall():
            if named.search(reply):
                counts["notices"] += conn.execute("delete from notices where id = ?", [notice]).rowcount
        for table in _BY_USER:
            counts[table] = conn.execute(f'delete from "{table}" where user = ?', [user]).rowcount
        token = anonymous(user)
        rmas = conn.execute("select number, data from rmas where user = ?", [user]).fetchall()
        for number, data in rmas:
            record = json.loads(data or "{}")
            record.update({k: None for k in PERSONAL if k in record})
            conn.execute(
                "update rmas set user = ?, data = ? where number = ?",
                [token, json.dumps(record, ensure_ascii=False), number],
            )
            conn.execute("update rma_history set by = ? where number = ? and by = ?", [token, number, user])
        counts["rmas_anonymised"] = len(rmas)
    return Forgotten(**counts)
