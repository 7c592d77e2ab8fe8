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


def test_a_new_outfit_asks_how_long_the_company_has_been_around(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "never heard of kimpok before my installer mentioned you. are you a new outfit? dont want to buy something "
        "and then the company vanishes before the warranty ends lol"
    )
    assert "1998" in reply, reply


def test_chopping_off_connectors_is_cutting_them(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "thinking of chopping off the factory connectors on my cams and crimping on proper waterproof ones. "
        "will that mess with the warranty?"
    )
    assert "cutting connectors" in reply and "not covered" in reply, reply


def test_a_train_is_the_railway_a_repair_comes_back_by(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say(
        "we're in chengdu. how will the repaired cameras actually come back to us - courier? train? post?"
    )
    assert "railway" in reply, reply


def test_as_well_and_while_sending_are_no_topic(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "POE Sec told me they always replace faulty gear with NEW equipment. if kimpok replaces my camera is it "
        "guaranteed brand new as well?"
    )
    assert "new or refurbished" in reply, reply
    reply = chat("kimpok", user="customer-2", now=WEDNESDAY).say("寄回去维修的时候 除了摄像机本身还要寄什么吗？")
    assert "配件" in reply, reply


def test_confirming_what_the_customer_asks_is_not_a_claim_to_drop(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("can you confirm you received my package? tracking says delivered monday")
    assert "damaged during transit" not in reply, reply


def test_jobs_at_the_company_are_still_jobs(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("what jobs do you have open in the US office")
    assert "available right now" not in reply and "closed right now" not in reply, reply  # not the office hours


def test_a_change_of_mind_gets_no_warranty_verdict(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "KT&C charge 20% restocking when you send stuff back for credit. my order from you arrived last week and "
        "i changed my mind, its still sealed. can i send it back for a refund and whats your restocking fee?"
    )
    assert "not refunds" in reply and "covered" not in reply, reply


def test_the_conditions_of_a_credit_include_the_restocking_fee(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("can we send back unused stock for credit? whats the deal, conditions etc")
    assert "pre-approved" in reply and "20% restocking fee" in reply, reply


def test_my_fault_report_is_no_accident_and_a_recorder_that_dies_is_faulty(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "what should i put in my fault report so it gets sorted fast? i filmed the problem on my phone if that helps"
    )
    assert "serial" in reply.lower() and "video" in reply.lower(), reply
    reply = chat("poesec", user="customer-2", now=WEDNESDAY).say(
        "if the recorder dies while its in warranty, how quickly do you deal with it once i let you know?"
    )
    assert "promptly" in reply, reply


def test_what_time_the_consultants_finish_asks_the_hours(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("what time do ur consultants finish on weekdays")
    assert "17:00" in reply and "Which" not in reply, reply


def test_a_supply_not_to_the_spec_is_the_wrong_power(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("will using a power supply that isnt per the spec void the warranty?")
    assert "does not conform" in reply and "not covered" in reply, reply


def test_a_device_that_works_but_disappoints_has_no_fault_to_repair(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "the device works fine, the image is just less sharp than i hoped. can i claim warranty?"
    )
    assert "operate normally" in reply, reply
