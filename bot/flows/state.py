"""A conversation's state, typed: what each flow keeps between turns, saved as JSON after every turn.

    State
    ├── flows          the flows in progress, innermost last (it reads the next typed message first)
    ├── offered        the buttons just offered: only these can be pressed next
    ├── name, tz       who the customer is, and their clock when the transport gives it
    ├── brand, held    the brand the customer chose (a bot serving several asks first), and the
    │                  question asked before the choice, answered once it is made
    ├── misses         "didn't understand" turns in a row (the second brings a consultant)
    ├── answer         AnswerState: the question asked, a fact we asked for, the situation so far
    ├── walk           WalkState: the troubleshooting walk's path, a rating owed, a repair it suggested
    ├── rma            RmaState: the request being collected (RmaDraft), the last filed number
    └── admin          AdminState: a half-done FAQ change, the inbox page shown

Each part belongs to one flow (:mod:`bot.flows`); the engine only loads, saves and dispatches. JSON
written by older versions (a free-form dict) is read by :func:`from_legacy`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec

from bot.core.messages import Button
from bot.understand.situation import Situation


class FlowName(StrEnum):
    """The flows a conversation can be in."""

    GENERAL = "general"
    ANSWER = "answer"
    WALK = "walk"
    RMA = "rma"
    HANDOFF = "handoff"
    ADMIN = "admin"


VERSION = 2


class _Part(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A typed part of the state: keyword construction, defaults left out of the JSON."""


# -- the answer flow --------------------------------------------------------------------------------------


class Pending(_Part):
    """A fact we asked for (a date, the product type) to finish an answer, with what we knew then."""

    situation: Situation
    tokens: list[str] = []
    entry: str | None = None
    need: str | None = None


class AnswerState(_Part):
    """What the answer flow remembers."""

    question: str | None = None  # the last question, for feedback on its answer and the admins' inbox
    pending: Pending | None = None
    situation: Situation | None = None  # the customer's facts so far
    last_entry: str | None = None
    feedback: dict[str, str] = {}  # entry id → the question it answered, for 👍 / 👎 (the last five)


# -- guided troubleshooting -----------------------------------------------------------------------------


class Walk(_Part):
    """A walk through a tree: the steps taken and the option chosen at each."""

    tree: str
    path: list[str]
    answers: list[int] = []


class RepairOffer(_Part):
    """What a walk that ended in "repair" hands to a repair request."""

    fault: str = ""
    tried: list[str] = []


class WalkState(_Part):
    """What the troubleshooting flow remembers."""

    walk: Walk | None = None
    rating_for: int | None = None  # the recorded walk a 1–5 rating is asked for
    repair: RepairOffer | None = None


# -- repair requests --------------------------------------------------------------------------------------


class Contact(msgspec.Struct, kw_only=True):
    """How to reach the customer about a request."""

    kind: str  # email | phone
    value: str


class Answer(msgspec.Struct, kw_only=True):
    """The customer's choice at an exclusion question, and the situation tags it means."""

    choice: str
    tags: list[str] = []


class RmaFacts(msgspec.Struct, kw_only=True):
    """What the customer told us for a request (every field kept, as the filed request keeps them)."""

    model: str | None = None
    category: str | None = None
    category_asked: bool = True
    prefilled: list[str] = []  # steps answered along with the model (not asked again)
    serial: str | None = None
    situation: Situation | None = None  # the purchase date as read
    date_text: str | None = None
    date: str | None = None  # ISO day, when the date is exact
    bought_from: str | None = None
    fault: str | None = None
    fault_done: bool = False
    fault_vague: bool = False
    fault_events: list[str] = []
    photos_skipped: bool = False
    answers: dict[str, Answer] = {}
    contact: Contact | None = None
    address: str | None = None
    tried: list[str] = []  # steps a troubleshooting walk tried first
    walk_fault: str = ""


class RmaDraft(_Part):
    """A request being collected, one step at a time."""

    step: str = "model"
    facts: RmaFacts = msgspec.field(default_factory=RmaFacts)
    trail: list[str] = []  # the steps answered, for /back
    photos: list[tuple[str, str]] = []  # (kind, transport reference)
    source: str = "menu"  # menu | command | question | troubleshoot
    editing: bool = False  # changing one answer from the summary
    vague_asked: bool = False
    exact_asked: bool = False


class RmaState(_Part):
    """What the repair-request flow remembers."""

    draft: RmaDraft | None = None
    troubleshoot_offered: bool = False  # "try troubleshooting first?" was asked once
    source: str | None = None  # where the request was asked for, while troubleshooting comes first
    last_number: str | None = None


# -- admins -------------------------------------------------------------------------------------------------


class AdminChange(_Part):
    """A change an admin is part way through: the step it waits at and what it holds."""

    step: str  # question | answer | confirm | delete
    action: str = "edit"  # edit | add | delete
    id: str | None = None
    lang: str = "en"
    base: dict[str, Any] | None = None  # the entry as a table when the admin started (None: a new entry)
    seen: int = 0  # the entry's latest change then: a change made meanwhile is refused
    question: str | None = None
    table: dict[str, Any] | None = None  # the entry as it will be saved
    inbox: list[int] = []  # inbox questions the change deals with


