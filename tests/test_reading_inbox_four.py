"""What a fresh look at the blind sets showed: claims passed on by someone else, asked to be confirmed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))


def test_a_claim_passed_on_by_a_sales_guy_gets_the_brands_own_period(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say(
        "PO LG-7781, 16 bullet cams. your sales guy said everything has 2 years warranty, "
        "can you confirm in writing pls"
    )
    assert "1 year" in reply and "2 years" not in reply, reply
    reply = chat("kimpok", user="customer-2", now=WEDNESDAY).say(
        "my friend tell me kimpok give 2 year guarantee on the camera. so i am cover until 2027 no problem."
    )
    assert "1 year" in reply, reply


def test_a_non_warranty_job_is_a_repair_not_a_job_offer(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "who pays the shipping when i send a unit in to you? "
        "and on a non-warranty job who covers getting it back to me?"
    )
    assert "prepaid by the customer" in reply and "non-warranty repair" in reply, reply


def test_who_pays_that_asks_about_the_question_before_it(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say(
        "need the repaired nvr back asap for a site opening friday, can you send express? who pays that"
    )
    assert "urgent freight is paid by you" in reply, reply


def test_the_full_rma_process_is_its_steps_not_its_time(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("ok whats the full rma process, step by step? never done one")
    assert "1. Call or email your sales consultant" in reply, reply
    reply = chat("kimpok", user="customer-2", now=WEDNESDAY).say("how long does the rma process take")
    assert "1. Call or email" not in reply, reply


def test_an_rma_number_left_off_the_box_causes_delays(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "if i forget to put the rma number on the outside of the box whats gonna happen"
    )
    assert "delays" in reply, reply
