"""Every kind of bad input gets a clear, polite reply: no trace, no template, no other customer's data,
and the turn is recorded (nothing lost). The kinds are listed in tests/bad_input.py."""

from __future__ import annotations

import pytest

from bot.engine import Engine

from .bad_input import KINDS, Bad, file_other_request, handled_well


@pytest.fixture(scope="module")
def engine(shared_engine: Engine) -> Engine:
    from .conftest import fresh_engine

    engine = fresh_engine(shared_engine)
    file_other_request(engine)
    return engine


def test_there_are_many_kinds() -> None:
    assert len(KINDS) >= 60 and len({b.name for b in KINDS}) == len(KINDS)


@pytest.mark.parametrize("bad", KINDS, ids=[b.name for b in KINDS])
def test_bad_input_gets_a_polite_answer_and_nothing_is_lost_or_leaked(engine: Engine, bad: Bad) -> None:
    ok, why = handled_well(engine, bad, f"bad-{bad.name}")
    assert ok, why
