"""Text normalisation for matching: one pipeline for customer questions and FAQ phrasings alike.

raw text ─► lower-case, NFKC, accents folded (Latin script) ─► slang expanded
─► typo correction against the known vocabulary (rapidfuzz)
─► synonyms to canonical tokens (longest variant first) ─► light stemming ─► stop words dropped
Chinese runs are split into canonical tokens (from the lexicon) and character bigrams.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.core.errors import FaqError
from bot.core.text import CJK as _CJK
from bot.core.text import fold
from bot.understand.literals import Gate, needs

_WORD = re.compile(r"[a-z0-9$#/]+(?:['.][a-z0-9]+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_VI_MARKS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


_HYPHENATED = re.compile(r"(?<![a-z0-9-])[a-z0-9]+(?:-[a-z0-9]+)+(?![a-z0-9-])")
_MIXED = re.compile(r"[a-z]\d|\d[a-z]")  # letters and digits in one piece: a code (d6108), not "7-day"
_RUN = re.compile(r"[a-z0-9]+")  # what a synonym's edges are checked against (no letter or digit beside it)

DAYS = "zzn"  # a number of days ("zzn7"): counted only where a phrasing of the brand names the same number
NUMBER = "<number>"  # the token a bare number becomes: it matches nothing, and weighs little

_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))
_DOUBLED = frozenset("bdgmnprt")  # a consonant doubled before -ing/-ed (not "ll", "ss": "fill", "pass")


def detect_language(text: str, vietnamese_words: frozenset[str] = frozenset()) -> str:
    """``zh`` for Chinese script, ``vi`` for Vietnamese (marks, or enough words written without), else ``en``."""
    if _CJK.search(text):
        return "zh"
    if _VI_MARKS.search(text):
        return "vi"
    words = re.findall(r"[a-z]+", text.lower())
    hits = {w for w in words if w in vietnamese_words}
    if len(hits) >= 2 and sum(w in vietnamese_words for w in words) / len(words) > 0.3:
        return "vi"
    return "en"


def stem(word: str) -> str:
    """A light English stemmer: enough to make plurals and tenses meet ("decline", "declined", "declining")."""
    if len(word) <= 4 or not word.isalpha() or not word.isascii():
        return word
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is", "as", "os")):
                return word
            word = word[: -len(suffix)] + repl
            if suffix in ("ing", "ed") and len(word) >= 4 and word[-1] == word[-2] and word[-1] in _DOUBLED:
                word = word[:-1]  # "fitting", "dropped", "shipped": fit, drop, ship
            break
    if len(word) >= 5 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


class Lexicon:
    """Slang, synonyms and stop words from ``faq/_common/lexicon.toml``."""

    def __init__(
        self,
        slang: Mapping[str, str],
        synonyms: Mapping[str, Iterable[str]],
        stopwords: Iterable[str] = (),
        vietnamese_words: Iterable[str] = (),
        social: Iterable[str] = (),
        out_of_scope_markers: Iterable[str] = (),
        in_scope_with: Iterable[str] = (),
        classes: Mapping[str, str] | None = None,
        keep: Iterable[str] = (),
        days: tuple[str, Mapping[str, int]] | None = None,
    ) -> None:
        # numbers and days become the token of their kind before matching ("$50" → zzmoney)
        self.classes = tuple((re.compile(p), f" {token} ") for token, p in (classes or {}).items())
        self.class_gate = Gate({token: [p] for token, p in (classes or {}).items()})  # which may match a text
        # a number of days told ("within 7 days", "七天") also gives the token of that number (see `days`)
        self.days = (re.compile(days[0]), {fold(k): int(v) for k, v in days[1].items()}) if days else None
        # the strings one of which every number of days contains ("day", "天"…): most messages have none
        self.days_needs = (needs(days[0]) or frozenset({""})) if days else frozenset()
        self.keep = frozenset(keep)
        self.stopwords = frozenset(fold(w) for w in stopwords)
        self.social = frozenset(social)
        self.out_of_scope_markers = frozenset(out_of_scope_markers)
        self.in_scope_with = frozenset(in_scope_with)
        self.vietnamese_words = frozenset(fold(w) for w in vietnamese_words)
        self.slang = {fold(k): fold(v) for k, v in slang.items()}
        self.canonical: dict[str, str] = {}
        for canon, variants in synonyms.items():
            for variant in [canon, *variants]:
                variant = fold(variant).strip()
                self.canonical.setdefault(variant, canon)
                if variant.isascii() and variant[-1].isalpha() and not variant.endswith("s"):
                    self.canonical.setdefault(variant + "s", canon)  # plural of the last word
        latin = sorted((v for v in self.canonical if not _CJK.search(v)), key=len, reverse=True)
        cjk = sorted((v for v in self.canonical if _CJK.search(v)), key=len, reverse=True)
        # Latin variants by their first run of [a-z0-9] ("s/n" under "s"), longest first: a variant can only
        # start where such a run starts, and only where the text's run there is exactly its own first run
        self._latin: dict[str, tuple[str, ...]] = {}
        for variant in latin:
            first = _RUN.match(variant)
            if first is None:
                raise ValueError(f"a synonym must start with a letter or a digit: {variant!r}")
            self._latin[first.group()] = (*self._latin.get(first.group(), ()), variant)
        self._cjk = re.compile("|".join(map(re.escape, cjk))) if cjk else None
        self.canon_tokens = frozenset(self.canonical.values())
        words = {w for v in latin for w in v.split()}
        self.surface_words = frozenset(words)
        # FAQ phrasings read once (by any normaliser of this lexicon): (surface words, tokens without correction)
        self.phrasings: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read the lexicon file."""
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise FaqError(path, "(syntax)", str(exc)) from None
        for key in ("slang", "synonyms", "stopwords", "language"):
            if not isinstance(data.get(key), dict):
                raise FaqError(path, key, "missing table")
        for key, table, name in (
            ("stopwords.words", "stopwords", "words"),
            ("language.vietnamese_words", "language", "vietnamese_words"),
        ):
            words = data[table].get(name)
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise FaqError(path, key, "expected a list of words")
        for canon, variants in data["synonyms"].items():
            if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
                raise FaqError(path, f"synonyms.{canon}", "expected a list of non-empty strings")
        groups: dict[str, list[str]] = {}
        for key in ("social", "out_of_scope_markers", "in_scope_with"):
            groups[key] = data["stopwords"].get(key, [])
            unknown = [t for t in groups[key] if t not in data["synonyms"]]
            if unknown:
                raise FaqError(path, f"stopwords.{key}", f"{unknown[0]!r} is not a synonym group")
        classes = data.get("classes", {})
        if not all(isinstance(p, str) for p in classes.values()):
            raise FaqError(path, "classes", "expected a pattern per token")
        try:
            return cls(
                data["slang"],
                data["synonyms"],
                data["stopwords"]["words"],
                data["language"]["vietnamese_words"],
                **groups,
                classes=classes,
                keep=data["stopwords"].get("keep", []),
                days=(data["days"]["pattern"], data["days"]["numbers"]) if "days" in data else None,
            )
        except re.error as exc:
            raise FaqError(path, "classes or days", f"not a regular expression: {exc}") from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise FaqError(path, "days", f"expected a pattern and a table of numbers: {exc}") from None
        except ValueError as exc:
            raise FaqError(path, "synonyms", str(exc)) from None

    def out_of_scope(self, tokens: Iterable[str]) -> bool:
        """Whether tokens ask something pre-sales (a product price, an order, a job) and nothing after-sales."""
        present = set(tokens)
        return bool(present & self.out_of_scope_markers) and not present & self.in_scope_with

    def detect_language(self, text: str) -> str:
        """The language of a message: ``zh``, ``vi`` or ``en``."""
        return detect_language(text, self.vietnamese_words)


