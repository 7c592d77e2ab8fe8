"""What a message asks for, beyond an FAQ answer: a person, a repair request, its status, a break-in.

Every pattern lives in ``faq/_common/matching/`` (``handoff.toml``, ``rma.toml``, ``safety.toml``,
``intents.toml``), matched against the folded text (lower case, accents removed, so Vietnamese is
written without diacritics there). Loaded once; a bad pattern names its file and key.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.errors import FaqError
from bot.core.text import CJK, fold, fold_aligned
from bot.knowledge.faq import read_toml


def patterns(path: Path, data: dict[str, Any], key: str, *, whole: bool = False) -> tuple[re.Pattern[str], ...]:
    """A list of patterns from a matching file (``whole``: each must match the whole text)."""
    raw = data.get(key)
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise FaqError(path, key, "expected a list of patterns")
    try:
        return tuple(re.compile(f"^(?:{p})$" if whole else p, re.I) for p in raw)
    except re.error as exc:
        raise FaqError(path, key, f"bad pattern: {exc}") from None


_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
_DASHED = re.compile(r"\s+[-–—]\s+(?=\w[^.!?]*[?？]\s*$)")  # "… tell her something wrong - what does it cover?"
_MARKER = re.compile(r"^\(?\d[).]\s+|^\([a-e]\)\s+")
_FIRST_MARKER = re.compile(r"^(?:\(?1[).]|\(a\))\s+")
# (a bare "or" joins the two sides of one question: "is the fix free or do we get invoiced?")
_LIST_COMMA = re.compile(r",\s*(?:and\s+|or\s+)?|\s+[-–—]\s+(?:and\s+|or\s+)?|\s+and\s+")


def _any(found: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in found)


@dataclass(frozen=True)
class Intents:
    """The patterns that tell what a message is for."""

    person: tuple[re.Pattern[str], ...]  # asks for a human
    detection: tuple[re.Pattern[str], ...]  # …unless the person is a camera feature ("human detection")
    closing: tuple[re.Pattern[str], ...]  # only thanks or goodbye
    wants_rma: tuple[re.Pattern[str], ...]  # asks to send something back or have it repaired
    rma_start: tuple[re.Pattern[str], ...]  # a short "RMA" / "I need an RMA number"
    rma_status: tuple[re.Pattern[str], ...]  # a short "where is my repair?"
    rma_status_in: tuple[re.Pattern[str], ...]  # asking about their own repair, anywhere in a message
    breakin_always: tuple[re.Pattern[str], ...]
    breakin_intent: tuple[re.Pattern[str], ...]
    breakin_target: tuple[re.Pattern[str], ...]
    question: tuple[re.Pattern[str], ...]  # a message that asks something
    yes: tuple[re.Pattern[str], ...]  # a whole answer meaning yes
    no: tuple[re.Pattern[str], ...]  # a whole answer meaning no
    rma_offer_after: tuple[str, ...] = ()  # FAQ entries (shell patterns over ids) that offer a repair request
    wh: tuple[re.Pattern[str], ...] = ()  # asked with a question word (what, how, 什么, bao nhiêu…)
    condition: tuple[re.Pattern[str], ...] = ()  # a sentence opening with a condition ("if…", "如果…")
    condition_end: tuple[re.Pattern[str], ...] = ()  # …and where it ends (a comma, "then")
    yes_no_question: tuple[re.Pattern[str], ...] = ()  # a plain yes/no question
    downside: tuple[re.Pattern[str], ...] = ()  # …about a downside ("is that a problem?")
    leads: Mapping[str, re.Pattern[str]] = field(default_factory=dict)  # an answer's opening yes or no
    splits: tuple[re.Pattern[str], ...] = ()  # where a message asking several things splits
    opens_question: tuple[re.Pattern[str], ...] = ()  # a clause that starts as a question ("how long is…")
    asks_inside: tuple[re.Pattern[str], ...] = ()  # …or a clause asking further in ("to exchange it what do I…")
    opens_later: tuple[re.Pattern[str], ...] = ()  # …or, after "and"/"or" in a list, a conditional one ("and if…")
    other_device_patterns: tuple[re.Pattern[str], ...] = ()  # another maker's device, broken (a laptop, a phone)
    own_use: tuple[re.Pattern[str], ...] = ()  # …unless it is what the cameras are watched on
    bought_here_patterns: tuple[re.Pattern[str], ...] = ()  # the product was bought from the brand ("your NVR")
    brand_product: str = ""  # …or the brand named as its maker ("my KT&C DVR"): a pattern with {brand}
    not_in_documents: tuple[re.Pattern[str], ...] = ()  # topics no brand's document speaks of (transit times)
    now: tuple[re.Pattern[str], ...] = ()  # asks about the present moment ("are you open now?", "今天")
    open_now: tuple[re.Pattern[str], ...] = ()  # a whole question asking whether anyone is there ("r u open?")
    joins_two_patterns: tuple[re.Pattern[str], ...] = ()  # one question about two things joined ("camera and module")
    refers_back_patterns: tuple[re.Pattern[str], ...] = ()  # a question leaning on the one before ("after that?")
    indirect: tuple[re.Pattern[str], ...] = ()  # a question asked inside a sentence ("need to know how long…")
    space_split: tuple[re.Pattern[str], ...] = ()  # zh: a space between two clauses…
    space_asks: tuple[re.Pattern[str], ...] = ()  # …that splits questions when both clauses ask
    space_tells: tuple[re.Pattern[str], ...] = ()  # …and neither tells what the customer doesn't know

    @classmethod
    def load(cls, matching: Path) -> Intents:
        """Read the patterns from a ``matching`` folder."""
        handoff_path, rma_path = matching / "handoff.toml", matching / "rma.toml"
        safety_path, intents_path = matching / "safety.toml", matching / "intents.toml"
        handoff, rma = read_toml(handoff_path), read_toml(rma_path)
        safety, intents = read_toml(safety_path), read_toml(intents_path)
        return cls(
            person=patterns(handoff_path, handoff, "asks_for_person"),
            detection=patterns(handoff_path, handoff, "not_asking"),
            closing=patterns(handoff_path, handoff, "closing"),
            wants_rma=patterns(rma_path, rma, "wants_rma"),
            rma_start=patterns(rma_path, rma, "start"),
            rma_status=patterns(rma_path, rma, "status"),
            rma_status_in=patterns(rma_path, rma, "status_in") if "status_in" in rma else (),
            breakin_always=patterns(safety_path, safety, "always"),
            breakin_intent=patterns(safety_path, safety, "intent"),
            breakin_target=patterns(safety_path, safety, "target"),
            question=patterns(intents_path, intents, "question"),
            yes=patterns(intents_path, intents, "yes", whole=True),
            no=patterns(intents_path, intents, "no", whole=True),
            rma_offer_after=tuple(str(p) for p in rma.get("offer_after", ())),
            wh=patterns(intents_path, intents, "wh"),
            condition=patterns(intents_path, intents, "condition"),
            condition_end=patterns(intents_path, intents, "condition_end"),
            yes_no_question=patterns(intents_path, intents, "yes_no"),
            downside=patterns(intents_path, intents, "downside"),
            leads=_leads(intents_path, intents.get("leads")),
            splits=patterns(intents_path, intents, "split"),
            opens_question=patterns(intents_path, intents, "opens_question"),
            asks_inside=patterns(intents_path, intents, "asks_inside"),
            opens_later=patterns(intents_path, intents, "opens_later"),
            other_device_patterns=patterns(intents_path, intents, "other_device"),
            own_use=patterns(intents_path, intents, "own_use"),
            bought_here_patterns=patterns(intents_path, intents, "bought_here"),
            brand_product=str(intents.get("brand_product", "")),
            not_in_documents=patterns(intents_path, intents, "not_in_documents"),
            now=patterns(intents_path, intents, "now"),
            open_now=patterns(intents_path, intents, "open_now", whole=True),
            joins_two_patterns=patterns(intents_path, intents, "joins_two"),
            refers_back_patterns=patterns(intents_path, intents, "refers_back"),
            indirect=patterns(intents_path, intents, "indirect"),
            space_split=patterns(intents_path, intents, "space_split"),
            space_asks=patterns(intents_path, intents, "space_asks"),
            space_tells=patterns(intents_path, intents, "space_tells"),
        )

    def asks_for_person(self, folded: str) -> bool:
        """Whether a message asks for a human ("real person", "人工", "gặp nhân viên"…), not about a feature."""
        text = folded.strip()
        return len(text) <= 300 and _any(self.person, text) and not _any(self.detection, text)

    def about_detection(self, folded: str) -> bool:
        """Whether a message is about a camera's person detection rather than asking for a person."""
        return _any(self.detection, folded)

    def says_goodbye(self, folded: str) -> bool:
        """Whether a message only thanks or says goodbye ("thanks a lot, bye", "好的", "👍")."""
        text = folded.strip()
        return len(text) <= 60 and _any(self.closing, text)

    def asks_to_start_rma(self, folded: str) -> bool:
        """Whether a short message just says "RMA" / "I need an RMA number"."""
        text = folded.strip()
        return any(p.match(text) for p in self.rma_start)

    def asks_rma_status(self, folded: str) -> bool:
        """Whether a message asks for the customer's own RMA status."""
        text = folded.strip()
        return any(p.match(text) for p in self.rma_status) or _any(self.rma_status_in, text)

    def breaks_in(self, folded: str) -> bool:
        """Whether a message asks to break into a device or bypass someone's protection."""
        if _any(self.breakin_always, folded):
            return True
        return _any(self.breakin_intent, folded) and _any(self.breakin_target, folded)

    def asks(self, folded: str) -> bool:
        """Whether a message asks something (answered as a question even in the middle of a request)."""
        return _any(self.question, folded)

    def other_device(self, folded: str) -> bool:
        """Whether a message is about repairing a device these brands don't make (a laptop, a phone)."""
        return _any(self.other_device_patterns, folded) and not _any(self.own_use, folded)

    def bought_here(self, folded: str, brand: str) -> bool:
        """Whether the product is the brand's: bought from it ("your NVR", "你们这里买的") or named ("my KT&C DVR")."""
        named = self.brand_product.replace("{brand}", re.escape(fold(brand).strip())) if self.brand_product else ""
        return _any(self.bought_here_patterns, folded) or bool(named and re.search(named, folded))

    def out_of_domain(self, folded: str) -> bool:
        """Whether a message is about something no brand's policy answers.

        Another maker's device, or a topic the documents never speak of (how many days a parcel is on its way).
        """
        return self.other_device(folded) or _any(self.not_in_documents, folded)

    def keeps_lead(self, folded: str) -> bool:
        """Whether an answer's opening Yes / No answers this question the right way round.

        Only a plain yes/no question that does not ask about a downside: not "what…?", not "is that a
        problem?".
        """
        return _any(self.yes_no_question, folded) and not _any(self.wh, folded) and not _any(self.downside, folded)

    def joins_two(self, folded: str) -> bool:
        """Whether a question joins two things it asks about ("整机和模块", "camera or nvr")."""
        return _any(self.joins_two_patterns, folded)

    def refers_back(self, folded: str) -> bool:
        """Whether a question points back at something said before it ("what about after that?")."""
        return _any(self.refers_back_patterns, folded)

    def asks_now(self, folded: str) -> bool:
        """Whether a message asks about the present moment: an hours answer's "Yes, open now" answers it."""
        return _any(self.now, folded)

    def asks_open(self, folded: str) -> bool:
        """Whether a question (a whole one) asks if anyone is there to help: the hours answer answers it."""
        text = folded.strip(" .!?？。~")
        return any(p.match(text) for p in self.open_now)

    def without_lead(self, text: str, lang: str) -> str:
        """An answer with its opening yes or no dropped (the rest, first letter capitalised)."""
        pattern = self.leads.get(lang)
        found = pattern.match(text) if pattern is not None else None
        if found is None or found.end() >= len(text):
            return text
        rest = text[found.end() :]
        return rest[:1].upper() + rest[1:]

    def focus(self, text: str) -> str | None:
        """The one sentence that asks, in a message that also tells (None: no such sentence, or no other).

        "its your own brand NVR. after you get it, how many days till it's back?" → the second sentence.
        Only a question-word question ("how many…", "what do I pay…") is a focus: a yes/no one ("covered?",
        "free repair?") asks about what the rest of the message tells.
        """
        asking = self.asking(text)
        return asking if asking is not None and _any(self.wh, fold(asking)) else None

    def main_clause(self, text: str) -> str | None:
        """What one sentence opening with a condition asks: its main clause, from the question word on.

        "if i return within 7 days how much do i get back?" → "how much do i get back?"; "如果7天内退货，能退多少钱？"
        → "能退多少钱？".
        """
        if len(_SENTENCE.split(text.strip(" ?？!.。"))) > 1:
            return None
        folded = fold_aligned(text)
        opened = next((m for p in self.condition if (m := p.search(folded))), None)
        if opened is None:
            return None
        asked = min((m.start() for p in self.wh for m in p.finditer(folded, opened.end() + 1)), default=None)
        if asked is None:
            return None
        ends = [m.end() for p in self.condition_end for m in p.finditer(folded, opened.end(), asked)]
        start = max(ends, default=asked)
        if len(_words(text[opened.end() : start])) < 2:
            return None
        return text[start:].strip() or None

    def asking(self, text: str) -> str | None:
        """The one sentence that asks, yes/no questions included, in a message that also tells (else None)."""
        sentences = [s for s in _sentences(text) if s.strip()]
        if len(sentences) < 2:
            return None
        asking = [s for s in sentences if self._may_ask(s)]
        if len(asking) > 1:  # "my dad who bought…": a question word inside a telling sentence asks nothing
            asking = [s for s in asking if "?" in s or "？" in s or self._asks_in(fold(s))]
        if len(asking) > 1:  # "…need to know how long…, and what… . Could you confirm both?": the one with words
            asking = [s for s in asking if not self.refers_back(fold(s))]
        return asking[0].strip() if len(asking) == 1 else None

    def _may_ask(self, text: str) -> bool:
        """A question mark or a question word anywhere (a relative "who" too: see :meth:`_asks_in`).

        Or a sentence that opens as a question without its mark ("is that covered or not").
        """
        folded = fold(text)
        return (
            "?" in text
            or "？" in text
            or _any(self.wh, folded)
            or any(p.match(folded.strip()) for p in self.opens_question)
        )

    def _asks_in(self, folded: str) -> bool:
        """A sentence opening with a question word, or asking one in ("they need to know how long…")."""
        return any(p.match(folded.strip()) for p in self.wh) or _any(self.indirect, folded)

    def questions(self, text: str, *, limit: int = 3) -> list[str]:
        """The questions of a message that asks several things (one item: it asks one thing).

        Parts too short to stand alone (a word or two) stay with the part before them.
        """
        aligned = fold_aligned(text)
        cuts = sorted(
            (
                {m.start() for p in self.splits for m in p.finditer(aligned)}
                | self._listed(aligned)
                | self._spaced(aligned)
            )
            - {0, len(text)}
        )
        parts: list[str] = []
        start = 0
        for cut in [*cuts, len(text)]:
            listed = _LIST_COMMA.match(text, start)
            part = text[listed.end() if listed else start : cut]
            part = part.strip(" ,;")
            start = cut
            if not part:
                continue
            first = _FIRST_MARKER.match(part)  # "…could you confirm (a) the warranty period, (b)…"
            part = _MARKER.sub("", part)  # "2) what happens…": the list's number is no word of the question
            if parts and (parts[-1].endswith((":", "：")) or (first and len(_words(parts[-1])) <= 5)):
                parts[-1] = part  # a lead-in ("a few questions before we order:") asks nothing itself
            elif parts and self._condition_alone(parts[-1]):
                parts[-1] = f"{parts[-1]}, {part}"  # "and if i approve, can you bill me?": the condition leads in
            elif parts and len(_words(part)) < 2:
                parts[-1] = f"{parts[-1]} {part}"
            else:
                parts.append(part)
        if len(parts) > 1 and len(_words(parts[0])) < 2:
            parts[1] = f"{parts[0]} {parts[1]}"
            del parts[0]
        if len(parts) > limit:  # a long message: the parts that ask (an email tells first and asks at its end)
            asking = [p for p in parts if self._may_ask(p)]
            parts = (asking or parts)[:limit]
        return parts if len(parts) > 1 else [text]

    def _condition_alone(self, part: str) -> bool:
        """Whether a part is only a condition ("and if i approve"), asking nothing before its main clause."""
        folded = fold(part)
        return _any(self.condition, folded) and not _any(self.question, folded) and len(_words(part)) <= 8

    def _spaced(self, aligned: str) -> set[int]:
        """Where Chinese questions written with a space between them start (each clause around it asks)."""
        spaces = [m.start() for p in self.space_split for m in p.finditer(aligned)]
        ends = [0, *spaces, len(aligned)]
        clauses = [aligned[a:b] for a, b in itertools.pairwise(ends)]
        asks = [_any(self.space_asks, c) and not _any(self.space_tells, c) for c in clauses]
        return {cut for k, cut in enumerate(spaces) if asks[k] and asks[k + 1]}

    def _listed(self, aligned: str) -> set[int]:
        """Where questions listed with commas or "and" start ("how do I get one, how long is it good for, and…").

        Only in a list of at least two questions, the sentence's own opening counting as one: "if it broke,
        how much is it?" and "i dropped it and is it covered?" are one question each, and "for an advance
        replacement, who pays and is it new?" two, the first with its lead.
        """
        asking = {
            m.start()
            for m in _LIST_COMMA.finditer(aligned)
            if any(p.match(aligned, m.end()) for p in self.opens_question)
            or (m.group().strip(" ,-–—") in ("and", "or") and any(p.match(aligned, m.end()) for p in self.opens_later))
        }
        if asking:  # what comes before the first is a question too, or it only leads into it ("for an RMA, who…")
            first = min(asking)
            clause = aligned[max(aligned.rfind(c, 0, first) for c in ".!?") + 1 : first].lstrip()
            if not any(p.match(clause) for p in self.opens_question) and not _any(self.asks_inside, clause):
                asking.discard(first)
        return asking

    def yes_no(self, folded: str) -> str | None:
        """``yes`` or ``no`` when a whole answer says so ("yep", "không", "没有"), else None."""
        text = folded.strip(" .!?")
        if any(p.match(text) for p in self.yes):
            return "yes"
        if any(p.match(text) for p in self.no):
            return "no"
        return None


