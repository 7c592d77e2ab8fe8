"""The matcher: normalisation, typos, synonyms, weights, and its three outcomes."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.understand.matcher import Matcher
from bot.understand.normalise import Lexicon, Normaliser, detect_language, stem

from .conftest import ROOT

LEXICON = Lexicon.load(ROOT / "faq" / "_common" / "matching" / "lexicon.toml")


def _matcher(phrasings: list[tuple[str, str]]) -> Matcher:
    normaliser = Normaliser(LEXICON)
    normaliser.set_vocabulary(w for _, p in phrasings for w in normaliser.surface_words(p))
    return Matcher(normaliser, phrasings)


TOY = [
    ("length", "how long is the warranty"),
    ("length", "warranty period"),
    ("shipping", "who pays shipping for a return"),
    ("shipping", "return shipping cost"),
    ("water", "is water damage covered"),
    ("label", "where do i write the rma number"),
    ("label", "rma number on the box"),
    ("rma-form", "rma request form"),
    ("rma-form", "how to get an rma"),
]


def test_confident_answer() -> None:
    decision = _matcher(TOY).decide("how long is the guarantee?")
    assert decision.outcome == "answer"
    assert decision.best is not None and decision.best.entry_id == "length"


def test_two_close_entries_ask_which() -> None:
    decision = _matcher(TOY).decide("rma")
    assert decision.outcome == "clarify"
    assert {c.entry_id for c in decision.candidates} >= {"label", "rma-form"}


def test_below_threshold_is_dont_know() -> None:
    decision = _matcher(TOY).decide("what is the capital of peru")
    assert decision.outcome == "unknown"


def test_synonyms_meet_phrasings() -> None:
    matcher = _matcher(TOY)
    for question in ("camera got wet in the flood, covered?", "is rain damage under guarantee"):
        best = matcher.decide(question).best
        assert best is not None and best.entry_id == "water", question


def test_typos_are_corrected() -> None:
    decision = _matcher(TOY).decide("how long is the warrenty peroid")
    assert decision.outcome == "answer" and decision.best is not None and decision.best.entry_id == "length"


def test_another_form_of_a_known_word_is_no_typo() -> None:
    """ "checking" where the phrasings say "check" stays a check: not "chewing" (a rodent chewed the cable)."""
    normaliser = Normaliser(LEXICON, ["check", "chewing", "cable"])
    assert normaliser.tokens("send it for checking") == normaliser.tokens("send it for check")
    assert normaliser.tokens("the cabel was chewing") == normaliser.tokens("the cable was chewing")  # still fixed


def test_informative_words_weigh_more_than_common_ones() -> None:
    matcher = _matcher(TOY)
    assert matcher.weight("water") > matcher.weight("rma")
    plain = matcher.decide("is water damage covered").best
    noisy = matcher.decide("is water damage covered zeppelin").best
    assert plain is not None and noisy is not None
    assert noisy.score < plain.score  # words the FAQ never uses count against a match


def test_slang_and_texting_are_understood() -> None:
    tokens = Normaliser(LEXICON).tokens("u pay shippin 4 rma?? thx")
    assert "shipping" in tokens and "rma" in tokens and "fee" in tokens


def test_numbers_become_their_kind() -> None:
    tokens = Normaliser(LEXICON).tokens("bought on 2025-03-15 at 6.30pm for $120, model 960H")
    assert "zzdate" in tokens and "zztime" in tokens and "zzmoney" in tokens and "960h" in tokens
    assert "2025" not in tokens


@pytest.mark.parametrize(
    ("text", "token", "not_token"),
    [
        ("i dropped the camera, is it covered?", "drop", "lost"),  # a person drops it: it fell
        ("my son accidentally dropped 2 cameras", "drop", "lost"),
        ("the nvr keeps dropping cameras", "lost", "drop"),  # a recorder drops them: their feeds are lost
        ("dvr dropped all channels", "lost", "drop"),
        ("the carrier lost my rma parcel", "zzlostparcel", "lost"),  # a parcel lost, not a channel
        ("快递把我的包裹弄丢了", "zzlostparcel", "lost"),
        ("within 7 days", "zzn7", "zzn30"),  # a number of days keeps its number
        ("七天内", "zzn7", "zzn30"),
        ("bought it 7 days ago", "buy", "zzn7"),  # an age is read as an age (and dropped)
        ("it powers on but doesn't work properly", "faulty", "properly"),  # not working properly is a fault
        ("it has been 7 days and no reply", "days", "zzn7"),  # time gone by is no window
        ("七天了还没寄回来", "days", "zzn7"),
        ("买了20天坏了", "days", "zzn20"),
    ],
)
def test_words_that_change_meaning_with_their_subject_or_number(text: str, token: str, not_token: str) -> None:
    tokens = Normaliser(LEXICON).tokens(text)
    assert token in tokens and not_token not in tokens, tokens


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("保修期多长？", "zh"),
        ("bảo hành bao lâu?", "vi"),
        ("bao hanh duoc khong vay", "vi"),
        ("the wind blew the camera off the wall in a typhoon", "en"),
        ("how long is the warranty", "en"),
    ],
)
def test_language_detection(text: str, lang: str) -> None:
    assert detect_language(text, LEXICON.vietnamese_words) == lang


# Questions written for these tests, the way customers type, with the entry that must answer them.
ROUTES = {
    "kimpok": [
        ("yo how many yrs warrenty do i get on ur dvr", "warranty-length"),
        ("the ip cam i bought is faulty, who pays to ship it to you?", "shipping-cost"),
        ("whats NOT covered under the guarantee", "warranty-exclusions"),
        ("lightning fried my nvr, is that covered", "exclusion-nature"),
        ("do i put the rma no. on the product box?", "rma-label"),
        ("will the replacement unit be brand new or refurb", "replacement-new"),
        ("摄像头被雷击坏了能保修吗", "exclusion-nature"),
        ("rma运费谁出？", "shipping-cost"),
    ],
    "longgang": [
        ("what do i pay for a repair 2 years after the warranty ended", "charge-years-1-2"),
        ("where is your office located", "address"),
        ("used the wrong power adapter and it burned, covered?", "exclusion-power"),
        ("保修期是多久", "warranty-length"),
    ],
    "jingpin": [
        ("how long is the warranty on the thermal module", "warranty-module"),
        ("can i return it within a week for money back", "return-7-days"),
        ("how many working days does a repair take", "repair-time"),
        ("热成像模组保修多久", "warranty-module"),
    ],
    "poesec": [
        ("the rats chewed the camera cable, warranty?", "exclusion-rodents-insects"),
        ("warranty on the recorder how long", "warranty-length"),
        ("tem bảo hành bị rách có được bảo hành không", "exclusion-seal"),
        ("camera bi vo nuoc co duoc bao hanh khong", "exclusion-damp-water"),
    ],
    "ktnc": [
        ("how long is my rma number good for", "rma-validity"),
        ("whats the restocking fee on returns for credit", "restocking-fee"),
        ("the serial sticker peeled off, still under warranty?", "exclusion-serial-sticker"),
        ("how much is the diagnosis fee", "diagnosis-fee"),
        ("warranty on a unit you repaired?", "repaired-warranty"),
    ],
}


@pytest.mark.parametrize(
    ("brand", "question", "entry_id"), [(b, q, e) for b, cases in ROUTES.items() for q, e in cases]
)
def test_customer_questions_reach_the_right_entry(
    shared_engine: Engine, brand: str, question: str, entry_id: str
) -> None:
    decision = shared_engine.index.matchers[brand].decide(question)
    assert decision.best is not None
    assert decision.best.entry_id == entry_id, (decision.outcome, decision.candidates)
    assert decision.outcome in ("answer", "clarify")


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [("fitting", "fit"), ("fit", "fit"), ("dropped", "drop"), ("shipped", "ship"), ("filling", "fill"),
     ("passing", "pass"), ("adding", "add"), ("installed", "install")],
)  # fmt: skip
def test_a_doubled_consonant_before_ing_or_ed_meets_its_word(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed
