"""Long messages written like emails: a greeting, who writes, the product's story, then the questions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.understand.intents import Intents

from .conftest import ROOT

INTENTS = Intents.load(ROOT / "faq" / "_common" / "matching")
WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))


def test_a_question_word_inside_a_telling_sentence_does_not_hide_the_question() -> None:
    focus = INTENTS.focus(
        "Hi, I'm writing for my dad who bought your cameras a while ago for his restaurant. One of them stopped "
        "working. What phone number and email address should he use to reach your team?"
    )
    assert focus == "What phone number and email address should he use to reach your team?", focus


def test_an_explicit_purchase_date_wins_over_a_season_the_system_was_installed(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "We installed the system at our school last autumn - the purchase invoice is dated 2025-10-14 - and this "
        "week channel 3 of the NVR stopped showing video. Can you repair it for free under warranty?"
    )
    assert "out of warranty" in reply and "14 October 2025" in reply, reply


def test_a_repair_that_left_the_facility_counts_its_own_warranty(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "Hello, you repaired our DVR under RMA 66210 and it left your facility on 2026-05-20, but we only installed "
        "it in August. Now the same fault is back. Is the repair still under warranty?"
    )
    assert "180 days" in reply and "20 May 2026" in reply, reply
    assert "covered until 20 May 2029" not in reply, reply


def test_who_pays_for_sending_it_asks_about_shipping(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "DVR purchased 2026-09-28, paid $189, nothing is recorded. DHL quoted me $45 to send it to China. Do I have "
        "to pay that? And who pays for sending it back to me afterwards?"
    )
    assert "You pay one way" in reply, reply


def test_a_long_message_keeps_its_last_questions() -> None:
    parts = INTENTS.questions(
        "你好，我是开小超市的，去年买了一套监控，一直用得挺好。现在有一个摄像头晚上没有画面了。"
        "想问一下你们的保修期是多久？如果过了保修期，维修怎么收费？"
    )
    assert parts[-1].startswith("如果过了保修期"), parts


def test_general_questions_beside_a_vague_date_are_answered_before_the_date_is_asked(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "你好，我是开小超市的，去年在你们这里买了一套kimpok监控，一直用得挺好。现在有一个摄像头晚上没有画面了。"
        "想问一下你们的保修期是多久？如果过了保修期，维修怎么收费？"
    )
    assert "1年" in reply and "基本成本" in reply, reply
    assert reply.rstrip().endswith(("。", "）", ")")), reply
    assert reply.index("1年") < reply.index("准确日期"), reply


def test_units_named_with_a_brand_in_between_are_counted_for_the_credit(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "Hi, we bought 2 KT&C IP cameras at $260 each on 2026-11-16, never opened the boxes. We want to return them "
        "for credit. How much credit will we actually receive?"
    )
    assert "$416" in reply, reply


def test_a_sum_named_with_words_between_is_placed(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "We sent 3 out-of-warranty cameras for diagnosis and will decline the repair. The return shipping and "
        "handling for the parcel is quoted at $35. What will we owe in total if we decline?"
    )
    assert "$185" in reply, reply


def test_a_closing_question_after_a_dash_is_the_focus_when_a_clause_precedes_it() -> None:
    told = "I don't want to tell her something wrong - what exactly does your warranty cover?"
    assert INTENTS.focus(f"A customer asked me about your warranty today. {told}") == (
        "what exactly does your warranty cover?"
    )
    topic = "advance replacement - when do you offer it, who pays the shipping on it, and is the unit new?"
    assert INTENTS.focus(f"Hello. {topic}") == topic


def test_a_repair_ruled_out_leaves_the_credit_question(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "how much is a return for credit of a $200 camera? shipping $15. repair not needed."
    )
    assert "credited $160" in reply and "diagnosis" not in reply, reply


def test_a_new_order_leaving_the_warehouse_is_no_repair_shipped_back(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "My DVR was shipped from your warehouse on 2026-01-10 (new order). It died. warranty?"
    )
    assert "repair warranty" not in reply and "180 days" not in reply, reply


def test_a_name_right_before_the_next_sum_names_that_sum(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("camera $300, shipping $20. bought 10 days ago, return for credit?")
    assert "$60 on $300" in reply, reply


def test_a_list_of_four_questions_keeps_the_first() -> None:
    parts = INTENTS.questions(
        "How much is the diagnosis fee? Who pays the shipping both ways? How long does repair take? "
        "What is the warranty after repair?"
    )
    assert parts[0].startswith("How much is the diagnosis fee"), parts


def test_the_one_understood_question_is_answered_and_the_rest_goes_to_a_consultant(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "Hello, our KT&C DVR is out of warranty. If we send it in for repair, who pays the shipping each way, what "
        "happens after the diagnosis, and how do we pay if we accept the quote?"
    )
    assert "you pay both ways" in reply, reply
    assert "For the rest of your message, a consultant can help: email tech@ktncusa.com" in reply, reply
    assert "don't have information" not in reply, reply


def test_a_question_led_by_a_condition_asks() -> None:
    assert INTENTS.asks("if we send it in for repair, who pays the shipping each way")
    assert not INTENTS.asks("if we send it in for repair, the shipping is on us")


def test_a_question_asked_inside_a_sentence_is_the_focus_beside_a_confirm_both(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok").say(
        "Dear Sir/Madam, our procurement department is evaluating kimpok as a CCTV supplier for a hospital project. "
        "Among other things they need to know how long kimpok has been in the security business, and what your "
        "standard warranty period is. Could you confirm both?"
    )
    assert "1998" in reply and "1 year" in reply, reply
