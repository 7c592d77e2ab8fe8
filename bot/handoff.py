"""Handing a chat to a human consultant: tickets, relaying both ways, the queue and business hours.

Transport-free like the rest of the engine: consultants are addressed through notices whose target is
``staff:<customer key>`` (that customer's topic in the staff chat) or ``staff`` (the staff chat itself);
adapters decide what a topic is. Tickets, their messages, topics and bans live in SQLite.

    trigger ─► start ─► open now?  yes ─► ticket "waiting", posted: context card + [Claim] in the customer's topic
                                   no  ─► ticket "waiting", not posted: next opening told, details asked for
    customer writes ─► kept on the ticket ─► relayed to the topic (posted) or kept for the opening (not posted)
    consultant: Claim or /take ─► "claimed", the customer is told · writes ─► relayed · // note ─► kept only
                /close ─► "closed": back with the bot, 1–5 rating asked · the customer writes again soon ─► reopened
    sweep ─► at opening, the waiting tickets are posted in arrival order

Triggers (see :class:`bot.engine.Engine`): the menu button, ``/human``, asking for a person in any language,
two misunderstandings in a row, an excluded RMA, the end of a troubleshooting walk.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import FaqError
from bot.core.messages import Button, Media, Message, Reply
from bot.core.text import command_of, fold
from bot.knowledge.faq import Content, base_context, read_toml
from bot.knowledge.hours import status as hours_status
from bot.knowledge.langtext import LANGUAGES, lang_table
from bot.knowledge.packs import BrandPack
from bot.rmaflow import Said
from bot.store import Conversation, Store

log = logging.getLogger(__name__)

STAFF = "staff"
OPEN = ("waiting", "claimed")
QUEUE_LINES = 40  # tickets /queue lists by name (the rest are counted)
CARD_TEXT = 200  # characters of one exchange shown on a context card
_CANNED = re.compile(r"#([a-z][a-z0-9_-]{0,40})\b", re.I)
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.I)


def label(ticket: Mapping[str, Any]) -> str:
    """A ticket as customers and consultants see it: ``T-12``."""
    return f"T-{ticket['id']}"


def staff_target(user: str) -> str:
    """The notice target for a customer's topic in the staff chat."""
    return f"{STAFF}:{user}"


def customer_zone(value: str | None) -> tzinfo | None:
    """A customer's time zone as stored ("Europe/Berlin" or "+07:00"), or None."""
    if not value:
        return None
    found = _OFFSET.match(value.strip())
    if found:
        sign, hours, minutes = found.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta) if delta <= timedelta(hours=14) else None
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


@dataclass(frozen=True)
class HandoffRules:
    """The handoff's numbers (``policies/_handoff.toml``) and what asks for a person."""

    misunderstandings: int
    reopen_minutes: int
    card_exchanges: int
    ack_every_minutes: int
    sweep_seconds: int
    settings: Mapping[str, Any]
    patterns: tuple[re.Pattern[str], ...]
    vetoes: tuple[re.Pattern[str], ...] = ()
    closings: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def load(cls, root: Path) -> HandoffRules:
        """Read the numbers and the phrasings; a problem names the file and the key."""
        path = root / "policies" / "_handoff.toml"
        settings = read_toml(path).get("handoff")
        if not isinstance(settings, dict):
            raise FaqError(path, "handoff", "missing [handoff] table")
        numbers = {}
        for key in (
            "misunderstandings",
            "reopen_minutes",
            "card_exchanges",
            "ack_every_minutes",
            "opening_sweep_seconds",
        ):
            value = settings.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise FaqError(path, f"handoff.{key}", f"expected a whole number of at least 1, got {value!r}")
            numbers[key] = value
        patterns_path = root / "faq" / "_common" / "matching" / "handoff.toml"
        data = read_toml(patterns_path)
        lists = {}
        for key in ("asks_for_person", "not_asking", "closing"):
            raw = data.get(key)
            if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
                raise FaqError(patterns_path, key, "expected a list of patterns")
            try:
                lists[key] = tuple(re.compile(p) for p in raw)
            except re.error as exc:
                raise FaqError(patterns_path, key, f"bad pattern: {exc}") from None
        return cls(
            misunderstandings=numbers["misunderstandings"],
            reopen_minutes=numbers["reopen_minutes"],
            card_exchanges=numbers["card_exchanges"],
            ack_every_minutes=numbers["ack_every_minutes"],
            sweep_seconds=numbers["opening_sweep_seconds"],
            settings=settings,
            patterns=lists["asks_for_person"],
            vetoes=lists["not_asking"],
            closings=lists["closing"],
        )

    def asks_for_person(self, text: str) -> bool:
        """Whether a message asks for a human ("real person", "人工", "gặp nhân viên"…), not about a feature."""
        folded = fold(text).strip()
        return (
            len(folded) <= 300
            and any(p.search(folded) for p in self.patterns)
            and not any(p.search(folded) for p in self.vetoes)
        )

    def about_detection(self, text: str) -> bool:
        """Whether a message is about a camera's person detection rather than asking for a person."""
        folded = fold(text)
        return any(p.search(folded) for p in self.vetoes)

    def says_goodbye(self, text: str) -> bool:
        """Whether a message only thanks or says goodbye ("thanks a lot, bye", "好的", "👍")."""
        folded = fold(text).strip()
        return len(folded) <= 60 and any(p.search(folded) for p in self.closings)


