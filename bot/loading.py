"""Everything the bot reads from a content root (``policies/`` and ``faq/``), loaded and validated once.

Loading checks the shape of every file (a malformed pack or FAQ file stops start-up with one line naming
the file and the key); it does not render the wording. Rendering every answer, verdict and message for
every brand, and running sample conversations through the flows, is :mod:`bot.selfcheck`
(``supportbot check``, and the tests).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import logging
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.knowledge.canned import Canned
from bot.knowledge.faq import Content
from bot.knowledge.hours import NEXT_YEAR_FROM_MONTH, uncovered_years
from bot.knowledge.packs import BrandPack, load_packs
from bot.knowledge.templating import cache_folder
from bot.knowledge.workflow import HandoffSettings, Workflow
from bot.policy.advice import Advisor
from bot.understand.answers import AnswerReader
from bot.understand.intents import Intents
from bot.understand.normalise import Lexicon
from bot.understand.situation import SituationReader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Knowledge:
    """The content of one installation: packs, FAQ and wording, and the rules that read messages."""

    root: Path
    packs: dict[str, BrandPack]
    content: Content
    lexicon: Lexicon
    situations: SituationReader
    intents: Intents
    answers: AnswerReader
    advisor: Advisor
    workflow: Workflow
    handoff: HandoffSettings
    canned: Canned

    @classmethod
    def load(cls, root: Path, *, snapshot: bool = True) -> Knowledge:
        """Load and check the shape of every content file under ``root``.

        The loaded content is kept as a snapshot named by a hash of ``faq/`` and ``policies/`` (and of the
        code that reads them) in the cache folder (``SUPPORTBOT_CACHE``), so a later process with the same
        content starts without reading and checking it again; any other content is loaded afresh.
        """
        folder = cache_folder() if snapshot else None
        if folder is None:
            return cls._load(root)
        path = folder / f"knowledge-{fingerprint(root)}.pickle"
        try:
            with path.open("rb") as handle, _collector_paused():  # thousands of objects, none of them garbage
                kept = pickle.load(handle)
            if isinstance(kept, Knowledge) and kept.root == root:
                return kept
        except Exception as exc:  # a missing, spoilt or outdated snapshot: load the files
            log.debug("no usable snapshot of the content in %s: %s", path, exc)
        knowledge = cls._load(root)
        knowledge.prepare()
        keep_snapshot(knowledge, path)
        return knowledge

    def prepare(self) -> None:
        """Work every engine starts with, done once for the snapshot.

        Every FAQ phrasing read into matching tokens; every exclusion entry read for what it tells happened
        (the causes an answer compares with the customer's).
        """
        from bot.understand.normalise import Normaliser

        normaliser = Normaliser(self.lexicon)
        for entries in self.content.entries.values():
            for entry in entries.values():
                for phrase in entry.phrasings:
                    normaliser.phrasing(phrase)
                if (text := entry.what_happened()) is not None:
                    self.situations.described(text)
        for tree in self.content.trees.values():
            for phrase in tree.phrasings:
                normaliser.phrasing(phrase)

    @classmethod
    def _load(cls, root: Path) -> Knowledge:
        packs = load_packs(root / "policies")
        matching = root / "faq" / "_common" / "matching"
        workflow = Workflow.load(root / "policies" / "_rma.toml")
        return cls(
            root=root,
            packs=packs,
            content=Content(root / "faq", packs),
            lexicon=Lexicon.load(matching / "lexicon.toml"),
            situations=SituationReader(matching / "situations.toml"),
            intents=Intents.load(matching),
            answers=AnswerReader.load(matching / "rma.toml"),
            advisor=Advisor(matching / "situations.toml", damage=workflow.damage_tags()),
            workflow=workflow,
            handoff=HandoffSettings.load(root / "policies" / "_handoff.toml"),
            canned=Canned(root / "faq", list(packs)),
        )

    def warn_missing_holidays(self, today: date) -> None:
        """Say at start-up when the calendar has no holiday data for this year or, from November, the next."""
        missing = uncovered_years(self.packs.values(), today, ahead=today.month >= NEXT_YEAR_FROM_MONTH)
        if missing:
            log.warning(
                "no holiday data for %s in policies/_calendar.toml: public holidays and make-up working "
                "days of that year are not known, and hours answers for it say they may differ (add them "
                "from the State Council's notice)",
                ", ".join(missing),
            )


SNAPSHOT = 1  # the snapshot's format: raise it when what a snapshot holds changes shape


def fingerprint(root: Path) -> str:
    """A hash of the content under ``root`` and of the code that reads it (by size and time)."""
    digest = hashlib.sha256(f"{SNAPSHOT} {sys.version} {root.resolve()}".encode())
    code = Path(__file__).resolve().parent
    for path in sorted(code.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(code)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    for folder in ("policies", "faq"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(f"{path.relative_to(root)}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:40]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class LazyPattern:
    """A regular expression from a snapshot, compiled when first used (most messages need few of them)."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(self.pattern, self.flags)
        for attribute in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"):
            setattr(self, attribute, getattr(compiled, attribute))  # found directly from now on
        return getattr(compiled, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return LazyPattern, (self.pattern, self.flags)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, re.Pattern):
            return LazyPattern, (obj.pattern, obj.flags)
        return NotImplemented


def keep_snapshot(knowledge: Knowledge, path: Path) -> None:
    """Write a snapshot of ``knowledge`` (whole or not at all) and remove the folder's older ones."""
    buffer = io.BytesIO()
    temporary: str | None = None
    try:
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(knowledge)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-")
        with os.fdopen(handle, "wb") as out:
            out.write(buffer.getvalue())
        os.replace(temporary, path)
        temporary = None
        for old in path.parent.glob("knowledge-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:  # a full or read-only disk
        log.debug("could not keep a snapshot of the content in %s: %s", path, exc)
    finally:
        if temporary is not None:  # a write that failed half way leaves nothing behind
            with contextlib.suppress(OSError):
                os.unlink(temporary)