class InboxGroup(_Part):
    """One group of similar inbox questions as shown, for the buttons under it."""

    ids: list[int]
    text: str
    guesses: list[str] = []
    entries: list[str] = []


class AdminState(_Part):
    """What the admin flow remembers."""

    change: AdminChange | None = None
    inbox: list[InboxGroup] = []


# -- the whole --------------------------------------------------------------------------------------------


class State(msgspec.Struct, kw_only=True):
    """One conversation's state."""

    v: int = VERSION  # the layout's version: JSON without it was written by an older version
    flows: list[FlowName] = []
    offered: list[Button] = []
    name: str | None = None
    tz: str | None = None
    misses: int = 0
    brand: str | None = None  # the brand the customer chose, where one bot serves several
    held: str | None = None  # a question asked before the brand was chosen: answered once it is
    answer: AnswerState = msgspec.field(default_factory=AnswerState)
    walk: WalkState = msgspec.field(default_factory=WalkState)
    rma: RmaState = msgspec.field(default_factory=RmaState)
    admin: AdminState = msgspec.field(default_factory=AdminState)

    # -- the flows in progress ----------------------------------------------------------------------

    @property
    def active(self) -> FlowName | None:
        """The innermost flow in progress: it reads the next typed message first."""
        return self.flows[-1] if self.flows else None

    def enter(self, flow: FlowName) -> None:
        """A flow starts (or comes back to the front)."""
        if flow in self.flows:
            self.flows.remove(flow)
        self.flows.append(flow)

    def leave(self, flow: FlowName) -> None:
        """A flow ends; the one it interrupted, if any, is in front again."""
        if flow in self.flows:
            self.flows.remove(flow)

    def in_flow(self, flow: FlowName) -> bool:
        """Whether a flow is in progress."""
        return flow in self.flows

    # -- buttons ------------------------------------------------------------------------------------

    def offer(self, buttons: list[Button] | tuple[Button, ...]) -> None:
        """Remember the buttons just offered: only those can be pressed next."""
        self.offered = list(buttons)

    def clear_offer(self) -> None:
        """Nothing is offered any more."""
        self.offered = []


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(State)


def dumps(state: State) -> str:
    """The state as stored."""
    return _encoder.encode(state).decode()


def loads(raw: str | None) -> State:
    """A stored state (this version's, or an older free-form one)."""
    if not raw:
        return State()
    data = msgspec.json.decode(raw)
    if not isinstance(data, dict):
        return State()
    return msgspec.convert(data, State) if "v" in data else from_legacy(data)


def from_legacy(old: dict[str, Any]) -> State:
    """The state an older version stored as a free-form dict ("walk", "rma", "pending"… keys)."""
    state = State(
        offered=[Button(b["label"], b["data"]) for b in old.get("buttons") or []],
        name=old.get("name"),
        tz=old.get("tz"),
        misses=int(old.get("misses") or 0),
    )
    pending = old.get("pending")
    state.answer = AnswerState(
        question=old.get("q"),
        pending=Pending(
            situation=Situation.from_state(pending["situation"]),
            tokens=list(pending.get("tokens") or []),
            entry=pending.get("entry"),
            need=pending.get("need"),
        )
        if pending
        else None,
        situation=Situation.from_state(old["situation"]) if old.get("situation") else None,
        last_entry=old.get("last_entry"),
        feedback=dict(old.get("fb") or {}),
    )
    walk = old.get("walk")
    repair = old.get("rma_from_walk")
    state.walk = WalkState(
        walk=Walk(tree=walk["tree"], path=list(walk["path"]), answers=list(walk.get("answers") or []))
        if walk
        else None,
        rating_for=old.get("rate_walk"),
        repair=RepairOffer(fault=repair.get("fault") or "", tried=list(repair.get("tried") or [])) if repair else None,
    )
    draft = old.get("rma")
    state.rma = RmaState(
        draft=_legacy_draft(draft) if draft else None,
        troubleshoot_offered=bool(old.get("rma_ts_offered")),
        source=old.get("rma_source"),
        last_number=old.get("last_rma"),
    )
    admin = old.get("admin")
    state.admin = AdminState(
        change=msgspec.convert(admin, AdminChange) if admin else None,
        inbox=[msgspec.convert(g, InboxGroup) for g in old.get("admin_inbox") or []],
    )
    if draft:
        state.enter(FlowName.RMA)
    if walk:
        state.enter(FlowName.WALK)
    return state


def _legacy_draft(old: dict[str, Any]) -> RmaDraft:
    return RmaDraft(
        step=old.get("step") or "model",
        facts=_legacy_facts(old.get("data") or {}),
        trail=list(old.get("trail") or []),
        photos=[(kind, ref) for kind, ref in old.get("photos") or []],
        source=old.get("source") or "menu",
        editing=bool(old.get("editing")),
        vague_asked=bool(old.get("vague_asked")),
        exact_asked=bool(old.get("exact_asked")),
    )


def _legacy_facts(old: dict[str, Any]) -> RmaFacts:
    situation = old.get("situation")
    facts = msgspec.convert({k: v for k, v in old.items() if k != "situation"}, RmaFacts)
    if situation:
        facts.situation = Situation.from_state(situation)
    return facts
