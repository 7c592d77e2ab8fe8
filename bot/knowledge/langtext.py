"""Wording given per language (``{en = …, zh = …, vi = …}`` tables), checked the same way everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.core.errors import FaqError

LANGUAGES = ("en", "zh", "vi")


def lang_table(path: Path, key: str, value: Any, *, required_en: bool = True) -> dict[str, str]:
    """A table of non-empty texts by language; English is required unless said otherwise."""
    if not isinstance(value, dict):
        raise FaqError(path, key, f"expected a table of languages (en, zh, vi), got {type(value).__name__}")
    out: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise FaqError(path, f"{key}.{lang}", f"unknown language (allowed: {', '.join(LANGUAGES)})")
        if not isinstance(text, str) or not text.strip():
            raise FaqError(path, f"{key}.{lang}", "expected non-empty text")
        out[lang] = text.strip()
    if required_en and "en" not in out:
        raise FaqError(path, f"{key}.en", "missing (English wording is required)")
    return out
