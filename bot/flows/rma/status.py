"""Following a request: the customer's own RMAs with their history, and their answer to a quote."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.core.messages import Button, Reply
from bot.core.outcomes import Outcome
from bot.flows.base import Kit, Result, Turn
from bot.flows.rma.filing import filed_row
from bot.knowledge.packs import BrandPack

QUOTE = "rmaq"  # rmaq:<number>:approve|decline:<which quote>, under a quote (long after the request)


def money(amount: float, currency: str) -> str:
    """An amount with its currency as typed: "120 USD", "$120", "1,250,000 VND"."""
    figure = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return f"{figure} {currency}" if len(currency) == 3 and currency.isalpha() else f"{currency}{figure}"


def brand_currency(pack: BrandPack) -> str | None:
    """The currency a brand's pack names (its symbol first), or None: then a quote needs one typed."""
    return pack.fees.currency_symbol or pack.fees.currency or None


class RmaStatus:
    """What customers see of their requests after filing them."""

    def __init__(self, kit: Kit) -> None:
        self.kit = kit

    def get(self, number: str) -> dict[str, Any] | None:
        """One stored RMA, readable whatever version of the bot filed it."""
        row = self.kit.store.rmas.get(number)
        return filed_row(row) if row is not None else None

    def find(self, **where: Any) -> list[dict[str, Any]]:
        """Stored RMAs, newest first (see :meth:`bot.store.rmas.Rmas.find`), readable whatever filed them."""
        return [filed_row(r) for r in self.kit.store.rmas.find(**where)]

    def say(self, pack: BrandPack, name: str, lang: str, now: datetime, **extra: Any) -> str:
        """A named message for a brand in a language (outside a customer's turn: staff, notices)."""
        return self.kit.say(pack, name, lang, now, **extra)

    def status(self, turn: Turn) -> Result:
        """The customer's own RMAs with their history; never anyone else's."""
        asked = turn.reading.rma_number
        rows = self.find(user=turn.user, limit=20)
        if asked is not None:
            mine = [r for r in rows if r["number"] == asked]
            if not mine:
                own = self.get(asked)
                if own is not None and own["user"] == turn.user:
                    mine = [own]
            if not mine:
                return Result(Outcome.RMA_STATUS_UNKNOWN, [Reply(turn.say("rma_status_not_found", number=asked))])
            rows = mine
        drafting = turn.state.rma.draft is not None
        buttons: list[Button] = []
        if drafting:
            buttons.append(turn.button("rma_button_continue", "rma:resume"))
        if not rows:
            buttons.append(turn.button("button_rma", "rma:menu"))
            return turn.result(Outcome.RMA_STATUS_NONE, "rma_status_none", *buttons, drafting=drafting)
        shown = [self.for_customer(r, turn.lang, turn.now) for r in rows]
        for row in rows:
            if row["status"] == "quote_sent" and not row.get("quote_decision"):
                buttons += self.quote_buttons(self.kit.packs.get(row["brand"], turn.pack), row, turn.lang, turn.now)
        turn.offer(buttons)
        return Result(Outcome.RMA_STATUS, [Reply(turn.say("rma_status", rmas=shown), tuple(buttons))])

    def for_customer(self, row: Mapping[str, Any], lang: str, now: datetime) -> dict[str, Any]:
        """A stored RMA as customers read it: status labels, its history in the brand's time, the price."""
        pack = self.kit.packs.get(row["brand"]) or next(iter(self.kit.packs.values()))
        history = []
        for h in self.kit.store.rmas.history(row["number"]):
            by_system = h["by"] in ("customer", "assistant")  # their notes are for staff ("quote 1 declined")
            history.append(
                {
                    **h,
                    "note": None if by_system else h["note"],
                    "label": self.say(pack, f"rma_status_{h['status']}", lang, now),
                    "when": datetime.fromisoformat(h["at"]).astimezone(pack.timezone),
                }
            )
        return {
            **row,
            "label": self.say(pack, f"rma_status_{row['status']}", lang, now),
            "history": history,
            "price": self.price(pack, row, lang, now),
            "expires": date.fromisoformat(row["expires_on"]) if row.get("expires_on") else None,
        }

    def price(self, pack: BrandPack, row: Mapping[str, Any], lang: str, now: datetime) -> str | None:
        """The quoted amount with its currency (a quote from before quotes kept one: the brand's, not a guess)."""
        if row.get("quote_amount") is None:
            return None
        currency = row.get("quote_currency") or brand_currency(pack)
        if currency:
            return money(row["quote_amount"], currency)
        return self.say(pack, "rma_price_brand_currency", lang, now, figure=money(row["quote_amount"], ""))

    def quotes(self, number: str) -> int:
        """How many quotes an RMA has had: the current one's number (its buttons carry it)."""
        return sum(1 for h in self.kit.store.rmas.history(number) if h["status"] == "quote_sent")

    def quote_buttons(
        self, pack: BrandPack, row: Mapping[str, Any], lang: str, now: datetime, which: int | None = None
    ) -> list[Button]:
        """Approve and Decline under a quote; their data names the quote, so a later one is never answered by them."""
        number = row["number"]
        which = which or self.quotes(number)
        return [
            Button(self.say(pack, f"rma_button_quote_{d}", lang, now, number=number), f"{QUOTE}:{number}:{d}:{which}")
            for d in ("approve", "decline")
        ]

    def quote_decision(self, turn: Turn, data: str) -> Result:
        """The customer approves or declines a repair quote (only their own, only the quote they were shown)."""
        _, number, decision, which = [*data.split(":"), "", "", ""][:4]
        row = self.get(number)
        if row is None or row["user"] != turn.user:
            return Result(Outcome.RMA_STATUS_UNKNOWN, [Reply(turn.say("rma_status_not_found", number=number))])
        pack = self.kit.packs.get(row["brand"], turn.pack)
        lang, now = turn.lang, turn.now
        current = self.quotes(number)
        if row["status"] != "quote_sent" or row.get("quote_decision") or decision not in ("approve", "decline"):
            return self._closed(pack, row, lang, now)
        if which != str(current) and (which or current > 1):  # a button under an earlier quote (or from before)
            return self._changed(turn, pack, row, current)
        approved = decision == "approve"
        staff_price = self.price(pack, row, "en", now)
        told = self.say(
            pack, "rma_staff_quote_decision", "en", now, number=number, approved=approved, price=staff_price
        )
        if not self.kit.store.rmas.change(
            number,
            expect="quote_sent",
            status="repairing" if approved else "quote_declined",
            by="customer",
            at=now,
            note=f"quote {current} {'approved' if approved else 'declined'}: {staff_price}",
            fields={"quote_decision": "approved" if approved else "declined"},
            notices=[("staff", Reply(told).to_dict())],
            match={"quote_amount": row["quote_amount"], "quote_currency": row["quote_currency"]},
        ):  # changed meanwhile: a new quote (shown), or a consultant's change
            fresh = self.get(number) or row
            if fresh["status"] == "quote_sent" and not fresh.get("quote_decision"):
                return self._changed(turn, pack, fresh, self.quotes(number))
            return self._closed(pack, fresh, lang, now)
        turn.state.clear_offer()
        outcome = Outcome.RMA_QUOTE_APPROVED if approved else Outcome.RMA_QUOTE_DECLINED
        shown_price = self.price(pack, row, lang, now)
        return Result(outcome, [Reply(self.say(pack, outcome.value, lang, now, number=number, price=shown_price))])

    def _changed(self, turn: Turn, pack: BrandPack, row: Mapping[str, Any], current: int) -> Result:
        """The quote was revised since the message pressed under: the current one, with its own buttons."""
        buttons = self.quote_buttons(pack, row, turn.lang, turn.now, current)
        turn.offer(buttons)
        price = self.price(pack, row, turn.lang, turn.now)
        changed = self.say(pack, "rma_quote_changed", turn.lang, turn.now, number=row["number"], price=price)
        return Result(Outcome.RMA_QUOTE_CHANGED, [Reply(changed, tuple(buttons))])

    def _closed(self, pack: BrandPack, row: Mapping[str, Any], lang: str, now: datetime) -> Result:
        closed = self.say(pack, "rma_quote_closed", lang, now, r=self.for_customer(row, lang, now))
        return Result(Outcome.RMA_QUOTE_CLOSED, [Reply(closed)])

    def described(self, pack: BrandPack, record: Mapping[str, Any], lang: str, now: datetime) -> dict[str, Any]:
        """A request's answers as a customer reads them (names for ids, wording for choices)."""
        data = dict(record)
        data["date"] = date.fromisoformat(data["date"]) if isinstance(data.get("date"), str) else data.get("date")
        situation = data.get("situation")
        dates = (situation.get("dates") if isinstance(situation, Mapping) else None) or []
        first = dates[0] if dates else None
        data["date_range"] = (
            f"{first['earliest']} to {first['latest']}" if first and first["earliest"] != first["latest"] else None
        )
        category = pack.category(data.get("category") or "")
        data["category_name"] = category.name_in(lang) if category else None
        data["bought_from_text"] = self.say(pack, f"rma_button_from_{data.get('bought_from') or 'unsure'}", lang, now)
        data["answers_text"] = [
            (self.say(pack, f"rma_q_{qid}_short", lang, now), self.say(pack, f"rma_q_{qid}_{a['choice']}", lang, now))
            for qid, a in (data.get("answers") or {}).items()
        ]
        return data
