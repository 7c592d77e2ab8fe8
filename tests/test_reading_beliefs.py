"""Customers who say what they believe and ask to confirm it: the belief is read for what it is about, the
words around it ("i was told", "听说", "đúng không", "beijing time") are not, and a customer who expects a
no is never answered with a bare "yes" or "no" that reads both ways."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.understand.normalise import Lexicon, Normaliser

from .conftest import ROOT

NORMALISER = Normaliser(Lexicon.load(ROOT / "faq" / "_common" / "matching" / "lexicon.toml"))
WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(
    "text",
    [
        "kimpok warranty is 18 months right?",
        "bao hanh kimpok la 18 thang dung ko ban?",
        "听说保修是18个月，是这样吗？",
    ],
)
def test_a_warranty_believed_in_months_is_answered_with_the_brands(chat, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok").say(text)
    assert "1 year" in reply or "1 năm" in reply or "1年" in reply, reply
    assert "18" not in reply, reply


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("i was told the warranty is two years", "told"),
        ("听说保修两年", "听说"),
        ("bao hanh 2 nam dung ko?", "dung"),
        ("its 5:30pm beijing time", "beij"),
        ("8:15 china time", "china"),
    ],
)
def test_hearsay_tags_and_whose_clock_say_nothing_of_what_is_asked(text: str, gone: str) -> None:
    assert not any(gone in token for token in NORMALISER.tokens(text)), NORMALISER.tokens(text)


def test_a_time_on_chinas_clock_asks_whether_someone_is_in(chat) -> None:  # type: ignore[no-untyped-def]
    thursday_0815 = datetime(2026, 12, 3, 8, 15, tzinfo=timezone(timedelta(hours=8)))
    reply = chat("jingpin", now=thursday_0815).say(
        "its 8:15 in the morning china time, your people start at 8 so someone's there now, right?"
    )
    assert "9:00" in reply, reply
    assert "don't have information" not in reply, reply


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("camera dung ko duoc, bao hanh ko", "dung"),  # dùng không được: it can't be used, no tag
        ("i heard a clicking noise then it died", "heard"),
        ("give us time to test it", "time"),
    ],
)
def test_words_near_a_tag_or_a_clock_keep_their_meaning(text: str, kept: str) -> None:
    assert kept in NORMALISER.tokens(text), NORMALISER.tokens(text)


def test_a_customer_expecting_a_no_gets_what_holds_not_a_bare_yes(chat) -> None:  # type: ignore[no-untyped-def]
    doubting = chat("jingpin", now=WEDNESDAY, user="doubting").say(
        "bought it 2026-11-28, fault from the first day. i suppose refunds are impossible once its been opened?"
    )
    assert doubting.startswith("You still can"), doubting
    asking = chat("jingpin", now=WEDNESDAY, user="asking").say(
        "bought it 2026-11-28, fault from the first day. can i get a refund?"
    )
    assert asking.startswith("Yes"), asking


def test_a_customer_expecting_a_no_that_holds_gets_no_bare_no(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("bought it 5 months ago, too late to return it now i guess?")
    assert reply.startswith("Not any more"), reply
