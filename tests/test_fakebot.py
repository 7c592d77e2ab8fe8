"""The fake Bot API server behaves as Telegram does where the bot depends on it (checked with PTB's Bot)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from .fakebot import FakeBotAPI


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeBotAPI, Bot]]:
    fake = FakeBotAPI()
    base = await fake.start()
    bot = Bot(fake.token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot")
    async with bot:
        yield fake, bot
    await fake.stop()


async def test_get_updates_long_polls_and_offset_confirms(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9  # it really waited
    first = await fake.customer_text(1, "hello")
    second = await fake.customer_text(1, "again")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [first, second]
    assert abs(updates[0].message.date.timestamp() - time.time()) < 5  # dates in seconds
    assert [u.update_id for u in await bot.get_updates(offset=second, timeout=0)] == [second]
    assert await bot.get_updates(offset=second + 1, timeout=0) == ()


async def test_malformed_html_is_refused_like_telegram(api: tuple[FakeBotAPI, Bot]) -> None:
    _, bot = api
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await bot.send_message(5, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
        await bot.send_message(5, "a <script> tag", parse_mode="HTML")
    sent = await bot.send_message(5, "&lt;b&gt; &amp; <b>bold</b>", parse_mode="HTML")
    assert sent.text == "<b> & bold"


async def test_limits_on_text_and_callback_data(api: tuple[FakeBotAPI, Bot]) -> None:
    _, bot = api
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(5, "x" * 4097)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(5, "hi", reply_markup=too_long)


async def test_blocked_customer_is_forbidden(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    fake.blocked.add(7)
    with pytest.raises(Forbidden):
        await bot.send_message(7, "hi")


async def test_files_upload_and_download(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    message = await bot.send_photo(5, photo=b"\x89PNG-fake-bytes", caption="label")
    file = await bot.get_file(message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == b"\x89PNG-fake-bytes"
    await fake.customer_photo(9)
    (update,) = await bot.get_updates(timeout=1)
    customer_file = await bot.get_file(update.message.photo[-1].file_id)
    assert bytes(await customer_file.download_as_bytearray()).startswith(b"\xff\xd8")


async def test_every_call_is_recorded(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    await bot.send_message(5, "one")
    await bot.send_chat_action(5, "typing")
    assert [method for method, _ in fake.calls][-2:] == ["sendMessage", "sendChatAction"]


# -- the staff supergroup as a forum -------------------------------------------------------------------------

STAFF = -100777


async def test_topics_are_created_in_a_forum_only(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    with pytest.raises(BadRequest, match=r"(?i)the chat is not a forum"):
        await bot.create_forum_topic(STAFF, "RMA-1")
    fake.make_forum(STAFF)
    first = await bot.create_forum_topic(STAFF, "RMA-1 Customer5")
    second = await bot.create_forum_topic(STAFF, "RMA-2", icon_color=16766590)
    assert first.name == "RMA-1 Customer5" and first.icon_color == 7322096 and second.icon_color == 16766590
    assert 0 < first.message_thread_id != second.message_thread_id > 0
    assert fake.topics == {STAFF: {first.message_thread_id: "RMA-1 Customer5", second.message_thread_id: "RMA-2"}}
    assert fake.topics_created == [
        (STAFF, first.message_thread_id, "RMA-1 Customer5"),
        (STAFF, second.message_thread_id, "RMA-2"),
    ]
    for bad in ("", "x" * 129):
        with pytest.raises(BadRequest, match=r"(?i)topic_name_invalid"):
            await bot.create_forum_topic(STAFF, bad)
    with pytest.raises(ValueError, match="negative"):
        fake.make_forum(5)


async def test_topics_are_renamed_closed_reopened_and_deleted(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    fake.make_forum(STAFF)
    thread = (await bot.create_forum_topic(STAFF, "open")).message_thread_id
    assert await bot.edit_forum_topic(STAFF, thread, name="renamed")
    assert fake.topics[STAFF][thread] == "renamed"
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):  # as Telegram: nothing changed
        await bot.edit_forum_topic(STAFF, thread, name="renamed")
    with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
        await bot.reopen_forum_topic(STAFF, thread)
    assert await bot.close_forum_topic(STAFF, thread)
    assert await bot.reopen_forum_topic(STAFF, thread)
    assert await bot.delete_forum_topic(STAFF, thread)
    assert fake.topics[STAFF] == {}
    for call in (bot.close_forum_topic, bot.reopen_forum_topic, bot.delete_forum_topic):
        with pytest.raises(BadRequest, match=r"(?i)topic_id_invalid"):
            await call(STAFF, thread)
    with pytest.raises(BadRequest, match=r"(?i)topic_id_invalid"):
        await bot.edit_forum_topic(STAFF, 424242, name="x")


async def test_sending_into_a_topic_and_after_it_is_deleted(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    fake.make_forum(STAFF)
    thread = (await bot.create_forum_topic(STAFF, "RMA-7")).message_thread_id
    message = await bot.send_message(STAFF, "new case", message_thread_id=thread)
    assert message.message_thread_id == thread and message.is_topic_message
    assert message.chat.type == "supergroup" and message.chat.is_forum
    photo = await bot.send_photo(STAFF, b"\x89PNG-fake", caption="the fault", message_thread_id=thread)
    album = await bot.send_media_group(STAFF, [InputMediaPhoto(photo.photo[-1].file_id)] * 2, message_thread_id=thread)
    assert all(m.message_thread_id == thread for m in album)
    await bot.send_message(STAFF, "in General")
    assert [s.text for s in fake.sent_to_thread(STAFF, thread)] == ["new case", "the fault", ""]
    assert fake.sent_to_thread(STAFF, thread)[1].message_id == photo.message_id
    assert [s.thread for s in fake.sent_to(STAFF)] == [thread, thread, thread, None]

    fake.delete_topic(STAFF, thread)
    assert thread not in fake.topics[STAFF]
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(STAFF, "still there?", message_thread_id=thread)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_photo(STAFF, photo.photo[-1].file_id, message_thread_id=thread)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(STAFF, "never made", message_thread_id=thread + 1000)
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):  # a private chat has no topics
        await bot.send_message(5, "hi", message_thread_id=thread)
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):  # deleted with its topic
        await bot.send_message(STAFF, "re", reply_to_message_id=message.message_id)


async def test_replies_are_recorded_and_checked(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    fake.make_forum(STAFF)
    thread = (await bot.create_forum_topic(STAFF, "RMA-8")).message_thread_id
    card = await bot.send_message(STAFF, "card", message_thread_id=thread)
    reply = await bot.send_message(STAFF, "answer", reply_to_message_id=card.message_id)
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == card.message_id
    assert reply.message_thread_id == thread  # a reply goes to the topic of the message it replies to
    await bot.send_photo(STAFF, b"\x89PNG", reply_parameters=ReplyParameters(card.message_id))
    *_, answer, photo = fake.sent_to(STAFF)
    assert (answer.reply_to, answer.thread) == (card.message_id, thread)
    assert (photo.reply_to, photo.thread, photo.kind) == (card.message_id, thread, "photo")
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(STAFF, "to nothing", reply_to_message_id=987654)
    loose = await bot.send_message(
        STAFF, "to nothing, allowed", reply_parameters=ReplyParameters(987654, allow_sending_without_reply=True)
    )
    assert loose.reply_to_message is None and fake.sent_to(STAFF)[-1].reply_to is None
    await fake.customer_text(5, "my message")
    (update,) = await bot.get_updates(timeout=1)
    await bot.send_message(5, "re: your message", reply_to_message_id=update.message.message_id)
    assert fake.sent_to(5)[-1].reply_to == update.message.message_id


async def test_voice_sticker_and_other_media_are_recorded(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    await fake.customer_voice(5)
    await fake.customer_sticker(5)
    await fake.customer_document(5, file_name="crash.log", caption="the log")
    voice_update, sticker_update, document_update = await bot.get_updates(timeout=1)
    voice, sticker = voice_update.message.voice, sticker_update.message.sticker
    document = document_update.message.document
    assert document.file_name == "crash.log" and document_update.message.caption == "the log"
    assert bytes(await (await bot.get_file(voice.file_id)).download_as_bytearray()).startswith(b"OggS")
    fake.make_forum(STAFF)
    thread = (await bot.create_forum_topic(STAFF, "RMA-9")).message_thread_id
    sent_voice = await bot.send_voice(STAFF, voice.file_id, caption="customer says", message_thread_id=thread)
    sent_sticker = await bot.send_sticker(STAFF, sticker.file_id, message_thread_id=thread)
    sent_document = await bot.send_document(STAFF, document.file_id, message_thread_id=thread)
    sent_audio = await bot.send_audio(STAFF, b"ID3-fake", message_thread_id=thread)
    sent_animation = await bot.send_animation(STAFF, b"GIF89a-fake", message_thread_id=thread)
    sent_video = await bot.send_video(STAFF, b"\x00\x00\x00\x18ftypmp4", message_thread_id=thread)
    assert sent_voice.voice.file_id == voice.file_id and sent_sticker.sticker.file_id == sticker.file_id
    assert sent_animation.animation is not None and sent_audio.audio is not None and sent_video.video is not None
    records = fake.sent_to_thread(STAFF, thread)
    assert [(s.kind, s.text) for s in records] == [
        ("voice", "customer says"),
        ("sticker", ""),
        ("document", ""),
        ("audio", ""),
        ("animation", ""),
        ("video", ""),
    ]
    assert records[0].media == (voice.file_id,) and records[1].media == (sticker.file_id,)
    assert records[2].media == (document.file_id,)
    replies = (sent_voice, sent_sticker, sent_document, sent_audio, sent_animation, sent_video)
    assert [s.message_id for s in records] == [m.message_id for m in replies]


async def test_every_send_records_a_unique_message_id(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    text = await bot.send_message(5, "one")
    photo = await bot.send_photo(5, b"\x89PNG-fake")
    album = await bot.send_media_group(5, [InputMediaPhoto(photo.photo[-1].file_id)] * 3)
    sticker = await bot.send_sticker(5, b"RIFF-webp")
    ids = [s.message_id for s in fake.sent_to(5)]
    assert ids == [text.message_id, photo.message_id, album[0].message_id, sticker.message_id]
    assert all(ids) and len(set(ids)) == len(ids)
    assert len({m.message_id for m in album}) == 3 and len({m.media_group_id for m in album}) == 1
    assert await bot.pin_chat_message(5, text.message_id)
    assert fake.pinned == [(5, text.message_id)]
    with pytest.raises(BadRequest, match=r"(?i)message to pin not found"):
        await bot.pin_chat_message(5, 987654)


async def test_consultants_write_reply_and_press_in_the_staff_chat(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    fake.make_forum(STAFF)
    thread = (await bot.create_forum_topic(STAFF, "RMA-10")).message_thread_id
    take = InlineKeyboardMarkup([[InlineKeyboardButton("Take", callback_data="t")]])
    card = await bot.send_message(
        STAFF, "<b>RMA-10</b> waiting", parse_mode="HTML", message_thread_id=thread, reply_markup=take
    )
    (sent,) = fake.sent_to_thread(STAFF, thread)
    await fake.staff_text(STAFF, 42, "on it", thread=thread)
    await fake.staff_text(STAFF, 42, "done", reply_to=sent)
    await fake.staff_photo(STAFF, 42, thread=thread, caption="the repair")
    await fake.staff_press(STAFF, 42, sent, "Take")
    in_topic, reply, photo, press = await bot.get_updates(timeout=1)
    assert in_topic.message.chat.type == "supergroup" and in_topic.message.chat.is_forum
    assert in_topic.message.message_thread_id == thread and in_topic.message.is_topic_message
    assert in_topic.message.reply_to_message is None  # the topic's creation message is not emulated
    assert reply.message.reply_to_message.message_id == card.message_id
    assert reply.message.reply_to_message.from_user.is_bot and reply.message.reply_to_message.text == "RMA-10 waiting"
    assert reply.message.message_thread_id == thread  # a reply is in the topic of what it replies to
    file = await bot.get_file(photo.message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()).startswith(b"\xff\xd8") and photo.message.caption == "the repair"
    query = press.callback_query
    assert query.data == "t" and query.from_user.id == 42
    assert query.message.chat.id == STAFF and query.message.chat.type == "supergroup"
    assert query.message.message_id == card.message_id and query.message.message_thread_id == thread
    with pytest.raises(ValueError, match="no button"):
        await fake.staff_press(STAFF, 42, sent, "Drop")
    fake.delete_topic(STAFF, thread)
    with pytest.raises(ValueError, match="no topic"):
        await fake.staff_text(STAFF, 42, "into the void", thread=thread)


async def test_a_staff_chat_that_is_no_forum(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    message = await bot.send_message(STAFF, "card")
    assert message.chat.type == "supergroup" and not message.chat.is_forum
    await fake.staff_text(STAFF, 42, "/rma RMA-1 received")
    (update,) = await bot.get_updates(timeout=1)
    assert update.message.chat.type == "supergroup" and not update.message.chat.is_forum
    assert update.message.message_thread_id is None
    fake.blocked.add(STAFF)
    with pytest.raises(Forbidden, match="kicked"):
        await bot.send_message(STAFF, "hi")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's RetryAfter warns on itself
async def test_faults_are_injected_per_method_and_chat_for_a_count_or_until_cleared(
    api: tuple[FakeBotAPI, Bot],
) -> None:
    fake, bot = api
    fake.inject("blocked", method="sendMessage", chat=5, times=1)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(5, "refused")
    await bot.send_message(5, "one")
    fake.inject("flood", seconds=2)  # every method but getUpdates, every chat, until cleared
    with pytest.raises(RetryAfter) as caught:
        await bot.send_chat_action(6, "typing")
    assert "retry in 2 seconds" in str(caught.value).lower()
    assert await bot.get_updates(timeout=0) == ()
    fake.clear()
    fake.inject("drop", method="sendMessage", times=1)  # not done: the connection drops first
    with pytest.raises(NetworkError, match="disconnected"):
        await bot.send_message(5, "lost")
    fake.inject("bad_gateway", times=1)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(5, "lost too")
    fake.inject("topic_closed", chat=STAFF, times=1)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(STAFF, "closed")
    fake.inject("slow", method="sendMessage", times=1, seconds=0.5)  # done, and answered late
    started = time.monotonic()
    await bot.send_message(5, "late")
    assert time.monotonic() - started >= 0.5
    assert [s.text for s in fake.sent_to(5)] == ["one", "late"]
    assert [kind for _, kind, _ in fake.fault_hits] == [
        "blocked",
        "flood",
        "drop",
        "bad_gateway",
        "topic_closed",
        "slow",
    ]
    assert not fake.faults
    with pytest.raises(ValueError, match="no such fault"):
        fake.inject("gremlins")


async def test_the_bot_is_removed_from_a_group_and_added_back(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    assert (await bot.get_chat(STAFF)).type == "supergroup"
    await fake.remove_bot(STAFF)
    with pytest.raises(Forbidden, match="kicked"):
        await bot.get_chat(STAFF)
    await fake.add_bot(STAFF)
    await bot.send_message(STAFF, "back")
    removed, added = await bot.get_updates(timeout=0)
    assert removed.my_chat_member.new_chat_member.status == "kicked" and removed.my_chat_member.chat.id == STAFF
    assert added.my_chat_member.new_chat_member.status == "member"


async def test_an_update_an_old_bot_api_server_sends_cannot_be_parsed(api: tuple[FakeBotAPI, Bot]) -> None:
    fake, bot = api
    await fake.customer_poll(5)
    with pytest.raises(TypeError, match="persistent_id"):
        await bot.get_updates(timeout=0)


async def test_topics_made_come_back_as_updates_and_messages_in_them_reply_to_their_creation(
    api: tuple[FakeBotAPI, Bot],
) -> None:
    fake, bot = api
    fake.make_forum(STAFF)
    fake.service_updates = True
    thread = (await bot.create_forum_topic(STAFF, "Ann · Kimpok · T-1")).message_thread_id
    await fake.staff_text(STAFF, 42, "hello", thread=thread)
    created, written = await bot.get_updates(timeout=0)
    assert created.message.forum_topic_created.name == "Ann · Kimpok · T-1" and created.message.from_user.is_bot
    assert created.message.message_thread_id == thread
    opening = written.message.reply_to_message
    assert opening.message_id == thread and opening.forum_topic_created.name == "Ann · Kimpok · T-1"
    fake.close_topic(STAFF, thread)
    with pytest.raises(BadRequest, match=r"(?i)topic_closed"):
        await bot.send_message(STAFF, "closed", message_thread_id=thread)
