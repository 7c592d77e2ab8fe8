"""Wording as a customer reads it, checked mechanically over everything the bot can say about a policy.

Every FAQ answer and every verdict the policy gives for sample situations is rendered for every brand in
every language, and each text is checked for what reads wrong whatever the language: a sentence said twice,
"1 days", a fraction of a year ("0.1 years"), an empty slot left by a template, and an answer that starts
with "But" once its opening Yes or No is dropped for a what-question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.knowledge.faq import base_context
from bot.knowledge.langtext import LANGUAGES
from bot.loading import Knowledge
from bot.policy.advice import sample_situations

from .conftest import MONDAY_10, ROOT

KNOWLEDGE = Knowledge.load(ROOT)


def _rendered() -> Iterator[tuple[str, str, str, str]]:
    """(brand, where, language, text) for every answer and verdict."""
    content, advisor = KNOWLEDGE.content, KNOWLEDGE.advisor
    today = MONDAY_10.date()
    for brand, pack in KNOWLEDGE.packs.items():
        context = base_context(pack, MONDAY_10)
        for entry in content.entries[brand].values():
            for lang in entry.answers:
                yield brand, f"entry {entry.id}", lang, content.render_entry(brand, entry, lang, context)
        for situation in sample_situations(pack, today):
            advice = advisor.advise(pack, situation, [], None, today)
            for name, extra in advice.parts:
                for lang in LANGUAGES:
                    if lang in pack.languages:
                        text = content.render_message(brand, name, lang, {**context, **extra})
                        yield brand, f"verdict {name}", lang, text


RENDERED = list(_rendered())
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n")


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if len(s.strip()) > 25]


def test_there_is_plenty_to_check() -> None:
    assert len(RENDERED) > 1000
    assert {lang for _, _, lang, _ in RENDERED} == {"en", "zh", "vi"}


def _problems(check: object) -> list[str]:
    found = []
    for brand, where, lang, text in RENDERED:
        problem = check(text)  # type: ignore[operator]
        if problem:
            found.append(f"{brand} {where} [{lang}]: {problem}")
    return sorted(set(found))


def test_no_reply_says_the_same_sentence_twice() -> None:
    def repeated(text: str) -> str | None:
        seen: set[str] = set()
        for sentence in _sentences(text):
            if sentence in seen:
                return sentence
            seen.add(sentence)
        return None

    assert not _problems(repeated)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("one with a plural", r"(?<![\d.,])1 (?:days|weeks|months|years|working days|business days)\b"),
        ("a fraction of a year", r"\b0\.\d+ (?:years?|months?)\b|\b0\.\d+ ?(?:年|个月)|\b0[.,]\d+ (?:năm|tháng)\b"),
        ("an empty slot", r"\(\s*\)|\s,\s*,|\s[.,]\s*[.,]\s|:\s*\.|\bNone\b|\bTrue\b|\bFalse\b|\{\{|\}\}|\[\]"),
        ("two spaces or a space before a stop", r"\S {2,}\S| [.,;:!?](?:\s|$)"),
    ],
)
def test_no_reply_reads_wrong(name: str, pattern: str) -> None:
    compiled = re.compile(pattern)

    def check(text: str) -> str | None:
        m = compiled.search(text)
        return text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ") if m else None

    assert not _problems(check), name


def test_an_answer_without_its_opening_yes_or_no_still_reads_as_a_sentence() -> None:
    dangling = re.compile(r"^(?:but|and|so|or|however|though|although|但|但是|而且|所以|nhưng|và|tuy nhiên)\b", re.I)
    intents = KNOWLEDGE.intents

    def check(text: str) -> str | None:
        first = text.split("\n", 1)[0]
        for lang in ("en", "zh", "vi"):
            rest = intents.without_lead(first, lang)
            if rest != first and dangling.search(rest):
                return rest[:80]
        return None

    assert not _problems(check)
