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


def price(pack: BrandPack, amount: float | None, currency: str | None) -> str | None:
    """A quoted amount as the customer reads it: the currency the consultant typed, else the brand's own."""
    if amount is None:
        return None
    figure = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    symbol = currency or pack.fees.currency_symbol or pack.fees.currency
    if not symbol:
        return figure
    return f"{figure} {symbol}" if len(symbol) == 3 and symbol.isalpha() else f"{symbol}{figure}"


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
                buttons += self.quote_buttons(
                    self.kit.packs.get(row["brand"], turn.pack), row["number"], turn.lang, turn.now
                )
        turn.offer(buttons)
        return Result(Outcome.RMA_STATUS, [Reply(turn.say("rma_status", rmas=shown), tuple(buttons))])

    def for_customer(self, row: Mapping[str, Any], lang: str, now: datetime) -> dict[str, Any]:
        """A stored RMA as customers read it: status labels, its history in the brand's time, the price."""
        pack = self.kit.packs.get(row["brand"]) or next(iter(self.kit.packs.values()))
        history = []
        for h in self.kit.store.rmas.history(row["number"]):
            by_system = h["by"] in ("customer", "assistant")  # their notes are for staff ("quote declined")
            shown = "quote_declined" if h["status"] == "quote_sent" and h["by"] == "customer" else h["status"]
            history.append(
                {
                    **h,
                    "note": None if by_system else h["note"],
                    "label": self.say(pack, f"rma_status_{shown}", lang, now),
                    "when": datetime.fromisoformat(h["at"]).astimezone(pack.timezone),
                }
            )
        declined = row["status"] == "quote_sent" and row.get("quote_decision") == "declined"
        status = "quote_declined" if declined else row["status"]
        return {
            **row,
            "label": self.say(pack, f"rma_status_{status}", lang, now),
            "history": history,
            "price": price(pack, row.get("quote_amount"), row.get("quote_currency")),
            "expires": date.fromisoformat(row["expires_on"]) if row.get("expires_on") else None,
        }

    def quote_buttons(self, pack: BrandPack, number: str, lang: str, now: datetime) -> list[Button]:
        """Approve and Decline under a quote."""
        return [
            Button(self.say(pack, "rma_button_quote_approve", lang, now, number=number), f"rmaq:{number}:approve"),
            Button(self.say(pack, "rma_button_quote_decline", lang, now, number=number), f"rmaq:{number}:decline"),
        ]

    def quote_decision(self, turn: Turn, data: str) -> Result:
        """The customer approves or declines a repair quote (only their own, only while it is open)."""
        _, number, decision = [*data.split(":"), "", ""][:3]
        store = self.kit.store
        row = self.get(number)
        if row is None or row["user"] != turn.user:
            return Result(Outcome.RMA_STATUS_UNKNOWN, [Reply(turn.say("rma_status_not_found", number=number))])
        pack = self.kit.packs.get(row["brand"], turn.pack)
        lang, now = turn.lang, turn.now
        if row["status"] != "quote_sent" or row.get("quote_decision") or decision not in ("approve", "decline"):
            closed = self.say(pack, "rma_quote_closed", lang, now, r=self.for_customer(row, lang, now))
            return Result(Outcome.RMA_QUOTE_CLOSED, [Reply(closed)])
        approved = decision == "approve"
        shown_price = price(pack, row["quote_amount"], row.get("quote_currency"))
        told = self.say(
            pack, "rma_staff_quote_decision", "en", now, number=number, approved=approved, price=shown_price
        )
        changed = store.rmas.change(
            number,
            expect="quote_sent",
            status="repairing" if approved else "quote_sent",
            by="customer",
            at=now,
            note="quote approved" if approved else "quote declined",
            fields={"quote_decision": "approved" if approved else "declined"},
            notices=[("staff", Reply(told).to_dict())],
        )
        if not changed:
            closed = self.say(pack, "rma_quote_closed", lang, now, r=self.for_customer(row, lang, now))
            return Result(Outcome.RMA_QUOTE_CLOSED, [Reply(closed)])
        turn.state.clear_offer()
        outcome = Outcome.RMA_QUOTE_APPROVED if approved else Outcome.RMA_QUOTE_DECLINED
        return Result(outcome, [Reply(self.say(pack, outcome.value, lang, now, number=number, price=shown_price))])

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
