"""The understanding stage: every message is read once, into one :class:`Reading` that every flow uses.

    Message ─► press?   the button's data (found by its data or its label among those offered)
            └► text     cleaned ─► command? ─► language ─► intents (a person, an RMA, its status, a
                        break-in, a question?) ─► the situation (dates, product, what happened, amounts)
                        ─► the FAQ matcher's decision for the brand

Flows never re-read the message's text with patterns of their own; they ask the reading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.messages import Button, Media, Message
from bot.core.text import command_of, fold
from bot.knowledge.packs import BrandPack
from bot.understand.answers import find_number
from bot.understand.index import FaqIndex
from bot.understand.intents import Intents
from bot.understand.matcher import Candidate, Decision
from bot.understand.normalise import Lexicon
from bot.understand.situation import Situation, SituationReader

MAX_CHARS = 2000  # what the matcher and the situation reader read of one message
EVIDENCE = ("photo", "video", "document")  # media kept as evidence for a repair request
_COMMAND = re.compile(r"/[A-Za-z]\S*(\s|$)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_NO_DECISION = Decision("unknown", (), ())
FRAGMENT = 6  # words at most of an aside that tells ("need 6 next week"): it cannot carry a message's answer alone
OWN_SUBJECT = 3  # matching words a yes/no question needs to stand without the story before it ("covered?" cannot)
SURE_ALONE = 0.75  # the asking sentence alone overrules an out-of-scope reading of the whole from this score


@dataclass(frozen=True)
class Part:
    """One question of a message that asks several: its words, its own decision, how it is asked."""

    text: str
    decision: Decision
    keeps_lead: bool = False
    asks_now: bool = False
    asks: bool = True  # it asks something (a question mark, a question word), not only tells ("我有五年经验")

    def keeps_lead_of(self, kind: str) -> bool:
        """Whether an answer of this kind keeps its opening Yes / No (an hours answer's is about now)."""
        return self.keeps_lead and (kind != "hours" or self.asks_now)


@dataclass(frozen=True)
class Reading:
    """What one message says, read once."""

    text: str = ""  # control characters dropped, trimmed; the whole message
    kind: str = "text"  # text, or what else the transport got (photo, sticker, voice…)
    press: str | None = None  # a pressed button's data (or what was pressed, when it was not offered)
    offered: bool = False  # whether the press names a button just offered
    command: str | None = None  # "start" for "/start now"
    evidence: tuple[Media, ...] = ()  # photos, videos and documents that came with it
    language: str = "en"  # the language to answer in (one the brand has)
    asks_for_person: bool = False
    about_detection: bool = False  # "human detection": a camera feature, not a person
    says_goodbye: bool = False  # only thanks or goodbye
    asks: bool = False  # phrased as a question
    keeps_lead: bool = False  # a plain yes/no question asked the way an answer's opening Yes / No answers
    asks_now: bool = False  # about the present moment ("are you open now?")
    breaks_in: bool = False  # asks to break into a device
    out_of_domain: bool = False  # about a device these brands don't make, or a topic no document speaks of
    rma_start: bool = False  # "I need an RMA"
    rma_status: bool = False  # "where is my repair?"
    rma_number: str | None = None  # an RMA number it names
    wants_rma: bool = False  # asks to send something back or have it repaired
    too_long: bool = False  # longer than what is read (:data:`MAX_CHARS`)
    situation: Situation = field(default_factory=Situation)
    decision: Decision = _NO_DECISION
    parts: tuple[Part, ...] = ()  # the questions of a message that asks several things, each decided alone
    focus: str | None = None  # the question-word sentence of a message that also tells its situation

    @property
    def words(self) -> str:
        """The part of the text that is read as a question."""
        return self.text[:MAX_CHARS]

    def keeps_lead_of(self, kind: str) -> bool:
        """Whether an answer of this kind keeps its opening Yes / No (an hours answer's is about now)."""
        return self.keeps_lead and (kind != "hours" or self.asks_now)

    @property
    def is_command(self) -> bool:
        """Whether the message is a command ("/rma")."""
        return self.command is not None


class Reader:
    """Reads messages for one installation's content."""

    def __init__(self, *, lexicon: Lexicon, index: FaqIndex, situations: SituationReader, intents: Intents) -> None:
        self.lexicon = lexicon
        self.index = index
        self.situations = situations
        self.intents = intents

    def read(
        self, message: Message, *, pack: BrandPack, lang: str, offered: Sequence[Button], moment: datetime
    ) -> Reading:
        """Read a message for a brand, in a conversation whose language is ``lang``, at the customer's moment."""
        text = _CONTROL.sub(" ", message.text or "").strip()
        evidence = tuple(m for m in message.media if m.kind in EVIDENCE)
        if message.press is not None:
            data, was_offered = _pressed(message.press, offered)
            return Reading(text=text, kind=message.kind, press=data, offered=was_offered, language=lang)
        command = command_of(text) if _COMMAND.match(text) else None
        if command is not None or not text:
            return Reading(
                text=text,
                kind=message.kind,
                command=command,
                evidence=evidence,
                language=lang,
                rma_number=find_number(text),
            )
        folded = fold(text)
        words = text[:MAX_CHARS]
        language = self.language(pack, text, message.language, lang)
        intents = self.intents
        detection = intents.about_detection(folded)
        focus = intents.focus(words)
        decision = self.index.decide(
            pack.id, words, detection=detection, asks_open=intents.asks_open(folded), focus=focus
        )
        situation = self.situations.read(words, moment, pack, language=language)
        main = intents.main_clause(words) if decision.outcome == "clarify" and focus is None else None
        if main is not None and not situation.events:
            # a condition told first ("if i return within 7 days, how much…?"): its main clause settles a close call
            # (not where it tells what happened: "if it was borrowed, how do I get it repaired?")
            settled = self.index.decide(
                pack.id, words, detection=detection, asks_open=intents.asks_open(folded), focus=main
            )
            decision = settled if settled.outcome == "answer" and not self._set_aside(pack.id, settled) else decision
        weak = decision.best is None or decision.best.score < self.index.matchers[pack.id].thresholds.sure
        if focus and (decision.outcome == "unknown" or (self._set_aside(pack.id, decision) and weak)):
            # a long story drowns its one question (or makes it look out of scope, weakly): the question alone
            alone = self.index.decide(pack.id, focus, detection=detection, asks_open=intents.asks_open(fold(focus)))
            sure = decision.outcome == "unknown" or (alone.best is not None and alone.best.score >= SURE_ALONE)
            read = alone.outcome == "answer" or len(self._both(pack.id, alone, fold(focus))) > 1  # (two things)
            decision = alone if read and not self._set_aside(pack.id, alone) and sure else decision
        if decision.outcome == "unknown" and focus is None and (asking := intents.asking(words)) is not None:
            # a yes/no question that names its own subject ("can u ship me a replacement first?") after a story
            alone = self.index.decide(pack.id, asking, detection=detection, asks_open=intents.asks_open(fold(asking)))
            sure = alone.best is not None and alone.best.score >= self.index.matchers[pack.id].thresholds.sure
            own = len(alone.tokens) >= OWN_SUBJECT and alone.outcome == "answer" and sure
            decision = alone if own and not self._set_aside(pack.id, alone) else decision
        parts = self._parts(pack, words, focus, decision)
        weak = decision.best is None or decision.best.score < self.index.matchers[pack.id].thresholds.sure
        if decision.outcome != "answer" or (self._set_aside(pack.id, decision) and weak):
            one = self._the_one_asking(pack.id, parts) or self._the_one_standing(pack.id, parts, decision)
            decision = one or decision
        else:
            decision = self._not_from_leaning(pack.id, parts, self._not_from_telling(pack.id, parts, decision))
        return Reading(
            text=text,
            kind=message.kind,
            evidence=evidence,
            language=language,
            asks_for_person=intents.asks_for_person(folded),
            about_detection=detection,
            says_goodbye=intents.says_goodbye(folded),
            asks=intents.asks(folded),
            keeps_lead=intents.keeps_lead(folded),
            asks_now=intents.asks_now(folded),
            breaks_in=intents.breaks_in(folded[:MAX_CHARS]),
            out_of_domain=intents.out_of_domain(folded[:MAX_CHARS]),
            rma_start=intents.asks_to_start_rma(folded),
            rma_status=intents.asks_rma_status(folded),
            rma_number=find_number(text),
            wants_rma=any(p.search(folded) for p in intents.wants_rma),
            too_long=len(text) > MAX_CHARS,
            situation=situation,
            decision=decision,
            focus=focus,
            parts=parts,
        )

    def _parts(
        self, pack: BrandPack, words: str, focus: str | None = None, whole: Decision | None = None
    ) -> tuple[Part, ...]:
        """Each question of a message asking several things, read on its own (none: it asks one).

        When one sentence asks and it asks several things, each of its questions is read with the sentences
        that only tell as context, its own words weighing most ("sent it back, you get it tomorrow. when do you
        check it and when is it back?").
        """
        after = words[words.find(focus) + len(focus) :] if focus else ""  # nothing asks after it ("best regards, Chen")
        last = focus is not None and (len(after.split()) < 3 or self.intents.says_goodbye(fold(after)))
        asked = self.intents.questions(focus) if focus and last else []
        questions = asked if len(asked) > 1 else self.intents.questions(words)
        if len(questions) < 2:
            decisions = self._both(pack.id, whole, fold(words)) if whole is not None else ()
            return tuple(Part(words, d, self.intents.keeps_lead(fold(words))) for d in decisions if len(decisions) > 1)
        told = words[: words.find(focus)].strip() if focus and len(asked) > 1 and focus in words else ""
        return tuple(part for q in questions for part in self._read_part(pack.id, q, told))

    def _read_part(self, brand: str, q: str, told: str) -> tuple[Part, ...]:
        """One question of several, with what the message told before it as context: a part, or two (see _both)."""
        folded, intents = fold(q), self.intents
        detection, asks_open = intents.about_detection(folded), intents.asks_open(folded)
        decision = self.index.decide(
            brand, f"{told} {q}" if told else q, detection=detection, asks_open=asks_open, focus=q if told else None
        )
        if told and decision.outcome != "answer":  # a long story drowns the question: the question alone
            alone = self.index.decide(brand, q, detection=detection, asks_open=asks_open)
            decision = alone if alone.outcome == "answer" and not self._set_aside(brand, alone) else decision
        lead, now, asks = intents.keeps_lead(folded), intents.asks_now(folded), intents.asks(folded)
        return tuple(Part(q, d, lead, now, asks) for d in self._both(brand, decision, folded))

    def _the_one_asking(self, brand: str, parts: Sequence[Part]) -> Decision | None:
        """The decision of the one part that asks, sure on its own, where the others only tell.

        "kimpok warranty is 2 yrs right? just confirming b4 i order more cams": the whole is a close call, the
        question alone is not.
        """
        asking = _one_asking(parts)
        if asking is None:
            return None
        alone = asking.decision
        best = alone.best
        sure = alone.outcome == "answer" and best is not None and best.score >= SURE_ALONE
        # "which do you pay?" leans on the rest of the message; "anyone there?" does not
        own = len(alone.tokens) >= OWN_SUBJECT or self.intents.asks_open(fold(asking.text))
        return alone if sure and own and not self._set_aside(brand, alone) else None

    def _the_one_standing(self, brand: str, parts: Sequence[Part], whole: Decision) -> Decision | None:
        """The decision of the one question that stands on its own, where the others only lean on it.

        "do you pay all the shipping in the first month? and what about after that?": the follow-up names no
        subject of its own (it asks about the first question's), so the first question's sure answer is the
        message's, rather than a close call of the whole between its words and the follow-up's. Less than sure
        will do where it is one of the whole's two close candidates ("can you send express? who pays that").
        """
        asking = [p for p in parts if p.asks]
        standing = [p for p in asking if len(p.decision.tokens) >= OWN_SUBJECT]
        if len(standing) != 1 or len(asking) < 2 or len(parts) != len(asking):
            return None
        if not all(self.intents.refers_back(fold(p.text)) for p in asking if p is not standing[0]):
            return None  # "how long is the warranty? and refunds?" asks two things
        alone = standing[0].decision
        if alone.best is None:
            return None
        sure = alone.best.score >= self.index.matchers[brand].thresholds.sure
        close = whole.outcome == "clarify" and alone.best.entry_id in {c.entry_id for c in whole.candidates[:2]}
        return alone if alone.outcome == "answer" and (sure or close) and not self._set_aside(brand, alone) else None

    def _not_from_telling(self, brand: str, parts: Sequence[Part], whole: Decision) -> Decision:
        """The one asking part's own "I don't know", where the whole's answer comes from what only tells.

        "do you have a 4K PTZ with 40x zoom in stock? need 6 next week": "next week" is no question about an RMA
        number's validity. Only a question with words of its own ("what now?" leans on the story), none of which
        the whole's answer speaks of.
        """
        asking = _one_asking(parts)
        if asking is None or whole.best is None:
            return whole
        if sum(len(p.text.split()) for p in parts if not p.asks) > FRAGMENT:
            return whole  # more than an aside: a question of its own without a question mark ("also the batteries…")
        alone, matcher, answered = asking.decision, self.index.matchers[brand], whole.best.entry_id
        if alone.outcome == "answer" and not self._set_aside(brand, alone):
            return whole
        known = [t for t in alone.tokens if t in matcher.idf]
        shared = any(answered in matcher.entries_with(t) for t in known)  # the answer is about the question at all
        return alone if len(known) >= 2 and not shared else whole

    def _not_from_leaning(self, brand: str, parts: Sequence[Part], whole: Decision) -> Decision:
        """The standing question's own close call, where the whole's answer comes from a follow-up leaning on it.

        "ship to brazil? hw long": "how long" asks about the shipping; answered on its own words it is the
        warranty's length, which the question it leans on never named.
        """
        leaning = [p for p in parts if self.intents.refers_back(fold(p.text))]  # ("hw long": no question word)
        standing = [p for p in parts if p.asks and p not in leaning]
        if len(standing) != 1 or not leaning or whole.best is None or standing[0].decision.outcome == "answer":
            return whole
        matcher, answered = self.index.matchers[brand], whole.best.entry_id
        known = [t for t in standing[0].decision.tokens if t in matcher.idf]
        return whole if any(answered in matcher.entries_with(t) for t in known) else standing[0].decision

    def _set_aside(self, brand: str, decision: Decision) -> bool:
        """Whether a decision answers with an out-of-scope entry."""
        best = decision.best
        return decision.outcome == "answer" and best is not None and best.entry_id in self.index.out_of_scope[brand]

    def _both(self, brand: str, decision: Decision, folded: str) -> tuple[Decision, ...]:
        """One question about two or three things at once ("整机和模块分别保修多久？"): a decision for each.

        ("terminal vs module vs detector?") The things: the best candidates close to the first, each with a
        weighty word of the question that the others' phrasings never use.
        """
        if decision.outcome not in ("answer", "clarify") or len(decision.candidates) < 2:
            return (decision,)
        matcher = self.index.matchers[brand]
        first = decision.candidates[0]
        close = [c for c in decision.candidates[:3] if c.score >= first.score * matcher.thresholds.both]
        if len(close) < 2 or {c.entry_id for c in close} & set(self.index.out_of_scope[brand]):
            return (decision,)  # (out of scope on any side: as the matcher decided)
        if not self.intents.joins_two(folded):
            return (decision,)
        owners = [
            matcher.entries_with(t) for t in decision.tokens if matcher.weight(t) >= matcher.thresholds.both_weight
        ]

        def own_word(c: Candidate, others: list[Candidate]) -> bool:
            return any(c.entry_id in o and not any(x.entry_id in o for x in others) for o in owners)

        while len(close) >= 2 and not all(own_word(c, [x for x in close if x is not c]) for c in close):
            close.pop()  # the third without a word of its own: the two
        if len(close) < 2:
            return (decision,)
        return tuple(Decision("answer", (c,), decision.tokens) for c in close)

    def language(self, pack: BrandPack, text: str, hint: str | None, current: str = "en") -> str:
        """The language to answer ``text`` in: its own, when the brand has wording in it.

        Text with hardly any letters ("2025-03-15", "👍") keeps the conversation's language; a short
        Latin text keeps the transport's hint (the customer's app language) when the brand has it.
        """
        lang = self.lexicon.detect_language(text)
        if lang == "en" and len(re.findall(r"[a-z]", fold(text))) < 3 and current in pack.languages:
            return current
        if lang == "en" and hint and hint[:2] in pack.languages and not re.search(r"[a-z]{3}", fold(text)):
            lang = hint[:2]
        return lang if lang in pack.languages else "en"


def _one_asking(parts: Sequence[Part]) -> Part | None:
    """The one part of a message of several that asks (the others only tell), else None."""
    asking = [p for p in parts if p.asks]
    return asking[0] if len(asking) == 1 and len(parts) > 1 else None


def _pressed(pressed: str, offered: Sequence[Button]) -> tuple[str, bool]:
    """The data of the offered button a press names, by its data or its label (case aside)."""
    wanted = pressed.strip().casefold()
    for button in offered:
        if wanted in (button.data.casefold(), button.label.casefold()):
            return button.data, True
    return pressed.strip(), False


def typed_button(text: str, offered: Sequence[Button], prefix: str) -> str | None:
    """The data of an offered button (its data starting with ``prefix``) whose label ``text`` says."""
    wanted = fold(text).strip(" .!?")
    for button in offered:
        if button.data.startswith(prefix) and fold(button.label).strip(" .!?") == wanted:
            return button.data
    return None