def _leads(path: Path, table: Any) -> dict[str, re.Pattern[str]]:
    """The pattern of an answer's opening yes or no, by language (``[leads]``: words by language)."""
    if not isinstance(table, dict) or not all(isinstance(v, list) for v in table.values()):
        raise FaqError(path, "leads", "expected a table of word lists by language")
    out = {}
    for lang, words in table.items():
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        out[lang] = re.compile(rf"^(?:{alternatives})\s*[,，:：.。]\s*", re.I)
    return out


def _words(text: str) -> list[str]:
    """Words, for counting: Latin words, and Chinese counted as a word every two characters."""
    return re.findall(r"[^\W\d_]+", CJK.sub(" ", text)) + CJK.findall(text)[::2]


def folded(text: str) -> str:
    """The text as every pattern here reads it."""
    return fold(text)


def _sentences(text: str) -> list[str]:
    """A message's sentences; a closing question after a dash is one of its own when a clause precedes the dash."""
    out: list[str] = []
    for sentence in _SENTENCE.split(text):
        dash = _DASHED.search(sentence)
        if dash is not None and len(_words(sentence[: dash.start()])) >= 4:  # ("advance replacement - when…": a topic)
            out += [sentence[: dash.start()], sentence[dash.end() :]]
        else:
            out.append(sentence)
    return out
