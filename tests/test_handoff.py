"""Handing chats to consultants, engine side: triggers, tickets, relays both ways, hours, the queue and tools."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.tables import TelegramTables
from bot.engine import Engine, Media, Message, fixed_clock
from bot.store import Store

from .conftest import MONDAY_10, fresh_engine

SUNDAY_10 = datetime.fromisoformat("2026-11-22T10:00:00+08:00")
CONSULTANT = "tg:7001"


@pytest.fixture
def desk(shared_engine: Engine) -> Engine:
    """An engine whose consultants sit in a staff chat (handoffs open tickets)."""
    return fresh_engine(shared_engine, consultants=True)


class Customer:
    def __init__(
        self,
        engine: Engine,
        user: str = "tg:501",
        brand: str | None = None,
        now: datetime = MONDAY_10,
        name: str = "Ann Lee",
    ) -> None:
        self.engine, self.user, self.brand, self.now, self.name = engine, user, brand, now, name

    def say(self, text: str | None = None, **extra: object) -> str:
        replies = self.engine.handle(
            Message(user=self.user, text=text, brand=self.brand, now=self.now, name=self.name, **extra)
        )  # type: ignore[arg-type]
        self.last = replies
        return "\n".join(r.text for r in replies)

    def press(self, data: str) -> str:
        replies = self.engine.handle(Message(user=self.user, press=data, brand=self.brand, now=self.now))
        self.last = replies
        return "\n".join(r.text for r in replies)

    def inbox(self) -> list[str]:
        """Notices for this customer (a consultant's words, claims, closing), marked delivered."""
        notices = self.engine.notices(target=self.user)
        for n in notices:
            self.engine.notice_sent(n)
        self.notices = notices
        return [n.reply.text for n in notices]

    def topic(self) -> list[str]:
        """What the customer's topic in the staff chat received, marked delivered."""
        notices = self.engine.notices(target=f"staff:{self.user}")
        for n in notices:
            self.engine.notice_sent(n)
        self.topic_notices = notices
        return [n.reply.text for n in notices]


def consultant(
    engine: Engine,
    customer: Customer | None,
    text: str,
    *,
    now: datetime = MONDAY_10,
    media: tuple[Media, ...] = (),
    name: str = "Mei Chen",
    by: str = CONSULTANT,
) -> str:
    replies = engine.staff(text, by=by, name=name, customer=customer.user if customer else None, media=media, now=now)
    return "\n".join(r.text for r in replies)


def test_in_hours_a_ticket_opens_with_a_card_and_the_chat_is_relayed_both_ways(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("hi, is my camera covered if I bought it in March?")
    reply = ann.say("/human")
    assert "passed your chat to our consultants (ticket T-1)" in reply and "17:00" in reply
    (card,) = ann.topic()
    assert "T-1 · Kimpok · waiting" in card
    assert "Ann Lee (tg:501)" in card and "asked for a consultant" in card
    assert "is my camera covered" in card  # the last exchanges with the bot
    assert [b.data for b in ann.topic_notices[0].reply.buttons] == ["take:1"]

    # the bot stays quiet while consultants have the chat; everything reaches the topic, photos too
    assert ann.say("my NVR beeps all night") == ""
    assert ann.say(None, kind="photo", media=(Media("photo", "ph-1"),)) == ""
    topic = ann.topic()
    assert topic == ["my NVR beeps all night", ""]
    assert ann.topic_notices[1].reply.media == (Media("photo", "ph-1"),)

    # the consultant answers: that takes the ticket, the customer is told who and gets the words and the photo
    said = consultant(desk, ann, "Hello Ann, which model is it?")
    assert "Mei Chen took T-1" in said
    inbox = ann.inbox()
    assert inbox[0] == "Mei from our support team has picked up your chat (ticket T-1). You can write here."
    assert inbox[1] == "💬 Mei: Hello Ann, which model is it?"
    consultant(desk, ann, "", media=(Media("photo", "ph-label"),))
    assert ann.inbox() == ["💬 Mei:"] and ann.notices[0].reply.media == (Media("photo", "ph-label"),)

    # an internal note stays in the staff chat
    assert consultant(desk, ann, "// probably the HDD alarm") == ""
    assert ann.inbox() == []
    notes = [m for m in desk.store.tickets.messages(1) if m["direction"] == "note"]
    assert notes[0]["text"] == "probably the HDD alarm"

    # /close: the customer is back with the bot and asked for a rating, which is stored and shown to staff
    assert "T-1 closed by Mei Chen" in consultant(desk, ann, "/close")
    (closing,) = ann.inbox()
    assert "closed this chat (ticket T-1)" in closing and "the assistant answers again" in closing
    buttons = ann.notices[0].reply.buttons
    assert [b.data for b in buttons] == [f"hrate:1:{n}" for n in range(1, 6)]
    assert "rating (4/5) is recorded" in ann.press("hrate:1:4")
    assert desk.store.tickets.get(1)["rating"] == 4
    assert "rated T-1: 4/5" in ann.topic()[-1]
    # commands go to the bot again at once (writing within the next minutes would reopen the chat)
    ann.say("/menu")
    assert "rma:menu" in [b.data for b in ann.last[-1].buttons]
    assert desk.store.tickets.get(1)["status"] == "closed"


def test_writing_again_soon_after_closing_reopens_but_thanks_does_not(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/human")
    consultant(desk, ann, "/take")
    consultant(desk, ann, "/close")
    ann.inbox(), ann.topic()  # the closing and the rating request, delivered
    ann.now = MONDAY_10 + timedelta(minutes=5)
    # smalltalk is answered by the bot itself: not relayed to the topic, the ticket stays closed
    assert ann.say("thanks!") == "You're welcome! Anything else about your Kimpok product?"
    assert ann.topic() == [] and ann.inbox() == []
    assert desk.store.tickets.get(1)["status"] == "closed"
    reply = ann.say("sorry, one more thing: the beeping started again")
    assert "open again (ticket T-1)" in reply
    ticket = desk.store.tickets.get(1)
    assert ticket["status"] == "claimed" and ticket["reopened"] == 1
    topic = ann.topic()
    assert any("wrote again: T-1 is open again (still Mei's)" in t for t in topic)
    assert topic[-1] == "sorry, one more thing: the beeping started again"
    # long after closing, a new question goes to the bot
    consultant(desk, ann, "/close")
    ann.now = MONDAY_10 + timedelta(hours=2)
    assert "open again" not in ann.say("what is the warranty on cameras?")
    assert desk.store.tickets.get(1)["status"] == "closed"


@pytest.mark.parametrize(
    ("brand", "text"),
    [
        ("kimpok", "can i talk to a real person please"),
        ("kimpok", "I want to speak to a human"),
        ("jingpin", "转人工"),
        ("jingpin", "我要人工客服"),
        ("poesec", "cho tôi gặp nhân viên"),
        ("poesec", "tôi muốn gặp nhân viên tư vấn"),
        ("ktnc", "agent please"),
    ],
)
def test_asking_for_a_person_in_any_language_opens_a_ticket(desk: Engine, brand: str, text: str) -> None:
    customer = Customer(desk, brand=brand)
    reply = customer.say(text)
    assert "T-1" in reply
    assert desk.store.tickets.active(customer.user) is not None
    if brand == "jingpin" and "人工" in text:
        assert "顾问" in reply or "工单" in reply  # answered in the customer's language


def test_two_misunderstandings_in_a_row_bring_in_a_consultant(desk: Engine) -> None:
    ann = Customer(desk)
    first = ann.say("blorp zzkx frobnicate")
    assert desk.store.tickets.active(ann.user) is None and "consultant" in first.lower()
    second = ann.say("qwv plimp snargle")
    assert "still couldn't work that out" in second and "T-1" in second
    (card,) = ann.topic()
    assert "did not understand twice in a row" in card and "blorp zzkx" in card


def test_one_misunderstanding_then_an_answer_starts_counting_again(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("blorp zzkx frobnicate")
    ann.say("how long is the warranty?")
    ann.say("qwv plimp snargle")
    assert desk.store.tickets.active(ann.user) is None


def test_the_consultant_button_after_a_troubleshooting_walk_hands_over_with_the_walk(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/troubleshoot")
    start = next(b.data for b in ann.last[-1].buttons)
    ann.press(start)
    # answer each step with its last real option until the walk ends
    for _ in range(12):
        options = [b.data for b in ann.last[-1].buttons]
        if "consultant:walk" in options:
            break
        step = [d for d in options if d.startswith("ts:") and d.split(".")[-1].isdigit()]
        ann.press(step[-1])
    else:
        pytest.fail("no walk ended with a consultant")
    reply = ann.press("consultant:walk")
    assert "T-1" in reply
    (card,) = ann.topic()
    assert "after a troubleshooting walk" in card and "Troubleshooting:" in card


def test_out_of_hours_the_customer_hears_the_next_opening_and_details_wait_for_it(desk: Engine) -> None:
    ann = Customer(desk, now=SUNDAY_10)
    reply = ann.say("/human")
    assert "away right now" in reply and "Monday 23 November, 9:00 (China time)" in reply
    assert "T-1" in reply and "leave the details" in reply
    assert ann.topic() == []  # nothing posted while closed
    kept = ann.say("NVR-8 shows no disk since the power cut")
    assert "Kept on ticket T-1" in kept and "Monday 23 November, 9:00" in kept
    assert ann.say(None, kind="photo", media=(Media("photo", "ph-disk"),)) == ""  # acknowledged once a while
    assert desk.open_desk(SUNDAY_10 + timedelta(hours=5)) == 0  # still Sunday
    assert ann.topic() == []

    # opening time: the staff chat gets the queue, the topic gets the card with what was written, and the photo
    assert desk.open_desk(MONDAY_10.replace(hour=9, minute=0)) == 1
    (summary,) = [n.reply.text for n in desk.notices(target="staff")]
    assert "We're open" in summary and "T-1 · Ann Lee · Kimpok · waiting 23 h 00 min" in summary
    card, _photos = ann.topic()
    assert "(while closed)" in card and "Written while we were closed" in card and "no disk since" in card
    assert ann.topic_notices[1].reply.media == (Media("photo", "ph-disk"),)
    assert desk.open_desk(MONDAY_10) == 0  # posted once only
    # a consultant picks it up: the customer is told
    consultant(desk, ann, "/take", now=MONDAY_10)
    assert "Mei from our support team has picked up your chat" in ann.inbox()[0]


def test_out_of_hours_times_are_also_given_in_the_customers_own_time_when_known(desk: Engine) -> None:
    ann = Customer(desk, now=SUNDAY_10.astimezone(datetime.fromisoformat("2026-01-01T00:00:00+01:00").tzinfo))
    reply = ann.say("/human")
    assert "Monday 23 November, 9:00 (China time), which is Monday 23 November, 2:00 your time" in reply


def test_out_of_hours_on_a_public_holiday_says_so_and_counts_the_whole_holiday(desk: Engine) -> None:
    ann = Customer(desk, now=datetime.fromisoformat("2026-10-02T11:00:00+08:00"))
    reply = ann.say("I need to talk to a human")
    assert "public holiday (National Day)" in reply and "Thursday 8 October, 9:00" in reply


def test_a_waiting_customer_asking_again_is_told_where_things_stand(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/human")
    assert "already with our consultants (ticket T-1): someone will answer here shortly" in ann.say("/human")
    assert len(desk.store.tickets.find()) == 1


def test_cancel_takes_the_customer_back_to_the_bot_and_tells_the_consultants(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/human")
    reply = ann.say("/cancel")
    assert "left the consultant chat (ticket T-1 is closed)" in reply
    assert "left the chat with /cancel" in ann.topic()[-1]
    assert desk.store.tickets.get(1)["closed_by"] == "customer"
    assert "warranty" in ann.say("how long is the warranty?").lower()  # and no reopening


def test_an_excluded_rma_is_handed_to_a_consultant(desk: Engine) -> None:
    ann = Customer(desk, brand="longgang")
    for text in ("/rma", "DS-7608 recorder", "SN 4421 7781 0032"):
        ann.say(text)
    # walk the request to the end, answering "yes" to the first exclusion question
    for _ in range(20):
        buttons = [b.data for b in ann.last[-1].buttons]
        if any(b.startswith("rma:confirm") for b in buttons):
            ann.press(next(b for b in buttons if b.startswith("rma:confirm")))
            break
        step = desk.conversation(ann.user).state.rma.draft.step
        answers = {
            "date": "12 May 2026",
            "bought": "from your shop",
            "fault": "it was dropped in water and dead",
            "contact": "ann@example.com",
            "address": "1 Harbour Road, Hong Kong",
        }
        if step in answers:
            ann.say(answers[step])
        elif step == "photos":
            ann.press(next(b for b in buttons if "done" in b or "skip" in b))
        elif buttons:
            ann.press(buttons[0])
    text = "\n".join(r.text for r in ann.last)
    if "T-1" not in text:
        pytest.fail(f"this request was not excluded: {text[:200]}")
    assert desk.store.tickets.active(ann.user)["reason"] == "rma_excluded"
    (card, *_) = ann.topic()
    assert "RMA excluded by the policy" in card and "RMA-001-" in card


def test_queue_lists_waiting_tickets_oldest_first_with_their_wait(desk: Engine) -> None:
    for i, minutes in enumerate((0, 7, 15)):
        Customer(desk, user=f"tg:60{i}", name=f"Customer {i}", now=MONDAY_10 + timedelta(minutes=minutes)).say("/human")
    consultant(desk, Customer(desk, user="tg:602"), "/take")
    queue = consultant(desk, None, "/queue", now=MONDAY_10 + timedelta(minutes=20))
    assert queue.index("T-1 · Customer 0") < queue.index("T-2 · Customer 1")
    assert "waiting 20 min" in queue and "waiting 13 min" in queue
    assert "With a consultant: T-3 (Mei)" in queue


def test_canned_replies_fill_in_the_brands_values_in_the_customers_language(desk: Engine) -> None:
    ann = Customer(desk, brand="kimpok")
    ann.say("/human")
    listing = consultant(desk, ann, "/canned")
    assert "#warranty" in listing and "#rma" in listing
    said = consultant(desk, ann, "#warranty")
    assert "sent #warranty" in said
    text = ann.inbox()[-1]
    months = desk.packs["kimpok"].warranty.default_months
    assert months is not None
    assert "Kimpok" in text and (f"{months} months" in text or f"{months // 12} year" in text)
    # the RMA reply needs an RMA: refused with the reason, nothing sent
    assert "this customer has no RMA" in consultant(desk, ann, "/canned rma")
    assert ann.inbox() == []
    assert "No canned reply #nonsense" in consultant(desk, ann, "#nonsense")


def test_a_canned_reply_that_fails_names_the_reply_not_the_servers_files(content_copy: Path) -> None:
    with (content_copy / "faq" / "_common" / "canned.toml").open("a", encoding="utf-8") as canned:
        canned.write('\n[broken]\ntitle = "Broken"\nen = "Covered for {{ warranty.no_such_value }}."\n')
    desk = Engine.from_root(content_copy, store=Store(":memory:"), clock=fixed_clock(MONDAY_10), consultants=True)
    ann = Customer(desk, brand="kimpok")
    ann.say("/human")
    said = consultant(desk, ann, "#broken")
    assert "#broken was not sent: canned:broken.en: unknown policy value" in said and "no_such_value" in said
    assert str(content_copy) not in said and "canned.toml" not in said
    assert ann.inbox() == []


def test_canned_replies_go_out_in_chinese_to_a_chinese_customer(desk: Engine) -> None:
    wang = Customer(desk, brand="jingpin", name="王先生")
    wang.say("我要人工")
    consultant(desk, wang, "#hours")
    text = wang.inbox()[-1]
    assert any("\u4e00" <= c <= "\u9fff" for c in text.split(":", 1)[1])


def test_banned_customers_no_longer_reach_consultants(desk: Engine) -> None:
    troll = Customer(desk, user="tg:666")
    troll.say("/human")
    said = consultant(desk, troll, "/ban")
    assert "is banned" in said and "T-1 is closed" in said
    assert "can't pass this chat to a consultant" in troll.say("/human")
    assert desk.store.tickets.active("tg:666") is None
    assert troll.say("you are useless") != ""  # the bot still answers, nothing is relayed
    troll.topic()
    assert "can reach consultants again" in consultant(desk, None, "/unban 666")
    assert "T-2" in troll.say("/human")


def test_consultant_commands_outside_a_topic_or_for_a_closed_ticket_explain_themselves(desk: Engine) -> None:
    assert "inside a customer's topic" in consultant(desk, None, "/close")
    assert consultant(desk, None, "just chatting among ourselves") == ""
    ann = Customer(desk)
    assert "has no ticket" in consultant(desk, ann, "hello?")
    ann.say("/human")
    consultant(desk, ann, "/close")
    ann.inbox()
    assert "T-1 is closed, so this did not reach the customer" in consultant(desk, ann, "are you there?")
    assert ann.inbox() == []
    # /take reopens it
    assert "took T-1" in consultant(desk, ann, "/take")
    assert desk.store.tickets.get(1)["status"] == "claimed"


def test_a_claim_button_press_takes_the_ticket_and_a_second_consultant_takes_over(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/human")
    assert "Mei Chen took T-1" in "\n".join(r.text for r in desk.staff_press("take:1", by=CONSULTANT, name="Mei Chen"))
    assert "already yours" in "\n".join(r.text for r in desk.staff_press("take:1", by=CONSULTANT, name="Mei Chen"))
    over = "\n".join(r.text for r in desk.staff_press("take:1", by="tg:7002", name="Bo Li"))
    assert "Bo Li took T-1 over from Mei" in over


def test_edits_and_stickers_reach_the_topic(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/human")
    ann.topic()
    ann.say("the model is NVR-16", edited=True)
    ann.say(None, kind="sticker", media=(Media("sticker", "st-1"),))
    ann.say(None, kind="location")
    assert ann.topic() == ["✏️ edited: the model is NVR-16", "", "[location]"]
    assert ann.topic_notices[1].reply.media == (Media("sticker", "st-1"),)


def test_without_a_staff_chat_asking_for_a_person_gives_the_ways_to_reach_one(engine: Engine) -> None:
    reply = engine.handle(Message(user="c", text="/human", now=MONDAY_10))
    assert "available now" in reply[0].text
    assert engine.store.tickets.find() == []


def test_twenty_customers_at_once_get_twenty_tickets_and_one_customer_at_once_gets_one(
    shared_engine: Engine, tmp_path: Path
) -> None:
    engine = fresh_engine(shared_engine, store=Store(str(tmp_path / "d.db")), consultants=True)
    barrier = threading.Barrier(30)

    def ask(user: str, text: str) -> None:
        barrier.wait()
        engine.handle(Message(user=user, text=text, now=MONDAY_10))

    threads = [threading.Thread(target=ask, args=(f"tg:{700 + i}", "/human")) for i in range(20)]
    threads += [
        threading.Thread(target=ask, args=("tg:800", text))
        for text in (
            "/human",
            "real person please",
            "人工",
            "/human",
            "agent please",
            "/human",
            "talk to a human",
            "/human",
            "/human",
            "/human",
        )
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tickets = engine.store.tickets.find()
    assert len(tickets) == 21 and len({t["user"] for t in tickets}) == 21
    cards = [n for n in engine.notices(prefix="tg:", limit=500) if n.target.startswith("staff:")]
    assert sorted(n.target for n in cards if n.reply.buttons) == sorted(f"staff:{t['user']}" for t in tickets)


def test_a_restart_mid_handoff_keeps_the_ticket_and_the_relay(shared_engine: Engine, tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    first = fresh_engine(shared_engine, store=Store(path), consultants=True)
    ann = Customer(first)
    ann.say("/human")
    consultant(first, ann, "/take")
    topics = TelegramTables(path)  # the adapter's own table, in the same file
    topics.set_topic(ann.user, 4242, "Ann Lee · Kimpok · T-1")
    topics.close()
    first.store.close()
    again = fresh_engine(shared_engine, store=Store(path), consultants=True)
    ann.engine = again
    assert ann.say("still there?") == ""
    assert again.notices(target=f"staff:{ann.user}")[-1].reply.text == "still there?"
    topics = TelegramTables(path)
    assert topics.customer_of_topic(4242) == ann.user
    topics.close()
    consultant(again, ann, "yes, one moment")
    assert ann.inbox()[-1] == "💬 Mei: yes, one moment"


# -- found by trying it as customers and consultants would ------------------------------------------------------


def test_a_ticket_still_open_at_closing_time_tells_the_customer_when_consultants_are_back(desk: Engine) -> None:
    friday = datetime.fromisoformat("2026-11-27T16:55:00+08:00")
    ann = Customer(desk, now=friday)
    ann.say("/human")
    ann.now = friday + timedelta(minutes=35)
    reply = ann.say("is anyone there?")
    assert "Kept on ticket T-1" in reply and "Saturday 28 November, 9:00" in reply
    assert ann.topic()[-1] == "is anyone there?"  # still relayed to the topic
    assert "they are back Saturday 28 November, 9:00" in ann.say("/human")
    # at opening the summary lists it although its card was posted yesterday
    desk.open_desk(friday + timedelta(minutes=10))  # the bot looked while it was closed
    assert desk.open_desk(datetime.fromisoformat("2026-11-28T09:00:00+08:00")) == 0
    (summary,) = [n.reply.text for n in desk.notices(target="staff")]
    assert "T-1 · Ann Lee" in summary and "(posted before closing)" in summary


def test_details_left_out_of_hours_reach_consultants_in_full(desk: Engine) -> None:
    ann = Customer(desk, now=SUNDAY_10)
    ann.say("/human")
    long = "The NVR reboots every night. " * 12 + "IMPORTANT: call me on +84 912 345 678 after 6pm"
    ann.say(long)
    desk.open_desk(MONDAY_10)
    card = ann.topic()[0]
    assert "+84 912 345 678 after 6pm" in card


def test_canned_rma_reply_works_for_brands_whose_pack_has_no_rma_section(desk: Engine) -> None:
    for brand in ("longgang", "poesec"):
        customer = Customer(desk, user=f"tg:{brand}", brand=brand)
        desk.store.rmas.create(
            make_number=lambda b=brand: f"RMA-{desk.packs[b].code}-AAAA-BBBB",
            user=customer.user,
            brand=brand,
            status="awaiting_shipment",
            data={"model": "X"},
            outcome="free",
            at=MONDAY_10,
            expires_on=None,
        )
        customer.say("/human")
        assert "sent #rma" in consultant(desk, customer, "#rma")
        assert f"RMA-{desk.packs[brand].code}-AAAA-BBBB" in customer.inbox()[-1]


def test_canned_warranty_does_not_invent_a_period_for_categories_the_document_leaves_unreadable(desk: Engine) -> None:
    customer = Customer(desk, brand="ktnc")
    customer.say("/human")
    consultant(desk, customer, "#warranty")
    text = customer.inbox()[-1]
    assert "IP Cameras" not in text and "Pan & Tilt Mechanism: 1 year" in text.replace("12 months", "1 year")


@pytest.mark.parametrize(
    "text",
    [
        "Does human detection alert only for a real person or also for cats?",
        "I need a human detection camera, which model?",
        "the alarm says live person detected",
        "人工智能摄像头保修多久",
    ],
)
def test_questions_about_human_detection_are_not_requests_for_a_person(desk: Engine, text: str) -> None:
    Customer(desk).say(text)
    assert desk.store.tickets.find() == []


@pytest.mark.parametrize(
    "text", ["Thank you Mei", "thanks a lot, bye", "ok", "👍", "好的", "谢谢您的帮助", "cảm ơn bạn"]
)
def test_thanks_and_goodbyes_after_closing_do_not_reopen(desk: Engine, text: str) -> None:
    ann = Customer(desk)
    ann.say("/human")
    consultant(desk, ann, "/close")
    ann.now = MONDAY_10 + timedelta(minutes=3)
    ann.say(text)
    assert desk.store.tickets.get(1)["status"] == "closed"


def test_a_leftover_claim_button_does_not_pull_back_a_customer_who_left(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/human")
    ann.say("/cancel")
    said = "\n".join(r.text for r in desk.staff_press("take:1", by=CONSULTANT, name="Mei Chen"))
    assert "closed by the customer" in said
    assert ann.inbox() == [] and desk.store.tickets.active(ann.user) is None


def test_starting_a_repair_request_during_a_handoff_leaves_the_consultant(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/human")
    reply = ann.say("/rma")
    assert "left the consultant chat" in reply and desk.store.tickets.active(ann.user) is None
    assert ann.say("IPC-B2M bullet camera") != ""  # answered by the request, not relayed


def test_a_mistyped_staff_command_is_reported_not_swallowed(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("/human")
    assert "/clsoe is not a command here" in consultant(desk, ann, "/clsoe")
    consultant(desk, ann, "/etc/hosts is the file to edit")
    assert ann.inbox()[-1].endswith("/etc/hosts is the file to edit")


def test_an_old_consultant_button_during_a_handoff_says_where_things_stand(desk: Engine) -> None:
    ann = Customer(desk)
    ann.say("blorp zzkx frobnicate")  # offers the consultant button
    ann.say("/human")
    assert "already with our consultants" in ann.press("consultant")
