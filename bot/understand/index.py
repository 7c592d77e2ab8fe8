"""The FAQ as the matcher sees it: one index of phrasings per brand, rebuilt when admins change entries."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence

from bot.knowledge.faq import Content, Entry
from bot.knowledge.packs import BrandPack
from bot.understand.matcher import Candidate, Decision, Matcher
from bot.understand.normalise import Normaliser

TREE_WEIGHT = 0.9  # troubleshooting offers rank a little below FAQ answers
TREE = "tree:"  # candidates that are troubleshooting trees carry this prefix


class FaqIndex:
    """Matchers for every brand over its entries (and the troubleshooting trees that fit its products)."""

    def __init__(self, content: Content, normaliser: Normaliser) -> None:
        self.content = content
        self.normaliser = normaliser
        self._lock = threading.RLock()
        self.matchers: dict[str, Matcher] = _Matchers(self._build, self._lock)  # each brand's, made when first needed
        self.out_of_scope: dict[str, tuple[str, ...]] = {}
        self.handoff: dict[str, tuple[str, ...]] = {}
        self.hours: dict[str, tuple[str, ...]] = {}
        self.generation: dict[str, int] = {}  # grows each time a brand's entries change
        self.update(content.entries)

    def update(self, changed: Mapping[str, Mapping[str, Entry]]) -> None:
        """Put the entries of the ``changed`` brands in place, and the spelling vocabulary.

        Their matchers are made again when next asked for. A turn running meanwhile keeps the matcher it has;
        one made from now on is made from the new entries, so a matcher never names an entry the entries have
        not got yet (the answer flow also skips any it lacks).
        """
        with self._lock:
            content = self.content
            vocabulary: set[str] = set()
            for entries in {**content.entries, **changed}.values():
                for entry in entries.values():
                    for phrase in entry.phrasings:
                        vocabulary.update(self.normaliser.phrasing(phrase)[0])
            self.normaliser.set_vocabulary(vocabulary)
            for brand, entries in changed.items():
                self.out_of_scope[brand] = tuple(e.id for e in entries.values() if e.kind == "oos")
                self.handoff[brand] = tuple(e.id for e in entries.values() if e.kind == "handoff")
                self.hours[brand] = tuple(e.id for e in entries.values() if e.kind == "hours")
                content.entries[brand] = dict(entries)
                self.matchers.pop(brand, None)
                self.generation[brand] = self.generation.get(brand, 0) + 1

    def _build(self, brand: str) -> Matcher:
        """A brand's matcher over its entries and the troubleshooting trees that fit its products."""
        content = self.content
        # a troubleshooting walk is offered when it clearly fits; a near tie goes to the FAQ answer
        weights = {f"{TREE}{t}": TREE_WEIGHT for t in content.trees}
        return Matcher(
            self.normaliser,
            [
                *((e.id, p) for e in content.entries[brand].values() for p in e.phrasings),
                *((f"{TREE}{t.id}", p) for t in content.trees.values() if t.for_brand(brand) for p in t.phrasings),
            ],
            weights=weights,
            own_names=_names(content.packs[brand]) if brand in content.packs else (),
        )

    def decide(
        self,
        brand: str,
        text: str,
        *,
        detection: bool = False,
        asks_open: bool = False,
        focus: str | None = None,
        exclude: Sequence[str] = (),
    ) -> Decision:
        """The matcher's decision for a brand.

        ``detection``: a camera's person detection, not a person; ``asks_open``: the question asks whether
        anyone is there, which the brand's hours entry answers whatever the words score; ``exclude``: entries
        that may not answer (exclusions about a cause the customer ruled out).
        """
        exclude = (*exclude, *self.handoff[brand]) if detection else tuple(exclude)
        decision = self.matchers[brand].decide(text, exclude=exclude, set_aside=self.out_of_scope[brand], focus=focus)
        if asks_open and self.hours.get(brand):
            return Decision("answer", (Candidate(self.hours[brand][0], 1.0),), decision.tokens)
        return decision


class _Matchers(dict[str, Matcher]):
    """Matchers by brand, each made on first use (a desk command makes none, one question one).

    Made under the index's lock, so an update never leaves one made from the entries it replaced.
    """

    def __init__(self, build: Callable[[str], Matcher], lock: threading.RLock) -> None:
        super().__init__()
        self._build = build
        self._lock = lock

    def __missing__(self, brand: str) -> Matcher:
        with self._lock:
            if brand not in self:
                self[brand] = self._build(brand)
            return self[brand]


def _names(pack: BrandPack) -> tuple[str, ...]:
    """What customers call the brand: its id, its name, and the name written as one word ("POE Sec", "poesec")."""
    return (pack.id, pack.name, pack.name.replace(" ", ""), *pack.brand.aliases)
