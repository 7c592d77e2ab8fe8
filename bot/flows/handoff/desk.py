"""Consultants at work in the staff chat: taking a ticket, writing to the customer, closing, canned replies.

a consultant writes in a customer's topic ─► relayed (taking a waiting ticket) · // note ─► kept only
Claim or /take ─► "claimed", the customer is told who · /close ─► the customer is asked for a rating
/queue · /canned [name] or #name · /ban /unban · /help
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.core.errors import FaqError
from bot.core.messages import Button, Media, Reply
from bot.core.outcomes import Outcome
from bot.core.text import command_of
from bot.flows.base import Conversation, Kit, Result
from bot.flows.handoff.cards import OPEN, STAFF, Cards, first_name, label, staff_target, who
from bot.flows.rma.filing import filed_row
from bot.knowledge.packs import BrandPack

_CANNED = re.compile(r"#([a-z][a-z0-9_-]{0,40})\b", re.I)

__all__ = ["OPEN", "STAFF", "Desk", "first_name", "label", "staff_target"]


class Desk(Cards):
    """Tickets between customers and consultants, from the consultants' side."""

    def __init__(self, kit: Kit) -> None:
        super().__init__(kit)

    # -- what the customer sends ------------------------------------------------------------------------

    def from_customer(
        self, conv: Conversation, pack: BrandPack, message: Any, ticket: Mapping[str, Any], now: datetime
    ) -> Result:
        """Something the customer sent while a ticket is open: kept, and relayed when consultants have it."""
        store = self.kit.store
        text = (message.text or "").strip()
        if message.edited and text:
            shown = self.say(pack, "handoff_staff_edited", now, text=text)
        elif text:
            shown = text
        else:
            shown = "" if message.media else self.say(pack, "handoff_staff_kind", now, kind=message.kind)
        media = [{"kind": m.kind, "ref": m.ref} for m in message.media]
        posted = ticket["posted_at"] is not None
        relay = [(staff_target(conv.user), Reply(shown, media=message.media).to_dict())] if posted else []
        store.tickets.add_message(
            int(ticket["id"]),
            at=now,
            direction="customer",
            by=conv.user,
            text=shown or None,
            media=media,
            notices=relay,
        )
        times = self.times(conv, pack, now)
        if posted and times["closes"] is not None:
            return Result(Outcome.RELAYED)  # consultants are at work and see it in the topic: the bot stays quiet
        outcome = Outcome.RELAYED if posted else Outcome.KEPT
        last = ticket.get("last_ack")
        if last and (now - datetime.fromisoformat(last)).total_seconds() < 60 * self.kit.handoff.ack_every_minutes:
            return Result(outcome)
        store.tickets.change(int(ticket["id"]), at=now, last_ack=now)
        return Result(outcome, [Reply(self.kit.say(pack, "handoff_kept", conv.lang, now, t=label(ticket), **times))])

    # -- what consultants write -------------------------------------------------------------------------

    def staff(
        self, text: str, *, customer: str | None, by: str, name: str, media: Sequence[Media] = (), now: datetime
    ) -> list[Reply]:
        """A consultant's message or command in the staff chat; returns what the staff chat is told.

        ``customer`` is the customer whose topic (or message) it was written in, None in the general chat.
        """
        store = self.kit.store
        text = (text or "").strip()
        pack = self.kit.packs[self.kit.default_brand]
        if text.startswith("//"):
            ticket = (store.tickets.active(customer) or store.tickets.last(customer)) if customer else None
            if ticket is not None:
                store.tickets.add_message(int(ticket["id"]), at=now, direction="note", by=by, text=text[2:].strip())
            return []
        command = command_of(text)
        if command is not None:
            rest = text.split(None, 1)[1].strip() if len(text.split(None, 1)) > 1 else ""
            if command == "queue":
                return [self.queue(now)]
            if command == "help":
                return [Reply(self.say(pack, "handoff_staff_help", now))]
            if command in ("unban", "ban"):
                target = _user_arg(rest) or customer
                if target is None:
                    return [Reply(self.say(pack, "handoff_staff_where", now))]
                return [self._ban(target, by, now) if command == "ban" else self._unban(target, now)]
            if command == "canned" and not rest:
                return [self._canned_list(customer, now)]
            if customer is None:
                if command in ("take", "close", "canned"):
                    return [Reply(self.say(pack, "handoff_staff_where", now))]
                return []
            if command == "take":
                return self.take(customer, by=by, name=name, now=now)
            if command == "close":
                return self._close(customer, by, name, now)
            if command == "canned":
                return self._canned(customer, rest.split()[0].lstrip("#"), by, name, now)
            if re.fullmatch(r"[a-z_]{1,32}", command):
                return [Reply(self.say(pack, "handoff_staff_unknown", now, command=command))]
            # "/etc/hosts is the file to edit": words for the customer that happen to start with a slash
        canned = _CANNED.fullmatch(text.split()[0]) if text.split() and customer is not None else None
        if canned is not None and len(text.split()) == 1:
            return self._canned(customer or "", canned.group(1), by, name, now)
        if customer is None or (not text and not media):
            return []  # consultants talking among themselves
        conv, brand = self.kit.conversation(customer)
        return self._to_customer(conv, brand, text, tuple(media), by, name, now)[0]

    def press(self, data: str, *, by: str, name: str, now: datetime) -> list[Reply]:
        """A button pressed in the staff chat (``take:<ticket>``)."""
        kind, _, value = data.partition(":")
        if kind != "take" or not value.isdigit():
            return []
        ticket = self.kit.store.tickets.get(int(value))
        if ticket is None:
            return []
        return self.take(ticket["user"], by=by, name=name, now=now, ticket=ticket)

    def take(
        self, user: str, *, by: str, name: str, now: datetime, ticket: Mapping[str, Any] | None = None
    ) -> list[Reply]:
        """A consultant takes a customer's ticket (reopening it if closed); the customer is told who."""
        store = self.kit.store
        conv, pack = self.kit.conversation(user)
        ticket = ticket or store.tickets.active(user) or store.tickets.last(user)
        if ticket is None:
            return [Reply(self.say(pack, "handoff_staff_no_ticket", now))]
        t = label(ticket)
        if ticket["status"] == "claimed" and ticket["claimed_by"] == by:
            return [Reply(self.say(pack, "handoff_staff_already_yours", now, t=t))]
        if ticket["status"] == "closed" and ticket["closed_by"] in ("customer", "ban"):
            banned = ticket["closed_by"] == "ban"
            return [Reply(self.say(pack, "handoff_staff_left_closed", now, t=t, banned=banned))]
        before = first_name(ticket["claimed_name"]) if ticket["status"] == "claimed" else None
        told = Reply(self.kit.say(pack, "handoff_claimed", conv.lang, now, t=t, name=first_name(name)))
        fields: dict[str, Any] = {
            "status": "claimed",
            "claimed_by": by,
            "claimed_name": name,
            "claimed_at": now,
            "posted_at": ticket["posted_at"] or now,
        }
        if ticket["status"] == "closed":
            fields.update(closed_at=None, closed_by=None, reopened=int(ticket["reopened"] or 0) + 1)
        if not store.tickets.change(
            int(ticket["id"]), at=now, expect=(ticket["status"],), notices=[(user, told.to_dict())], **fields
        ):
            return [Reply(self.say(pack, "handoff_staff_not_open", now, t=t))]
        return [Reply(self.say(pack, "handoff_staff_claimed", now, t=t, name=name, before=before))]

    def _to_customer(
        self,
        conv: Conversation,
        pack: BrandPack,
        text: str,
        media: tuple[Media, ...],
        by: str,
        name: str,
        now: datetime,
    ) -> tuple[list[Reply], bool]:
        """Relay a consultant's words to the customer (taking a waiting ticket); (staff replies, relayed?)."""
        store = self.kit.store
        ticket = store.tickets.active(conv.user)
        if ticket is None:
            return [self._no_open_ticket(conv.user, pack, now)], False
        said: list[Reply] = []
        if ticket["status"] == "waiting":  # answering takes the ticket
            said = self.take(conv.user, by=by, name=name, now=now, ticket=ticket)
        first = first_name(name)
        if text:
            shown = self.kit.say(pack, "handoff_from_consultant", conv.lang, now, name=first, text=text)
        else:
            shown = self.kit.say(pack, "handoff_from_consultant_media", conv.lang, now, name=first)
        store.tickets.add_message(
            int(ticket["id"]),
            at=now,
            direction="consultant",
            by=by,
            text=text or None,
            media=[{"kind": m.kind, "ref": m.ref} for m in media],
            notices=[(conv.user, Reply(shown, media=media).to_dict())],
        )
        return said, True

    def _no_open_ticket(self, user: str, pack: BrandPack, now: datetime) -> Reply:
        """What consultants are told when a customer has no open ticket: closed (and /take), or none at all."""
        last = self.kit.store.tickets.last(user)
        key = "handoff_staff_not_open" if last is not None else "handoff_staff_no_ticket"
        return Reply(self.say(pack, key, now, t=label(last)))

    def _close(self, user: str, by: str, name: str, now: datetime) -> list[Reply]:
        store = self.kit.store
        conv, pack = self.kit.conversation(user)
        ticket = store.tickets.active(user)
        if ticket is None:
            return [self._no_open_ticket(user, pack, now)]
        t = label(ticket)
        consultant = first_name(ticket["claimed_name"]) or first_name(name)
        buttons = tuple(
            Button(self.kit.say(pack, "handoff_button_rate", conv.lang, now, n=n), f"hrate:{ticket['id']}:{n}")
            for n in range(1, 6)
        )
        told = Reply(self.kit.say(pack, "handoff_closed", conv.lang, now, t=t, name=consultant), buttons)
        store.tickets.change(
            int(ticket["id"]),
            at=now,
            expect=OPEN,
            status="closed",
            closed_at=now,
            closed_by=by,
            notices=[(user, told.to_dict())],
        )
        return [Reply(self.say(pack, "handoff_staff_closed", now, t=t, name=name))]

    def _canned_list(self, customer: str | None, now: datetime) -> Reply:
        pack = self.kit.conversation(customer)[1] if customer else self.kit.packs[self.kit.default_brand]
        return Reply(self.say(pack, "handoff_staff_canned_list", now, canned=self.kit.canned.names(pack.id)))

    def _canned(self, customer: str, name: str, by: str, consultant: str, now: datetime) -> list[Reply]:
        kit = self.kit
        conv, pack = kit.conversation(customer)
        reply = kit.canned.get(pack.id, name)
        if reply is None:
            return [Reply(self.say(pack, "handoff_staff_canned_unknown", now, name=name))]
        rmas = [filed_row(r) for r in kit.store.rmas.find(user=customer, limit=1)]
        extra: dict[str, Any] = {"name": first_name(consultant)}
        if rmas:
            status = kit.say(pack, f"rma_status_{rmas[0]['status']}", conv.lang, now, **extra)
            extra["r"] = {**rmas[0], "label": status}
        try:
            text = kit.render_canned(pack, reply, conv.lang, now, **extra)
        except FaqError as exc:
            # the reply's name and what is wrong with it, not the server's path to the file
            problem = "this customer has no RMA" if not rmas and "'r'" in exc.problem else f"{exc.key}: {exc.problem}"
            return [Reply(self.say(pack, "handoff_staff_canned_failed", now, name=reply.name, problem=problem))]
        said, delivered = self._to_customer(conv, pack, text, (), by, consultant, now)
        if not delivered:
            return said
        return [*said, Reply(self.say(pack, "handoff_staff_canned_sent", now, name=reply.name, text=text))]

    def _ban(self, user: str, by: str, now: datetime) -> Reply:
        store = self.kit.store
        conv, pack = self.kit.conversation(user)
        store.bans.add(user, by=by, at=now)
        ticket = store.tickets.active(user)
        if ticket is not None:
            store.tickets.change(
                int(ticket["id"]), at=now, expect=OPEN, status="closed", closed_at=now, closed_by="ban"
            )
        return Reply(self.say(pack, "handoff_staff_banned", now, who=who(conv), t=label(ticket) if ticket else None))

    def _unban(self, user: str, now: datetime) -> Reply:
        conv, pack = self.kit.conversation(user)
        name = "handoff_staff_unbanned" if self.kit.store.bans.lift(user) else "handoff_staff_not_banned"
        return Reply(self.say(pack, name, now, who=who(conv)))


def _user_arg(text: str) -> str | None:
    """A customer named in a command: "tg:123" or "123"."""
    word = text.split()[0] if text.split() else ""
    if re.fullmatch(r"[a-z]+:-?\d+", word):
        return word
    return f"tg:{word}" if re.fullmatch(r"\d{3,15}", word) else None
