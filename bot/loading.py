"""Everything the bot reads from a content root (``policies/`` and ``faq/``), loaded and validated once.

Loading checks the shape of every file (a malformed pack or FAQ file stops start-up with one line naming
the file and the key); it does not render the wording. Rendering every answer, verdict and message for
every brand, and running sample conversations through the flows, is :mod:`bot.selfcheck`
(``supportbot check``, and the tests).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.knowledge.canned import Canned
from bot.knowledge.faq import Content
from bot.knowledge.hours import uncovered_years
from bot.knowledge.packs import BrandPack, load_packs
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
    def load(cls, root: Path) -> Knowledge:
        """Load and check the shape of every content file under ``root``."""
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
        """Say at start-up when the calendar has no holiday data for this year."""
        missing = uncovered_years(self.packs.values(), today)
        if missing:
            log.warning(
                "no holiday data for %s in policies/_calendar.toml: public holidays and make-up working "
                "days of that year are not known (add them from the State Council's notice)",
                ", ".join(missing),
            )
