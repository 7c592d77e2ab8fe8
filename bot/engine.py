"""The conversation engine: ``handle(message) -> replies``, knowing nothing of any transport.

Adapters (Telegram, the console chat, the batch interface) turn their input into a :class:`Message`,
call :meth:`Engine.handle`, and render the :class:`Reply` objects it returns. Replies are data: text
plus buttons. Every customer-facing word comes from ``faq/`` templates.

    Message ─► with a consultant? ─► kept on the ticket and relayed (bot quiet; /cancel leaves)
            └► button press? ─► the button's action (answer an entry, consultant, none of these)
            └► text ─► empty / non-text / too long ─► asks for a person? ─► safety ─► matcher
                       ─► answer | clarify | don't know (twice in a row: a consultant)
"""

from __future__ import annotations

import fnmatch
import logging
import re
import tempfile
import threading
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.admin import COMMANDS as ADMIN_COMMANDS
from bot.admin import Admin
from bot.backoffice.faqbook import FaqBook
from bot.core.errors import FaqError, InputError
from bot.core.messages import Button, Media, Message, Notice, Reply
from bot.core.text import command_of, fold
from bot.handoff import Canned, Desk, HandoffRules
from bot.knowledge.faq import Content, Entry, base_context, load_content
from bot.knowledge.hours import uncovered_years
from bot.knowledge.packs import DEFAULT_BRAND, BrandPack
from bot.knowledge.trees import Tree
from bot.policy.advice import Advisor
from bot.rma import RmaRules
from bot.rmaflow import RmaFlow, Said
from bot.store import Conversation, Store
from bot.understand.matcher import Decision, Matcher
from bot.understand.normalise import Lexicon, Normaliser
from bot.understand.situation import Situation, SituationReader, settle_date, with_category

log = logging.getLogger(__name__)

__all__ = ["Button", "Engine", "Media", "Message", "Notice", "Reply", "fixed_clock", "system_clock"]