@dataclass(frozen=True)
class CannedReply:
    """One canned reply: its title for consultants, its wording by language, and where it was read."""

    name: str
    title: str
    texts: Mapping[str, str]
    file: Path


class Canned:
    """Canned replies, shared (``faq/_common/canned.toml``) and per brand (``faq/<brand>/canned.toml``)."""

    def __init__(self, faq_dir: Path, brands: Sequence[str]) -> None:
        shared = self._load(faq_dir / "_common" / "canned.toml", required=True)
        self.replies = {
            brand: {**shared, **self._load(faq_dir / brand / "canned.toml", required=False)} for brand in brands
        }

    @staticmethod
    def _load(path: Path, *, required: bool) -> dict[str, CannedReply]:
        if not path.is_file():
            if required:
                raise FaqError(path, "(file)", "not found")
            return {}
        out = {}
        for name, table in read_toml(path).items():
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,40}", name) or not isinstance(table, dict):
                raise FaqError(path, name, "expected [name] tables with lower-case names")
            title = table.get("title")
            if not isinstance(title, str) or not title.strip():
                raise FaqError(path, f"{name}.title", "missing")
            texts = lang_table(path, name, {k: v for k, v in table.items() if k != "title"})
            out[name] = CannedReply(name, title.strip(), texts, path)
        return out

    def names(self, brand: str) -> list[tuple[str, str]]:
        """(name, title) of a brand's canned replies, by name."""
        return sorted((r.name, r.title) for r in self.replies[brand].values())

    def get(self, brand: str, name: str) -> CannedReply | None:
        """One canned reply of a brand, or None."""
        return self.replies[brand].get(name.lower())


