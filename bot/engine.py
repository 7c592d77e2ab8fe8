"""The conversation engine: ``handle(message) -> replies``, knowing nothing of any transport.

Adapters (Telegram, the console chat, the batch interface) turn their input into a :class:`Message`,
call :meth:`Engine.handle`, and render the :class:`Reply` objects it returns. The engine only loads the
conversation, reads the message once (:mod:`bot.understand.reading`), dispatches by its tables to a
flow (:mod:`bot.flows`), and saves:

    Message ─► load ─► read ─► gates: an admin's work? a consultant's chat? ─► the flow that takes it:
               a button   by its data's prefix      (rma:… → repair requests, ts:… → troubleshooting…)
               a command  by its name               (/rma, /troubleshoot, /human…; /back and /cancel go
                                                      to the innermost flow in progress)
               text       asking for a person ─► the flows in progress (innermost first) ─► repair
                          requests ("where is my repair?") ─► the answer flow
           ─► after: a second misunderstanding brings a consultant ─► save state, event and replies at once
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.backoffice.faqbook import FaqBook
from bot.core.clock import Clock, customer_moment, customer_zone, fixed_clock, offset_of, system_clock
from bot.core.errors import InputError
from bot.core.messages import REPEATED, Button, Media, Message, Notice, Replies, Reply, Unsent
from bot.core.outcomes import Outcome
from bot.core.text import command_of
from bot.flows.admin import AdminFlow
from bot.flows.answer import AnswerFlow
from bot.flows.base import Conversation, Flow, Flows, Kit, Result, Turn, load_conversation, prefix_of
from bot.flows.general import GeneralFlow
from bot.flows.handoff import HandoffFlow
from bot.flows.rma import RmaFlow
from bot.flows.state import FlowName, dumps
from bot.flows.walk import WalkFlow
from bot.knowledge.packs import DEFAULT_BRAND
from bot.loading import Knowledge
from bot.store import Store
from bot.understand.index import FaqIndex
from bot.understand.normalise import Normaliser
from bot.understand.reading import MAX_CHARS, Reader, Reading

log = logging.getLogger(__name__)

__all__ = ["Button", "Engine", "Media", "Message", "Notice", "Reply", "Unsent", "fixed_clock", "system_clock"]

STACKED = frozenset({"back", "cancel"})  # commands the innermost flow in progress answers first


class Engine:
    """Answers customers of every brand from its pack and FAQ."""

    def __init__(
        self,
        knowledge: Knowledge,
        *,
        store: Store,
        clock: Clock = system_clock,
        default_brand: str = DEFAULT_BRAND,
        consultants: bool = False,
        strict: bool = False,
    ) -> None:
        if default_brand not in knowledge.packs:
            known = ", ".join(sorted(knowledge.packs))
            raise InputError(f"unknown brand {default_brand!r} (known: {known})")
        content = knowledge.content.own_entries()  # admins' changes go into this engine's entries only
        self.knowledge = knowledge
        self.packs = knowledge.packs
        self.content = content
        self.store = store
        self.clock = clock
        self.default_brand = default_brand
        self.consultants = consultants  # whether a staff chat serves handoffs
        self.strict = strict  # raise what goes wrong instead of apologising (the self-check)
        self._locks = [threading.Lock() for _ in range(64)]
        self._faq_lock = threading.Lock()
        self.book = FaqBook(content, store)  # faq/ plus admins' changes (SQLite)
        self.book.apply(self.book.pending())
        self.index = FaqIndex(content, Normaliser(knowledge.lexicon))
        self.reader = Reader(
            lexicon=knowledge.lexicon, index=self.index, situations=knowledge.situations, intents=knowledge.intents
        )
        kit = Kit(
            packs=knowledge.packs,
            content=content,
            store=store,
            index=self.index,
            lexicon=knowledge.lexicon,
            situations=knowledge.situations,
            intents=knowledge.intents,
            answers=knowledge.answers,
            advisor=knowledge.advisor,
            workflow=knowledge.workflow,
            handoff=knowledge.handoff,
            canned=knowledge.canned,
            book=self.book,
            sync_faq=self.sync_faq,
            consultants=consultants,
            default_brand=default_brand,
        )
        flows = Flows(
            general=GeneralFlow(kit),
            answer=AnswerFlow(kit),
            walk=WalkFlow(kit),
            rma=RmaFlow(kit),
            handoff=HandoffFlow(kit),
            admin=AdminFlow(kit),
        )
        kit.flows = flows
        self.kit = kit
        self.shared = {"handoff": kit.handoff.values, "staffed": consultants}  # what every turn's wording sees
        self.flows = flows
        self.gates: tuple[Callable[[Turn], Result | None], ...] = (  # the dispatch tables; an edit is no answer
            flows.admin.intercept, flows.handoff.intercept, *flows.general.gates)  # fmt: skip
        self.by_prefix: dict[str, Flow] = {p: f for f in flows.all() for p in f.prefixes}
        self.by_command: dict[str, Flow] = {c: f for f in flows.all() for c in f.commands if c not in STACKED}
        self.by_name: dict[FlowName, Flow] = {f.name: f for f in flows.all()}
        self.after: tuple[Callable[[Turn, Result], Result], ...] = (flows.handoff.after,)

    @classmethod
    def from_root(
        cls,
        root: Path,
        *,
        store: Store,
        clock: Clock = system_clock,
        default_brand: str = DEFAULT_BRAND,
        consultants: bool = False,
    ) -> Engine:
        """Load all content under ``root`` and build an engine."""
        knowledge = Knowledge.load(root)
        knowledge.warn_missing_holidays(clock().date())
        return cls(knowledge, store=store, clock=clock, default_brand=default_brand, consultants=consultants)

    # -- the one entry point ---------------------------------------------------------------------------

    def handle(self, message: Message) -> list[Reply]:
        """Handle one incoming message and return the replies to send, in order.

        A message with an ``id`` the store has seen is not handled again: its recorded replies come back.
        """
        if message.brand is not None and message.brand not in self.packs:
            raise InputError(f"unknown brand {message.brand!r} (known: {', '.join(sorted(self.packs))})")
        with self._user_lock(message.user):
            if message.id is not None:
                recorded = self.store.outbox.get(message.id)
                if recorded is not None:
                    return Replies((Reply.from_dict(r) for r in recorded.replies), REPEATED)
            self.sync_faq()
            return self._handle(message)

    def read(self, text: str, *, brand: str | None = None, now: datetime | None = None) -> Reading:
        """How a message would be read for a brand (``supportbot explain``); nothing is stored."""
        pack = self.packs.get(brand or self.default_brand) or self.packs[self.default_brand]
        moment = customer_moment(now or self.clock(), pack.timezone)
        return self.reader.read(Message(user="explain", text=text), pack=pack, lang="en", offered=(), moment=moment)

    def _handle(self, message: Message) -> list[Reply]:
        now = message.now or self.clock()
        conv = load_conversation(self.store, message.user, message.brand or self.default_brand)
        if message.brand is not None and message.brand != conv.brand:
            conv = Conversation(user=message.user, brand=message.brand)
        pack = self.packs.get(conv.brand) or self.packs[self.default_brand]
        conv.brand = pack.id
        if message.name:
            conv.state.name = message.name[:100]
        if message.now is not None and (own := offset_of(now)):
            conv.state.tz = own  # a transport that gives the customer's clock: consultants' hours are shown in it too
        try:
            moment = customer_moment(now, pack.timezone, customer_zone(conv.state.tz))
            reading = self.reader.read(message, pack=pack, lang=conv.lang, offered=conv.state.offered, moment=moment)
            turn = Turn(conv, pack, now, message, reading, self.content, shared=self.shared, moment=moment)
            result = self._dispatch(turn)
            for after in self.after:
                result = after(turn, result)
            result.before(*turn.notes)
        except Exception:
            if self.strict:
                raise
            log.exception("could not handle a message from %s", message.user)
            result = Result(Outcome.ERROR, [Reply(self._apology(conv.lang, pack.id, now))])
        conv.turns += 1
        text = message.text if message.text is not None else f"[{message.press or message.kind}]"
        event = {
            "user": conv.user,
            "brand": conv.brand,
            "at": now,
            "lang": conv.lang,
            "text": text[:MAX_CHARS],
            "outcome": str(result.outcome),
            "entry_id": result.entry_id,
            "score": result.score,
            "reply": "\n".join(r.text for r in result.replies)[:4000],
        }
        outbox = (message.id, [r.to_dict() for r in result.replies]) if message.id is not None else None
        try:
            self.store.conversations.save(
                conv.user, conv.brand, conv.lang, dumps(conv.state), conv.turns, at=now, event=event, outbox=outbox
            )
        except Exception:  # the database stayed locked (or failed): the turn is not kept, and the customer knows
            if self.strict:
                raise
            log.exception("could not save the turn of %s: it is not kept", message.user)
            return Replies([Reply(self._apology(conv.lang, pack.id, now, "error_not_kept"))], "not_kept")
        return Replies(result.replies, str(result.outcome))

    def _dispatch(self, turn: Turn) -> Result:
        """The flow that takes this message, by the tables."""
        reading, flows = turn.reading, self.flows
        for gate in self.gates:  # an admin's work, a chat a consultant has
            result = gate(turn)
            if result is not None:
                return result
        if reading.press is not None:
            flow = self.by_prefix.get(prefix_of(reading.press))
            if flow is None or not (reading.offered or prefix_of(reading.press) in flow.durable):
                return flows.general.unknown_button(turn)
            return flow.press(turn, reading.press)
        if reading.evidence and turn.state.rma.draft is not None:  # a voice note or a sticker is no photo
            kept = flows.rma.media(turn, reading.evidence)
            if not reading.text or turn.state.rma.draft is None or turn.state.rma.draft.step == "photos":
                return kept  # a caption at the photo step describes the photo
            turn.notes.extend(kept.replies[:1])
        if not reading.text:
            return flows.general.not_text(turn)
        if reading.command is not None:
            return self._command(turn, reading.command)
        takers = [flows.handoff, *(self.by_name[f] for f in reversed(turn.state.flows)), flows.rma]
        for flow in dict.fromkeys(takers):
            result = flow.text(turn)
            if result is not None:
                return result
        return flows.answer.text(turn)  # a question

    def _command(self, turn: Turn, command: str) -> Result:
        if command in STACKED:
            for name in reversed(turn.state.flows):
                flow = self.by_name[name]
                if command in flow.commands:
                    return flow.command(turn, command)
        flow = self.by_command.get(command, self.flows.general)
        return flow.command(turn, command)

    def _apology(self, lang: str, brand: str, now: datetime, name: str = "error") -> str:
        try:
            return self.kit.say(self.packs[brand], name, lang, now)
        except Exception:
            log.exception("could not even render the apology")
            return self.kit.say(self.packs[self.default_brand], name, "en", now)

    # -- the FAQ as admins edit it ---------------------------------------------------------------------

    def sync_faq(self) -> None:
        """Take in FAQ changes made since the last look (here, by an admin, or by another process).

        A database that cannot be read right now leaves customers with the FAQ as it was.
        """
        with self._faq_lock:
            try:
                pending = self.book.pending()
            except Exception:
                log.exception("could not read the admins' FAQ changes; answering with the FAQ as it was")
                return
            if pending:
                self.index.update(pending)

    # -- consultants and the work outside turns --------------------------------------------------------

    def staff(
        self,
        text: str,
        *,
        by: str,
        name: str = "",
        customer: str | None = None,
        media: tuple[Media, ...] = (),
        now: datetime | None = None,
    ) -> list[Reply]:
        """A consultant's message or command in the staff chat; returns the replies for the staff chat.

        ``customer`` is the customer whose topic it was written in (None in the general chat). What reaches
        a customer (a consultant's words, a status change) goes as a notice (see :meth:`notices`).
        """
        now = now or self.clock()
        if command_of(text) == "rma":  # the RMA's history names the consultant
            return self.flows.rma.desk.command(text, by=f"{name} ({by})" if name else by, now=now)
        desk = self.flows.handoff.desk
        if customer is None:
            return desk.staff(text, customer=None, by=by, name=name, media=media, now=now)
        with self._user_lock(customer):
            return desk.staff(text, customer=customer, by=by, name=name, media=media, now=now)

    def staff_press(self, data: str, *, by: str, name: str, now: datetime | None = None) -> list[Reply]:
        """A button pressed in the staff chat (a ticket's Claim); returns the replies for the staff chat."""
        return self.flows.handoff.desk.press(data, by=by, name=name, now=now or self.clock())

    def set_rma_status(
        self, number: str, status: str, *, by: str, extra: str = "", now: datetime | None = None
    ) -> Mapping[str, Any]:
        """Change an RMA's status from a desk (``supportbot rma set-status``); the customer is told.

        Raises :class:`~bot.core.errors.InputError` with the reason when the change is refused.
        """
        return self.flows.rma.desk.set_status(number, status, by=by, now=now or self.clock(), extra=extra)

    def conversation(self, user: str) -> Conversation:
        """A customer's conversation as stored (for desks and tests: what a flow remembers)."""
        return load_conversation(self.store, user, self.default_brand)

    def say_to(self, user: str, name: str = "error_not_kept") -> str:
        """A named message in the customer's language and brand, as stored (by default: sorry, not kept)."""
        row = self.store.conversations.load(user)
        lang, brand = (row.lang, row.brand) if row is not None else ("en", self.default_brand)
        return self._apology(lang, brand if brand in self.packs else self.default_brand, self.clock(), name)

    def offered(self, user: str) -> tuple[Button, ...]:
        """The buttons the customer was offered last (an adapter that shortens button data finds them here)."""
        return tuple(load_conversation(self.store, user, self.default_brand).state.offered)

    def wording(self, name: str, lang: str) -> str:
        """A named message of the default brand (command descriptions for a transport's menu)."""
        return self.kit.say(self.packs[self.default_brand], name, lang, self.clock())

    def languages(self) -> tuple[str, ...]:
        """The languages the default brand has wording for (a transport's command menu in each)."""
        return tuple(self.packs[self.default_brand].languages)

    def brand_name(self) -> str:
        """The default brand's name, as customers know it (a transport's greeting line)."""
        return self.packs[self.default_brand].name

    @property
    def opening_sweep_seconds(self) -> int:
        """How often the opening-time sweep should run (:meth:`open_desk`)."""
        return self.knowledge.handoff.sweep_seconds

    def rma_list(self, status: str | None = None) -> str:
        """Open RMAs (or those with one status, as consultants type it), newest first, for a desk."""
        word = self.knowledge.workflow.status_word(status) or status if status else None
        return self.flows.rma.desk.listing(word, self.clock())

    def rma_show(self, number: str) -> Reply:
        """One RMA in full for a desk: its card (with the photos' references) and its history."""
        return self.flows.rma.desk.show(number, self.clock())

    def topic_title(self, user: str) -> str | None:
        """The title of a customer's topic in the staff chat."""
        return self.flows.handoff.desk.title(user)

    def topic_card(self, user: str) -> Reply | None:
        """The context card that heads a customer's topic (for a topic made again)."""
        return self.flows.handoff.desk.card(user, self.clock())

    def sweep(self, now: datetime | None = None) -> int:
        """Periodic work rebuilt from SQLite: RMA expiry reminders and expiries. Returns changes made."""
        return self.flows.rma.desk.sweep(now or self.clock())

    def open_desk(self, now: datetime | None = None) -> int:
        """At opening time, post the chats that waited while consultants were away. Returns how many."""
        return self.flows.handoff.desk.sweep(now or self.clock()) if self.consultants else 0

    def notices(self, *, target: str | None = None, prefix: str | None = None, limit: int = 100) -> list[Notice]:
        """Messages waiting for delivery outside a turn (status changes, staff cards), oldest first."""
        pending = self.store.notices.pending(target=target, prefix=prefix, limit=limit)
        return [Notice(i, t, Reply.from_dict(r)) for i, t, r in pending]

    def notice_sent(self, notice: Notice) -> None:
        """Record a notice as delivered."""
        self.store.notices.mark_sent(notice.id)

    # -- the outbox: replies recorded with each turn, for a transport to deliver exactly once -------------

    def delivered(self, message_id: str) -> int:
        """How many of the replies recorded for an incoming message have been delivered (0: none, or unknown)."""
        recorded = self.store.outbox.get(message_id)
        return recorded.sent if recorded is not None else 0

    def mark_sent(self, message_id: str, count: int) -> None:
        """Record that the first ``count`` replies to an incoming message have been delivered."""
        self.store.outbox.mark_sent(message_id, count)

    def unsent(self) -> list[Unsent]:
        """Messages whose replies were not all delivered (a crash between recording and sending), oldest first."""
        return [
            Unsent(r.message_id, r.user, tuple(Reply.from_dict(d) for d in r.replies), r.sent)
            for r in self.store.outbox.unsent()
        ]

    def prune(self) -> int:
        """Forget what the store's retention lets go by now (old events, delivered replies…); returns rows gone."""
        return self.store.retention.prune(self.clock(), settled=self.knowledge.workflow.final).total

    def _user_lock(self, user: str) -> threading.Lock:
        """One of a fixed set of locks: a user's messages are handled one at a time, others in parallel."""
        return self._locks[hash(user) % len(self._locks)]
