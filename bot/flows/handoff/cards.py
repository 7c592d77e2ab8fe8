"""What consultants see of a ticket: its topic title, its context card, and the opening-time sweep."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import customer_zone
from bot.core.messages import Button, Media, Reply
from bot.flows.base import Conversation, Kit
from bot.knowledge.hours import status as hours_status
from bot.knowledge.packs import BrandPack

STAFF = "staff"  # the notice target for the staff chat itself
OPEN = ("waiting", "claimed")
QUEUE_LINES = 40  # tickets /queue lists by name (the rest are counted)
CARD_TEXT = 200  # characters of one exchange shown on a context card


def label(ticket: Mapping[str, Any] | None) -> str:
    """A ticket as customers and consultants see it: ``T-12``."""
    return f"T-{ticket['id']}" if ticket else ""


def staff_target(user: str) -> str:
    """The notice target for a customer's topic in the staff chat."""
    return f"{STAFF}:{user}"


def first_name(name: str | None) -> str:
    """A consultant's first name, as customers see it."""
    return (name or "").split(" ")[0].strip()


def who(conv: Conversation) -> str:
    """The customer as consultants know them: their name, or their key."""
    return str(conv.state.name or conv.user)


class Cards:
    """Titles, context cards and the opening sweep."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit

    def say(self, pack: BrandPack, key: str, now: datetime, /, **extra: Any) -> str:
        """A staff message (consultants read English)."""
        return self.kit.say(pack, key, "en", now, **extra)

    def times(self, conv: Conversation, pack: BrandPack, now: datetime) -> dict[str, Any]:
        """When consultants are in: closing time now, or the next opening (also in the customer's own time)."""
        hours = hours_status(pack, now)
        zone = customer_zone(conv.state.tz)
        own = hours.next_open.astimezone(zone) if zone is not None else None
        if own is not None and own.utcoffset() == hours.next_open.utcoffset():
            own = None  # the customer lives in China time: one time is enough
        return {"opens": hours.next_open, "own_opens": own, "closes": hours.closes, "holiday": hours.holiday}

    def title(self, user: str) -> str | None:
        """The customer's topic title: name, brand and newest ticket."""
        ticket = self.kit.store.tickets.last(user)
        if ticket is None:
            return None
        conv, pack = self.kit.conversation(user)
        opened = datetime.fromisoformat(ticket["opened_at"])
        return self.say(pack, "handoff_staff_title", opened, who=who(conv), t=label(ticket))[:128]

    def card(self, user: str, now: datetime) -> Reply | None:
        """The context card of the customer's newest ticket (for a topic made again after it was deleted)."""
        ticket = self.kit.store.tickets.last(user)
        if ticket is None:
            return None
        conv, pack = self.kit.conversation(user)
        return self._card(ticket, conv, pack, now, left=[])

    def posting(self, ticket: Mapping[str, Any], conv: Conversation, pack: BrandPack, now: datetime) -> list[Reply]:
        """What a ticket's topic gets when consultants first see it: the card, then what was left meanwhile."""
        store = self.kit.store
        kept = store.tickets.messages(int(ticket["id"])) if ticket.get("posted_at") is None else []
        left = [m["text"] for m in kept if m["direction"] == "customer" and m["text"]]
        media = tuple(Media(x["kind"], x["ref"]) for m in kept if m["direction"] == "customer" for x in m["media"])
        replies = [self._card(ticket, conv, pack, now, left=left)]
        if media:
            replies.append(Reply("", media=media))
        return replies

    def _card(
        self, ticket: Mapping[str, Any], conv: Conversation, pack: BrandPack, now: datetime, *, left: list[str]
    ) -> Reply:
        store = self.kit.store
        opened = datetime.fromisoformat(ticket["opened_at"]).astimezone(pack.timezone)
        draft = conv.state.rma.draft
        answers = []
        if draft is not None:
            facts = draft.facts
            given = {"model": facts.model, "serial": facts.serial, "date_text": facts.date_text, "fault": facts.fault}
            answers = [(k, str(v)[:80]) for k, v in given.items() if v]
        walk = store.walks.last(conv.user)
        walk_view = None
        if walk is not None:
            tree = self.kit.content.trees.get(walk["tree"])
            walk_view = {
                "title": tree.title("en") if tree else walk["tree"],
                "outcome": walk["outcome"],
                "at": datetime.fromisoformat(walk["at"]).astimezone(pack.timezone),
                "tried": walk["tried"],
            }
        recent = store.events.recent_exchanges(conv.user, self.kit.handoff.card_exchanges, before=ticket["opened_at"])
        exchanges = [{"text": _short(e["text"]), "reply": _short(e["reply"])} for e in recent]
        state = f"with {ticket['claimed_name']}" if ticket.get("status") == "claimed" else ticket.get("status", "")
        text = self.say(
            pack,
            "handoff_staff_card",
            now,
            t=label(ticket),
            state=state,
            who=who(conv),
            user=conv.user,
            clang=conv.lang,
            tz=conv.state.tz,
            reason=ticket["reason"],
            opened=opened,
            in_hours=hours_status(pack, opened).open,
            reopened=ticket.get("reopened"),
            rmas=store.rmas.find(user=conv.user, limit=3),
            draft={"step": draft.step, "answers": answers} if draft is not None else None,
            walk=walk_view,
            exchanges=exchanges,
            left=left,
        )
        if ticket.get("status") == "claimed":
            return Reply(text)
        return Reply(text, (Button(self.say(pack, "handoff_staff_button_claim", now), f"take:{ticket['id']}"),))

    def queue_line(self, ticket: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """One ticket in ``/queue`` and the opening summary."""
        conv, pack = self.kit.conversation(ticket["user"])
        return {
            "t": label(ticket),
            "who": who(conv),
            "brand": pack.name,
            "posted": ticket["posted_at"] is not None,
            "name": first_name(ticket["claimed_name"]),
            "wait": _duration(now - datetime.fromisoformat(ticket["opened_at"])),
        }

    def queue(self, now: datetime) -> Reply:
        """Waiting tickets, oldest first, with how long each has waited; and who has the others."""
        store = self.kit.store
        waiting = store.tickets.find(status="waiting")
        claimed = [self.queue_line(t, now) for t in store.tickets.find(status="claimed", limit=QUEUE_LINES)]
        lines = [self.queue_line(t, now) for t in waiting[:QUEUE_LINES]]
        pack = self.kit.packs[self.kit.default_brand]
        return Reply(self.say(pack, "handoff_staff_queue", now, total=len(waiting), waiting=lines, claimed=claimed))

    def sweep(self, now: datetime) -> int:
        """At opening, post the tickets that arrived while closed, oldest first; returns how many were posted."""
        store = self.kit.store
        pack = self.kit.packs[self.kit.default_brand]
        is_open = hours_status(pack, now).open
        was_open = store.settings.get("desk:open") == "1"
        opening = is_open and not was_open  # the first look since consultants came in
        if was_open != is_open:
            store.settings.put("desk:open", "1" if is_open else "0")
        due = [
            t
            for t in store.tickets.find(unposted=True)
            if hours_status(self.kit.packs.get(t["brand"]) or pack, now).open
        ]
        still = [t for t in store.tickets.find(status="waiting") if t["posted_at"]] if opening else []
        if not due and not still:
            return 0
        lines = [self.queue_line(t, now) for t in sorted(due + still, key=lambda t: t["id"])]
        store.notices.add(STAFF, Reply(self.say(pack, "handoff_staff_opening", now, tickets=lines)).to_dict(), now)
        for ticket in due:
            conv, brand = self.kit.conversation(ticket["user"])
            notices = [(staff_target(ticket["user"]), r.to_dict()) for r in self.posting(ticket, conv, brand, now)]
            store.tickets.change(int(ticket["id"]), at=now, posted_at=now, notices=notices)
        return len(due)


def _short(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= CARD_TEXT else flat[: CARD_TEXT - 1] + "…"


def _duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
