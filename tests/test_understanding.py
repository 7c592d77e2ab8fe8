"""How a message is read: a Yes or a No only where it answers the question as asked, several questions answered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from bot.engine import Engine

from .conftest import MONDAY_10, Chat

ChatFactory = Callable[..., Chat]


def test_a_plain_yes_no_question_gets_the_answers_yes(chat: ChatFactory) -> None:
    assert chat("kimpok").say("does the warranty cover faults?").startswith("Yes, the warranty covers")


@pytest.mark.parametrize(
    "question",
    [
        "what does the warranty cover?",  # a what-question: "Yes, …" would answer nothing
        "warranty coverage pls",  # no question at all
        "是否保修？保修范围包括什么？",
    ],
)
def test_an_answer_opens_with_yes_only_when_the_question_asks_yes_or_no(chat: ChatFactory, question: str) -> None:
    reply = chat("kimpok").say(question)
    assert not reply.lower().startswith(("yes", "是的", "有，")), reply


@pytest.mark.parametrize(
    ("brand", "question"),
    [
        ("ktnc", "my serial sticker came off, is that a problem?"),
        ("ktnc", "the serial label peeled away, does that matter for the warranty?"),
        ("ktnc", "will i lose the warranty if the serial sticker is defaced?"),
    ],
)
def test_a_question_about_a_downside_gets_no_bare_no(chat: ChatFactory, brand: str, question: str) -> None:
    reply = chat(brand).say(question)
    assert not reply.lower().startswith("no"), reply  # "No" would read as "no problem"
    assert "void" in reply  # the verdict itself is there


def test_two_questions_in_one_message_get_both_answers(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("how long is the warranty? and who pays the shipping for a repair?")
    assert "1 year" in reply  # the warranty's length
    assert "shipping" in reply.lower() and reply.count("\n\n") >= 1  # and who pays shipping, in its own paragraph


def test_one_question_in_two_sentences_is_one_question(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("My camera arrived last week. Is it covered?")
    assert "\n\n" not in reply


@pytest.mark.parametrize(
    ("question", "total"),
    [
        ("sending 4 cameras out of warranty in for a check, what is the total diagnosis fee?", "$200"),
        ("3 units were diagnosed and I decline the repair; return shipping & handling is $25. what do I owe?", "$175"),
    ],
)
def test_a_per_product_fee_is_counted_for_every_unit(chat: ChatFactory, question: str, total: str) -> None:
    reply = chat("ktnc").say(question)
    assert total in reply, reply


@pytest.mark.parametrize(
    ("brand", "question", "language_word"),
    [
        ("poesec", "my hp laptop won't turn on anymore, could your technicians repair it?", "don't have information"),
        ("ktnc", "the screen of my samsung tablet is cracked, can you fix it", "don't have information"),
        ("kimpok", "is there an extended warranty I can buy for 2 more years?", "don't have information"),
        ("kimpok", "买得多可以打折吗？", "没有这方面的信息"),
        ("longgang", "could I borrow a demo recorder for a week?", "don't have information"),
        ("kimpok", "ptz cam how much", "don't have information"),  # a product's price, not a repair's
        ("kimpok", "which app for kimpok nvr on iphone", "don't have information"),
        ("ktnc", "KT&C的录像机能接海康的摄像头吗？", "没有这方面的信息"),
        ("longgang", "你们有没有监控安装培训课程？多少钱？", "没有这方面的信息"),
        ("jingpin", "你们热像仪最远能看多远", "没有这方面的信息"),  # a specification
        ("longgang", "你们招代理商吗", "没有这方面的信息"),  # becoming a dealer
    ],
)
def test_an_out_of_domain_question_is_never_answered_with_a_policy(
    chat: ChatFactory, brand: str, question: str, language_word: str
) -> None:
    c = chat(brand)
    reply = c.say(question)
    assert language_word in reply, reply  # says it does not know, in the customer's language
    assert c.buttons == ["Talk to a consultant"] or c.buttons == ["与顾问交谈"] or len(c.buttons) == 1
    assert not reply.lower().startswith(("yes", "no,", "可以", "是的"))


def test_watching_the_cameras_on_a_phone_is_not_another_device(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("the app on my phone doesn't show the cameras any more")
    assert "don't have information" not in reply


def test_a_plain_yes_no_question_whose_answer_is_no_opens_with_no(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("is vandalism covered?")
    assert reply.startswith("No, damage due to vandalism is not covered"), reply


def test_three_questions_in_one_message_get_three_answers(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("how long is the warranty? who pays shipping? and what's your email?")
    paragraphs = reply.split("\n\n")
    assert len(paragraphs) == 3, reply
    assert "1 year" in paragraphs[0]
    assert "30 days" in paragraphs[1] and "shipping" in paragraphs[1]  # the brand's shipping rule
    assert "sales1@kimpok.com" in paragraphs[2]


def test_several_questions_and_no_situation_are_answered_before_any_date_is_asked(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("can i get an advance replacement? is it new?")
    assert "DOA" in reply and "refurbished" in reply, reply
    assert "when you bought it" not in reply


@pytest.mark.parametrize("question", ["r u guys working today?", "在吗", "hom nay co lam viec khong", "anyone there?"])
def test_asking_whether_anyone_is_there_gets_the_hours(chat: ChatFactory, question: str) -> None:
    reply = chat("kimpok", now=MONDAY_10).say(question)
    assert "17:00" in reply, reply  # open until five, whatever the words scored
    assert "RMA" not in reply


def test_an_hours_answer_says_yes_only_to_a_question_about_now(chat: ChatFactory) -> None:
    assert chat("longgang", user="a", now=MONDAY_10).say("are you open now?").startswith("Yes")
    on_saturdays = chat("longgang", user="b", now=MONDAY_10).say("are you open on saturdays?")
    assert not on_saturdays.startswith("Yes") and "Saturday 9:00–12:00" in on_saturdays
    all_day = chat("longgang", user="c", now=MONDAY_10).say("is your phone support 24 hours?")
    assert not all_day.startswith("Yes") and "7x12" in all_day


@pytest.mark.parametrize(
    ("brand", "question"),
    [
        ("jingpin", "how many days does shipping to brazil take?"),
        ("kimpok", "what's the delivery time to germany?"),
        ("poesec", "giao hang ra ha noi mat bao lau?"),
    ],
)
def test_how_long_a_parcel_travels_is_in_no_document(chat: ChatFactory, brand: str, question: str) -> None:
    reply = chat(brand).say(question)
    assert "don't have information" in reply or "không có thông tin" in reply, reply
    assert "working days" not in reply and "ngày làm việc" not in reply  # not the repair cycle


def test_the_sentence_that_asks_weighs_more_than_the_situation_told_before_it(chat: ChatFactory) -> None:
    reply = chat("longgang").say("its your own brand NVR. after you get it, how many days till it's back to me?")
    assert "3 working days" in reply, reply


def test_a_long_story_does_not_drown_the_one_question_it_ends_with(chat: ChatFactory) -> None:
    story = (
        "hi, our DVR keeps rebooting every few minutes since last tuesday, already tried another power socket "
        "and a different adapter. who am i actually supposed to contact about this??"
    )
    reply = chat("kimpok").say(story)
    assert "86-755-26786281" in reply and "don't have information" not in reply, reply
    assert "not covered" not in reply  # the adapter it was tried with is no cause


def test_the_question_asked_outweighs_a_story_that_sounds_out_of_scope(chat: ChatFactory) -> None:
    reply = chat("longgang").say(
        "I'm in Shenzhen for a trade fair next week. I'd rather drop off the faulty unit in person than ship it. "
        "What's the full address of your office?"
    )
    assert "Yumiao Road" in reply, reply


def test_another_makers_camera_bought_here_is_an_agent_product(chat: ChatFactory) -> None:
    reply = chat("longgang").say("I bought a hikvision cam thru you. should i claim with hik or with you?")
    assert "manufacturer" in reply and "dual service" in reply, reply


def test_a_question_after_a_verdict_about_another_cause_is_answered_too(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("is vandalism covered? and what about damage during shipping?")
    assert "vandalism is not covered" in reply
    assert "during shipment is not covered" in reply, reply


@pytest.mark.parametrize("brand", ["kimpok", "ktnc", "poesec"])
def test_a_repair_centre_elsewhere_is_not_in_the_document_but_the_address_is_asked_for(
    chat: ChatFactory, brand: str
) -> None:
    elsewhere = chat(brand, user="a").say("is there a repair shop in hanoi?")
    assert "don't have information" in elsewhere, elsewhere
    assert "có trung tâm" not in elsewhere
    if brand == "kimpok":  # whose document says the sales consultant sends the address
        assert "sends you the address" in chat(brand, user="b").say("where is your repair center?")


def test_a_brand_whose_document_names_local_dealers_answers_the_local_repair_question(chat: ChatFactory) -> None:
    reply = chat("jingpin").say("我们当地有维修点吗？")
    assert "经销商" in reply, reply  # Jingpin: local dealers or the store it was bought from


def test_what_a_disaster_did_is_the_disaster(chat: ChatFactory) -> None:
    reply = chat("longgang").say("地震把摄像机砸坏了，能免费修吗？")
    assert "不可抗力" in reply, reply  # the force-majeure clause, not vandalism or an impact
    assert "故意" not in reply


def test_a_cause_under_an_example_of_a_clause_names_the_clause_and_the_example(chat: ChatFactory) -> None:
    reply = chat("longgang").say("our staff spilled coffee into the NVR. will u fix it free?")
    assert "according to the product manual (which includes damage caused by using the product in a working" in reply
    assert "man-made damage" in reply, reply  # a spill is an accident too


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("is it fine to post the camera today and request the rma afterwards?", "must be requested before shipping"),
        ("two returns a month apart, can they go out on one rma number?", "used once and cannot be used again"),
        ("all i put on the form was 'faulty'. what will you test?", "basic tests"),
        ("tôi quên bỏ dây nguồn vào hộp, gửi trả có kèm dây nguồn không?", "không được bổ sung"),
        ("any trade-in deal on my old dvrs?", "don't have information"),
    ],
)
def test_a_ktnc_return_question_reaches_the_rule_it_asks_about(chat: ChatFactory, question: str, expected: str) -> None:
    assert expected in chat("ktnc").say(question)


def test_two_close_entries_that_both_say_no_give_the_answer_not_a_menu(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("我给录像机换了自己买的硬盘，之后一直死机，还能保修吗？")
    assert "不在保修范围" in reply and "请选择" not in reply


def test_the_home_router_itself_is_out_of_scope_but_a_camera_offline_after_a_new_router_is_not(
    chat: ChatFactory,
) -> None:
    router = chat("kimpok").say("could you walk me through changing the settings on my home wifi router?")
    assert "don't have information" in router
    offline = chat("kimpok").say("after swapping my router the recorder shows offline in the app")
    assert "don't have information" not in offline


@pytest.mark.parametrize(
    ("brand", "question", "expected"),
    [
        ("kimpok", "is it free to repair or replace my camera if it fails during the warranty?", "free of charge"),
        (
            "kimpok",
            "when i phone you, do you give me an rma right away or try to repair it with me first?",
            "troubleshoot",
        ),
        ("longgang", "can i mail you pictures of the broken unit?", "no e-mail address"),
        ("longgang", "how many days after you receive my own-brand nvr until i get it back?", "3 working days"),
        ("poesec", "does the nvr have the same guarantee as the cams?", "2 years for cameras and recorders"),
        ("poesec", "what does your warranty mean, what do you repair?", "manufacturer's fault"),
        ("kimpok", "máy thay thế là máy mới hay cũ?", "hàng mới hoặc tân trang"),
        ("poesec", "换的是新机吗", "新设备"),
        ("ktnc", "cam dien sai nguon chay board", "mất bảo hành"),
        ("longgang", "麻烦发一下你们的电话、详细地址和邮编，我要寄东西", "518112"),
        ("kimpok", "hello?? is support still there, my nvr just went black", "available right now"),
        ("kimpok", "how long kimpok been around", "since 1998"),  # "how long" is not always the warranty
        ("kimpok", "kimpok since wat year", "since 1998"),
        ("kimpok", "modded cam still wrnty?", "modified from its original factory condition"),
        ("longgang", "Where exactly is your office? We'd rather drop the unit off in person than post it.", "518112"),
        ("kimpok", "someone spray painted my cam lens, wrnty?", "vandalism is not covered"),
        ("poesec", "ptz cam wrnty 1yr?", "2 years"),
        ("ktnc", "1 rma# for 2 shipments ok?", "used once"),
        ("longgang", "gimme both your phone numbers pls, the first one i tried is always busy", "28706496"),
        ("ktnc", "pay repair after i get it back?", "prepaid by credit card"),
        ("poesec", "bao hanh gom nhung gi", "lỗi kỹ thuật"),
        ("kimpok", "保修包括哪些情况", "保修范围包括"),
        ("longgang", "你们的电话是多少？我想问一下维修进度", "28707496"),  # no RMA here: who to ask
        ("ktnc", "300美元的摄像机30天内退货换credit 能拿回多少", "$240"),  # the credit worked out in Chinese too
        ("ktnc", "adv replacement for any fault?", "DOA"),
        # "hw" is hardware here, not "how"; "frm ur agent" is an agent-sold product
        ("longgang", "bought frm ur agent, hw fault covered?", "Hardware failure within the 1 year"),
        ("kimpok", "我30天内买的摄像头可以退货吗", "而不是退款"),  # Kimpok's document has no return window
    ],
)
def test_a_clear_question_gets_its_answer(chat: ChatFactory, brand: str, question: str, expected: str) -> None:
    reply = chat(brand).say(question)
    assert expected in reply, reply


@pytest.mark.parametrize(
    ("brand", "question", "expected"),
    [
        ("longgang", "longgang tel no", "0086-755-28707496"),  # the brand's name is also a district's
        ("kimpok", "camera kimpok bh bao lau vay", "1 năm"),  # "bh": bảo hành; the name is no topic
        ("kimpok", "hw long warrnty nvr??", "1 year"),
        ("ktnc", "ptz wrnty", "2 years for the camera"),
        ("jingpin", "who is jingpin exactly, what company?", "Jingpin"),
    ],
)
def test_a_short_message_naming_the_brand_is_read_for_what_it_asks(
    chat: ChatFactory, brand: str, question: str, expected: str
) -> None:
    reply = chat(brand).say(question)
    assert expected in reply and "don't have information" not in reply, reply


def test_dropping_a_unit_off_is_bringing_it_not_a_fall(chat: ChatFactory) -> None:
    assert "518112" in chat("longgang").say("wats ur office address? i want to drop the unit off in person")
    assert "drop or knock" in chat("kimpok").say("i dropped my nvr off the shelf, warranty?")


def test_a_repair_after_the_warranty_is_not_answered_with_what_is_free_within_it(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("warranty over u still fix? free??")
    assert "basic cost" in reply and "free of charge" not in reply, reply


def test_questions_listed_with_commas_are_each_answered(chat: ChatFactory) -> None:
    reply = chat("ktnc").say(
        "how do i get an rma, how long is it good for, and who pays shipping for a warranty return?"
    )
    assert "tech@ktncusa.com" in reply and "15 days" in reply, reply


def test_a_clause_before_one_question_is_not_a_question_of_its_own(chat: ChatFactory) -> None:
    reply = chat("kimpok").say("if it broke after the warranty, how much is a repair?")
    assert "basic cost" in reply and "Please pick one" not in reply, reply


def test_two_questions_joined_by_and_after_a_story_are_each_answered(chat: ChatFactory) -> None:
    reply = chat("longgang").say(
        "sent back my longgang brand nvr, u get it tomorrow. when will u confirm the fault and when does it come back?"
    )
    assert "12 hours" in reply and "3 working days" in reply and "Please pick one" not in reply, reply


def test_a_question_out_of_scope_as_a_whole_is_not_answered_by_its_parts(chat: ChatFactory) -> None:
    reply = chat("jingpin").say("can u help me zero my thermal rifle scope, what distance should i use")
    assert "don't have information" in reply and "2 years" not in reply, reply


def test_a_numbered_question_after_the_sentence_with_the_question_mark_is_answered(chat: ChatFactory) -> None:
    reply = chat("kimpok").say(
        "Few questions before we order more: 1) how long is the warranty 2) what happens when it runs out, "
        "do you still repair? 3) if you replace a unit will it be new"
    )
    assert "1 year" in reply and "basic cost" in reply and "refurbished" in reply, reply


def test_a_product_that_dies_on_its_own_is_a_defect_asked_beside_another_cause(chat: ChatFactory) -> None:
    reply = chat("kimpok").say(
        "does the warranty cover a camera that just dies on its own? and what if somebody vandalises it"
    )
    assert "vandalism is not covered" in reply and "defects" in reply, reply


def test_a_recorders_mouse_and_remote_packed_for_repair_are_its_accessories(chat: ChatFactory) -> None:
    reply = chat("kimpok").say(
        "packing my NVR for repair - do I put in the remote, the mouse and the power cable too, or only the recorder?"
    )
    assert "accessories" in reply and "don't have information" not in reply, reply
    mice = chat("kimpok", user="mice").say("a mouse chewed through the power cable, is that covered?")
    assert "accessories" not in mice.split("\n")[0], mice  # that mouse is an animal


def test_one_question_about_two_things_joined_gets_both_answers(chat: ChatFactory) -> None:
    reply = chat("jingpin").say("整机和模块分别保修多久？")
    assert "2年" in reply and "1年" in reply, reply  # the terminal's and the module's
    alone = chat("kimpok", user="alone").say("warranty over u still fix? free??")  # one thing: one answer
    wet = chat("jingpin", user="wet").say("My thermal camera got wet in the rain, is that covered or not?")
    assert "modification" not in wet, wet  # "or not" joins no second thing
    story = chat("longgang", user="story").say("Camera got wet and now no picture, warranty or paid repair?")
    assert "7x12" not in story, story  # "and now" tells a story, "or paid" asks one thing
    assert "basic cost" in alone and "free of charge" not in alone, alone


def test_chinese_questions_written_with_a_space_between_them_are_each_answered(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("退货拿credit的话 扣多少手续费 运费退吗")
    assert "20%" in reply and "不包括运费" in reply and "请选择" not in reply, reply
    told = chat("longgang", user="told").say("2021年买的录像机坏了 修收什么费")  # a story, then one question
    forgot = chat("kimpok", user="forgot").say("摄像头是哪天买的我忘了 保修怎么算")  # "I forgot which day": no question
    assert "退款" not in forgot, forgot
    assert "收取人工费" in told and "免收人工费" not in told, told


def test_what_makes_the_warranty_void_is_the_list_of_exclusions(chat: ChatFactory) -> None:
    reply = chat("ktnc").say("what things make the warranty void or not covered? we are installer and want to know")
    assert "serial sticker" in reply and "act of nature" in reply, reply  # not "which products do you make"


def test_a_sales_question_is_not_answered_from_a_sentence_that_only_tells(chat: ChatFactory) -> None:
    logo = chat("jingpin").say("can u print our company logo on the scopes? whats the MOQ?")
    assert "don't have information" in logo, logo  # custom branding: a sales matter, not the application form
    hiring = chat("ktnc", user="hiring").say("你们公司招不招售后技术员？我有五年经验")
    assert "没有这方面的信息" in hiring and "3年" not in hiring, hiring  # "I have five years' experience" asks nothing


@pytest.mark.parametrize(
    ("brand", "text", "wrong"),
    [
        ("jingpin", "I didn't drop it, it just stopped working. is it covered?", "accidents"),
        ("kimpok", "I didn't drop it, it just stopped working. is it covered?", "vandalism"),
        ("jingpin", "哪里都没摔过 怎么就黑屏了 能免费修吗", "意外事故"),
    ],
)
def test_a_cause_the_customer_rules_out_is_never_held_against_them(
    chat: ChatFactory, brand: str, text: str, wrong: str
) -> None:
    reply = chat(brand).say(text)
    assert wrong not in reply and "not covered" not in reply, reply


@pytest.mark.parametrize(
    ("brand", "text", "right", "wrong"),
    [  # found by a second review of today's reading changes
        ("ktnc", "we ordered 200 custom cameras with our own label, can we send them back for credit?", "OEM", "don't"),
        (
            "ktnc",
            "I bought a used camera on eBay from someone. What is the warranty?",
            "don't have information",
            "3 years",
        ),
        (
            "ktnc",
            "bought 5 cameras on 2026-11-20, never opened, paid $100 each. credit if I return 2 weeks from now?",
            "$400",
            "$40 ",
        ),
        (
            "ktnc",
            "bought 6 cameras at $99.50 each on 2026-11-20, unopened. return 2 of them for credit, how much?",
            "$199",
            "$597",
        ),
        (
            "jingpin",
            "terminal 2025-06-01, can you replace the main board free, or do I pay?",
            "2 years",
            "after the repair",
        ),
        ("poesec", "dau ghi bi set danh va chay nguon, co bao hanh khong", "sét", "điện áp"),
        (
            "ktnc",
            "Camera 2026-03-01, a few weeks later your tech replaced the board, now it is dead again. covered?",
            "",
            "modified",
        ),
    ],
)
def test_second_review_near_misses(chat: ChatFactory, brand: str, text: str, right: str, wrong: str) -> None:
    reply = chat(brand, now=MONDAY_10).say(text)
    assert right in reply and wrong not in reply, reply


def test_another_makers_product_with_a_date_gets_no_warranty_verdict(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=MONDAY_10).say("bought a hikvision camera on 1 march 2026, is it still under warranty?")
    assert "covered until" not in reply, reply


def test_the_brands_own_service_centre_is_no_unauthorised_repairer(chat: ChatFactory) -> None:
    reply = chat("jingpin").say("scope won't power on. should i just mail it to your service centre today?")
    assert "not covered" not in reply and "unauthorized" not in reply, reply


def test_each_listed_question_keeps_the_story_told_before_it(chat: ChatFactory) -> None:
    reply = chat("jingpin").say(
        "want to swap my unit within the first month. what do i send u, and what if that model is discontinued?"
    )
    assert "original purchase certificate" in reply and "discontinued" in reply, reply


def test_words_that_only_look_like_a_cause_or_a_greeting_change_nothing(chat: ChatFactory) -> None:
    lines = chat("longgang", user="lines").say("I rebooted it but the lines are still there. Is it covered?")
    assert "available right now" not in lines, lines  # "still there" is the lines, not a consultant
    keeps = chat("jingpin", user="keeps").say("camera cứ tự khởi động lại, mua 3 tháng trước, có được bảo hành không?")
    assert "không được ủy quyền" not in keeps, keeps  # "cứ" (keeps) is not "cũ" (used)


def test_a_fault_asked_about_in_a_list_still_asks_when_it_was_bought(chat: ChatFactory) -> None:
    reply = chat("kimpok", user="listed-fault").say("My camera is faulty, what should I do, is it covered?")
    assert "when you bought it" in reply, reply


def test_a_numbered_list_of_questions_after_a_lead_in_is_answered_question_by_question(chat: ChatFactory) -> None:
    reply = chat("kimpok", user="numbered").say(
        "Few questions before we order more: 1) how long is the warranty 2) what happens when it runs out, do you"
        " still repair?"
    )
    assert "1 year" in reply and "basic cost" in reply, reply


@pytest.mark.parametrize(
    ("brand", "question", "expected", "not_expected"),
    [
        # "someone else's used unit" is a refurbished one, not "someone" to talk to
        ("kimpok", "will i get someone elses used unit back?? i paid for NEW", "refurbished", "don't have information"),
        ("kimpok", "I used the camera for 2 years, now it broke", "", "refurbished"),
        # an aside asks nothing: the question is where the RMA number goes
        ("kimpok", "shipped it already, forgot to put rma on the outside. big deal?", "exterior", "don't have"),
        # "everything you sell" is the whole range a policy covers, not a sales question
        ("longgang", "does the 1 yr apply to everything u sell?", "stated warranty period", "don't have"),
        ("longgang", "do you sell ptz cameras?", "don't have information", "1 year"),
        # how long until a product is passed on to its maker is no parcel's time in transit
        ("longgang", "代理品牌的机器寄到你们那边，多久转到厂家？", "12小时", "没有这方面的信息"),
        ("longgang", "寄到越南要多久", "没有这方面的信息", "12小时"),
        ("poesec", "does the 2yr warranty cover the whole nvr or just the board?", "entire device", "don't have"),
        ("poesec", "do u have ur own technicians or outsource?", "own team of engineers", "don't have"),
        # packaging thrown away is no vandalism (a stone thrown is)
        ("ktnc", "i threw away the packaging can i still return it", "original condition and packaging", "nature"),
        ("kimpok", "someone threw a rock at my camera, covered?", "vandalism", "Yes"),
        # the sentence that asks decides a close call; the one that only tells does not
        ("kimpok", "kimpok warranty is 2 yrs right? just confirming b4 i order more cams", "1 year", "pick one"),
        # beside what happened, "is it covered?" is the verdict's question: no "Yes, the warranty covers…" under it
        ("kimpok", "is it covered? the lens cracked when it fell off the pole", "Not as a free", "Yes, the warranty"),
        # the brand failing to fix it is "not repairable" (a comparable replacement), not a refund question
        ("kimpok", "if u cant fix it do i get my money back or what", "comparable", "not refunds"),
        # a yes/no question with its own subject, after a long story, is read on its own…
        (
            "ktnc",
            "ugh. bought 2026-11-28, camera dead out of the box, doesnt even power up. i have a client install friday "
            "and cant wait for the whole rma loop. can u ship me a replacement first and i send the dead one after?",
            "advance replacement",
            "don't have",
        ),
        # a choice ("pics, or just ship it?") is answered without a bare "Yes"; "pics" are photos
        ("jingpin", "should i send pics of the fault or just ship the thing straight to u", "photos or videos", "Yes,"),
        ("jingpin", "should i send photos of the fault?", "Yes, send", "don't have"),
        # where manuals are, and the customer's router, are in no document (Jingpin says where its manuals are)
        ("ktnc", "有没有中文说明书？", "没有这方面的信息", "原包装"),
        ("ktnc", "do i need to include the manuals when i return for credit?", "manuals included", "don't have"),
        ("jingpin", "where can i download the user manual", "Product Support", "don't have"),
        ("ktnc", "can u help me port forward my router for remote view", "don't have information", "walk you"),
        ("ktnc", "my app says the camera is offline", "walk you through", "don't have"),
        # when consultants finish is the hours; opening a recorder up is taking it apart
        ("kimpok", "what time do your consultants finish on weekdays? (i'm in sydney)", "until 17:00", "repair time"),
        ("kimpok", "the warranty is finished and the cam broke, can you still fix it", "basic cost", "17:00"),
        (
            "poesec",
            "does opening the recorder myself to reseat the hard drive void the warranty?",
            "dismantled",
            "pick",
        ),
        # …one that leans on the story ("fix it free?") is not
        (
            "ktnc",
            "my return got crushed in transit - i just put it in a plastic bag. you'll still fix it free right?",
            "not responsible",
            "parts and labor",
        ),
        # the answer comes from what is asked, not from what only tells
        # the sentence that asks is not understood, and the answer came only from what the customer told
        ("ktnc", "do you have a 4K PTZ with 40x zoom in stock? need 6 next week", "don't have information", "15 days"),
        ("ktnc", "the rma number came monday. can i still ship it next week?", "15 days", "don't have"),
        ("ktnc", "what's the standard warranty on most KT&C products?", "3 years", "don't have"),
        ("jingpin", "client needs to plan downtime. what's your usual repair turnaround?", "working days", "don't"),
        # a client is a customer; a "pc client" is viewing software
        ("kimpok", "NVR at a client site keeps rebooting, is it covered?", "cover", "app"),
        ("ktnc", "RMA号可以重复使用吗？", "只能使用一次", "必须先有"),
        ("ktnc", "can i reuse the rma number?", "used once", "don't"),
        # "contact you or us" names no two things to answer twice
        (
            "jingpin",
            "we're a retail shop. if a customer returns a unit within the 7 days how much is refunded? and for "
            "repairs should our end customers contact you or us?",
            "",
            "remaining warranty period",
        ),
        ("ktnc", "after the repair quote, can you invoice us net 30?", "prepaid by credit card", "If you decline"),
        (
            "jingpin",
            "our hunting shop sells thermal monoculars (complete units). what warranty do we tell buyers?",
            "24 months",
            "don't have",
        ),
        # near misses a review of the day's readings found (each was read as the pattern next to it)
        (
            "ktnc",
            "when I open the camera app it says device offline, is this covered by warranty?",
            "walk you",
            "modified",
        ),  # opening an app is no opening of the device
        ("poesec", "camera bi dung lai khong quay nua, con bao hanh khong?", "", "Không, sản phẩm chưa"),  # stopped
        ("ktnc", "can you invoice us net 30 for the 20 cameras we want to order?", "don't have information", "$50"),
        ("kimpok", "your tech couldn't fix it over the phone, what do I do now?", "", "comparable"),
        ("kimpok", "will the repair finish on time? sent it last monday", "", "available right now"),
        ("kimpok", "the warranty is done yet? I sent my camera in last week", "", "as your purchase date"),
        (
            "ktnc",
            "the camera is working again after a reboot, can I use it again or must I still send it back?",
            "",
            "used once",
        ),
        ("ktnc", "the pc client software crashes on windows 11, is that covered?", "", "30 days"),
        ("jingpin", "七天内可以退货吗？", "7天内", "请选择"),
        # a battery that holds charge only so long is a worn consumable, told however far from "battery"
        (
            "jingpin",
            "the battery on my 18-month-old scope now holds charge only 40 min. i never dropped it. free replacement?",
            "consumables",
            "don't have",
        ),
        (
            "kimpok",
            "the sales rep told me warranty replacements are always brand new units, correct?",
            "refurbished",
            "don't have",
        ),
        (
            "ktnc",
            "You sent me an advance replacement for a DOA cam, and now your lab says my original actually works. "
            "what do i owe?",
            "you pay",
            "don't have",
        ),
        (
            "longgang",
            "our IT guy wants to open the recorder to swap a noisy fan. if we ask you first is that ok for warranty?",
            "written authorization",
            "don't have",
        ),
        # after a verdict, a cause only mentioned (or only half matched) gets no exclusion of its own
        (
            "ktnc",
            "fell off the wall, covered? also the serial sticker is intact and was never removed",
            "drop",
            "void if the product has been modified",
        ),
        (
            "poesec",
            "camera got wet in the rain, covered? btw phone number on the card matches",
            "water",
            "number on the product",
        ),
        # "which part of the shipping": a share, no repair part; "which do you pay?" leans on the sentence before
        (
            "kimpok",
            "after the first month, which part of the shipping do i pay and which do you pay?",
            "",
            "Free during the warranty",
        ),
        (
            "ktnc",
            "I tossed the camera in a box with no padding and it arrived cracked, will KT&C cover it?",
            "not responsible",
            "original condition",
        ),
        # the RMA number written (past tense) on the retail box: where it goes
        (
            "kimpok",
            "last time i wrote the RMA number on the camera's own retail box, is that ok?",
            "exterior shipping box",
            "don't have",
        ),
        # a replacement that looks used is the refurbished-or-new answer; a scratch on it is no damage verdict
        (
            "kimpok",
            "the replacement you sent looks used, scratches on it?? i expected brand new",
            "refurbished",
            "don't",
        ),
        # a sticker over the warranty seal alters it (POE Sec: torn, broken, overwritten or modified)
        (
            "poesec",
            "the shop stuck their own sticker over the warranty seal. does that affect warranty?",
            "not covered",
            "don't",
        ),
        ("poesec", "i put a label on the box, not on the camera", "", "seals are torn"),
        # a camera put in a padded envelope was packed improperly
        (
            "ktnc",
            "the courier wrecked my return on the way to you, i'd only put the camera in a padded envelope. "
            "who's responsible?",
            "not responsible",
            "don't have",
        ),
        ("ktnc", "维修后的产品保修多长时间？", "180", "没有这方面的信息"),
        # a lost warranty card is no drop; a parcel the carrier lost is a consultant's question in every brand
        ("kimpok", "i lost my warranty card, still covered?", "", "drop or knock"),
        (
            "kimpok",
            "the carrier lost my rma parcel on the way to you. will kimpok reimburse me?",
            "don't have",
            "refund",
        ),
        ("ktnc", "快递把我的包裹弄丢了，你们赔吗", "没有这方面的信息", "UPS"),
        # "sort it out" is fixing it
        ("jingpin", "before i ship it to you, will you try to sort it out remotely?", "remote", "don't have"),
        # the full device is the whole machine; POE Sec's "phone number on the product" is named as the policy does
        (
            "jingpin",
            "my night vision scope (the full device, not a part) have 12 month guarantee i think?",
            "2 years",
            "don't",
        ),
        ("poesec", "产品上贴的电话号码和保修卡上的不一样，会影响保修吗？", "电话号码", "没有这方面的信息"),
        # the warranty's end day told: that far past it, the charge band (Longgang: parts and labour after 3 years)
        (
            "longgang",
            "warranty end 2023-06, now broken again. i only pay the parts like last time ok?",
            "labour",
            "when you bought",
        ),
        # POE Sec counts from delivery: "delivered and installed on" is that day, not an install date
        (
            "poesec",
            "We paid for the NVR on 2024-11-20 but it was only delivered and installed on 2024-12-10. It failed today, "
            "are we covered?",
            "delivery date, 10 December 2024",
            "ran out",
        ),
        # a part the brand replaced keeps the rest of the warranty, and at least 3 months (Jingpin)
        (
            "jingpin",
            "You replaced the eyepiece on 2026-10-01 under warranty; my whole-unit warranty ended 2026-11-15. "
            "The eyepiece failed again. Covered?",
            "1 January 2027",
            "bought it",
        ),
        # past the first window: it says which options have gone (KT&C credit)
        ("ktnc", "Purchased 2026-10-20, still sealed. We'd like to return it for credit.", "first 30 days", "Yes"),
        # a second-hand purchase is no refurbished replacement: no document says whether the warranty passes on
        ("poesec", "二手买的摄像头，保修还能用吗？", "没有这方面的信息", "新设备"),
        # express freight on request is at the customer's expense: never "Yes" to "is that free?"
        (
            "longgang",
            "For the return I want SF express overnight instead of your normal method. Is that free?",
            "expense",
            "Yes",
        ),
        # a cause the customer only fears ("I don't accidentally lose the warranty") leaves the list of exclusions
        (
            "kimpok",
            "Before I start installing a 16-camera kit I want to be sure I don't accidentally lose the warranty. "
            "What exactly is not covered?",
            "does NOT cover",
            "don't have",
        ),
        # "On Saturdays until what time" is the hours
        ("kimpok", "On Saturdays until what time can I call?", "Saturday 9:00–12:00", "don't have"),
    ],
)
def test_a_message_is_read_for_what_it_asks(
    chat: ChatFactory, brand: str, question: str, expected: str, not_expected: str
) -> None:
    reply = chat(brand, now=MONDAY_10).say(question)
    assert expected in reply and not_expected not in reply, reply


@pytest.mark.parametrize(
    ("brand", "question", "wrong"),
    [
        # the warranty's end told after its day ("…结束了", "…期满") or "was up / over": that far past it
        ("longgang", "保修在2023年5月结束了，修理要收人工费吗？", "免收人工费"),
        ("longgang", "my warranty was up in May 2023. labour charge?", "labour is free"),
        ("longgang", "my warranty was over 2 years ago, do I pay labour?", "labour is free"),
        # someone else's repair on a day is no purchase on that day
        ("ktnc", "the installer replaced the board on 2026-09-01, is it covered?", "you bought it"),
        # a camera that broke by itself (自己坏了) is a fault, not the customer's own installation
        ("kimpok", "没有摔过，自己坏了，保修吗？买了5个月", "不保修。安装不当"),
        # "until what time can I call" is the hours even when the call is about a warranty claim
        ("longgang", "until what time can I call about a warranty claim?", "3 working days"),
        # the brand's own product bought here, another maker's beside it: the customer's own case
        ("kimpok", "sold my hik cameras and bought your NVR 3 months ago, now it's dead. free repair?", "don't have"),
        # "no damage" is said to rule damage out, never to name it (not an act of nature)
        ("kimpok", "cam just died by itself, no damage. covered?", "Damage caused by acts of nature"),
        # another maker's product is not the brand's to repair (Longgang sells some as their agent: its own)
        ("jingpin", "can you repair a FLIR camera for me? out of warranty with flir", "we still repair it"),
        (
            "kimpok",
            "my hikvision camera (not buy from you) is broken, kimpok can fix it under your guarantee?",
            "when you bought",
        ),
        # someone else replacing a part is no repair by the brand (no repair warranty, no "It's covered")
        (
            "ktnc",
            "I replaced the adapter on 2026-10-01 because the old one was lost, now the camera is dead. covered?",
            "180",
        ),
        (
            "jingpin",
            "they replaced the display at a local shop on 2026-09-01, still under warranty?",
            "repaired or replaced part",
        ),
        # a repair's own warranty over says nothing against the product's, told running
        (
            "ktnc",
            "you replaced the main board on 2026-01-10 and it broke again. I bought it 2025-03-01, covered?",
            "non-warranty",
        ),
        # "until what time" about the warranty or a repair is no question about the hours
        ("kimpok", "till what time is my camera under warranty? I bought it 2026-01-05", "Saturday 9:00"),
        # another product's warranty end is not this one's (its purchase is told)
        ("longgang", "my first camera's warranty expired 2023-01, the second one I bought 2026-06 is broken", "year 3"),
        # a warranty "over" in a month is its end, not the product's age
        ("ktnc", "the warranty was over in March 2025, is repair free?", "covered until"),
        # a rubber or window seal is no warranty seal, and "covered" there is the question, not tape over it
        ("poesec", "is the rubber seal covered by the warranty?", "seals are torn"),
        ("poesec", "installer put tape over the seal on the junction box, now it fogs up", "seals are torn"),
        # someone else sending the camera in is no repair shipped back by the brand
        ("ktnc", "my technician sent the camera back on 2026-05-01 for repair, is it still under warranty?", "180"),
        # a condition that tells what happened keeps it: the exclusion, not the repair steps
        ("jingpin", "if it was borrowed, how do I get it repaired?", "send the product information"),
        # a band of charges only where the charge is asked about
        ("longgang", "超过保修期2年，在深圳能上门维修吗？", "人工费"),
        # a pre-sales "what could go wrong" is no fault
        ("kimpok", "what could go wrong if I use a 24V adapter?", "repaired or replaced free"),
        # writing to someone is contacting them, not writing the RMA number
        ("ktnc", "I wrote to tech support a week ago, still no RMA", "outer box"),
        # a refund question about 30 days gets no "Yes" from the 30-day exchange
        ("jingpin", "within 30 days of purchase, can I get a refund?", "Yes"),
        # a unit that looks used is a replacement's question only when it is a replacement
        ("jingpin", "the unit you sent looks used, is that allowed?", "unauthorized"),
    ],
)
def test_third_review_near_misses(chat: ChatFactory, brand: str, question: str, wrong: str) -> None:
    reply = chat(brand, now=MONDAY_10).say(question)
    assert wrong not in reply, reply


def test_a_question_beside_a_weakly_out_of_scope_remark_is_answered(chat: ChatFactory) -> None:
    evening = datetime.fromisoformat("2026-12-02T18:40:00+08:00")  # a Wednesday, after hours
    reply = chat("kimpok", now=evening).say("anyone there?? cam offline again")
    assert "closed right now" in reply and "Thursday 3 December, 9:00" in reply, reply


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("how do i get an rma, and if i lose it can i get another?", 2),  # a conditional question after "and"
        ("how long is it - and what does a repair cost after that?", 2),  # a dash between questions
        ("if it broke, how much is it?", 1),  # the condition of one question
        ("is the fix free or do we get invoiced?", 1),  # the two sides of one question
        ("my nvr - is it covered?", 1),
        ("i dropped it and if it is covered can you fix it", 1),  # no question mark: a story, not a list
    ],
)
def test_how_many_questions_a_sentence_asks(engine: Engine, text: str, count: int) -> None:
    assert len(engine.kit.intents.questions(text)) == count


def test_can_someone_help_now_is_asked_of_the_hours(chat: ChatFactory) -> None:
    friday_evening = datetime.fromisoformat("2026-12-04T18:30:00+08:00")
    reply = chat("kimpok", now=friday_evening).say("can someone help me now? NVR at a client site keeps rebooting")
    assert "closed right now" in reply and "Saturday 5 December, 9:00" in reply, reply
    form = chat("kimpok", user="form", now=friday_evening).say("can someone help me with my rma form")
    assert "closed right now" not in form, form  # help with something, not whether anyone is there


def test_anyone_on_right_now_is_the_hours(chat: ChatFactory) -> None:
    reply = chat("kimpok", now=MONDAY_10).say("anyone on right now? need to start RMAs for 5 cameras from a hotel job")
    assert "available right now" in reply, reply
