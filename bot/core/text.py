"""Text helpers every layer uses: folding case and accents, Chinese script, commands."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def fold(text: str) -> str:
    """Lower-case, NFKC, and strip accents from Latin letters (keeps CJK untouched)."""
    if text.isascii():  # nothing to normalise or strip: the common case, made cheap
        return text.lower().replace("'", "")
    text = unicodedata.normalize("NFKC", text).lower().replace("đ", "d").replace("'", "").replace("’", "")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def fold_aligned(text: str) -> str:
    """:func:`fold`, one character for one, so that positions in the result are positions in ``text``."""
    if text.isascii():
        return text.lower().replace("'", " ")
    return "".join(_fold_char(c) for c in text)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return (fold(char) or " ")[0]


def is_cjk(token: str) -> bool:
    """Whether a token is Chinese (a character bigram or a single character)."""
    return bool(CJK.match(token))


def command_of(text: str) -> str | None:
    """The command a message starts with ("/Start@SupportBot now" → "start"), or None when it has none."""
    words = text.split()
    if not text.startswith("/") or not words:
        return None
    return words[0][1:].split("@")[0].lower()
