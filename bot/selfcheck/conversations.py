"""Sample conversations through the engine: repair requests down every path, handoffs in and out of hours.

Every brand, in each of its languages, files requests that come out free, paid and excluded, goes back
and changes answers, gets quotes and status changes from a consultant, and is handed to consultants who
claim, relay, use every canned reply, close, ban and unban. A template that does not render (a typo,
an unknown policy value) shows up here as a FaqError, not in front of a customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.errors import FaqError
from bot.core.messages import Media, Message, Reply
from bot.engine import Engine
from bot.flows.base import load_conversation
from bot.flows.state import RmaDraft
from bot.knowledge.faq import base_context
from bot.knowledge.langtext import LANGUAGES
from bot.knowledge.packs import BrandPack
from bot.selfcheck.moment import MOMENT


@dataclass
class Customer:
    """A scripted customer: says things, presses buttons that were offered, and fails loudly."""

    engine: Engine
    user: str
    pack: BrandPack
    lang: str
    now: datetime = MOMENT
    last: list[Reply] = field(default_factory=list)

    def send(
        self,
        text: str | None = None,
        *,
        press: str | None = None,
        media: Sequence[Media] = (),
        kind: str = "text",
        edited: bool = False,
    ) -> list[Reply]:
        """Send a message (or press, or media) and keep the replies."""
        message = Message(
            user=self.user,
            brand=self.pack.id,
            text=text,
            press=press,
            media=tuple(media),
            kind=kind,
            language=self.lang,
            now=self.now,
            edited=edited,
            name="Check",
        )
        self.last = self.engine.handle(message)
        return self.last

    def offered(self, prefix: str) -> list[str]:
        """The data of the buttons just offered that start with ``prefix``."""
        return [b.data for r in self.last for b in r.buttons if b.data.startswith(prefix)]

    def press(self, data: str) -> bool:
        """Press a button if it was just offered."""
        if data not in self.offered(data):
            return False
        self.send(press=data)
        return True

    def draft(self) -> RmaDraft | None:
        """The request being collected, as stored."""
        return load_conversation(self.engine.store, self.user, self.pack.id).state.rma.draft


def request(c: Customer, bought: str, damage: str) -> None:
    """File a request down every step, going wrong at each on the way."""
    c.send("/start")
    c.send("/rma")
    c.press("rma:go")
    for typed in ("x", "Model 5 camera"):
        c.send(typed)
    if c.offered("rma:cat:"):
        c.send(press=c.offered("rma:cat:")[0])
    for typed in ("000", "S/N: AB12 345 678", "no idea", "30 February 2025", "2030-01-01", "1985-01-01", "03/04/2025"):
        c.send(typed)
    if c.offered("rma:date:"):
        c.send(press=c.offered("rma:date:")[0])
    c.press("rma:back")
    c.send(bought)
    draft = c.draft()
    if draft is not None and draft.step == "date":
        c.send(bought)
    c.press("rma:from:agent")
    c.send("broken")
    c.send("no picture at night, the IR lights stay off")
    c.send(media=[Media("photo", "check-file")], kind="photo")
    c.press("rma:photos:done")
    for _ in range(10):
        questions = c.offered("rma:q:")
        if not questions:
            break
        chosen = next((q for q in questions if q.endswith(f":{damage}")), questions[0])
        c.send(press=chosen)
    for typed in ("nope", "+86 755 1234 5678", "x", "12 Garden Road, Central, Hong Kong"):
        c.send(typed)
    c.press("rma:edit:serial")
    c.send("AB12345679")
    c.press("rma:confirm")
    c.send("/rma")
    c.press("rma:cancel")


def after_filing(c: Customer) -> None:
    """A consultant moves the first request through its statuses; the customer follows and decides."""
    engine, now = c.engine, c.now
    rows = engine.store.rmas.find(user=c.user)
    if not rows:
        raise FaqError("(self-check)", c.user, "no request was filed")
    number = rows[-1]["number"]
    desk = engine.flows.rma.desk
    for status, extra in (("received", ""), ("diagnosing", "bench test"), ("quote", "120 USD new board confirm")):
        desk.set_status(number, status, by="check", now=now, extra=extra)
    c.send("/status")
    c.send(press=f"rmaq:{number}:decline:1")
    desk.set_status(number, "quote", by="check", now=now, extra="100 USD new board confirm")
    desk.set_status(number, "declined", by="check", now=now, extra="customer phoned")
    desk.set_status(number, "quote", by="check", now=now, extra="90 USD confirm")
    c.send(press=f"rmaq:{number}:approve:2")  # an earlier quote's button: the current quote is shown
    c.send(press=f"rmaq:{number}:approve:3")
    c.send(press=f"rmaq:{number}:approve:3")
    with engine.store.db.write() as conn:  # a quote kept before quotes carried their currency
        conn.execute("update rmas set quote_currency = null where number = ?", [number])
    c.send("/status")
    desk.set_status(number, "shipped", by="check", now=now, extra="1Z999AA10123456784")
    engine.flows.rma.desk.show(number, now)
    for row in engine.store.rmas.find(status="requested"):
        engine.flows.rma.desk.set_status(row["number"], "approved", by="check", now=now)
    c.send(f"RMA-{c.pack.code}-0000-0000")
    engine.sweep(now + timedelta(days=13))
    engine.sweep(now + timedelta(days=40))


def handoff(c: Customer, reason: str) -> None:
    """A ticket from start to a closed, rated, reopened, left and banned chat."""
    engine = c.engine
    if reason == "asked":
        c.send("/human")
        c.send("/human")
    else:  # two misunderstandings in a row
        c.send("qwzx flarb vrrk")
        c.send("qwzx flarb vrrk")
    c.send("hello", edited=True)
    c.send(kind="sticker")
    engine.open_desk(MOMENT)
    staff = engine.staff
    for line in ("hello", "// note", "/take", "/queue", "/canned", "/help"):
        staff(line, customer=c.user, by="check", name="Check Consultant", now=MOMENT)
    staff("/take", customer=c.user, by="check2", name="Other Consultant", now=MOMENT)
    for name, _ in engine.knowledge.canned.names(c.pack.id):
        staff(f"#{name}", customer=c.user, by="check", name="Check Consultant", now=MOMENT)
    staff("/close", customer=c.user, by="check", name="Check Consultant", now=MOMENT)
    staff("/close", customer=c.user, by="check", name="Check Consultant", now=MOMENT)
    c.now = MOMENT
    for data in c.offered("hrate:")[-1:]:
        c.send(press=data)
    c.send("again")
    c.send("/cancel")
    engine.topic_card(c.user)
    for line in ("hello", "/unban", "/ban"):
        staff(line, customer=c.user, by="check", name="Check Consultant", now=MOMENT)
    c.send("/human")  # banned: refused
    staff("/unban", customer=c.user, by="check", name="Check Consultant", now=MOMENT)
    staff("hello", customer=f"{c.user}:nobody", by="check", name="Check", now=MOMENT)
    staff("/take", customer=None, by="check", name="Check", now=MOMENT)


def converse(engine: Engine) -> None:
    """Every brand in each of its languages, down every path of the RMA and handoff flows."""
    closed = MOMENT.replace(hour=20)  # 20:00 China time on a Monday: consultants are out
    for pack in engine.packs.values():
        for lang in pack.languages:  # a customer's language is always one of the brand's
            for bought, damage in (("2025-12-28", "none"), ("2012-03-04", "none"), ("2025-12-28", "water")):
                request(Customer(engine, f"check:{pack.id}:{lang}:{bought}:{damage}", pack, lang), bought, damage)
            after_filing(Customer(engine, f"check:{pack.id}:{lang}:2025-12-28:none", pack, lang))
            handoff(Customer(engine, f"check:{pack.id}:{lang}:asked", pack, lang), "asked")
            handoff(Customer(engine, f"check:{pack.id}:{lang}:closed", pack, lang, now=closed), "not_understood")
    for line in ("/rma", "/rma list", "/rma RMA-000-0000-0000 received"):
        engine.staff(line, by="check", now=MOMENT)
    _canned_with_an_rma(engine)


def _canned_with_an_rma(engine: Engine) -> None:
    """Every canned reply, quoting an RMA, in every language of every brand; the rating buttons in every language."""
    kit = engine.kit
    for pack in engine.packs.values():
        sample = {
            "number": f"RMA-{pack.code}-CHEC-KING",
            "status": "requested",
            "label": "requested",
            "data": {"model": "IPC-1", "serial": "S1", "fault": "no video"},
        }
        for lang in pack.languages:
            for name, _ in kit.canned.names(pack.id):
                reply = kit.canned.get(pack.id, name)
                assert reply is not None
                kit.render_canned(pack, reply, lang, MOMENT, name="Check", r=sample)
        for lang in LANGUAGES:
            kit.content.render_message(pack.id, "handoff_button_rate", lang, {**base_context(pack, MOMENT), "n": 3})