class Normaliser:
    """Turns text into matching tokens; knows the vocabulary so it can correct typos."""

    def __init__(self, lexicon: Lexicon, vocabulary: Iterable[str] = ()) -> None:
        self.lexicon = lexicon
        self.vocabulary: frozenset[str] = frozenset()
        self._by_stem: dict[str, str] = {}  # a known word for each stem: another form of a known word is no typo
        self._choices: list[str] = []
        self.set_vocabulary(vocabulary)

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """The surface words typos are corrected towards (phrasings' words and lexicon variants)."""
        vocab = {w for w in words if len(w) >= 3 and w.isascii() and w.isalpha()}
        vocab |= self.lexicon.surface_words
        self.vocabulary = frozenset(vocab)
        lexicon_words = self.lexicon.surface_words
        self._by_stem = {}
        # for each stem, a word the lexicon knows (so its synonyms apply: "failing" → "failed" → faulty), else any
        for word in sorted(vocab, key=lambda w: (w not in lexicon_words, len(w), w)):
            self._by_stem.setdefault(stem(word), word)
        self._choices = sorted(w for w in vocab if len(w) >= 4)
        self._correct.cache_clear()
        self._tokens.cache_clear()

    def surface_words(self, text: str) -> list[str]:
        """Folded words of a text, slang expanded (no typo correction)."""
        words: list[str] = []
        folded = fold(text)
        if "-" in folded:  # a model code written with hyphens (kp-d6108) is one code, not a word and a code
            folded = _HYPHENATED.sub(_code, folded)
        gate = self.lexicon.class_gate
        possible = set(gate.possible(folded))
        for (pattern, replacement), token in zip(self.lexicon.classes, gate.names, strict=True):
            if token in possible:
                folded, n = pattern.subn(replacement, folded)
                if n:  # what the replacement left may hold another class's words
                    possible = set(gate.possible(folded))
        if self.lexicon.days is not None and any(s in folded for s in self.lexicon.days_needs):
            folded = self.lexicon.days[0].sub(self._days, folded)
        for word in _WORD.findall(folded):
            words.extend(self.lexicon.slang.get(word, word).split())
        return words

    def _days(self, m: re.Match[str]) -> str:
        """A number of days, followed by its token (``zzn7``) when the number is known."""
        assert self.lexicon.days is not None
        said = next(g for g in m.groups() if g)
        n = int(said) if said.isdigit() else self.lexicon.days[1].get(said)
        return f"{m[0]} {DAYS}{n} " if n is not None else m[0]

    def phrasing(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A FAQ phrasing's surface words and its matching tokens without typo correction.

        Kept in the lexicon, which a snapshot of the loaded content holds: a later process finds them read.
        """
        found = self.lexicon.phrasings.get(text)
        if found is None:
            found = self.lexicon.phrasings[text] = (tuple(self.surface_words(text)), self._tokens(text, False))
        return found

    @lru_cache(maxsize=65536)  # noqa: B019 - one normaliser lives as long as the process
    def _correct(self, word: str) -> str:
        if (
            len(word) < 5
            or word in self.vocabulary
            or word in self.lexicon.stopwords
            or word in self.lexicon.keep
            or not word.isalpha()
            or not word.isascii()
        ):
            return word
        known = self._by_stem.get(stem(word))
        if known is not None:  # "checking" where phrasings say "check": not "chewing"
            return known
        found = process.extractOne(word, self._choices, scorer=fuzz.ratio, score_cutoff=80)
        if found is None or abs(len(found[0]) - len(word)) > 1 or found[0][0] != word[0]:
            return word  # a typo changes a letter or two, not the word's length or its first letter
        if len(found[0]) != len(word) and min(len(word), len(found[0])) < 6:
            return word  # a letter more or less turns short words into other words (movie, move)
        return found[0]

    def tokens(self, text: str, *, correct: bool = True) -> list[str]:
        """Matching tokens of a text, in order, duplicates kept."""
        return list(self._tokens(text, correct))

    @lru_cache(maxsize=4096)  # noqa: B019 - a message is tokenised by several readers in one turn
    def _tokens(self, text: str, correct: bool) -> tuple[str, ...]:
        words = self.surface_words(text)
        if correct:
            words = [self._correct(w) for w in words]
        joined = " ".join(words)
        out: list[str] = []
        pos = 0
        variants, canonical = self.lexicon._latin, self.lexicon.canonical
        for run in _RUN.finditer(joined):
            start = run.start()
            if start < pos:
                continue
            for variant in variants.get(run.group(), ()):
                end = start + len(variant)
                if joined.startswith(variant, start) and (end == len(joined) or not _RUN.match(joined, end)):
                    out.extend(self._plain(joined[pos:start]))
                    if canonical[variant] not in self.lexicon.stopwords or canonical[variant] in self.lexicon.social:
                        # ("san pham" is "product", a stop word; "thank you" is "thanks", which greets)
                        out.append(canonical[variant])
                    pos = end
                    break
        out.extend(self._plain(joined[pos:]))
        return tuple(out)

    def _plain(self, chunk: str) -> list[str]:
        out: list[str] = []
        for word in chunk.split():
            if _CJK.search(word):
                out.extend(self._cjk_tokens(word))
            elif word in self.lexicon.keep:
                out.append(word)
            elif any(c.isdigit() for c in word):
                if word.isalnum() and any(c.isalpha() for c in word) and len(word) >= 3:
                    out.append(word)  # a model code such as 960h or omni960
                else:
                    out.append(NUMBER)  # a bare number: its meaning is in the words around it
            elif word not in self.lexicon.stopwords and len(word) > 1:
                stemmed = stem(word)
                if stemmed not in self.lexicon.stopwords:
                    out.append(stemmed)
        return out

    def _cjk_tokens(self, run: str) -> list[str]:
        out: list[str] = []
        rest: list[str] = []
        pattern = self.lexicon._cjk
        pieces: list[tuple[str, str]] = []  # (a piece between the lexicon's words, the character after it)
        pos = 0
        if pattern is not None:
            for match in pattern.finditer(run):
                pieces.append((run[pos : match.start()], run[match.start()]))
                canonical = self.lexicon.canonical[match.group(0)]
                if canonical not in self.lexicon.stopwords or canonical in self.lexicon.social:  # ("听说": hearsay)
                    out.append(canonical)
                pos = match.end()
        pieces.append((run[pos:], ""))
        for piece, unit in pieces:
            chars = [c for c in piece if _CJK.match(c) and c not in _CJK_STOP]
            if len(chars) == 1:  # (a numeral before years or months, "一" of "一年", is a number, as 1 is)
                rest.append(NUMBER if chars[0] in _CJK_NUMERALS and unit in ("年", "月", "个") else chars[0])
            rest.extend(a + b for a, b in pairwise(chars))
        return out + rest


def _code(m: re.Match[str]) -> str:
    """A hyphenated code joined ("kp-d6108" → "kpd6108"); a word of three letters or more stays a word ("960h dvr")."""
    if not _MIXED.search(m[0]):
        return m[0]
    out = "".join(f" {p} " if p.isalpha() and len(p) > 2 else p for p in m[0].split("-"))
    return " ".join(out.split())


def is_code(token: str) -> bool:
    """Whether a token is a code such as a model's (960h, kpd6108): letters and digits, never a number of days."""
    return bool(_MIXED.search(token)) and token.isascii() and not token.startswith(DAYS)


_CJK_STOP = frozenset("的了吗呢吧啊么是我你您他她它们这那在有和就都也还要会能可以请问个没今")
_CJK_NUMERALS = frozenset("一二两三四五六七八九十百半")
