"""Filing a confirmed request: its eligibility, an unguessable number, the instructions, the staff card."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from bot.core.messages import Button, Reply
from bot.core.outcomes import Outcome
from bot.flows.base import Kit, Result, Turn
from bot.flows.state import FlowName, RmaDraft, RmaFacts
from bot.knowledge.packs import BrandPack
from bot.policy.eligibility import assess
from bot.understand.situation import Situation

# Crockford's base32 without I, L, O, U: nothing to misread on a box label.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# kept for the conversation only, not with the filed request
_DRAFT_ONLY = ("category_asked", "fault_done", "walk_fault", "prefilled")


def new_number(pack: BrandPack) -> str:
    """A fresh RMA number: ``RMA-<brand code>-XXXX-XXXX`` with 40 random bits (uniqueness is the store's)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"RMA-{pack.code}-{chars[:4]}-{chars[4:]}"


def request_situation(
    situation: Situation | None, category: str | None, answers: Iterable[Any], events: Iterable[str] = ()
) -> Situation:
    """The policy's view of a request: its date, category, and what happened to the product.

    ``answers`` are the exclusion answers (each with ``tags``); ``events`` what the fault description says.
    """
    base = situation or Situation()
    found = set(base.events) | set(events)
    for answer in answers:
        found.update(answer["tags"] if isinstance(answer, Mapping) else answer.tags)
    return Situation(
        dates=base.dates,
        category=category or base.category,
        events=frozenset(found),
        wants=frozenset({"free", "shipping"}),
    )


# What a filed request's data holds, as the wording reads it. A request filed by an older version lacks the
# fields added since ("model" before there was a model step…): those read as unknown, never as an error.
UNKNOWN = "?"
_RECORD = {
    **{k: v for k, v in msgspec.to_builtins(RmaFacts()).items() if k not in _DRAFT_ONLY},
    "model": UNKNOWN,
    "serial": UNKNOWN,
    "fault": UNKNOWN,
    "date_text": UNKNOWN,
    "contact": {"kind": "", "value": UNKNOWN},
    "address": UNKNOWN,
    "photos": [],
    "lang": "en",
    "name": None,
    "source": None,
}


def filed_record(data: Any) -> dict[str, Any]:
    """A filed request's data with every field the wording and the desk read (see ``_RECORD``)."""
    record = dict(data) if isinstance(data, Mapping) else {}
    for key, default in _RECORD.items():
        value = record.get(key)
        if value is None or (isinstance(default, list | dict) and not isinstance(value, type(default))):
            record[key] = copy.deepcopy(default)
        elif isinstance(default, str) and not isinstance(value, str):
            record[key] = str(value)
    if not isinstance(record["contact"].get("value"), str):
        record["contact"] = copy.deepcopy(_RECORD["contact"])
    if not isinstance(record.get("situation"), Mapping):
        record["situation"] = None
    record["photos"] = [p for p in record["photos"] if isinstance(p, list | tuple) and len(p) == 2]
    record["answers"] = {q: a for q, a in record["answers"].items() if isinstance(a, Mapping) and "choice" in a}
    return record


def filed_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored RMA with its data as :func:`filed_record` makes it."""
    return {**row, "data": filed_record(row.get("data"))}


def stored_situation(record: Mapping[str, Any]) -> Situation:
    """:func:`request_situation` of a filed request, as the store keeps it."""
    return request_situation(
        Situation.from_state(record.get("situation") or {}),
        record.get("category"),
        (record.get("answers") or {}).values(),
        record.get("fault_events") or (),
    )


def file_request(kit: Kit, turn: Turn, draft: RmaDraft) -> Result:
    """File the confirmed request: assess it, number it, tell the customer what happens next."""
    pack, facts = turn.pack, draft.facts
    situation = request_situation(facts.situation, facts.category, facts.answers.values(), facts.fault_events)
    damage = kit.workflow.reported_damage(facts.answers)
    e = assess(pack, situation, turn.today, reported_damage=damage)
    record = {k: v for k, v in kit.flows.rma.steps.record(draft).items() if k not in _DRAFT_ONLY}
    record.update(
        photos=[list(p) for p in draft.photos],
        lang=turn.lang,
        name=turn.state.name,
        situation=situation.to_state(),
        source=draft.source,
    )
    expires = e.expires.isoformat() if e.expires else None
    desk = kit.flows.rma.desk

    def staff_card(number: str) -> list[tuple[str, Mapping[str, Any]]]:
        row = {
            "number": number,
            "user": turn.user,
            "brand": pack.id,
            "status": e.status,
            "data": record,
            "outcome": e.outcome,
            "expires_on": expires,
        }
        return [("staff", desk.card(row, turn.now).to_dict())]

    number = kit.store.rmas.create(
        make_number=lambda: new_number(pack),
        user=turn.user,
        brand=pack.id,
        status=e.status,
        data=record,
        outcome=e.outcome,
        at=turn.now,
        expires_on=expires,
        notices=staff_card,
    )
    turn.state.rma.draft = None
    turn.state.leave(FlowName.RMA)
    turn.state.rma.last_number = number
    described = kit.flows.rma.described(pack, record, turn.lang, turn.now)
    replies = [Reply(turn.say(f"rma_outcome_{e.outcome}", number=number, e=e, damaged=bool(damage), d=described))]
    if e.status == "awaiting_shipment":
        replies.append(Reply(turn.say("rma_instructions", number=number, e=e, d=record)))
    buttons: list[Button] = [
        turn.button("rma_button_status", "rma:status"),
        turn.button("button_consultant", "consultant"),
    ]
    if e.status == "requested":
        buttons.reverse()
    replies.append(turn.reply("rma_next", *buttons, number=number, e=e))
    return Result(Outcome.rma_filed(e.outcome), replies)
