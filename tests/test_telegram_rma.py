"""An RMA end to end on Telegram: a customer files it with a photo, consultants move it on from the staff chat."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .botprocess import BotProcess
from .fakebot import FakeBotAPI, Sent

NOW = "2026-11-23T10:00:00+08:00"  # a Monday morning in Shenzhen
STAFF = -100555  # the consultants' supergroup
CONSULTANT = 7001


@pytest.fixture
async def bot(fake: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake, tmp_path, SUPPORTBOT_NOW=NOW, SUPPORTBOT_STAFF_CHAT_ID=str(STAFF))
    await process.start()
    yield process
    await process.stop()


class Customer:
    """Plays one customer: each action waits until the bot's newest message says what is expected."""

    def __init__(self, fake: FakeBotAPI, user_id: int) -> None:
        self.fake = fake
        self.id = user_id

    def last(self) -> Sent:
        return self.fake.sent_to(self.id)[-1]

    async def _expect(self, before: int, expected: str) -> Sent:
        def arrived() -> bool:
            new = self.fake.sent_to(self.id)[before:]
            return any(expected in s.text for s in new)

        await self.fake.wait_for(arrived)
        return next(s for s in self.fake.sent_to(self.id)[before:] if expected in s.text)

    async def say(self, text: str, expected: str) -> Sent:
        before = len(self.fake.sent_to(self.id))
        await self.fake.customer_text(self.id, text)
        return await self._expect(before, expected)

    async def press(self, label: str, expected: str) -> Sent:
        before = len(self.fake.sent_to(self.id))
        message = next(s for s in reversed(self.fake.sent_to(self.id)) if any(t == label for t, _ in s.buttons))
        await self.fake.customer_press(self.id, message, label)
        return await self._expect(before, expected)

    async def photo(self, expected: str) -> Sent:
        before = len(self.fake.sent_to(self.id))
        await self.fake.customer_photo(self.id)
        return await self._expect(before, expected)


async def test_a_customer_files_an_rma_with_a_photo_and_follows_it_to_shipping(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    c = Customer(fake, 301)
    await c.say("/rma", "first tries to fix the problem with you")
    await c.press("I've already tried: start the request", "Which product is it?")
    await c.say("IPC-B2M bullet camera", "serial number")
    await c.say("S/N: k7f2 99812", "When did you buy it")
    await c.say("I bought it on 2 September 2026", "Where did you buy it?")
    await c.press("Directly from Kimpok", "What's wrong with it?")
    await c.say("The picture is black at night and the IR lights never switch on", "Please send photos")
    await c.photo("Got it (1 so far)")
    await c.press("✔ Done", "opened, repaired elsewhere or modified")
    await c.press("No", "damaged by any of these")
    await c.press("No, none of these", "How can we reach you")
    await c.say("ann.lee@example.com", "return address")
    summary = await c.say("Flat 5, 12 Garden Road, Central, Hong Kong", "Please check your request")
    assert "K7F299812" in summary.text and "Photos and videos: 1" in summary.text
    filed = await c.press("✅ Confirm and file the request", "Your RMA number is")
    number = re.search(r"RMA-000-[0-9A-Z]{4}-[0-9A-Z]{4}", filed.text)
    assert number is not None, filed.text
    rma = number.group(0)
    assert "in warranty" in filed.text
    instructions = await c._expect(0, "How to send it")
    assert "never on the original product packaging" in instructions.text and "ATTN line" in instructions.text

    # the staff chat receives the card and the customer's photo
    await fake.wait_for(lambda: any(rma in s.text for s in fake.sent_to(STAFF)))
    card = next(s for s in fake.sent_to(STAFF) if rma in s.text)
    assert "K7F299812" in card.text and "IR lights" in card.text and "Customer301" in card.text
    await fake.wait_for(lambda: any(s.media for s in fake.sent_to(STAFF)))
    (photo,) = [s for s in fake.sent_to(STAFF) if s.media]
    (customer_photo,) = [path[len("files/") :] for path in fake.files if path.startswith("files/ph")]
    assert photo.media == (customer_photo,)  # the very photo the customer sent, by its file id

    # a consultant sets "received", then "shipped" with a tracking number: the customer hears of both
    before = len(fake.sent_to(301))
    await fake.staff_text(STAFF, CONSULTANT, f"/rma {rma} received")
    received = await c._expect(before, "received")
    assert rma in received.text
    before = len(fake.sent_to(301))
    await fake.staff_text(STAFF, CONSULTANT, f"/rma {rma.lower()} shipped 1Z999AA10123456784")
    shipped = await c._expect(before, "1Z999AA10123456784")
    assert "on its way back" in shipped.text
    await fake.wait_for(
        lambda: any("is now shipped" in s.text and "Consultant7001" in s.text for s in fake.sent_to(STAFF))
    )

    # the customer follows it with /status: the whole history
    status = await c.say("/status", rma)
    assert "shipped back to you" in status.text and "received" in status.text and "1Z999AA10123456784" in status.text


async def test_staff_mistakes_get_a_clear_refusal_and_customers_cannot_change_statuses(
    fake: FakeBotAPI, bot: BotProcess
) -> None:
    await fake.staff_text(STAFF, CONSULTANT, "/rma RMA-000-ABCD-EFGH received")
    await fake.wait_for(lambda: any("Not done: no RMA RMA-000-ABCD-EFGH" in s.text for s in fake.sent_to(STAFF)))
    await fake.staff_text(STAFF, CONSULTANT, "/rma")
    await fake.wait_for(lambda: any("RMA commands" in s.text for s in fake.sent_to(STAFF)))
    c = Customer(fake, 302)
    reply = await c.say("/rma RMA-000-ABCD-EFGH received", "can't find")
    assert "RMA-000-ABCD-EFGH" in reply.text