class Desk:
    """Tickets between customers and consultants."""

    def __init__(
        self,
        *,
        rules: HandoffRules,
        canned: Canned,
        content: Content,
        store: Store,
        packs: Mapping[str, BrandPack],
        default_brand: str,
    ) -> None:
        self.rules = rules
        self.canned = canned
        self.content = content
        self.store = store
        self.packs = packs
        self.default_brand = default_brand

    # -- wording ------------------------------------------------------------------------------------------

    def say(self, pack: BrandPack, key: str, lang: str, now: datetime, /, **extra: Any) -> str:
        """Render a handoff message for a brand."""
        context = {**base_context(pack, now), "handoff": self.rules.settings, **extra}
        return self.content.render_message(pack.id, key, lang, context)

    def _times(self, conv: Conversation, pack: BrandPack, now: datetime) -> dict[str, Any]:
        hours = hours_status(pack, now)
        zone = customer_zone(conv.state.get("tz"))
        own = hours.next_open.astimezone(zone) if zone is not None else None
        if own is not None and own.utcoffset() == hours.next_open.utcoffset():
            own = None  # the customer lives in China time: one time is enough
        return {"opens": hours.next_open, "own_opens": own, "closes": hours.closes, "holiday": hours.holiday}

    def _conv(self, user: str) -> tuple[Conversation, BrandPack]:
        conv = self.store.load(user, brand=self.default_brand)
        return conv, self.packs.get(conv.brand) or self.packs[self.default_brand]

    @staticmethod
    def _who(conv: Conversation) -> str:
        return str(conv.state.get("name") or conv.user)

    # -- the customer's side --------------------------------------------------------------------------------

    def active(self, user: str) -> dict[str, Any] | None:
        """The customer's open ticket, or None."""
        return self.store.active_ticket(user)

    def start(self, conv: Conversation, pack: BrandPack, now: datetime, *, reason: str) -> Said:
        """Open a ticket (or point to the open one): posted to consultants at once when open, else kept."""
        if self.store.banned(conv.user):
            return Said("handoff_banned", [Reply(self.say(pack, "handoff_banned", conv.lang, now))])
        conv.state.pop("buttons", None)
        conv.state.pop("pending", None)
        conv.state.pop("misses", None)
        times = self._times(conv, pack, now)
        is_open = times["closes"] is not None

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
            return [(staff_target(conv.user), r.to_dict()) for r in self._posting(ticket, conv, pack, now)]

        ticket, created = self.store.open_ticket(
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
            text = self.say(
                pack,
                "handoff_already",
                conv.lang,
                now,
                t=t,
                claimed=ticket["status"] == "claimed",
                posted=ticket["posted_at"] is not None,
                name=_first(ticket["claimed_name"]),
                **times,
            )
            return Said("handoff_already", [Reply(text)])
        name = "handoff_in_hours" if is_open else "handoff_out_of_hours"
        return Said(f"handoff_{reason}", [Reply(self.say(pack, name, conv.lang, now, t=t, reason=reason, **times))])

    def customer(
        self, conv: Conversation, pack: BrandPack, message: Message, ticket: Mapping[str, Any], now: datetime
    ) -> Said:
        """Something the customer sent while a ticket is open: kept, and relayed when consultants have it."""
        text = (message.text or "").strip()
        if message.edited and text:
            shown = self.say(pack, "handoff_staff_edited", "en", now, text=text)
        elif text:
            shown = text
        else:
            shown = "" if message.media else self.say(pack, "handoff_staff_kind", "en", now, kind=message.kind)
        media = [{"kind": m.kind, "ref": m.ref} for m in message.media]
        posted = ticket["posted_at"] is not None
        relay = [(staff_target(conv.user), Reply(shown, media=message.media).to_dict())] if posted else []
        self.store.add_ticket_message(
            int(ticket["id"]),
            at=now,
            direction="customer",
            by=conv.user,
            text=shown or None,
            media=media,
            notices=relay,
        )
        times = self._times(conv, pack, now)
        if posted and times["closes"] is not None:
            return Said("relayed")  # consultants are at work and see it in the topic: the bot stays quiet
        outcome = "relayed" if posted else "kept"
        last = ticket.get("last_ack")
        if last and now - datetime.fromisoformat(last) < timedelta(minutes=self.rules.ack_every_minutes):
            return Said(outcome)
        self.store.change_ticket(int(ticket["id"]), at=now, last_ack=now.isoformat())
        return Said(outcome, [Reply(self.say(pack, "handoff_kept", conv.lang, now, t=label(ticket), **times))])

    def leave(self, conv: Conversation, pack: BrandPack, ticket: Mapping[str, Any], now: datetime) -> Reply:
        """The customer ends the chat with a consultant (/cancel): the ticket closes, consultants are told."""
        t = label(ticket)
        staff = Reply(self.say(pack, "handoff_staff_left", "en", now, t=t))
        told = [(staff_target(conv.user), staff.to_dict())] if ticket["posted_at"] else []  # unseen: no news
        self.store.change_ticket(
            int(ticket["id"]),
            at=now,
            expect=OPEN,
            status="closed",
            closed_at=now.isoformat(),
            closed_by="customer",
            posted_at=ticket["posted_at"] or now.isoformat(),
            notices=told,
        )
        return Reply(self.say(pack, "handoff_left", conv.lang, now, t=t))

    def reopenable(self, user: str, now: datetime) -> dict[str, Any] | None:
        """The ticket a consultant closed a short while ago, which a new message from the customer reopens."""
        last = self.store.last_ticket(user)
        if (
            last is None
            or last["status"] != "closed"
            or not last["closed_at"]
            or last["closed_by"] in ("customer", "ban")
        ):
            return None
        if now - datetime.fromisoformat(last["closed_at"]) > timedelta(minutes=self.rules.reopen_minutes):
            return None
        return last

    def reopen(
        self, conv: Conversation, pack: BrandPack, message: Message, ticket: Mapping[str, Any], now: datetime
    ) -> Said | None:
        """Reopen a recently closed ticket with the customer's new message; None if it cannot be reopened."""
        if self.store.banned(conv.user):
            return None
        status = "claimed" if ticket["claimed_by"] else "waiting"
        t = label(ticket)
        staff = Reply(self.say(pack, "handoff_staff_reopened", "en", now, t=t, name=_first(ticket["claimed_name"])))
        if not self.store.change_ticket(
            int(ticket["id"]),
            at=now,
            expect=("closed",),
            status=status,
            closed_at=None,
            closed_by=None,
            reopened=int(ticket["reopened"] or 0) + 1,
            posted_at=ticket["posted_at"] or now.isoformat(),
            notices=[(staff_target(conv.user), staff.to_dict())],
        ):
            return None
        reopened = self.store.ticket(int(ticket["id"]))
        assert reopened is not None
        self.store.change_ticket(int(ticket["id"]), at=now, last_ack=now.isoformat())
        self.customer(conv, pack, message, {**reopened, "last_ack": now.isoformat()}, now)
        return Said(
            "handoff_reopened",
            [Reply(self.say(pack, "handoff_reopened", conv.lang, now, t=t, **self._times(conv, pack, now)))],
        )

    def rate(self, conv: Conversation, pack: BrandPack, data: str, now: datetime) -> Said | None:
        """A 1–5 rating pressed after a ticket was closed (``hrate:<ticket>:<n>``); None if it isn't valid."""
        parts = data.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in {"1", "2", "3", "4", "5"}:
            return None
        ticket = self.store.ticket(int(parts[1]))
        if ticket is None or ticket["user"] != conv.user or ticket["status"] != "closed" or ticket["rating"]:
            return None
        n = int(parts[2])
        staff = Reply(self.say(pack, "handoff_staff_rated", "en", now, t=label(ticket), n=n))
        self.store.change_ticket(
            int(ticket["id"]), at=now, rating=n, notices=[(staff_target(conv.user), staff.to_dict())]
        )
        return Said("handoff_rated", [Reply(self.say(pack, "handoff_rated", conv.lang, now, n=n))])

    # -- what consultants see --------------------------------------------------------------------------------

    def title(self, user: str) -> str | None:
        """The customer's topic title: name, brand and newest ticket."""
        ticket = self.store.last_ticket(user)
        if ticket is None:
            return None
        conv, pack = self._conv(user)
        return self.say(
            pack,
            "handoff_staff_title",
            "en",
            datetime.fromisoformat(ticket["opened_at"]),
            who=self._who(conv),
            t=label(ticket),
        )[:128]

    def card(self, user: str, now: datetime) -> Reply | None:
        """The context card of the customer's newest ticket (for a topic made again after it was deleted)."""
        ticket = self.store.last_ticket(user)
        if ticket is None:
            return None
        conv, pack = self._conv(user)
        return self._card(ticket, conv, pack, now, left=[])

    def _posting(self, ticket: Mapping[str, Any], conv: Conversation, pack: BrandPack, now: datetime) -> list[Reply]:
        """What a ticket's topic gets when consultants first see it: the card, then what was left meanwhile."""
        kept = self.store.ticket_messages(int(ticket["id"])) if ticket.get("posted_at") is None else []
        left = [m["text"] for m in kept if m["direction"] == "customer" and m["text"]]
        media = tuple(Media(x["kind"], x["ref"]) for m in kept if m["direction"] == "customer" for x in m["media"])
        replies = [self._card(ticket, conv, pack, now, left=left)]
        if media:
            replies.append(Reply("", media=media))
        return replies

    def _card(
        self, ticket: Mapping[str, Any], conv: Conversation, pack: BrandPack, now: datetime, *, left: list[str]
    ) -> Reply:
        opened = datetime.fromisoformat(ticket["opened_at"]).astimezone(pack.timezone)
        rmas = self.store.rmas(user=conv.user, limit=3)
        draft = conv.state.get("rma")
        answers = []
        if draft:
            data = draft.get("data") or {}
            answers = [(k, str(data[k])[:80]) for k in ("model", "serial", "date_text", "fault") if data.get(k)]
        walk = self.store.last_walk(conv.user)
        walk_view = None
        if walk is not None:
            tree = self.content.trees.get(walk["tree"])
            walk_view = {
                "title": tree.title("en") if tree else walk["tree"],
                "outcome": walk["outcome"],
                "at": datetime.fromisoformat(walk["at"]).astimezone(pack.timezone),
                "tried": walk["tried"],
            }
        exchanges = [
            {"text": _short(e["text"]), "reply": _short(e["reply"])}
            for e in self.store.recent_exchanges(conv.user, self.rules.card_exchanges, before=ticket["opened_at"])
        ]
        state = f"with {ticket['claimed_name']}" if ticket.get("status") == "claimed" else ticket.get("status", "")
        text = self.say(
            pack,
            "handoff_staff_card",
            "en",
            now,
            t=label(ticket),
            state=state,
            who=self._who(conv),
            user=conv.user,
            clang=conv.lang,
            tz=conv.state.get("tz"),
            reason=ticket["reason"],
            opened=opened,
            in_hours=hours_status(pack, opened).open,
            reopened=ticket.get("reopened"),
            rmas=rmas,
            draft={"step": draft.get("step"), "answers": answers} if draft else None,
            walk=walk_view,
            exchanges=exchanges,
            left=left,
        )
        buttons = (
            ()
            if ticket.get("status") == "claimed"
            else (Button(self.say(pack, "handoff_staff_button_claim", "en", now), f"take:{ticket['id']}"),)
        )
        return Reply(text, buttons)

    # -- the consultants' side -------------------------------------------------------------------------------

    def staff(
        self, text: str, *, customer: str | None, by: str, name: str, media: Sequence[Media] = (), now: datetime
    ) -> list[Reply]:
        """A consultant's message or command in the staff chat; returns what the staff chat is told.

        ``customer`` is the customer whose topic (or message) it was written in, None in the general chat.
        """
        text = (text or "").strip()
        pack = self.packs[self.default_brand]
        if text.startswith("//"):
            ticket = self.store.active_ticket(customer) or self.store.last_ticket(customer) if customer else None
            if ticket is not None:
                self.store.add_ticket_message(int(ticket["id"]), at=now, direction="note", by=by, text=text[2:].strip())
            return []
        command = command_of(text)
        if command is not None:
            rest = text.split(None, 1)[1].strip() if len(text.split(None, 1)) > 1 else ""
            if command == "queue":
                return [self.queue(now)]
            if command == "help":
                return [Reply(self.say(pack, "handoff_staff_help", "en", now))]
            if command in ("unban", "ban"):
                target = _user_arg(rest) or customer
                if target is None:
                    return [Reply(self.say(pack, "handoff_staff_where", "en", now))]
                return [self._ban(target, by, now) if command == "ban" else self._unban(target, now)]
            if command == "canned" and not rest:
                return [self._canned_list(customer, now)]
            if customer is None:
                if command in ("take", "close", "canned"):
                    return [Reply(self.say(pack, "handoff_staff_where", "en", now))]
                return []
            if command == "take":
                return self.take(customer, by=by, name=name, now=now)
            if command == "close":
                return self._close(customer, by, name, now)
            if command == "canned":
                return self._canned(customer, rest.split()[0].lstrip("#"), by, name, now)
            if re.fullmatch(r"[a-z_]{1,32}", command):
                return [Reply(self.say(pack, "handoff_staff_unknown", "en", now, command=command))]
            # "/etc/hosts is the file to edit": words for the customer that happen to start with a slash
        canned = _CANNED.fullmatch(text.split()[0]) if text.split() and customer is not None else None
        if canned is not None and len(text.split()) == 1:
            return self._canned(customer or "", canned.group(1), by, name, now)
        if customer is None or (not text and not media):
            return []  # consultants talking among themselves
        conv, pack = self._conv(customer)
        return self._to_customer(conv, pack, text, tuple(media), by, name, now)[0]

    def press(self, data: str, *, by: str, name: str, now: datetime) -> list[Reply]:
        """A button pressed in the staff chat (``take:<ticket>``)."""
        kind, _, value = data.partition(":")
        if kind != "take" or not value.isdigit():
            return []
        ticket = self.store.ticket(int(value))
        if ticket is None:
            return []
        return self.take(ticket["user"], by=by, name=name, now=now, ticket=ticket)

    def take(
        self, user: str, *, by: str, name: str, now: datetime, ticket: Mapping[str, Any] | None = None
    ) -> list[Reply]:
        """A consultant takes a customer's ticket (reopening it if closed); the customer is told who."""
        conv, pack = self._conv(user)
        ticket = ticket or self.store.active_ticket(user) or self.store.last_ticket(user)
        if ticket is None:
            return [Reply(self.say(pack, "handoff_staff_no_ticket", "en", now))]
        if ticket["status"] == "claimed" and ticket["claimed_by"] == by:
            return [Reply(self.say(pack, "handoff_staff_already_yours", "en", now, t=label(ticket)))]
        if ticket["status"] == "closed" and ticket["closed_by"] in ("customer", "ban"):
            return [
                Reply(
                    self.say(
                        pack,
                        "handoff_staff_left_closed",
                        "en",
                        now,
                        t=label(ticket),
                        banned=ticket["closed_by"] == "ban",
                    )
                )
            ]
        before = _first(ticket["claimed_name"]) if ticket["status"] == "claimed" else None
        t = label(ticket)
        told = Reply(self.say(pack, "handoff_claimed", conv.lang, now, t=t, name=_first(name)))
        fields: dict[str, Any] = {
            "status": "claimed",
            "claimed_by": by,
            "claimed_name": name,
            "claimed_at": now.isoformat(),
            "posted_at": ticket["posted_at"] or now.isoformat(),
        }
        if ticket["status"] == "closed":
            fields.update(closed_at=None, closed_by=None, reopened=int(ticket["reopened"] or 0) + 1)
        if not self.store.change_ticket(
            int(ticket["id"]), at=now, expect=(ticket["status"],), notices=[(user, told.to_dict())], **fields
        ):
            return [Reply(self.say(pack, "handoff_staff_not_open", "en", now, t=t))]
        return [Reply(self.say(pack, "handoff_staff_claimed", "en", now, t=t, name=name, before=before))]

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
        ticket = self.store.active_ticket(conv.user)
        if ticket is None:
            return [self._no_open_ticket(conv.user, pack, now)], False
        said: list[Reply] = []
        if ticket["status"] == "waiting":  # answering takes the ticket
            said = self.take(conv.user, by=by, name=name, now=now, ticket=ticket)
        first = _first(name)
        if text:
            shown = self.say(pack, "handoff_from_consultant", conv.lang, now, name=first, text=text)
        else:
            shown = self.say(pack, "handoff_from_consultant_media", conv.lang, now, name=first)
        self.store.add_ticket_message(
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
        last = self.store.last_ticket(user)
        key = "handoff_staff_not_open" if last is not None else "handoff_staff_no_ticket"
        return Reply(self.say(pack, key, "en", now, t=label(last) if last else ""))

    def _close(self, user: str, by: str, name: str, now: datetime) -> list[Reply]:
        conv, pack = self._conv(user)
        ticket = self.store.active_ticket(user)
        if ticket is None:
            return [self._no_open_ticket(user, pack, now)]
        t = label(ticket)
        who = _first(ticket["claimed_name"]) or _first(name)
        buttons = tuple(
            Button(self.say(pack, "handoff_button_rate", conv.lang, now, n=n), f"hrate:{ticket['id']}:{n}")
            for n in range(1, 6)
        )
        told = Reply(self.say(pack, "handoff_closed", conv.lang, now, t=t, name=who), buttons)
        self.store.change_ticket(
            int(ticket["id"]),
            at=now,
            expect=OPEN,
            status="closed",
            closed_at=now.isoformat(),
            closed_by=by,
            notices=[(user, told.to_dict())],
        )
        return [Reply(self.say(pack, "handoff_staff_closed", "en", now, t=t, name=name))]

    def queue(self, now: datetime) -> Reply:
        """Waiting tickets, oldest first, with how long each has waited; and who has the others."""
        pack = self.packs[self.default_brand]
        waiting = self.store.tickets(status="waiting")
        claimed = [self._queue_line(t, now) for t in self.store.tickets(status="claimed", limit=QUEUE_LINES)]
        return Reply(
            self.say(
                pack,
                "handoff_staff_queue",
                "en",
                now,
                total=len(waiting),
                waiting=[self._queue_line(t, now) for t in waiting[:QUEUE_LINES]],
                claimed=claimed,
            )
        )

    def _queue_line(self, ticket: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        conv, pack = self._conv(ticket["user"])
        return {
            "t": label(ticket),
            "who": self._who(conv),
            "brand": pack.name,
            "posted": ticket["posted_at"] is not None,
            "name": _first(ticket["claimed_name"]),
            "wait": _duration(now - datetime.fromisoformat(ticket["opened_at"])),
        }

    def _canned_list(self, customer: str | None, now: datetime) -> Reply:
        pack = self._conv(customer)[1] if customer else self.packs[self.default_brand]
        return Reply(self.say(pack, "handoff_staff_canned_list", "en", now, canned=self.canned.names(pack.id)))

    def _canned(self, customer: str, name: str, by: str, consultant: str, now: datetime) -> list[Reply]:
        conv, pack = self._conv(customer)
        reply = self.canned.get(pack.id, name)
        if reply is None:
            return [Reply(self.say(pack, "handoff_staff_canned_unknown", "en", now, name=name))]
        rmas = self.store.rmas(user=customer, limit=1)
        context = {**base_context(pack, now), "handoff": self.rules.settings, "name": _first(consultant)}
        if rmas:
            status = self.content.render_message(pack.id, f"rma_status_{rmas[0]['status']}", conv.lang, context)
            context["r"] = {**rmas[0], "label": status}
        try:
            text = self.content.render_source(
                pack.id, f"canned:{reply.name}", reply.texts, conv.lang, context, reply.file
            )
        except FaqError as exc:
            problem = "this customer has no RMA" if not rmas and "'r'" in str(exc) else str(exc)
            return [Reply(self.say(pack, "handoff_staff_canned_failed", "en", now, name=reply.name, problem=problem))]
        said, delivered = self._to_customer(conv, pack, text, (), by, consultant, now)
        if not delivered:
            return said
        return [*said, Reply(self.say(pack, "handoff_staff_canned_sent", "en", now, name=reply.name, text=text))]

    def _ban(self, user: str, by: str, now: datetime) -> Reply:
        conv, pack = self._conv(user)
        self.store.ban(user, by=by, at=now)
        ticket = self.store.active_ticket(user)
        if ticket is not None:
            self.store.change_ticket(
                int(ticket["id"]), at=now, expect=OPEN, status="closed", closed_at=now.isoformat(), closed_by="ban"
            )
        return Reply(
            self.say(pack, "handoff_staff_banned", "en", now, who=self._who(conv), t=label(ticket) if ticket else None)
        )

    def _unban(self, user: str, now: datetime) -> Reply:
        conv, pack = self._conv(user)
        name = "handoff_staff_unbanned" if self.store.unban(user) else "handoff_staff_not_banned"
        return Reply(self.say(pack, name, "en", now, who=self._who(conv)))

    # -- opening time ----------------------------------------------------------------------------------------

    def sweep(self, now: datetime) -> int:
        """At opening, post the tickets that arrived while closed, oldest first; returns how many were posted."""
        pack = self.packs[self.default_brand]
        is_open = hours_status(pack, now).open
        opening = is_open and self.store.get("desk:open") != "1"  # the first look since consultants came in
        if (self.store.get("desk:open") == "1") != is_open:
            self.store.put("desk:open", "1" if is_open else "0")
        due = []
        for ticket in self.store.tickets(unposted=True):
            brand = self.packs.get(ticket["brand"]) or pack
            if hours_status(brand, now).open:
                due.append(ticket)
        still = [t for t in self.store.tickets(status="waiting") if t["posted_at"]] if opening else []
        if not due and not still:
            return 0
        summary = Reply(
            self.say(
                pack,
                "handoff_staff_opening",
                "en",
                now,
                tickets=[self._queue_line(t, now) for t in sorted(due + still, key=lambda t: t["id"])],
            )
        )
        self.store.notify(STAFF, summary.to_dict(), now)
        for ticket in due:
            conv, pack = self._conv(ticket["user"])
            notices = [(staff_target(ticket["user"]), r.to_dict()) for r in self._posting(ticket, conv, pack, now)]
            self.store.change_ticket(int(ticket["id"]), at=now, posted_at=now.isoformat(), notices=notices)
        return len(due)


def _first(name: str | None) -> str:
    """A consultant's first name, as customers see it."""
    return (name or "").split(" ")[0].strip()


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


def _user_arg(text: str) -> str | None:
    """A customer named in a command: "tg:123" or "123"."""
    word = text.split()[0] if text.split() else ""
    if re.fullmatch(r"[a-z]+:-?\d+", word):
        return word
    return f"tg:{word}" if re.fullmatch(r"\d{3,15}", word) else None


def check_wording(root: Path, packs: Mapping[str, BrandPack], content: Content, moment: datetime) -> None:
    """Run tickets through every path, for every brand in its languages, in and out of hours.

    A handoff template that does not render then stops start-up instead of reaching a customer.
    """
    store = Store(":memory:")
    rules = HandoffRules.load(root)
    canned = Canned(root / "faq", list(packs))
    default = next(iter(packs))
    desk = Desk(rules=rules, canned=canned, content=content, store=store, packs=packs, default_brand=default)
    closed = moment.replace(hour=3)  # 3:00 in the morning, China time, is closed on any day
    try:
        for pack in packs.values():
            for lang in pack.languages:
                for when, reason in ((moment, "asked"), (closed, "not_understood"), (moment, "rma_excluded")):
                    user = f"check:{pack.id}:{lang}:{reason}"
                    conv = Conversation(user=user, brand=pack.id, lang=lang, state={"name": "Check", "tz": "+01:00"})
                    store.save(conv, at=when)
                    desk.start(conv, pack, when, reason=reason)
                    desk.start(conv, pack, when, reason=reason)
                    ticket = store.active_ticket(user)
                    assert ticket is not None
                    desk.customer(conv, pack, Message(user=user, text="hello", edited=True), ticket, when)
                    desk.customer(conv, pack, Message(user=user, kind="sticker"), ticket, when)
                    desk.sweep(moment)
                    if reason == "rma_excluded":  # canned replies that quote the customer's RMA
                        store.create_rma(
                            make_number=functools.partial(str, f"RMA-{pack.code}-CHEC-K{lang.upper()}"),
                            user=user,
                            brand=pack.id,
                            status="requested",
                            outcome="excluded",
                            data={"model": "IPC-1", "serial": "S1", "fault": "no video"},
                            at=moment,
                            expires_on=None,
                        )
                    for line in ("hello", "// note", "/take", "/queue", "/canned", "/help"):
                        desk.staff(line, customer=user, by="check", name="Check Consultant", now=moment)
                    desk.staff("/take", customer=user, by="check2", name="Other Consultant", now=moment)
                    for name in canned.names(pack.id):
                        desk.staff(f"#{name[0]}", customer=user, by="check", name="Check Consultant", now=moment)
                    desk.staff("/close", customer=user, by="check", name="Check Consultant", now=moment)
                    desk.staff("/close", customer=user, by="check", name="Check Consultant", now=moment)
                    desk.rate(conv, pack, f"hrate:{ticket['id']}:5", moment)
                    desk.reopen(conv, pack, Message(user=user, text="again"), ticket, moment)
                    desk.leave(conv, pack, ticket, moment)
                    desk.card(user, moment)
                    for line in ("hello", "/unban", "/ban"):
                        desk.staff(line, customer=user, by="check", name="Check Consultant", now=moment)
                    desk.start(conv, pack, moment, reason="asked")  # banned: refused
                    desk.staff("/unban", customer=user, by="check", name="Check Consultant", now=moment)
            desk.staff("hello", customer=f"check:{pack.id}:nobody", by="check", name="Check", now=moment)
        desk.staff("/take", customer=None, by="check", name="Check", now=moment)
        for lang in LANGUAGES:  # the rating buttons in every language, whatever the brand
            for pack in packs.values():
                desk.say(pack, "handoff_button_rate", lang, moment, n=3)
        for pack in packs.values():  # every canned reply, with an RMA, renders (a consultant must never see it fail)
            sample = {
                "number": f"RMA-{pack.code}-CHEC-KING",
                "status": "requested",
                "label": "requested",
                "data": {"model": "IPC-1", "serial": "S1", "fault": "no video"},
            }
            for lang in pack.languages:
                for reply_name, _ in canned.names(pack.id):
                    reply = canned.get(pack.id, reply_name)
                    assert reply is not None
                    context = {**base_context(pack, moment), "handoff": rules.settings, "name": "Check", "r": sample}
                    content.render_source(pack.id, f"canned:{reply_name}", reply.texts, lang, context, reply.file)
    finally:
        store.close()
