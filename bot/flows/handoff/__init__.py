"""Handing a chat to a human consultant: the customer's side. The consultants' side is :mod:`.desk`.

Consultants are addressed through notices whose target is ``staff:<customer key>`` (that customer's
topic in the staff chat) or ``staff`` (the staff chat itself); adapters decide what a topic is.

    trigger ─► start ─► open now?  yes ─► ticket "waiting", posted: context card + [Claim] in the topic
                                   no  ─► ticket "waiting", not posted: next opening told, details asked for
    customer writes ─► kept on the ticket ─► relayed to the topic (posted) or kept for the opening
    /close by a consultant ─► back with the bot, 1–5 rating asked · the customer writes again soon ─► reopened

Triggers: the menu button, ``/human``, asking for a person in any language, two misunderstandings in a
row (:meth:`HandoffFlow.after`), an excluded RMA, the consultant button after a troubleshooting walk.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

from bot.core.messages import Reply
from bot.core.outcomes import Outcome
from bot.flows.base import Kit, Result, Turn
from bot.flows.handoff.desk import OPEN, Desk, first_name, label, staff_target
from bot.flows.state import FlowName

CONSULTANT = "consultant"  # "Talk to a consultant" (consultant:walk after a troubleshooting walk)
RATE = "hrate"  # hrate:<ticket>:<1-5> after a consultant closed the chat
LEAVE = frozenset({"cancel", "start", "menu", "rma", "troubleshoot"})  # commands that take the customer back


class HandoffFlow:
    """Tickets, from the customer's side."""

    name: ClassVar[FlowName] = FlowName.HANDOFF
    commands: ClassVar[frozenset[str]] = frozenset({"human"})
    prefixes: ClassVar[frozenset[str]] = frozenset({CONSULTANT, RATE})
    durable: ClassVar[frozenset[str]] = frozenset({CONSULTANT, RATE})  # valid under older messages too

    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.desk = Desk(kit)

    # -- the protocol ----------------------------------------------------------------------------------

    def command(self, turn: Turn, command: str) -> Result:
        """``/human``."""
        return self.start(turn, "asked")

    def press(self, turn: Turn, data: str) -> Result:
        """Take "Talk to a consultant", or a rating after a consultant closed the chat."""
        kind, _, _ = data.partition(":")
        if kind == RATE:
            rated = self.rate(turn, data)
            return rated if rated is not None else self.kit.flows.general.unknown_button(turn)
        active = self.kit.consultants and self.kit.store.tickets.active(turn.user) is not None
        if not turn.reading.offered and not active:
            return self.kit.flows.general.unknown_button(turn)
        return self.start(turn, "troubleshooting" if data == f"{CONSULTANT}:walk" and not active else "asked")

    def text(self, turn: Turn) -> Result | None:
        """Asking for a person, in any words ("real person please", "转人工")."""
        if not (self.kit.consultants and turn.reading.asks_for_person):
            return None
        turn.conv.lang = turn.reading.language
        return self.start(turn, "asked")

    def intercept(self, turn: Turn) -> Result | None:
        """Messages while a consultant has the chat (or soon after it was closed); None: the bot answers."""
        reading = turn.reading
        if not self.kit.consultants or reading.press is not None:
            return None
        store = self.kit.store
        ticket = store.tickets.active(turn.user)
        if ticket is not None:
            if reading.command is None:
                return self.relay(turn, ticket)
            if reading.command in LEAVE:
                left = self.leave(turn, ticket)
                if reading.command == "cancel":
                    return Result(Outcome.HANDOFF_LEFT, [left, self.kit.flows.general.menu(turn)])
                turn.notes.append(left)
                return None  # the command is answered as usual, after the note
            return None  # /status, /help…: the bot answers those
        if reading.command is not None or store.bans.banned(turn.user):
            return None
        closed = self.reopenable(turn.user, turn.now)
        if closed is None or (reading.text and (reading.says_goodbye or self._smalltalk(turn))):
            return None  # "thanks!" after a closed chat is answered by the bot
        return self.reopen(turn, closed)

    def after(self, turn: Turn, result: Result) -> Result:
        """Bring in a consultant when a turn calls for one: a second misunderstanding, an excluded RMA."""
        state = turn.state
        if result.outcome == Outcome.UNKNOWN:
            state.misses += 1
        elif result.outcome not in (Outcome.NON_TEXT, Outcome.EMPTY):
            state.misses = 0
        if not self.kit.consultants:
            return result
        if state.misses >= self.kit.handoff.misunderstandings:
            started = self.start(turn, "not_understood")
            return Result(started.outcome, started.replies, result.entry_id, result.score)
        if result.outcome == Outcome.RMA_FILED_EXCLUDED:
            result.replies.extend(self.start(turn, "rma_excluded").replies)
        return result

    # -- starting ------------------------------------------------------------------------------------------

    def start(self, turn: Turn, reason: str) -> Result:
        """A customer asks for a consultant: a ticket, or (no staff chat) the ways to reach one."""
        kit = self.kit
        if not kit.consultants:
            entry = kit.content.entries[turn.pack.id].get("human")
            if entry is not None:
                return kit.flows.answer.answer(turn, entry, score=None, handoff=False)
            return kit.flows.general.dont_know(turn, outcome=Outcome.UNKNOWN)
        if turn.state.walk.walk is not None:
            kit.flows.walk.leave(turn)
        if kit.store.bans.banned(turn.user):
            return Result(Outcome.HANDOFF_BANNED, [Reply(turn.say("handoff_banned"))])
        turn.state.clear_offer()
        turn.state.answer.pending = None
        turn.state.misses = 0
        times = self.desk.times(turn.conv, turn.pack, turn.now)
        is_open = times["closes"] is not None
        conv, pack, now = turn.conv, turn.pack, turn.now

        def posting(ticket_id: int) -> list[tuple[str, Mapping[str, Any]]]:
            ticket = {
                "id": ticket_id,
                "user": conv.user,
                "brand": pack.id,
                "lang": conv.lang,
                "reason": reason,
                "status": "waiting",
                "opened_at": now.isoformat(),
                "reopened": 0,
                "claimed_name": None,
            }
            return [(staff_target(conv.user), r.to_dict()) for r in self.desk.posting(ticket, conv, pack, now)]

        ticket, created = kit.store.tickets.open(
            user=conv.user,
            brand=pack.id,
            lang=conv.lang,
            reason=reason,
            at=now,
            posted=is_open,
            notices=posting if is_open else lambda _: (),
        )
        t = label(ticket)
        if not created:
            text = turn.say(
                "handoff_already",
                t=t,
                claimed=ticket["status"] == "claimed",
                posted=ticket["posted_at"] is not None,
                name=first_name(ticket["claimed_name"]),
                **times,
            )
            return Result(Outcome.HANDOFF_ALREADY, [Reply(text)])
        name = "handoff_in_hours" if is_open else "handoff_out_of_hours"
        reply = Reply(turn.say(name, t=t, reason=reason, **times))
        return Result(Outcome.handoff(reason), [reply])

    # -- while a ticket is open ----------------------------------------------------------------------------

    def relay(self, turn: Turn, ticket: Mapping[str, Any]) -> Result:
        """Something the customer sent while a ticket is open: kept, and relayed when consultants have it."""
        return self.desk.from_customer(turn.conv, turn.pack, turn.message, ticket, turn.now)

    def leave(self, turn: Turn, ticket: Mapping[str, Any]) -> Reply:
        """The customer ends the chat with a consultant (/cancel): the ticket closes, consultants are told."""
        now, t = turn.now, label(ticket)
        staff = Reply(self.kit.say(turn.pack, "handoff_staff_left", "en", now, t=t))
        told = [(staff_target(turn.user), staff.to_dict())] if ticket["posted_at"] else []  # unseen: no news
        self.kit.store.tickets.change(
            int(ticket["id"]),
            at=now,
            expect=OPEN,
            status="closed",
            closed_at=now,
            closed_by="customer",
            posted_at=ticket["posted_at"] or now,
            notices=told,
        )
        return Reply(turn.say("handoff_left", t=t))

    def reopenable(self, user: str, now: datetime) -> dict[str, Any] | None:
        """The ticket a consultant closed a short while ago, which a new message from the customer reopens."""
        last = self.kit.store.tickets.last(user)
        if (
            last is None
            or last["status"] != "closed"
            or not last["closed_at"]
            or last["closed_by"] in ("customer", "ban")
        ):
            return None
        if now - datetime.fromisoformat(last["closed_at"]) > timedelta(minutes=self.kit.handoff.reopen_minutes):
            return None
        return last

    def reopen(self, turn: Turn, ticket: Mapping[str, Any]) -> Result | None:
        """Reopen a recently closed ticket with the customer's new message; None if it cannot be reopened."""
        store, now, t = self.kit.store, turn.now, label(ticket)
        if store.bans.banned(turn.user):
            return None
        status = "claimed" if ticket["claimed_by"] else "waiting"
        staff = Reply(
            self.kit.say(turn.pack, "handoff_staff_reopened", "en", now, t=t, name=first_name(ticket["claimed_name"]))
        )
        if not store.tickets.change(
            int(ticket["id"]),
            at=now,
            expect=("closed",),
            status=status,
            closed_at=None,
            closed_by=None,
            reopened=int(ticket["reopened"] or 0) + 1,
            posted_at=ticket["posted_at"] or now,
            notices=[(staff_target(turn.user), staff.to_dict())],
        ):
            return None
        reopened = store.tickets.get(int(ticket["id"]))
        assert reopened is not None
        store.tickets.change(int(ticket["id"]), at=now, last_ack=now)
        self.desk.from_customer(turn.conv, turn.pack, turn.message, {**reopened, "last_ack": now.isoformat()}, now)
        times = self.desk.times(turn.conv, turn.pack, now)
        return Result(Outcome.HANDOFF_REOPENED, [Reply(turn.say("handoff_reopened", t=t, **times))])

    def rate(self, turn: Turn, data: str) -> Result | None:
        """A 1–5 rating pressed after a ticket was closed (``hrate:<ticket>:<n>``); None if it isn't valid."""
        parts = data.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in {"1", "2", "3", "4", "5"}:
            return None
        store = self.kit.store
        ticket = store.tickets.get(int(parts[1]))
        if ticket is None or ticket["user"] != turn.user or ticket["status"] != "closed" or ticket["rating"]:
            return None
        n = int(parts[2])
        staff = Reply(self.kit.say(turn.pack, "handoff_staff_rated", "en", turn.now, t=label(ticket), n=n))
        store.tickets.change(
            int(ticket["id"]), at=turn.now, rating=n, notices=[(staff_target(turn.user), staff.to_dict())]
        )
        return Result(Outcome.HANDOFF_RATED, [Reply(turn.say("handoff_rated", n=n))])

    def _smalltalk(self, turn: Turn) -> bool:
        decision = turn.reading.decision
        best = decision.best
        entry = self.kit.content.entries[turn.pack.id].get(best.entry_id) if best is not None else None
        return decision.outcome == "answer" and entry is not None and entry.kind == "smalltalk"
