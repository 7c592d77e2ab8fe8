"""Match a customer's question to FAQ entries, with a confidence score.

Questions and phrasings go through the same :class:`bot.text.Normaliser`. Each token weighs its
inverse entry frequency, so informative words ("flood", "rma", "restocking") count for more than
common ones ("warranty"); words the FAQ never uses count against the match. An entry's score blends
its best single phrasing (how much of the phrasing the question contains and how much of the question
the phrasing explains) with how much of the question the entry's vocabulary explains as a whole.

Three outcomes: ``answer`` (confident), ``clarify`` (two entries too close to call), ``unknown``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bot.core.text import is_cjk
from bot.understand.normalise import DAYS, NUMBER, Normaliser, is_code

Outcome = Literal["answer", "clarify", "unknown"]


@dataclass(frozen=True)
class Thresholds:
    """Confidence thresholds.

    Below ``floor`` nothing is a candidate. A runner-up within ``margin`` (relative to the top score)
    is a close call: below ``sure`` (or when the question is a single word) the customer is asked which
    one they mean. Otherwise the top entry
    answers when it reaches ``answer``, and below that the bot says it doesn't know.
    """

    answer: float = 0.40
    floor: float = 0.30
    clarify_floor: float = 0.36
    margin: float = 0.07
    sure: float = 0.60
    # Weights of tokens the index does not know: Chinese character pairs (most are just the seams
    # between words) and bare numbers count for little against a match; other words count fully.
    unknown_cjk: float = 0.4
    number: float = 0.6
    days: float = 1.5  # at most, a number of days a phrasing names ("within 7 days"): it tells, beside other words
    focus: float = 1.8  # how much more the words of the sentence that asks weigh than those around it
    # One question about two things ("camera and module warranty?"): a runner-up this close to the top (relative)
    # is answered too when each of the two has a word of the question weighing this much that the other lacks.
    both: float = 0.85
    both_weight: float = 2.5


@dataclass(frozen=True)
class Candidate:
    """An entry and its score for one question."""

    entry_id: str
    score: float


@dataclass(frozen=True)
class Decision:
    """What the matcher concluded about one question."""

    outcome: Outcome
    candidates: tuple[Candidate, ...]
    tokens: tuple[str, ...]

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None


class Matcher:
    """An index over one brand's phrasings."""

    def __init__(
        self,
        normaliser: Normaliser,
        phrasings: Iterable[tuple[str, str]],
        thresholds: Thresholds | None = None,
        weights: dict[str, float] | None = None,
        own_names: Iterable[str] = (),
    ) -> None:
        self.normaliser = normaliser
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or {}  # entries that should win only clearly (offers rather than answers)
        entry_of: list[str] = []
        phrase_tokens: list[frozenset[str]] = []
        entry_vocab: dict[str, set[str]] = defaultdict(set)
        for entry_id, text in phrasings:
            tokens = frozenset(normaliser.phrasing(text)[1]) - {NUMBER}
            if not tokens:
                continue
            entry_of.append(entry_id)
            phrase_tokens.append(tokens)
            entry_vocab[entry_id] |= tokens
        n_entries = max(len(entry_vocab), 1)
        df: dict[str, int] = defaultdict(int)
        for vocab in entry_vocab.values():
            for token in vocab:
                df[token] += 1
        self.idf = {t: math.log(1 + n_entries / d) for t, d in df.items()}
        # the brand's own name tells little about what is asked ("does poesec cover…", "longgang tel no"): every
        # entry is about the brand. Where phrasings name it ("who is jingpin") it weighs as the commonest word;
        # where none does, it is left out of a question that has other words rather than weigh as an unknown one.
        names = frozenset(t for name in own_names for t in normaliser.tokens(name))
        commonest = min(self.idf.values(), default=0.0)
        self.idf.update(dict.fromkeys(names & self.idf.keys(), commonest))
        self.idf.update({t: min(w, self.thresholds.days) for t, w in self.idf.items() if t.startswith(DAYS)})
        self.own_names = names - self.idf.keys()
        self.unknown_weight = math.log(1 + n_entries / 1.0) * 0.65
        # the index as arrays: a question's scores over every phrasing are a few vector operations
        self._entries = list(entry_vocab)
        number = {entry_id: k for k, entry_id in enumerate(self._entries)}
        self._entry_of = np.array([number[e] for e in entry_of], dtype=np.intp)
        # a phrasing's number of days ("refund within 7 days") counts where a question names it, and costs
        # nothing where one does not ("can I get a refund?"): it is left out of the phrasing's own weight
        self._weight_sum = np.array(
            [sum(self.idf[t] for t in toks if not t.startswith(DAYS)) or 1.0 for toks in phrase_tokens],
            dtype=np.float64,
        )
        postings: dict[str, list[int]] = defaultdict(list)
        for i, toks in enumerate(phrase_tokens):
            for t in toks:
                postings[t].append(i)
        self._postings = {t: np.array(ids, dtype=np.intp) for t, ids in postings.items()}
        entry_postings: dict[str, list[int]] = defaultdict(list)
        for entry_id, vocab in entry_vocab.items():
            for t in vocab:
                entry_postings[t].append(number[entry_id])
        self._entry_postings = {t: np.array(ids, dtype=np.intp) for t, ids in entry_postings.items()}
        self._entry_weight = np.array([self.weights.get(e, 1.0) for e in self._entries], dtype=np.float64)

    def weight(self, token: str) -> float:
        """How informative a token is (unknown words weigh like rare ones)."""
        known = self.idf.get(token)
        if known is not None:
            return known
        if token == NUMBER or is_code(token):  # a model or order code no phrasing names says what, not which
            return self.thresholds.number
        if is_cjk(token):
            return self.thresholds.unknown_cjk
        return self.unknown_weight

    def entries_with(self, token: str) -> frozenset[str]:
        """The entries whose phrasings use ``token``."""
        found = self._entry_postings.get(token)
        return frozenset(self._entries[k] for k in found) if found is not None else frozenset()

    def rank(self, text: str, *, limit: int = 5, focus: str | None = None) -> tuple[tuple[str, ...], list[Candidate]]:
        """The question's tokens and the best entries, highest score first.

        ``focus`` is the sentence that asks, in a message that also tells its situation ("it's your own
        brand NVR. how many days till it's back?"): its words weigh more in what the message asks for.
        """
        tokens = tuple(dict.fromkeys(self.normaliser.tokens(text)))
        if any(t not in self.normaliser.lexicon.social for t in tokens):
            tokens = tuple(t for t in tokens if t not in self.normaliser.lexicon.social)
        if any(t not in self.own_names for t in tokens):
            tokens = tuple(t for t in tokens if t not in self.own_names)
        tokens = tuple(t for t in tokens if t in self.idf or not t.startswith(DAYS))  # a number no phrasing names
        if not tokens:
            return tokens, []
        focused = set(self.normaliser.tokens(focus)) if focus else set()
        if focused >= set(tokens):
            focused = set()
        boost = {t: self.thresholds.focus if t in focused else 1.0 for t in tokens}
        query_weight = sum(self.weight(t) * boost[t] for t in tokens)
        overlap = np.zeros(len(self._weight_sum))
        raw = np.zeros(len(self._weight_sum)) if focused else overlap  # without the focus's boost
        entry_overlap = np.zeros(len(self._entries))
        for t in tokens:
            w = self.idf.get(t)
            if w is None:
                continue
            phrases = self._postings[t]  # each phrasing once: a fancy-indexed add adds to each
            overlap[phrases] += w * boost[t]
            if focused:
                raw[phrases] += w
            entry_overlap[self._entry_postings[t]] += w * boost[t]
        hit = np.flatnonzero(overlap)
        if not len(hit):
            return tokens, []
        recall = overlap[hit] / query_weight
        precision = np.minimum(raw[hit] / self._weight_sum[hit], 1.0)
        f = 2 * recall * precision / (recall + precision)
        best_phrase = np.zeros(len(self._entries))
        np.maximum.at(best_phrase, self._entry_of[hit], f)
        found = np.flatnonzero(best_phrase)
        scores = (0.65 * best_phrase[found] + 0.35 * (entry_overlap[found] / query_weight)) * self._entry_weight[found]
        if len(found) > limit:  # only the few that can be among the best, rounded as the ranking rounds
            kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            keep = scores >= kth - 1e-4
            found, scores = found[keep], scores[keep]
        scored = [Candidate(self._entries[k], round(float(v), 4)) for k, v in zip(found, scores, strict=True)]
        scored.sort(key=lambda c: (-c.score, c.entry_id))
        return tokens, scored[:limit]

    def decide(
        self, text: str, *, exclude: Sequence[str] = (), set_aside: Sequence[str] = (), focus: str | None = None
    ) -> Decision:
        """Answer, clarify or admit not knowing.

        ``exclude`` entries are never candidates. ``set_aside`` entries (out-of-scope intents) win
        when they are on top, but are never offered as one side of a close call.
        """
        tokens, ranked = self.rank(text, limit=6 + len(exclude), focus=focus)
        ranked = [c for c in ranked if c.entry_id not in exclude]
        th = self.thresholds
        if not ranked or ranked[0].score < th.floor:
            return Decision("unknown", tuple(ranked[:3]), tokens)
        top = ranked[0]
        if top.entry_id in set_aside:
            return Decision("answer", tuple(ranked[:3]), tokens)
        doubt = next((c for c in ranked if c.entry_id in set_aside and c.score >= top.score * (1 - th.margin)), None)
        if doubt is not None:  # as likely out of scope as in: say so rather than guess
            return Decision("answer", (doubt, *[c for c in ranked[:3] if c is not doubt]), tokens)
        ranked = [c for c in ranked if c.entry_id not in set_aside]
        close = [c for c in ranked[1:3] if c.score >= th.floor and c.score >= top.score * (1 - th.margin)]
        if close and top.score < th.clarify_floor:
            return Decision("unknown", tuple(ranked[:3]), tokens)  # too weak to offer a choice
        if close and (top.score < th.sure or len(tokens) == 1):  # one word alone is always a close call
            return Decision("clarify", (top, *close), tokens)
        if top.score < th.answer:
            return Decision("unknown", tuple(ranked[:3]), tokens)
        return Decision("answer", tuple(ranked[:3]), tokens)
