"""Consultants' canned replies: shared (``faq/_common/canned.toml``) and per brand (``faq/<brand>/canned.toml``).

A reply has a title for consultants and wording per language; it is rendered like any template, with
the brand's values, the consultant's name and the customer's latest RMA.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import FaqError
from bot.knowledge.faq import read_toml
from bot.knowledge.langtext import lang_table


@dataclass(frozen=True)
class CannedReply:
    """One canned reply: its title for consultants, its wording by language, and where it was read."""

    name: str
    title: str
    texts: Mapping[str, str]
    file: Path


class Canned:
    """Canned replies, shared (``faq/_common/canned.toml``) and per brand (``faq/<brand>/canned.toml``)."""

    def __init__(self, faq_dir: Path, brands: Sequence[str]) -> None:
        shared = self._load(faq_dir / "_common" / "canned.toml", required=True)
        self.replies = {
            brand: {**shared, **self._load(faq_dir / brand / "canned.toml", required=False)} for brand in brands
        }

    @staticmethod
    def _load(path: Path, *, required: bool) -> dict[str, CannedReply]:
        if not path.is_file():
            if required:
                raise FaqError(path, "(file)", "not found")
            return {}
        out = {}
        for name, table in read_toml(path).items():
            if not re.fullmatch(r"[a-z][a-z0-9_-]{0,40}", name) or not isinstance(table, dict):
                raise FaqError(path, name, "expected [name] tables with lower-case names")
            title = table.get("title")
            if not isinstance(title, str) or not title.strip():
                raise FaqError(path, f"{name}.title", "missing")
            texts = lang_table(path, name, {k: v for k, v in table.items() if k != "title"})
            out[name] = CannedReply(name, title.strip(), texts, path)
        return out

    def names(self, brand: str) -> list[tuple[str, str]]:
        """(name, title) of a brand's canned replies, by name."""
        return sorted((r.name, r.title) for r in self.replies[brand].values())

    def get(self, brand: str, name: str) -> CannedReply | None:
        """One canned reply of a brand, or None."""
        return self.replies[brand].get(name.lower())
