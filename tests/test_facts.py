"""Every statement of each brand's document, asked as a customer would, answered with the document's facts.

`policies/facts/<brand>.toml` lists, for each line of `policies/sources/<brand>.txt`, the facts a customer
could ask about: the line, an exact quote of it, an everyday question, what the reply must say and must not
say. It also lists questions the document does not answer: those must get "I don't have information" and a
consultant, never a policy. A line with nothing to ask (a heading, page chrome) is listed with why.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

import pytest

from bot.engine import Engine, Message, fixed_clock
from bot.store import Store

from .conftest import MONDAY_10, ROOT

FACTS = ROOT / "policies" / "facts"
BRANDS = ("kimpok", "longgang", "jingpin", "poesec", "ktnc")
NON_ANSWER = re.compile(
    r"don.t have information|not sure which of these|please pick one|我不确定您指的是|không chắc bạn muốn hỏi|"
    r"chưa rõ bạn muốn hỏi|tôi không có thông tin|我没有这方面的信息",
    re.I,
)
CONSULTANT = re.compile(r"consultant|call|email|顾问|客服|电话|tư vấn|gọi", re.I)


@dataclass(frozen=True)
class Fact:
    brand: str
    id: str
    line: int
    quote: str
    ask: str
    expect: tuple[str, ...]
    forbid: tuple[str, ...]


def _load(brand: str) -> dict:  # type: ignore[type-arg]
    path = FACTS / f"{brand}.toml"
    if not path.exists():
        return {}  # the coverage test names every line it leaves out
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _source(brand: str) -> list[str]:
    return (ROOT / "policies" / "sources" / f"{brand}.txt").read_text(encoding="utf-8").splitlines()


def _facts() -> list[Fact]:
    out = []
    for brand in BRANDS:
        for raw in _load(brand).get("fact", []):
            out.append(
                Fact(
                    brand,
                    raw["id"],
                    raw["line"],
                    raw["quote"],
                    raw["ask"],
                    tuple(raw.get("expect", ())),
                    tuple(raw.get("forbid", ())),
                )
            )
    return out


def _unstated() -> list[tuple[str, str]]:
    return [(brand, ask) for brand in BRANDS for ask in _load(brand).get("unstated", {}).get("ask", [])]


ALL = _facts()


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_root(ROOT, store=Store(":memory:"), clock=fixed_clock(MONDAY_10))


def _ask(engine: Engine, brand: str, text: str, user: str) -> str:
    replies = engine.handle(Message(user=user, text=text, brand=brand, now=MONDAY_10))
    return "\n".join(r.text for r in replies)


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


@pytest.mark.parametrize("brand", BRANDS)
def test_every_line_of_the_document_is_a_fact_or_says_why_not(brand: str) -> None:
    lines = _source(brand)
    data = _load(brand)
    cited = {f.line for f in ALL if f.brand == brand}
    skipped = {int(k): v for k, v in data.get("skip_lines", {}).items()}
    assert all(isinstance(why, str) and why.strip() for why in skipped.values())
    missing = [n for n, text in enumerate(lines, 1) if text.strip() and n not in cited and n not in skipped]
    assert not missing, f"{brand}: lines with no fact and no reason: {[(n, lines[n - 1][:60]) for n in missing]}"
    for f in (f for f in ALL if f.brand == brand):
        assert 1 <= f.line <= len(lines), f"{f.id}: no line {f.line}"
        assert _squash(f.quote) in _squash(lines[f.line - 1]), f"{f.id}: {f.quote!r} is not on line {f.line}"
    ids = [f.id for f in ALL if f.brand == brand]
    assert len(ids) == len(set(ids)), "fact ids repeat"


@pytest.mark.parametrize("fact", ALL, ids=[f"{f.brand}-{f.id}" for f in ALL])
def test_a_fact_asked_as_a_customer_would_is_answered_from_the_document(engine: Engine, fact: Fact) -> None:
    reply = _ask(engine, fact.brand, fact.ask, f"fact-{fact.brand}-{fact.id}")
    assert not NON_ANSWER.search(reply), f"{fact.ask!r} got no answer:\n{reply}"
    for pattern in fact.expect:
        assert re.search(pattern, reply, re.I), f"{fact.ask!r} should say /{pattern}/:\n{reply}"
    for pattern in fact.forbid:
        assert not re.search(pattern, reply, re.I), f"{fact.ask!r} must not say /{pattern}/:\n{reply}"


UNSTATED = _unstated()


@pytest.mark.parametrize(("brand", "ask"), UNSTATED, ids=[f"{b}-{a[:40]}" for b, a in UNSTATED])
def test_what_the_document_does_not_say_gets_a_consultant_not_a_guess(engine: Engine, brand: str, ask: str) -> None:
    reply = _ask(engine, brand, ask, f"unstated-{brand}-{abs(hash(ask))}")
    assert NON_ANSWER.search(reply) and CONSULTANT.search(reply), f"{brand}: {ask!r} should not be answered:\n{reply}"


def test_each_brand_has_facts_and_unstated_questions() -> None:
    for brand in BRANDS:
        assert sum(f.brand == brand for f in ALL) >= 10, brand
        assert sum(b == brand for b, _ in UNSTATED) >= 3, brand