MAX_CHARS = 2000  # what the matcher reads of one message
TREE_WEIGHT = 0.9  # troubleshooting offers rank a little below FAQ answers
# What a follow-up asks about when it leans on facts from earlier turns.
_FOLLOW_UP_WANTS = frozenset({"free", "cost", "refund", "replace", "credit", "shipping"})
_COMMAND = re.compile(r"/[A-Za-z]\S*(\s|$)")
# A typed message that asks something (answered as a question even in the middle of a repair request).
_QUESTION = re.compile(
    r"\?|？|^(?:how|what|when|where|why|which|who|can|could|do|does|did|is|are|will|would|should)\b"
    r"|吗|什么|怎么|哪|多少|\b(?:khong|sao|the nao|bao lau|o dau)\b"
)
# commands that take a customer back from a consultant to the bot (starting one of its flows does too)
_LEAVE_HANDOFF = frozenset({"cancel", "start", "menu", "rma", "troubleshoot"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")

Clock = Callable[[], datetime]


def _local(now: datetime, pack: BrandPack) -> datetime:
    """The customer's moment: as given when it carries the customer's offset, else in the brand's zone."""
    offset = now.utcoffset()
    return now.astimezone(pack.timezone) if offset is None or offset.total_seconds() == 0 else now


def _verdict_leads(content: Content, pack: BrandPack, entries: Mapping[str, Entry]) -> dict[str, str]:
    """Entries whose English answer opens with a plain "Yes" or "No", and which."""
    context = base_context(pack, datetime(2026, 1, 5, 10, tzinfo=UTC))
    leads = {}
    for entry in entries.values():
        if entry.kind != "faq":
            continue
        first = re.match(r"\W*(yes|no)\b", content.render_entry(pack.id, entry, "en", context), re.I)
        if first:
            leads[entry.id] = first.group(1).lower()
    return leads


def _first_sentence(text: str) -> str:
    """The question a step asks (its last sentence ending in "?"), or its first sentence, to sum it up."""
    sentences = [s.strip() for s in re.findall(r"[^.?!。？！]+[.?!。？！]?", text.strip()) if s.strip()]
    questions = [s for s in sentences if s.endswith(("?", "？"))]
    sentence = questions[-1] if questions else (sentences[0] if sentences else text.strip())
    return sentence if len(sentence) <= 160 else sentence[:157] + "…"


def _said(said: Said) -> _Turn:
    return _Turn(said.outcome, replies=said.replies)


def _with_notes(notes: list[Reply], turn: _Turn) -> _Turn:
    turn.replies[:0] = notes
    return turn


def system_clock() -> datetime:
    """The real time, with its UTC offset."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says ``moment`` (tests, ``--now``, ``SUPPORTBOT_NOW``)."""
    return lambda: moment


@dataclass
class _Turn:
    """What one turn concluded, for the event log."""

    outcome: str
    entry_id: str | None = None
    score: float | None = None
    replies: list[Reply] = field(default_factory=list)


class Safety:
    """Refuses requests to break into devices or bypass other people's passwords."""

    def __init__(self, path: Path) -> None:
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
            self.always = [re.compile(p, re.I) for p in data["always"]]
            self.intent = [re.compile(p, re.I) for p in data["intent"]]
            self.target = [re.compile(p, re.I) for p in data["target"]]
        except (OSError, tomllib.TOMLDecodeError, KeyError, re.error) as exc:
            raise FaqError(path, "(patterns)", f"cannot load safety patterns: {exc}") from None

    def refuses(self, text: str) -> bool:
        """Whether a message asks to break in or bypass someone's protection."""
        folded = fold(text)
        if any(p.search(folded) for p in self.always):
            return True
        return any(p.search(folded) for p in self.intent) and any(p.search(folded) for p in self.target)


class Engine:
    """Answers customers of every brand from its pack and FAQ."""

    def __init__(
        self,
        *,
        packs: Mapping[str, BrandPack],
        content: Content,
        lexicon: Lexicon,
        safety: Safety,
        reader: SituationReader,
        advisor: Advisor,
        store: Store,
        rules: RmaRules,
        handoff: HandoffRules,
        canned: Canned,
        clock: Clock = system_clock,
        default_brand: str = DEFAULT_BRAND,
        consultants: bool = False,
    ) -> None:
        if default_brand not in packs:
            raise InputError(f"unknown brand {default_brand!r} (known: {', '.join(sorted(packs))})")
        content = content.own_entries()  # admins' changes go into this engine's entries only
        self.packs = packs
        self.content = content
        self.store = store
        self.clock = clock
        self.default_brand = default_brand
        self.safety = safety
        self.reader = reader
        self.advisor = advisor
        self.rma = RmaFlow(rules=rules, content=content, store=store, reader=reader, packs=packs)
        # consultants: whether a staff chat serves handoffs (else a request for a person gets the contacts)
        self.consultants = consultants
        self.desk = Desk(
            rules=handoff, canned=canned, content=content, store=store, packs=packs, default_brand=default_brand
        )
        self._locks = [threading.Lock() for _ in range(64)]
        self.normaliser = Normaliser(lexicon)
        self.matchers: dict[str, Matcher] = {}
        self._out_of_scope: dict[str, tuple[str, ...]] = {}
        self._handoff_entries: dict[str, tuple[str, ...]] = {}
        self._leads: dict[str, dict[str, str]] = {}  # worked out on the first close call a brand has
        self._faq_lock = threading.Lock()
        self._charts: Path | None = None
        self.book = FaqBook(content, store)  # faq/ plus admins' changes (SQLite)
        self.book.apply(self.book.pending())
        self._index(content.entries)
        self.admin = Admin(
            book=self.book,
            content=content,
            store=store,
            matcher=lambda brand: self.matchers[brand],
            normaliser=self.normaliser,
            changed=self.sync_faq,
            stats=self._stats,
        )

    def _index(self, changed: Mapping[str, Mapping[str, Entry]]) -> None:
        """Put the entries of the ``changed`` brands in place with their matchers (and the spelling vocabulary).

        Everything is built first and then swapped in, so a turn running meanwhile meets old or new, and a
        matcher never names an entry the entries have not got yet (the engine also skips any it lacks).
        """
        content = self.content
        vocabulary = set()
        for entries in {**content.entries, **changed}.values():
            for entry in entries.values():
                for phrase in entry.phrasings:
                    vocabulary.update(self.normaliser.surface_words(phrase))
        # a troubleshooting walk is offered when it clearly fits; a near tie goes to the FAQ answer
        tree_weights = {f"tree:{t}": TREE_WEIGHT for t in content.trees}
        built = {
            brand: Matcher(
                self.normaliser,
                [
                    *((e.id, p) for e in entries.values() for p in e.phrasings),
                    *((f"tree:{t.id}", p) for t in content.trees.values() if t.for_brand(brand) for p in t.phrasings),
                ],
                weights=tree_weights,
            )
            for brand, entries in changed.items()
        }
        self.normaliser.set_vocabulary(vocabulary)
        for brand, entries in changed.items():
            self._out_of_scope[brand] = tuple(e.id for e in entries.values() if e.kind == "oos")
            self._handoff_entries[brand] = tuple(e.id for e in entries.values() if e.kind == "handoff")
            self._leads.pop(brand, None)
            content.entries[brand] = dict(entries)
            self.matchers[brand] = built[brand]

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
                self._index(pending)

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
        """Load and validate all content under ``root`` and build an engine."""
        packs, content = load_content(root)
        matching = root / "faq" / "_common" / "matching"
        lexicon = Lexicon.load(matching / "lexicon.toml")
        safety = Safety(matching / "safety.toml")
        reader = SituationReader(matching / "situations.toml")
        advisor = Advisor(matching / "situations.toml")
        missing = uncovered_years(packs.values(), clock().date())
        if missing:
            log.warning(
                "no holiday data for %s in policies/_calendar.toml: public holidays and make-up working "
                "days of that year are not known (add them from the State Council's notice)",
                ", ".join(missing),
            )
        return cls(
            packs=packs,
            content=content,
            lexicon=lexicon,
            safety=safety,
            reader=reader,
            advisor=advisor,
            store=store,
            rules=RmaRules.load(root),
            handoff=HandoffRules.load(root),
            canned=Canned(root / "faq", list(packs)),
            clock=clock,
            default_brand=default_brand,
            consultants=consultants,
        )

    # -- the one entry point ---------------------------------------------------------------------

    def handle(self, message: Message) -> list[Reply]:
        """Handle one incoming message and return the replies to send, in order.

        A message with an ``id`` the store has seen is not handled again: its recorded replies come back.
        """
        if message.brand is not None and message.brand not in self.packs:
            raise InputError(f"unknown brand {message.brand!r} (known: {', '.join(sorted(self.packs))})")
        with self._user_lock(message.user):
            if message.id is not None:
                recorded = self.store.outbox(message.id)
                if recorded is not None:
                    return [Reply.from_dict(r) for r in recorded[0]]
            self.sync_faq()
            return self._handle(message)

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
            return self.rma.staff_command(text, by=f"{name} ({by})" if name else by, now=now)
        if customer is None:
            return self.desk.staff(text, customer=None, by=by, name=name, media=media, now=now)
        with self._user_lock(customer):
            return self.desk.staff(text, customer=customer, by=by, name=name, media=media, now=now)

    def staff_press(self, data: str, *, by: str, name: str, now: datetime | None = None) -> list[Reply]:
        """A button pressed in the staff chat (a ticket's Claim); returns the replies for the staff chat."""
        return self.desk.press(data, by=by, name=name, now=now or self.clock())

    def sweep(self, now: datetime | None = None) -> int:
        """Periodic work rebuilt from SQLite: RMA expiry reminders and expiries. Returns changes made."""
        return self.rma.sweep(now or self.clock())

    def open_desk(self, now: datetime | None = None) -> int:
        """At opening time, post the chats that waited while consultants were away. Returns how many."""
        return self.desk.sweep(now or self.clock()) if self.consultants else 0

    def notices(self, *, target: str | None = None, prefix: str | None = None, limit: int = 100) -> list[Notice]:
        """Messages waiting for delivery outside a turn (status changes, staff cards), oldest first."""
        return [
            Notice(i, t, Reply.from_dict(r))
            for i, t, r in self.store.pending_notices(target=target, prefix=prefix, limit=limit)
        ]

    def notice_sent(self, notice: Notice) -> None:
        """Record a notice as delivered."""
        self.store.notice_sent(notice.id)

    def _user_lock(self, user: str) -> threading.Lock:
        """One of a fixed set of locks: a user's messages are handled one at a time, others in parallel."""
        return self._locks[hash(user) % len(self._locks)]

    def _handle(self, message: Message) -> list[Reply]:
        if message.brand is not None and message.brand not in self.packs:
            raise InputError(f"unknown brand {message.brand!r} (known: {', '.join(sorted(self.packs))})")
        now = message.now or self.clock()
        conv = self.store.load(message.user, brand=message.brand or self.default_brand)
        if message.brand is not None and message.brand != conv.brand:
            conv = Conversation(user=message.user, brand=message.brand)
        pack = self.packs.get(conv.brand) or self.packs[self.default_brand]
        conv.brand = pack.id
        if message.name:
            conv.state["name"] = message.name[:100]
        offset = now.utcoffset()
        if message.now is not None and offset is not None and offset.total_seconds() != 0:
            # a transport that gives the customer's own clock: consultants' hours are shown in it too
            conv.state["tz"] = now.strftime("%z")[:3] + ":" + now.strftime("%z")[3:]
        try:
            turn = self._turn(conv, pack, message, now)
            turn = self._after(conv, pack, turn, now)
        except Exception:
            log.exception("could not handle a message from %s", message.user)
            try:
                apology = self._message(pack, "error", conv.lang, now)
            except Exception:
                log.exception("could not even render the apology")
                apology = self._message(self.packs[self.default_brand], "error", "en", system_clock())
            turn = _Turn("error", replies=[Reply(apology)])
        conv.turns += 1
        self.store.save(
            conv,
            at=now,
            event={
                "user": conv.user,
                "brand": conv.brand,
                "at": now.isoformat(),
                "lang": conv.lang,
                "text": (message.text if message.text is not None else f"[{message.press or message.kind}]")[
                    :MAX_CHARS
                ],
                "outcome": turn.outcome,
                "entry_id": turn.entry_id,
                "score": turn.score,
                "reply": "\n".join(r.text for r in turn.replies)[:4000],
            },
            outbox=(message.id, [r.to_dict() for r in turn.replies]) if message.id is not None else None,
        )
        return turn.replies

    # -- turns -----------------------------------------------------------------------------------

    def _after(self, conv: Conversation, pack: BrandPack, turn: _Turn, now: datetime) -> _Turn:
        """Bring in a consultant when the turn calls for one: a second misunderstanding, an excluded RMA."""
        if turn.outcome == "unknown":
            conv.state["misses"] = conv.state.get("misses", 0) + 1
        elif turn.outcome not in ("non_text", "empty"):
            conv.state.pop("misses", None)
        if not self.consultants:
            return turn
        if conv.state.get("misses", 0) >= self.desk.rules.misunderstandings:
            said = self.desk.start(conv, pack, now, reason="not_understood")
            return _Turn(said.outcome, turn.entry_id, turn.score, said.replies)
        if turn.outcome == "rma_filed_excluded":
            turn.replies.extend(self.desk.start(conv, pack, now, reason="rma_excluded").replies)
        return turn

    def _handoff(self, conv: Conversation, pack: BrandPack, now: datetime, reason: str) -> _Turn:
        """A customer asks for a consultant: a ticket, or (no staff chat) the ways to reach one."""
        if not self.consultants:
            entry = self.content.entries[pack.id].get("human")
            if entry is not None:
                return self._answer(conv, pack, entry, now, score=None, handoff=False)
            return self._dont_know(conv, pack, now, outcome="unknown")
        if "walk" in conv.state:
            self._leave_walk(conv, pack, now)
        return _said(self.desk.start(conv, pack, now, reason=reason))

    def _with_consultant(
        self, conv: Conversation, pack: BrandPack, message: Message, text: str, now: datetime
    ) -> _Turn | None:
        """Messages while a consultant has the chat (or soon after it was closed); None: the bot answers."""
        if not self.consultants or message.press is not None:
            return None
        command = command_of(text) if _COMMAND.match(text) else None
        ticket = self.desk.active(conv.user)
        if ticket is not None:
            if command is None:
                return _said(self.desk.customer(conv, pack, message, ticket, now))
            if command in _LEAVE_HANDOFF:
                left = self.desk.leave(conv, pack, ticket, now)
                if command == "cancel":
                    return _Turn("handoff_left", replies=[left, self._menu(conv, pack, now)])
                return _with_notes([left], self._command(conv, pack, text, message.language, now))
            return None  # /status, /help…: the bot answers those
        if command is not None or self.store.banned(conv.user):
            return None
        closed = self.desk.reopenable(conv.user, now)
        if closed is None or (text and (self.desk.rules.says_goodbye(text) or self._smalltalk(pack, text))):
            return None  # "thanks!" after a closed chat is answered by the bot
        said = self.desk.reopen(conv, pack, message, closed, now)
        return _said(said) if said is not None else None

    def _admin(self, conv: Conversation, pack: BrandPack, message: Message, text: str, now: datetime) -> _Turn | None:
        """Admin commands and buttons (refused for everybody else), and the text an admin step waits for."""
        command = command_of(text) if _COMMAND.match(text) else None
        data = message.press
        if data is not None and not data.startswith("adm:"):  # a press by its label (console, batch)
            offered = conv.offered_button(data)
            data = offered["data"] if offered is not None else data
        pressed = data is not None and data.startswith("adm:")
        if command not in ADMIN_COMMANDS and not pressed and not (message.admin and "admin" in conv.state):
            return None
        if not message.admin:
            word = f"/{command}" if command else "/faq"
            return _Turn(
                "admin_refused", replies=[Reply(self._message(pack, "admin_only", conv.lang, now, command=word))]
            )
        by = f"{conv.state['name']} ({conv.user})" if conv.state.get("name") else conv.user
        if pressed:
            assert data is not None
            return _said(self.admin.press(conv, pack, data, now, by=by))
        if command in ADMIN_COMMANDS:
            return _said(self.admin.command(conv, pack, text, now, by=by))
        if command == "cancel":
            return _said(self.admin.cancel(conv, pack, now))
        if command is not None or message.press is not None:
            conv.state.pop("admin", None)  # another command or a customer's button: the admin moved on
            return None
        return _said(self.admin.text(conv, pack, text, now))  # a sticker or spaces are no answer: it says so

    def _stats(self, pack: BrandPack, now: datetime) -> list[Reply]:
        """``/stats`` for an admin: the brand's figures for 7 and 30 days, and a chart."""
        from bot.backoffice import stats

        if self._charts is None:  # a folder of this process's own (0700), not a guessable shared path
            self._charts = Path(tempfile.mkdtemp(prefix="supportbot-charts-"))
        return stats.replies(self.store, self.content, pack, now, folder=self._charts)

    def _smalltalk(self, pack: BrandPack, text: str) -> bool:
        decision = self.matchers[pack.id].decide(text[:MAX_CHARS])
        best = decision.best
        entry = self.content.entries[pack.id].get(best.entry_id) if best is not None else None
        return decision.outcome == "answer" and entry is not None and entry.kind == "smalltalk"

    def _turn(self, conv: Conversation, pack: BrandPack, message: Message, now: datetime) -> _Turn:
        text = _CONTROL.sub(" ", message.text or "").strip()
        admin = self._admin(conv, pack, message, text, now)
        if admin is not None:
            return admin
        relayed = self._with_consultant(conv, pack, message, text, now)
        if relayed is not None:
            return relayed
        if message.press is not None:
            return self._press(conv, pack, message.press, now)
        attached = tuple(m for m in message.media if m.kind in ("photo", "video", "document"))
        if attached and self.rma.active(conv):  # a voice note or a sticker is no photo of the fault
            turn = _said(self.rma.media(conv, pack, attached, now))
            if not text or conv.state["rma"]["step"] == "photos":
                return turn  # a caption at the photo step describes the photo
            return _with_notes(turn.replies[:1], self._turn(conv, pack, replace(message, media=()), now))
        if message.kind != "text" and not text:
            return _Turn("non_text", replies=[Reply(self._message(pack, "non_text", conv.lang, now))])
        if not text:
            return _Turn("empty", replies=[Reply(self._message(pack, "empty", conv.lang, now))])
        if _COMMAND.match(text):
            return self._command(conv, pack, text, message.language, now)
        if self.consultants and self.desk.rules.asks_for_person(text):
            conv.lang = self._language(pack, text, message.language, conv.lang)
            return self._handoff(conv, pack, now, "asked")
        if self.rma.active(conv):
            said = self.rma.text(conv, pack, text[:MAX_CHARS], now)
            if said is not None:
                return _said(said)
            if not _QUESTION.search(fold(text)):  # not a button's answer, nor a question: ask again
                return _said(self.rma.reask(conv, pack, now))
            lang = conv.lang
            turn = self._understood(conv, pack, text, message, now)
            conv.lang = lang  # a request is finished in the language it was started in
            if turn.outcome not in ("answered", "advised", "clarify", "refused"):
                return _said(self.rma.reask(conv, pack, now))
            step = self.rma._ask(conv, pack, now)
            offered = [*turn.replies[-1].buttons, *step.buttons] if turn.replies else list(step.buttons)
            conv.offer(offered)
            turn.replies.append(Reply(self._message(pack, "rma_waiting", conv.lang, now), step.buttons))
            return turn
        if self.rma.rules.asks_status(text) or self.rma.rules.names_number(text):
            conv.lang = self._language(pack, text, message.language, conv.lang)
            return _said(self.rma.status(conv, pack, now, text))
        if self.rma.rules.asks_to_start(text):
            conv.lang = self._language(pack, text, message.language, conv.lang)
            return _said(self.rma.start(conv, pack, now, source="question"))
        conv.state["q"] = text[:500]  # the question, for feedback on its answer and for the admins' inbox
        turn = self._understood(conv, pack, text, message, now)
        if turn.outcome in ("unknown", "out_of_scope"):  # "I don't have information on that": admins see it
            self.store.add_unanswered(
                brand=pack.id, user=conv.user, text=text[:500], reason=turn.outcome, entry_id=turn.entry_id, at=now
            )
        self._ask_feedback(conv, pack, turn, now)
        return turn

    def _ask_feedback(self, conv: Conversation, pack: BrandPack, turn: _Turn, now: datetime) -> None:
        """Ask "Did this help?" with 👍 / 👎 under an FAQ answer (not under a question the bot asks back)."""
        entry = self.content.entries[pack.id].get(turn.entry_id) if turn.entry_id else None
        question = conv.state.get("q")
        if (
            turn.outcome not in ("answered", "advised")
            or entry is None
            or entry.kind != "faq"
            or not question
            or not turn.replies
            or "pending" in conv.state
        ):
            return
        asked = conv.state.setdefault("fb", {})
        asked.pop(entry.id, None)
        asked[entry.id] = question
        while len(asked) > 5:
            asked.pop(next(iter(asked)))
        last = turn.replies[-1]
        buttons = (
            *last.buttons,
            Button(self._message(pack, "button_helpful", conv.lang, now), f"fb:{entry.id}:1"),
            Button(self._message(pack, "button_unhelpful", conv.lang, now), f"fb:{entry.id}:0"),
        )
        turn.replies[-1] = Reply(
            f"{last.text}\n{self._message(pack, 'feedback_ask', conv.lang, now)}", buttons, last.media
        )
        conv.offer(list(buttons))

    def _feedback(self, conv: Conversation, pack: BrandPack, pressed: str, now: datetime) -> _Turn:
        """A 👍 / 👎 press: stored; an unhelpful answer's question goes to the admins' inbox."""
        entry_id, _, value = pressed[3:].rpartition(":")
        question = (conv.state.get("fb") or {}).get(entry_id)
        if question is None or value not in ("0", "1"):
            return _Turn("unknown_button", replies=[Reply(self._message(pack, "unknown_button", conv.lang, now))])
        helpful = value == "1"
        before = self.store.record_feedback(
            user=conv.user, brand=pack.id, entry_id=entry_id, question=question, helpful=helpful, at=now
        )
        if helpful:
            return _Turn(
                "feedback_helpful", entry_id, replies=[Reply(self._message(pack, "feedback_thanks", conv.lang, now))]
            )
        if before is None or (
            before and not self.store.unanswered_has(user=conv.user, brand=pack.id, text=question, entry_id=entry_id)
        ):
            # (a second 👎 on the same answer is not a second inbox question)
            self.store.add_unanswered(
                brand=pack.id, user=conv.user, text=question, reason="unhelpful", entry_id=entry_id, at=now
            )
        button = Button(self._message(pack, "button_consultant", conv.lang, now), "consultant")
        conv.offer([button])
        return _Turn(
            "feedback_unhelpful",
            entry_id,
            replies=[Reply(self._message(pack, "feedback_sorry", conv.lang, now), (button,))],
        )

    def _understood(self, conv: Conversation, pack: BrandPack, text: str, message: Message, now: datetime) -> _Turn:
        """Typed text read as a question: a walk's answer, a situation, or a FAQ answer."""
        typed = self._typed_answer(conv, text)
        if typed is not None:
            return self._walk_press(conv, pack, typed, now)
        conv.lang = self._language(pack, text, message.language, conv.lang)
        notes: list[Reply] = []
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS]
            notes.append(Reply(self._message(pack, "too_long", conv.lang, now, limit=MAX_CHARS)))
        if self.safety.refuses(text):
            conv.state.pop("buttons", None)
            conv.state.pop("pending", None)
            return _Turn("refused", replies=[*notes, Reply(self._message(pack, "refuse_breakin", conv.lang, now))])
        local = _local(now, pack)
        situation = self.reader.read(text, local, pack, language=conv.lang)
        earlier = conv.state.get("situation")
        if earlier and not situation.dates and situation.wants & _FOLLOW_UP_WANTS:
            situation = Situation.from_state(earlier).merged(situation)  # "and is shipping free then?"
        elif earlier and situation.dates and not situation.wants:
            situation = replace(situation, wants=Situation.from_state(earlier).wants)  # "and one from 2025?"
        pending = conv.state.pop("pending", None)
        if pending and (situation.dates or situation.category):
            prior = Situation.from_state(pending["situation"])
            turn = self._situational(
                conv,
                pack,
                prior.answered_with(situation),
                pending.get("tokens", []),
                pending.get("entry"),
                now,
                answered=True,
            )
            if turn is not None:
                turn.replies[:0] = notes
                return turn
        # "does human detection alert for a real person?" is about a camera, not a request for a person
        exclude = self._handoff_entries[pack.id] if self.desk.rules.about_detection(text) else ()
        decision = self.matchers[pack.id].decide(text, exclude=exclude, set_aside=self._out_of_scope[pack.id])
        if self.normaliser.lexicon.out_of_scope(decision.tokens):
            return _with_notes(notes, self._dont_know(conv, pack, now, outcome="out_of_scope"))
        turn = self._decided(conv, pack, decision, now, situation)
        turn.replies[:0] = notes
        self._offer_rma(conv, pack, turn, text, now)
        return turn

    def _offer_rma(self, conv: Conversation, pack: BrandPack, turn: _Turn, text: str, now: datetime) -> None:
        """Add "Start a repair request" under an answer about sending something back."""
        if self.rma.active(conv) or not turn.replies or turn.outcome not in ("answered", "advised", "asked"):
            return
        about_rma = turn.entry_id is not None and any(
            fnmatch.fnmatch(turn.entry_id, p) for p in self.rma.rules.offer_after
        )
        if not about_rma and not self.rma.rules.wants_rma(text):
            return
        button = Button(self._message(pack, "rma_button_start", conv.lang, now), "rma:start")
        last = turn.replies[-1]
        turn.replies[-1] = Reply(last.text, (*last.buttons, button), last.media)
        conv.offer(list(turn.replies[-1].buttons))

    def _command(self, conv: Conversation, pack: BrandPack, text: str, hint: str | None, now: datetime) -> _Turn:
        command = command_of(text) or ""
        if hint and hint[:2] in pack.languages and command == "start":
            conv.lang = hint[:2]
        if command in ("start", "menu", "cancel") and "walk" in conv.state:
            self._leave_walk(conv, pack, now)
        if command == "cancel" and self.rma.active(conv):
            return _said(self.rma.cancel(conv, pack, now))
        if command == "back":
            if self.rma.active(conv):
                return _said(self.rma.back(conv, pack, now))
            if "walk" in conv.state:
                depth = len(conv.state["walk"]["path"])
                return self._walk_press(conv, pack, f"ts:{depth}.back", now)
        if command == "status":
            return _said(self.rma.status(conv, pack, now, text))
        if command == "rma":
            if self.rma.rules.asks_status(text[1:]) or (len(text.split()) > 1 and not self.rma.active(conv)):
                return _said(self.rma.status(conv, pack, now, text))  # "/rma RMA-004-…": look it up, never change it
            return _said(self.rma.start(conv, pack, now, source="command"))
        if command in ("start", "menu"):
            conv.state.pop("pending", None)
            replies = [Reply(self._message(pack, "welcome", conv.lang, now))] if command == "start" else []
            replies.append(self._menu(conv, pack, now))
            return _Turn(command, replies=replies)
        if command == "help":
            return _Turn("help", replies=[Reply(self._message(pack, "help", conv.lang, now))])
        if command == "cancel":
            conv.state.pop("pending", None)
            return _Turn(
                "cancel", replies=[Reply(self._message(pack, "cancelled", conv.lang, now)), self._menu(conv, pack, now)]
            )
        if command == "troubleshoot":
            return self._choose_tree(conv, pack, now)
        if command == "human":
            return self._handoff(conv, pack, now, "asked")
        return _Turn(
            "unknown_command",
            replies=[Reply(self._message(pack, "unknown_command", conv.lang, now, command=text.split()[0][:64]))],
        )

    def _menu(self, conv: Conversation, pack: BrandPack, now: datetime) -> Reply:
        buttons = [
            Button(self._message(pack, f"button_{name}", conv.lang, now), data)
            for name, data in (
                ("ask", "menu:ask"),
                ("troubleshoot", "menu:troubleshoot"),
                ("rma", "menu:rma"),
                ("status", "menu:status"),
                ("consultant", "consultant"),
            )
        ]
        conv.offer(buttons)
        return Reply(self._message(pack, "menu", conv.lang, now), tuple(buttons))

    def _menu_action(self, conv: Conversation, pack: BrandPack, data: str, now: datetime) -> _Turn:
        if data == "menu:ask":
            return _Turn("menu", replies=[Reply(self._message(pack, "ask_prompt", conv.lang, now))])
        if data == "menu:troubleshoot" and self.content.trees:
            return self._choose_tree(conv, pack, now)
        if data.startswith("consultant"):  # "consultant:walk" after a troubleshooting walk
            return self._handoff(conv, pack, now, "troubleshooting" if data == "consultant:walk" else "asked")
        if data == "menu:rma":
            return _said(self.rma.start(conv, pack, now, source="menu"))
        if data == "menu:status":
            return _said(self.rma.status(conv, pack, now))
        feature = data.partition(":")[2]
        button = Button(self._message(pack, "button_consultant", conv.lang, now), "consultant")
        conv.offer([button])
        return _Turn(
            "not_available",
            replies=[Reply(self._message(pack, "not_available", conv.lang, now, feature=feature), (button,))],
        )

    def _decided(
        self, conv: Conversation, pack: BrandPack, decision: Decision, now: datetime, situation: Situation
    ) -> _Turn:
        entries = self.content.entries[pack.id]
        if any(not c.entry_id.startswith("tree:") and c.entry_id not in entries for c in decision.candidates):
            # an admin removed an entry this very moment: decide without it
            kept = tuple(c for c in decision.candidates if c.entry_id.startswith("tree:") or c.entry_id in entries)
            top_kept = bool(kept) and kept[0] == decision.candidates[0]
            decision = replace(decision, candidates=kept, outcome=decision.outcome if top_kept else "unknown")
        best = decision.best
        best_entry = entries.get(best.entry_id) if best is not None else None
        out_of_scope = decision.outcome == "answer" and best_entry is not None and best_entry.kind == "oos"
        doubtful = (
            best is not None
            and out_of_scope
            and len(decision.candidates) > 1
            and decision.candidates[1].score > best.score
        )
        if not out_of_scope or (doubtful and situation.dates):  # a dated situation outweighs a doubt
            entry_id = best.entry_id if best is not None and decision.outcome == "answer" else None
            turn = self._situational(
                conv, pack, situation, list(decision.tokens), entry_id, now, score=best.score if best else None
            )
            if turn is not None:
                return turn
        if decision.outcome == "answer" and best is not None and best.entry_id.startswith("tree:"):
            return self._offer_tree(conv, pack, best.entry_id[5:], now, score=best.score)
        if decision.outcome == "answer" and best is not None:
            turn = self._answer(conv, pack, entries[best.entry_id], now, score=best.score)
            tree = next(
                (
                    c.entry_id[5:]
                    for c in decision.candidates[1:]
                    if c.entry_id.startswith("tree:") and c.score >= 0.75 * best.score
                ),
                None,
            )
            if tree is not None and entries[best.entry_id].kind == "faq" and turn.replies:
                title = self.content.trees[tree].title(conv.lang)
                button = Button(self._message(pack, "button_ts_start", conv.lang, now, title=title), f"tsstart:{tree}")
                last = turn.replies[-1]
                turn.replies[-1] = Reply(last.text, (*last.buttons, button))
                conv.offer(list(turn.replies[-1].buttons))
            return turn
        if decision.outcome == "clarify" and best is not None and self._same_verdict(pack, decision):
            return self._answer(conv, pack, entries[best.entry_id], now, score=best.score)
        if decision.outcome == "clarify" and best is not None and not best.entry_id.startswith("tree:"):
            faqs = [c for c in decision.candidates if not c.entry_id.startswith("tree:")]
            if len(faqs) == 1 and best.score >= self.matchers[pack.id].thresholds.answer:
                return self._answer(conv, pack, entries[best.entry_id], now, score=best.score)  # vs a walk: answer
        if decision.outcome == "clarify":
            buttons = [self._candidate_button(pack, c.entry_id, conv.lang) for c in decision.candidates]
            titles = [b.label for b in buttons]
            buttons.append(Button(self._message(pack, "button_none", conv.lang, now), "none"))
            conv.offer(buttons)
            text = self._message(pack, "clarify", conv.lang, now, options=titles)
            return _Turn(
                "clarify", best.entry_id if best else None, best.score if best else None, [Reply(text, tuple(buttons))]
            )
        return self._dont_know(
            conv,
            pack,
            now,
            outcome="unknown",
            score=best.score if best else None,
            entry_id=best.entry_id if best else None,
        )

    def _situational(
        self,
        conv: Conversation,
        pack: BrandPack,
        situation: Situation,
        tokens: list[str],
        entry_id: str | None,
        now: datetime,
        *,
        score: float | None = None,
        answered: bool = False,
    ) -> _Turn | None:
        """Apply the policy to the customer's situation; None when it has nothing to add."""
        today = _local(now, pack).date()
        advice = self.advisor.advise(pack, situation, tokens, entry_id, today)
        entries = self.content.entries[pack.id]
        entry = entries.get(entry_id) if entry_id else None
        if not advice.parts and advice.ask is None:
            return None
        if not advice.parts and entry is None and not answered and not situation.dates:
            return None  # a question we'd ask about something we didn't understand: say so instead
        context = base_context(pack, now)
        texts = [self._render_part(pack, name, conv.lang, context, extra) for name, extra in advice.parts]
        buttons: list[Button] = []
        if entry is not None and entry.kind == "faq":
            if advice.parts and advice.supersede:
                label = self._message(pack, "button_more", conv.lang, now, title=entry.title(conv.lang))
                buttons.append(Button(label, f"faq:{entry.id}"))
            else:
                texts.append(self.content.render_entry(pack.id, entry, conv.lang, context))
        if advice.ask is not None:
            name, extra = advice.ask
            texts.append(self._render_part(pack, name, conv.lang, context, extra))
            buttons.extend(
                Button(self._choice_label(pack, label, data, conv.lang, now), data) for label, data in advice.choices
            )
            conv.state["pending"] = {
                "situation": situation.to_state(),
                "tokens": tokens,
                "entry": entry_id,
                "need": advice.need,
            }
        conv.offer(buttons)
        conv.state["situation"] = situation.to_state()
        outcome = "advised" if advice.parts else "asked"
        return _Turn(outcome, entry_id, score, [Reply("\n".join(texts), tuple(buttons))])

    def _render_part(
        self, pack: BrandPack, name: str, lang: str, context: Mapping[str, Any], extra: Mapping[str, Any]
    ) -> str:
        return self.content.render_message(pack.id, name, lang, {**context, **extra})

    def _choice_label(self, pack: BrandPack, label: str, data: str, lang: str, now: datetime) -> str:
        if data.startswith("cat:"):
            category = pack.category(data[4:])
            if category is not None:
                return str(category.data.get(f"name_{lang}", category.name))
        if data.startswith("date:"):
            from datetime import date as _date

            return self.content.render_message(
                pack.id, "date_label", lang, {**base_context(pack, now), "d": _date.fromisoformat(data[5:])}
            )
        return label

    def _candidate_button(self, pack: BrandPack, candidate: str, lang: str) -> Button:
        if candidate.startswith("tree:"):
            tree = self.content.trees[candidate[5:]]
            return Button(tree.title(lang), f"tsstart:{tree.id}")
        entry = self.content.entries[pack.id][candidate]
        return Button(entry.title(lang), f"faq:{entry.id}")

    # -- guided troubleshooting --------------------------------------------------------------------

    def _offer_tree(
        self, conv: Conversation, pack: BrandPack, tree_id: str, now: datetime, *, score: float | None
    ) -> _Turn:
        tree = self.content.trees[tree_id]
        title = tree.title(conv.lang)
        buttons = [
            Button(self._message(pack, "button_ts_start", conv.lang, now, title=title), f"tsstart:{tree_id}"),
            Button(self._message(pack, "button_no_thanks", conv.lang, now), "ts:leave"),
        ]
        conv.offer(buttons)
        return _Turn(
            "troubleshoot_offered",
            f"tree:{tree_id}",
            score,
            [Reply(self._message(pack, "ts_offer", conv.lang, now, title=title), tuple(buttons))],
        )

    def _choose_tree(self, conv: Conversation, pack: BrandPack, now: datetime) -> _Turn:
        buttons = [
            Button(t.title(conv.lang), f"tsstart:{t.id}") for t in self.content.trees.values() if t.for_brand(pack.id)
        ]
        conv.offer(buttons)
        return _Turn(
            "troubleshoot_menu", replies=[Reply(self._message(pack, "ts_choose", conv.lang, now), tuple(buttons))]
        )

    def _walk_press(self, conv: Conversation, pack: BrandPack, data: str, now: datetime) -> _Turn:
        if data.startswith("tsstart:"):
            start = self.content.trees[data[8:]]
            if "walk" in conv.state:
                self._leave_walk(conv, pack, now)
            conv.state["walk"] = {"tree": start.id, "path": [start.start], "answers": []}
            return self._walk_step(conv, pack, now)
        walk = conv.state.get("walk")
        action = data[3:]
        found = self.content.trees.get(walk["tree"]) if walk else None
        if action == "leave" or walk is None or found is None or walk["path"][-1] not in found.steps:
            return self._leave_walk(conv, pack, now, declined=walk is None)
        tree = found
        depth, _, action = action.rpartition(".")
        if depth and depth != str(len(walk["path"])):
            return self._walk_step(conv, pack, now)  # a button from an earlier step: show where we are
        if action == "back" and len(walk["path"]) > 1:
            walk["path"].pop()
            walk["answers"].pop()
        elif action == "restart":
            walk["path"], walk["answers"] = [tree.start], []
        elif action.isdigit() and int(action) < len(tree.steps[walk["path"][-1]].options):
            step = tree.steps[walk["path"][-1]]
            option = step.options[int(action)]
            walk["path"].append(option.next)
            walk["answers"].append(int(action))
        return self._walk_step(conv, pack, now)

    def _leave_walk(self, conv: Conversation, pack: BrandPack, now: datetime, *, declined: bool = False) -> _Turn:
        """Stop a walk (recording where it was left), or decline one that was only offered."""
        walk = conv.state.pop("walk", None)
        conv.state.pop("buttons", None)
        if walk is not None:
            self.store.record_walk(
                user=conv.user,
                brand=pack.id,
                tree=walk["tree"],
                leaf=walk["path"][-1],
                outcome="left",
                tried=[],
                at=now,
            )
        name = "ts_declined" if declined else "ts_left"
        return _Turn("troubleshoot_left", replies=[Reply(self._message(pack, name, conv.lang, now))])

    def _typed_answer(self, conv: Conversation, text: str) -> str | None:
        """Typed text that says one of the current step's answers ("power adapter"), as its button data."""
        return conv.typed_button(text, "ts:") if "walk" in conv.state else None

    def _walk_step(self, conv: Conversation, pack: BrandPack, now: datetime) -> _Turn:
        walk = conv.state["walk"]
        tree = self.content.trees[walk["tree"]]
        step = tree.steps[walk["path"][-1]]
        context = base_context(pack, now)
        text = self.content.render_step(pack.id, tree, step.id, conv.lang, context)
        if step.outcome is None:
            depth = len(walk["path"])  # buttons name the step they belong to: a stale or double tap can't walk on
            buttons = [Button(o.label(conv.lang), f"ts:{depth}.{i}") for i, o in enumerate(step.options)]
            if len(walk["path"]) > 1:
                buttons += [
                    Button(self._message(pack, "button_back", conv.lang, now), f"ts:{depth}.back"),
                    Button(self._message(pack, "button_restart", conv.lang, now), f"ts:{depth}.restart"),
                ]
            buttons.append(Button(self._message(pack, "button_leave", conv.lang, now), "ts:leave"))
            conv.offer(buttons)
            return _Turn("troubleshoot_step", f"tree:{tree.id}", replies=[Reply(text, tuple(buttons))])
        return self._walk_end(conv, pack, tree, step.id, text, now)

    def _walk_end(self, conv: Conversation, pack: BrandPack, tree: Tree, leaf: str, text: str, now: datetime) -> _Turn:
        walk = conv.state.pop("walk")
        context = base_context(pack, now)
        tried = []
        for step_id, answer in zip(walk["path"], walk["answers"], strict=False):
            question = _first_sentence(self.content.render_step(pack.id, tree, step_id, conv.lang, context))
            tried.append(f"{question} — {tree.steps[step_id].options[answer].label(conv.lang)}")
        outcome = tree.steps[leaf].outcome or "consultant"
        walk_id = self.store.record_walk(
            user=conv.user, brand=pack.id, tree=tree.id, leaf=leaf, outcome=outcome, tried=tried, at=now
        )
        replies = [Reply(text)]
        if outcome == "solved":
            buttons = [Button(str(n), f"rate:{n}") for n in range(1, 6)]
            conv.state["rate_walk"] = walk_id
            conv.offer(buttons)
            replies.append(Reply(self._message(pack, "ts_rate", conv.lang, now), tuple(buttons)))
        elif outcome == "repair":
            conv.state["rma_from_walk"] = {"fault": tree.title(conv.lang), "tried": tried}
            buttons = [
                Button(self._message(pack, "rma_button_start", conv.lang, now), "rma:start"),
                Button(self._message(pack, "button_consultant", conv.lang, now), "consultant:walk"),
            ]
            if "rma-procedure" in self.content.entries[pack.id]:
                title = self.content.entries[pack.id]["rma-procedure"].title(conv.lang)
                buttons.append(
                    Button(self._message(pack, "button_more", conv.lang, now, title=title), "faq:rma-procedure")
                )
            conv.offer(buttons)
            replies.append(Reply(self._message(pack, "ts_repair", conv.lang, now, tried=tried), tuple(buttons)))
        else:
            button = Button(self._message(pack, "button_consultant", conv.lang, now), "consultant:walk")
            conv.offer([button])
            replies.append(Reply(self._message(pack, "ts_handoff", conv.lang, now, tried=tried), (button,)))
        return _Turn(f"troubleshoot_{outcome}", f"tree:{tree.id}", replies=replies)

    def _rate(self, conv: Conversation, pack: BrandPack, data: str, now: datetime) -> _Turn:
        rating = int(data[5:])
        walk_id = conv.state.pop("rate_walk", None)
        if walk_id is not None:
            self.store.rate_walk(int(walk_id), rating)
        conv.state.pop("buttons", None)
        return _Turn("rated", replies=[Reply(self._message(pack, "ts_rated", conv.lang, now, rating=rating))])

    def _same_verdict(self, pack: BrandPack, decision: Decision) -> bool:
        """Whether every close candidate answers with the same "Yes" or "No".

        Then asking which one the customer means only delays the answer (a scratched housing: wear, or
        appearance? Not covered either way).
        """
        if pack.id not in self._leads:
            self._leads[pack.id] = _verdict_leads(self.content, pack, self.content.entries[pack.id])
        leads = {self._leads[pack.id].get(c.entry_id) for c in decision.candidates}
        return len(leads) == 1 and None not in leads

    def _answer(
        self,
        conv: Conversation,
        pack: BrandPack,
        entry: Entry,
        now: datetime,
        *,
        score: float | None,
        handoff: bool = True,
    ) -> _Turn:
        if entry.kind == "handoff" and handoff and self.consultants:
            return self._handoff(conv, pack, now, "asked")
        if entry.kind == "oos":
            return self._dont_know(conv, pack, now, outcome="out_of_scope", score=score, entry_id=entry.id)
        context = base_context(pack, now)
        text = self.content.render_entry(pack.id, entry, conv.lang, context)
        conv.state.pop("buttons", None)
        conv.state["last_entry"] = entry.id
        return _Turn("answered", entry.id, score, [Reply(text)])

    def _dont_know(
        self,
        conv: Conversation,
        pack: BrandPack,
        now: datetime,
        *,
        outcome: str,
        score: float | None = None,
        entry_id: str | None = None,
    ) -> _Turn:
        button = Button(self._message(pack, "button_consultant", conv.lang, now), "consultant")
        conv.offer([button])
        text = self._message(pack, "dont_know", conv.lang, now)
        return _Turn(outcome, entry_id, score, [Reply(text, (button,))])

    def _press(self, conv: Conversation, pack: BrandPack, pressed: str, now: datetime) -> _Turn:
        if pressed.startswith("rmaq:"):  # a quote's buttons arrive with a notice, outside any turn
            return _said(self.rma.quote_decision(conv, pack, pressed, now))
        if pressed.startswith("consultant") and self.consultants and self.desk.active(conv.user) is not None:
            return self._handoff(conv, pack, now, "asked")  # an old "Talk to a consultant" button: where things stand
        if pressed.startswith("fb:"):  # 👍 / 👎 stay valid under older answers too
            return self._feedback(conv, pack, pressed, now)
        if pressed.startswith("hrate:"):  # so do the rating buttons after a consultant closes a chat
            rated = self.desk.rate(conv, pack, pressed, now)
            if rated is not None:
                return _said(rated)
            return _Turn("unknown_button", replies=[Reply(self._message(pack, "unknown_button", conv.lang, now))])
        chosen = conv.offered_button(pressed)
        if chosen is None and pressed.strip().casefold().startswith("ts:") and "walk" in conv.state:
            return self._walk_step(conv, pack, now)  # a tap on an earlier step's button: show where we are
        if chosen is None:
            return _Turn("unknown_button", replies=[Reply(self._message(pack, "unknown_button", conv.lang, now))])
        data = chosen["data"]
        if data.startswith("fb:"):  # pressed by its label
            return self._feedback(conv, pack, data, now)
        entries = self.content.entries[pack.id]
        pending = conv.state.pop("pending", None)
        if pending and (data.startswith("cat:") or data.startswith("date:")):
            situation = Situation.from_state(pending["situation"])
            if data.startswith("cat:"):
                situation = with_category(situation, data[4:])
            else:
                situation = settle_date(situation, date.fromisoformat(data[5:])) or situation
            turn = self._situational(
                conv, pack, situation, pending.get("tokens", []), pending.get("entry"), now, answered=True
            )
            if turn is not None:
                return turn
        if data.startswith("faq:") and data[4:] in entries:
            turn = self._answer(conv, pack, entries[data[4:]], now, score=None)
            self._ask_feedback(conv, pack, turn, now)
            return turn
        if data.startswith("rma:"):
            return _said(self.rma.press(conv, pack, data, now))
        if data.startswith("rmaq:"):
            return _said(self.rma.quote_decision(conv, pack, data, now))
        if data.startswith(("menu:", "consultant")):
            return self._menu_action(conv, pack, data, now)
        if (data.startswith("tsstart:") and data[8:] in self.content.trees) or data.startswith("ts:"):
            return self._walk_press(conv, pack, data, now)
        if data.startswith("rate:") and data[5:].isdigit():
            return self._rate(conv, pack, data, now)
        if data == "none":  # none of the offered entries: the question goes to the admins' inbox
            if conv.state.get("q"):
                self.store.add_unanswered(
                    brand=pack.id, user=conv.user, text=conv.state["q"], reason="none_fit", entry_id=None, at=now
                )
            return self._dont_know(conv, pack, now, outcome="unknown")
        return _Turn("unknown_button", replies=[Reply(self._message(pack, "unknown_button", conv.lang, now))])

    # -- wording -----------------------------------------------------------------------------------

    def _language(self, pack: BrandPack, text: str, hint: str | None, current: str = "en") -> str:
        lang = self.normaliser.lexicon.detect_language(text)
        if lang == "en" and len(re.findall(r"[a-z]", fold(text))) < 3 and current in pack.languages:
            return current  # "2025-03-15" or "👍": no language of its own
        if lang == "en" and hint and hint[:2] in pack.languages and not re.search(r"[a-z]{3}", fold(text)):
            lang = hint[:2]
        return lang if lang in pack.languages else "en"

    def _message(self, pack: BrandPack, name: str, lang: str, now: datetime, **extra: Any) -> str:
        context = {**base_context(pack, now), **extra}
        return self.content.render_message(pack.id, name, lang, context)
