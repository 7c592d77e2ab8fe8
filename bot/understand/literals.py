"""The literal text a regular expression needs, to skip patterns that cannot match a message.

The situation patterns (causes of damage, what the customer wants) are hundreds of alternatives in
three languages; running them all on every message was the largest cost of reading one. Each pattern,
though, can only match a text that contains one of a few strings ("drop", "fell", "摔"…). :func:`needs`
finds such a set from the pattern's parse tree (in the spirit of RE2's prefilter), and :class:`Gate`
tests those strings with plain substring search before any pattern runs. A pattern whose needs cannot be
told (it starts with a digit class, say) always runs, so the gate never changes what is found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from re import _constants as sre  # type: ignore[attr-defined]  # the parser's node kinds (3.11+)
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_PRODUCT_LIMIT = 32  # exact strings kept while concatenating ("adapt[eo]rs?" → 4 strings)
_ENOUGH = 6  # characters of a needed string worth testing: "droppe" says as much as "dropped it"
_GRAM = 3  # strings are looked up by their first three characters
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)

Strings = frozenset[str]
Member = tuple[str, int]  # a name of a table and the position of one of its patterns


def needs(pattern: str) -> Strings | None:
    """Strings one of which every match of ``pattern`` contains (lower case), or None when unknown."""
    try:
        tree = sre_parse.parse(pattern)
    except re.error:  # reported where the pattern is compiled
        return None
    exact, required = _sequence(list(tree))
    best = _pick(exact, required)
    if best is None or _score(best) == 0:
        return None
    short = {s[:_ENOUGH] for s in best}  # a part of a needed string is needed too
    return frozenset(s for s in short if not any(t != s and t in s for t in short))


def _score(strings: Strings | None) -> int:
    """How selective a set is: the length of its shortest string, up to enough (0: matches anywhere)."""
    return min((len(s) for s in strings), default=0) if strings else 0


def _pick(a: Strings | None, b: Strings | None) -> Strings | None:
    if _score(b) > _score(a) or (_score(b) == _score(a) and b is not None and a is not None and len(b) < len(a)):
        return b
    return a


def _sequence(nodes: Sequence[tuple[Any, Any]]) -> tuple[Strings | None, Strings | None]:
    """(the exact strings the sequence matches, if few; strings one of which any match contains)."""
    run: Strings | None = frozenset({""})
    whole = True  # the run covers the whole sequence so far
    best: Strings | None = None
    for node in nodes:
        exact, required = _node(node)
        if exact is not None and run is not None and len(run) * len(exact) <= _PRODUCT_LIMIT:
            run = frozenset(a + b for a in run for b in exact)
            continue
        best = _pick(_pick(best, run), exact if exact is not None else required)
        whole = False
        run = exact if exact is not None and len(exact) <= _PRODUCT_LIMIT else frozenset({""})
    best = _pick(best, run)
    return (run if whole else None), best


def _node(node: tuple[Any, Any]) -> tuple[Strings | None, Strings | None]:
    op, arg = node
    if op is sre.LITERAL:
        char = chr(arg).lower()
        return frozenset({char}), frozenset({char})
    if op in _ZERO_WIDTH:
        return frozenset({""}), None
    if op is sre.SUBPATTERN:
        return _sequence(list(arg[-1]))
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(arg))
    if op is sre.IN:
        chars = [chr(a).lower() for kind, a in arg if kind is sre.LITERAL]
        if len(chars) == len(arg) and len(chars) <= 8:
            return frozenset(chars), frozenset(chars)
        return None, None
    if op is sre.BRANCH:
        readings = [_sequence(list(branch)) for branch in arg[1]]
        exacts = [e for e, _ in readings]
        exact = None
        if all(e is not None for e in exacts):
            union = frozenset().union(*(e for e in exacts if e is not None))
            exact = union if len(union) <= _PRODUCT_LIMIT else None
        bests = [_pick(e, r) for e, r in readings]
        required = None if any(_score(b) == 0 for b in bests) else frozenset().union(*(b for b in bests if b))
        return exact, required
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, sub = arg
        exact, required = _sequence(list(sub))
        if low == 0:
            if high == 1 and exact is not None:
                return exact | {""}, None
            return None, None
        if low == high == 1:
            return exact, required
        return None, _pick(exact, required)
    return None, None  # any character, a class, a back-reference: nothing known


class Gate:
    """Which patterns of a table can match a text: those whose needed strings it contains.

    ``table`` maps a name to the patterns that recognise it; :meth:`members` gives, for each name worth
    running, the positions of its patterns that may match, and :meth:`possible` the names alone, both in
    the table's order. Needed strings are looked up by the text's three-character pieces, so the cost
    grows with the text, not with the number of strings.
    """

    def __init__(self, table: Mapping[str, Iterable[str]]) -> None:
        self._always: set[Member] = set()
        by_string: dict[str, set[Member]] = {}
        self._order: list[Member] = []
        for name, patterns in table.items():
            for k, pattern in enumerate(patterns):
                member = (name, k)
                self._order.append(member)
                found = needs(pattern)
                if found is None:
                    self._always.add(member)
                    continue
                for s in found:
                    by_string.setdefault(s, set()).add(member)
        self._short: dict[str, list[tuple[str, frozenset[Member]]]] = {}  # by their first character
        self._by_gram: dict[str, list[tuple[str, frozenset[Member]]]] = {}
        for s, members in by_string.items():
            if len(s) < _GRAM:
                self._short.setdefault(s[0], []).append((s, frozenset(members)))
            else:
                self._by_gram.setdefault(s[:_GRAM], []).append((s, frozenset(members)))
        self._grams = frozenset(self._by_gram)
        self._rank = {member: n for n, member in enumerate(self._order)}
        self.names = list(table)  # the table's names, in its order

    def members(self, text: str) -> dict[str, tuple[int, ...]]:
        """For each name that may match ``text`` (already lower case), the positions of its patterns that may."""
        found = set(self._always)
        for first in self._short.keys() & set(text):
            for s, owners in self._short[first]:
                if s in text:
                    found |= owners
        grams = {text[i : i + _GRAM] for i in range(len(text) - _GRAM + 1)}
        for gram in grams & self._grams:
            for s, owners in self._by_gram[gram]:
                if not owners <= found and s in text:
                    found |= owners
        out: dict[str, tuple[int, ...]] = {}
        for name, k in sorted(found, key=self._rank.__getitem__):
            out[name] = (*out.get(name, ()), k)
        return out

    def possible(self, text: str) -> list[str]:
        """The names whose patterns may match ``text`` (already lower case)."""
        return list(self.members(text))
