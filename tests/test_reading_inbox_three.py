"""What two more blind sets showed: everyday English and Chinese for the same facts, and dates told in passing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))


def test_picked_up_on_a_date_is_when_the_customer_got_it(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "picked up this bullet cam on 8 march 2026, the night vision died last week. free fix?"
    )
    assert "covered until 8 March 2027" in reply, reply


def test_handed_over_is_the_delivery_and_still_in_the_2_years_asks_for_the_verdict(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("poesec", now=WEDNESDAY).say(
        "cams handed over oct 20 2024, one's lost night vision. still in the 2 years?"
    )
    assert "delivery date, 20 October 2024" in reply and "out of warranty" in reply, reply


def test_rather_a_fresh_unit_asks_for_an_exchange(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "bought 18 oct, wont power up now. i'd rather a fresh unit than a repair tbh"
    )
    assert "45 days ago" in reply and "30 days" in reply, reply
    reply = chat("jingpin", user="customer-2", now=WEDNESDAY).say("10月20号买的，现在坏了，能换台新的吗")
    assert "43天" in reply, reply


def test_out_of_warranty_in_chinese_shorthand(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("出保一年以内坏了，修的话配件要钱吗？人工费呢")
    assert "免收人工费" in reply or "免人工费" in reply, reply


def test_turnaround_time_is_the_repair_time(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("whats the usual turn around time for repair at ur after sales center?")
    assert "10–20 working days" in reply, reply


def test_everyday_words_for_failing_and_paying(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "if it conks out inside that period, am i out of pocket for the fix or a swap??"
    )
    assert "free" in reply.lower() and "1 year" in reply, reply


def test_how_long_trading_is_the_company_history(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "how long have you been trading? want to know you're not a fly by night outfit"
    )
    assert "1998" in reply, reply


def test_setup_vids_are_the_instructional_videos(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("setup vids?")
    assert "videos" in reply and "not covered" not in reply, reply


def test_an_advance_unit_is_an_advance_replacement(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "if you ship me an advance unit and the one i send back turns out fine, then what?"
    )
    assert "working condition" in reply and "you pay" in reply.lower(), reply


def test_my_own_seagate_drive_is_installing_your_own_hard_drive(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "popped my own seagate drive into the DVR for more storage, now it beeps and reboots. still claimable?"
    )
    assert "installing your own hard drive" in reply, reply


def test_good_day_is_a_greeting_and_chose_is_no_typo(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "Good day, we're within 30 days of purchase and you've confirmed the fault on our unit is caused by the "
        "product itself. We chose an exchange instead of repair. What exactly do we need to send to you?"
    )
    assert "original accessories" in reply and "purchase certificate" in reply, reply


def test_a_fault_told_then_is_it_covered_gets_what_the_warranty_covers_and_a_question(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "NVR keeps rebooting itself every few hours, nobody touched it. is it covered?"
    )
    assert "malfunctions" in reply and "when you bought it" in reply, reply


def test_a_question_without_its_mark_and_or_not_at_its_end(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "NVR model KP-N3208 keeps rebooting itself every few hours, nobody touched it. "
        "is that something the warranty actually covers or not"
    )
    assert "malfunctions" in reply and "does NOT cover" not in reply, reply


def test_the_wind_ripping_a_camera_off_is_no_man_made_damage(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("the wind rips the camera off the mount, free?")
    assert "man-made" not in reply.lower(), reply


def test_a_trading_company_asks_no_company_history(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("I'm a trading company buying 200 cameras, what's the warranty?")
    assert "1998" not in reply, reply


def test_have_a_good_day_is_a_goodbye_not_a_hello(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("have a good day")
    assert "hello" not in reply.lower(), reply


def test_a_purchase_cue_right_before_the_next_date_is_that_dates(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say(
        "they picked up the camera on 2026-11-15, bought 2023-10-01, still covered?"
    )
    assert "1 October 2023" in reply and "out of warranty" in reply, reply


def test_handed_over_to_the_courier_is_no_delivery_to_the_customer(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("poesec", now=WEDNESDAY).say(
        "I handed over the camera to the courier on 2024-11-20, bought 2024-10-10. still covered?"
    )
    assert "delivery date, 20 November 2024" not in reply, reply


def test_a_belief_comparing_two_product_types_gets_both_periods(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say(
        "so the terminal whole machine is 12 months warranty same as the module right?"
    )
    assert "24 months" in reply and "module" in reply, reply


def test_a_chinese_numeral_beside_its_unit_weighs_as_a_number(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("整机保修一年对吧？配件应该也是一年？")
    assert "2年" in reply and "我不确定您指的是" not in reply, reply


def test_which_cases_you_do_not_cover_in_chinese_lists_the_exclusions(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("哪些情况你们不给保修？麻烦列一下")
    assert "不在保修范围内" in reply and "人为损坏" in reply, reply


def test_a_letter_asking_two_things_in_one_sentence_gets_both(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "Dear Sir/Madam, our procurement department is evaluating kimpok as a CCTV supplier for a hospital project. "
        "Among other things they need to know how long kimpok has been in the security business, and what your "
        "standard warranty period is. Could you confirm both?"
    )
    assert "1998" in reply and "1 year" in reply, reply


def test_a_letter_with_questions_lettered_a_b_c_and_a_sign_off_gets_each_answered(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say(
        "Dear Longgang team,\nWe are a contractor based in Shenzhen (Nanshan) and plan to order your own-brand NVRs "
        "for a project. Could you confirm (a) the warranty period, (b) whether repairs at our site are included, "
        "and (c) when we can call your technical phone line?\nBest regards, Chen"
    )
    assert "1 year" in reply and "on-site" in reply and "7x12" in reply, reply


def test_two_questions_numbered_after_a_lead_in_are_both_answered(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("I have two questions: 1) how long is the warranty 2) who pays shipping?")
    assert "1 year" in reply and "30 days" in reply, reply


def test_a_product_dead_on_arrival_asks_about_the_return_not_a_new_order(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "bought 2 weeks ago, camera dead on arrival more or less. do i have to buy the courier label myself or can "
        "you send one?"
    )
    assert "shipping labels on request" in reply, reply


def test_hong_kong_is_a_place_not_a_broken_camera(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("do u install cctv in hong kong")
    assert "on-site maintenance" not in reply and "don't have information" in reply, reply


def test_can_or_cannot_be_covered_is_a_question_not_a_no(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("代理产品能不能保修？")
    assert "代理销售的产品" in reply and "以下情况不在保修范围内" not in reply, reply


def test_no_longer_in_the_warranty_in_chinese_is_a_paid_repair(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("不在保修期内怎么办？")
    assert "不再免费" in reply and "付费维修" in reply, reply


def test_a_dead_camera_beside_a_price_question_is_still_a_price_question(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("longgang", now=WEDNESDAY).say("camera broken. what's your price list for the 8MP bullet?")
    assert "labour" not in reply and "don't have information" in reply, reply


def test_steam_that_got_inside_is_damp(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("poesec", now=WEDNESDAY).say(
        "put a cam in the pool changing room, steam got inside and it died. covered?"
    )
    assert "not covered" in reply and "damp" in reply.lower(), reply


def test_from_which_year_asks_when_the_company_started(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say("kimpok is old brand? from which year you are doing security business")
    assert "1998" in reply, reply


def test_the_first_step_of_a_return_is_the_rma(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("ktnc", now=WEDNESDAY).say("KT&C的产品要退回去，第一步要干嘛")
    assert "RMA" in reply and "预先批准" in reply, reply


def test_a_lost_manual_beside_a_how_to_question_gets_no_warranty_verdict(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("kimpok", now=WEDNESDAY).say(
        "I lost the manual, bought the DVR on 2026-03-01. how do I reset the password?"
    )
    assert "covered" not in reply and "password" in reply, reply


def test_a_dropped_scope_counting_for_the_warranty_gets_the_drop_verdict(chat) -> None:  # type: ignore[no-untyped-def]
    reply = chat("jingpin", now=WEDNESDAY).say("does a dropped scope count for the warranty?")
    assert reply.startswith("No") and "accidents" in reply, reply
