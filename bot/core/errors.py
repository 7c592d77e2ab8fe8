"""The project's error hierarchy.

    SupportbotError
    ├── ContentError          a brand pack, FAQ file or template is malformed (stops start-up)
    │   ├── PackError         policies/<brand>.toml
    │   └── FaqError          faq/<brand>/*.toml and the shared content in faq/_common/
    ├── ConfigError           a setting (environment or command line) is missing or invalid
    └── InputError            one incoming message cannot be handled (bad batch line, unknown button…)

Every ContentError renders as one line: ``<file>: <key>: <problem>``.
"""

from __future__ import annotations

from pathlib import Path


class SupportbotError(Exception):
    """Base class of every error raised on purpose by supportbot."""


class ContentError(SupportbotError):
    """A content file is malformed; the message names file, key and problem in one line."""

    def __init__(self, file: Path | str, key: str, problem: str) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        super().__init__(f"{self.file}: {key}: {problem}")


class PackError(ContentError):
    """A brand pack in ``policies/`` is malformed."""


class FaqError(ContentError):
    """An FAQ file or shared template in ``faq/`` is malformed."""


class ConfigError(SupportbotError):
    """A setting is missing or invalid."""


class InputError(SupportbotError):
    """One incoming message cannot be handled; the conversation goes on."""
