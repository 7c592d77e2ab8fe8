"""Messages typed in a hurry (Vietnamese shorthand, "rma no", "t8/2025", "$100 ea") and a return for credit
worked out on the customer's own price."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.understand.dates import find_dates
from bot.understand.normalise import Lexicon, Normaliser

from .conftest import ROOT

WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))


def test_vietnamese_shorthand_for_cannot_be_repaired_is_read(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok").say("sp ko sua dc thi sao")  # sản phẩm không sửa được thì sao
    assert "không có thông tin" not in reply, reply
    assert "tương đương" in reply or "tương tự" in reply, reply


@pytest.mark.parametrize(
    ("text", "day"), [("mua cam t8/2025 gio hu", date(2025, 8, 1)), ("mua t3 / 2025", date(2025, 3, 1))]
)
def test_a_month_typed_as_t8_slash_year_is_a_date(text: str, day: date) -> None:
    found = find_dates(text, WEDNESDAY, language="vi")
    assert found and found[0].earliest == day, found


@pytest.mark.parametrize(
    "text",
    [
        "camera model t8 2025 edition",
        "the model T3/2025 edition",
        "PO T8/2025-114, camera dead",
        "invoice T8/2025/0031",
    ],
)
def test_a_code_that_looks_like_t8_slash_year_is_no_month(text: str) -> None:
    assert not find_dates(text, WEDNESDAY, language="vi")


def test_a_shorthand_month_gives_the_warranty_verdict(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("mua cam t8/2025 gio hu, con bh ko")
    assert "hết bảo hành" in reply, reply
    assert "Vui lòng chọn" not in reply, reply


def test_rma_no_is_the_rma_number_on_the_box(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok").say("forgot rma no on outside box is that bad")
    assert "don't have information" not in reply, reply
    assert "delay" in reply.lower(), reply


@pytest.mark.parametrize("text", ["is my rma no longer valid?", "serial yes, invoice no, is the warranty ok?"])
def test_no_after_rma_or_invoice_can_still_be_a_denial(text: str) -> None:
    normaliser = Normaliser(Lexicon.load(ROOT / "faq" / "_common" / "matching" / "lexicon.toml"))
    assert "no" in normaliser.tokens(text) or "longer" in normaliser.tokens(text), normaliser.tokens(text)


def test_a_credit_is_worked_out_on_the_price_the_customer_gives(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("return 3 cams $100 ea + paid $30 ship, credit how much")
    assert "credited $240" in reply, reply
    assert "restocking fee ($60)" in reply, reply
    assert "diagnosis" not in reply, reply  # a return for credit is no repair: no diagnosis fees added up


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("how much do i get back if i return a $300 dvr", "$240"),
        ("退一台300美元的录像机能拿回多少", "$240"),
        ("trả lại camera giá 200 usd được ghi có bao nhiêu", "$160"),
    ],
)
def test_a_credit_in_each_language(chat, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(text)
    assert expected in reply, reply


def test_a_brand_without_a_restocking_fee_works_out_no_credit(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("how much do i get back if i return a $300 dvr")
    assert "$240" not in reply and "credited" not in reply, reply


def test_a_credit_past_its_window_is_not_promised(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("bought a $300 dvr 5 months ago, how much credit if i return it?")
    assert "$240" not in reply, reply
    assert "No, not any more" in reply, reply


def test_one_of_the_household_smashing_it_is_man_made_damage(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("my kid smashed the cam free fix?")
    assert "not covered" in reply, reply


@pytest.mark.parametrize("text", ["ship to brazil? hw long", "do you ship to canada? how long?"])
def test_a_bare_how_long_after_an_unclear_question_is_no_warranty_question(chat, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok").say(text)
    assert "1 year" not in reply, reply


def test_a_bare_how_long_after_a_clear_question_takes_its_answer(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok").say("is there a warranty on the nvr? how long?")
    assert "1 year" in reply, reply


@pytest.mark.parametrize(
    "text",
    [
        "repair quote was $150, i declined, how much do i get back?",
        "can i pay the $150 repair by credit card?",
        "i paid $45 to send it to you, how much do i get back",
        "it's a custom OEM model, $500, how much credit",
        "the $300 dvr is faulty, can i get a refund",
        "hoa don ghi co bao hanh 2 nam ma, sao lai tinh phi 50 usd",
    ],
)
def test_sums_that_are_no_price_of_products_returned_get_no_credit_figure(chat, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(text)
    assert "you'd be credited $" not in reply and "bạn được ghi có $" not in reply, reply


def test_ktnc_customers_write_dates_month_first(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("purchased 11/05/2026, still in the box, want to return for credit")
    assert "is that 5 November 2026 or 11 May 2026?" in reply, reply  # the American reading first


@pytest.mark.parametrize(
    ("brand", "text"),
    [
        ("jingpin", "how much is your thermal scope?"),
        ("jingpin", "你们的热成像瞄准镜多少钱？"),
        ("jingpin", "how much is the thermal monocular? i want buy 2 pcs"),
    ],
)
def test_what_a_product_costs_to_buy_is_a_sales_question(chat, brand: str, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat(brand).say(text)
    assert "2 years" not in reply and "2年" not in reply, reply  # no warranty answer to a price question
    assert "4006618812" in reply, reply


@pytest.mark.parametrize(
    ("brand", "text", "expected"),
    [
        ("kimpok", "how much does your replacement camera cost under warranty?", "free of charge"),
        ("kimpok", "how much are your repairs for cameras out of warranty?", "basic cost"),
        ("longgang", "保修期内换一台摄像头多少钱？", "免费"),
        ("kimpok", "how much is the camera repair?", "free of charge"),
    ],
)
def test_a_repair_or_replacement_cost_is_no_sales_price(chat, brand: str, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    reply = chat(brand).say(text)
    assert expected in reply, reply


def test_a_vietnamese_date_to_ktnc_stays_day_first(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("camera mua 01/06/2024, còn bảo hành không?")
    assert "01/06/2024" in reply and "01/06/2027" in reply, reply
