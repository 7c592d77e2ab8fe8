"""What every flow shares: the turn it works in, the result it gives back, and the protocol it keeps.

A :class:`Turn` is one incoming message being handled: the conversation (with its typed state), the
brand's pack, the moment, the message's :class:`~bot.understand.reading.Reading`, and ``say()`` for
wording. A flow returns a :class:`Result`: an outcome for the event log and the replies to send.

Every flow names the commands and the button-data prefixes it answers; the engine builds its dispatch
table from those (see :class:`bot.engine.Engine`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from bot.backoffice.faqbook import FaqBook
from bot.core.clock import customer_moment
from bot.core.messages import Button, Message, Reply
from bot.core.outcomes import Outcome
from bot.flows.state import FlowName, State
from bot.flows.state import loads as state_loads
from bot.knowledge.canned import Canned, CannedReply
from bot.knowledge.faq import Content, base_context
from bot.knowledge.packs import BrandPack
from bot.knowledge.workflow import HandoffSettings, Workflow
from bot.policy.advice import Advisor
from bot.store import Store
from bot.understand.answers import AnswerReader
from bot.understand.index import FaqIndex
from bot.understand.intents import Intents
from bot.understand.normalise import Lexicon
from bot.understand.reading import Reading
from bot.understand.situation import SituationReader

if TYPE_CHECKING:
    from bot.flows.admin import AdminFlow
    from bot.flows.answer import AnswerFlow
    from bot.flows.general import GeneralFlow
    from bot.flows.handoff import HandoffFlow
    from bot.flows.rma import RmaFlow
    from bot.flows.walk import WalkFlow


@dataclass
class Conversation:
    """One customer's conversation: who, which brand, which language, and the typed state."""

    user: str
    brand: str
    lang: str = "en"
    state: State = field(default_factory=State)
    turns: int = 0


@dataclass
class Result:
    """What a flow concluded in a turn: the outcome for the event log, and the replies in order."""

    outcome: Outcome
    replies: list[Reply] = field(default_factory=list)
    entry_id: str | None = None  # the FAQ entry (or ``tree:<id>``) the turn was about
    score: float | None = None  # the matcher's confidence in it

    def before(self, *notes: Reply) -> Result:
        """The same result with notes said first ("your message was cut", "photo kept")."""
        self.replies[:0] = notes
        return self

    def with_buttons(self, *buttons: Button) -> Result:
        """The same result with buttons added under its last reply."""
        last = self.replies[-1]
        self.replies[-1] = Reply(last.text, (*last.buttons, *buttons), last.media)
        return self


@dataclass
class Turn:
    """One message being handled, and everything a flow needs to answer it."""

    conv: Conversation
    pack: BrandPack
    now: datetime
    message: Message
    reading: Reading
    content: Content
    shared: Mapping[str, Any] = field(default_factory=dict)  # values every template sees (the handoff's)
    notes: list[Reply] = field(default_factory=list)  # said before the turn's result ("photo kept")
    moment: datetime | None = None  # ``now`` on the customer's own clock (see bot.core.clock.customer_moment)

    @property
    def local(self) -> datetime:
        """The moment on the customer's clock: what "today" and "yesterday" mean to them."""
        return self.moment or customer_moment(self.now, self.pack.timezone)

    @property
    def today(self) -> date:
        """The customer's date."""
        return self.local.date()

    @property
    def state(self) -> State:
        """The conversation's typed state (changes are saved with the turn)."""
        return self.conv.state

    @property
    def lang(self) -> str:
        """The language the customer is answered in."""
        return self.conv.lang

    @property
    def user(self) -> str:
        """The customer's conversation key."""
        return self.conv.user

    @cached_property
    def context(self) -> dict[str, Any]:
        """What every template sees for this brand at this moment (worked out once a turn)."""
        return {**base_context(self.pack, self.now), **self.shared}

    def say(self, name: str, /, *, lang: str | None = None, **extra: Any) -> str:
        """A named message in the customer's language (or ``lang``), with the brand's values."""
        return self.content.render_message(self.pack.id, name, lang or self.lang, {**self.context, **extra})

    def button(self, name: str, data: str, /, **extra: Any) -> Button:
        """A button whose label is a named message."""
        return Button(self.say(name, **extra), data)

    def reply(self, name: str, /, *buttons: Button, **extra: Any) -> Reply:
        """A reply saying a named message, offering ``buttons`` (and remembering them as offered)."""
        if buttons:
            self.offer(buttons)
        return Reply(self.say(name, **extra), tuple(buttons))

    def offer(self, buttons: Sequence[Button]) -> None:
        """Remember the buttons just offered: only those can be pressed next."""
        self.state.offer(list(buttons))

    def result(self, outcome: Outcome, name: str, /, *buttons: Button, **extra: Any) -> Result:
        """A result of one reply (see :meth:`reply`)."""
        return Result(outcome, [self.reply(name, *buttons, **extra)])


class Flow(Protocol):
    """What the engine knows of a flow.

    ``commands`` and ``prefixes`` are what the flow answers: ``/rma`` and buttons whose data starts with
    ``rma:``, say. ``durable`` prefixes stay valid after other buttons were offered (a quote's Approve
    arrives with a notice, long after). :meth:`text` is asked for typed text while the flow is in
    progress (the innermost first); it returns None when the text is not for it.
    """

    name: ClassVar[FlowName]
    commands: ClassVar[frozenset[str]]
    prefixes: ClassVar[frozenset[str]]
    durable: ClassVar[frozenset[str]]

    def command(self, turn: Turn, command: str) -> Result:
        """A command this flow answers."""
        ...

    def press(self, turn: Turn, data: str) -> Result:
        """A button this flow answers."""
        ...

    def text(self, turn: Turn) -> Result | None:
        """Typed text while this flow is in progress; None: not for this flow."""
        ...


def prefix_of(data: str) -> str:
    """The prefix of a button's data ("rma" of "rma:cat:ip")."""
    return data.partition(":")[0]


@dataclass
class Flows:
    """Every flow by name, so that one flow can hand a customer to another (a walk to a repair request)."""

    general: GeneralFlow
    answer: AnswerFlow
    walk: WalkFlow
    rma: RmaFlow
    handoff: HandoffFlow
    admin: AdminFlow

    def all(self) -> tuple[Flow, ...]:
        """The flows, in the order the engine tries them."""
        return (self.admin, self.handoff, self.rma, self.walk, self.answer, self.general)


@dataclass
class Kit:
    """What the flows share: the content, the understanding's rules, the store, and each other."""

    packs: Mapping[str, BrandPack]
    content: Content
    store: Store
    index: FaqIndex
    lexicon: Lexicon
    situations: SituationReader
    intents: Intents
    answers: AnswerReader
    advisor: Advisor
    workflow: Workflow
    handoff: HandoffSettings
    canned: Canned
    book: FaqBook  # faq/ with the admins' changes laid over it
    sync_faq: Callable[[], None]  # take in FAQ changes made since the last look
    consultants: bool  # whether a staff chat serves handoffs (else asking for a person gets the contacts)
    default_brand: str
    flows: Flows = field(init=False)
    _causes: dict[tuple[str, int], dict[str, frozenset[str]]] = field(init=False, default_factory=dict)

    def say(self, pack: BrandPack, name: str, lang: str, now: datetime, /, **extra: Any) -> str:
        """A named message for a brand in a language, outside a customer's turn (staff, notices, sweeps)."""
        context = {**base_context(pack, now), "handoff": self.handoff.values, **extra}
        return self.content.render_message(pack.id, name, lang, context)

    def cause_entries(self, pack: BrandPack) -> dict[str, frozenset[str]]:
        """The brand's FAQ entries about what can happen to a product: entry id → the causes it is about.

        The causes are the situation tags its own title and phrasings describe ("lightning struck it" →
        lightning); entries about the causes of several of the brand's clauses at once (the list of
        exclusions) are left out. Worked out once per brand and FAQ version.
        """
        key = (pack.id, self.index.generation.get(pack.id, 0))
        if key not in self._causes:
            found: dict[str, frozenset[str]] = {}
            for entry in self.content.entries[pack.id].values():
                text = entry.what_happened()
                if text is None:
                    continue
                causes = self.situations.described(text)
                clauses = {(e.scope, e.part_of or e.id) for e in pack.exclusion_list if not causes.isdisjoint(e.tags)}
                if causes and max(Counter(scope for scope, _ in clauses).values(), default=0) <= 2:
                    found[entry.id] = causes
            self._causes[key] = found
        return self._causes[key]

    def render_canned(self, pack: BrandPack, reply: CannedReply, lang: str, now: datetime, /, **extra: Any) -> str:
        """A consultant's canned reply for a customer, with the brand's values."""
        context = {**base_context(pack, now), "handoff": self.handoff.values, **extra}
        return self.content.render_source(pack.id, f"canned:{reply.name}", reply.texts, lang, context, reply.file)

    def conversation(self, user: str) -> tuple[Conversation, BrandPack]:
        """A customer's conversation as stored (or a fresh one), and their brand's pack."""
        conv = load_conversation(self.store, user, self.default_brand)
        return conv, self.packs.get(conv.brand) or self.packs[self.default_brand]


def load_conversation(store: Store, user: str, default_brand: str) -> Conversation:
    """A customer's conversation as stored, or a fresh one for ``default_brand``."""
    row = store.conversations.load(user)
    if row is None:
        return Conversation(user=user, brand=default_brand)
    return Conversation(user=user, brand=row.brand, lang=row.lang, state=state_loads(row.state), turns=row.turns)
