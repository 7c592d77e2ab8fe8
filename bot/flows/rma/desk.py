"""Consultants and requests: the staff card, ``/rma list|show|<number> <status>``, and the expiry sweep.

A status change is stored with the notices it causes (to the customer, to the staff chat) in one
transaction; the running bot delivers them, so a change made at a desk (``supportbot rma set-status``)
reaches the customer too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.core.errors import InputError
from bot.core.messages import Button, Media, Reply
from bot.core.text import command_of
from bot.flows.base import Kit
from bot.flows.rma.filing import stored_situation
from bot.flows.rma.status import RmaStatus, brand_currency, money
from bot.knowledge.packs import BrandPack
from bot.policy.eligibility import assess
from bot.understand.answers import find_number, quote

CONFIRM = frozenset({"confirm", "--confirm"})  # a word after a change a warning asked to confirm


class RmaDesk:
    """The consultants' side of repair requests."""

    def __init__(self, kit: Kit, view: RmaStatus) -> None:
        self.kit = kit
        self.view = view

    @property
    def _any_pack(self) -> BrandPack:
        return self.kit.packs[self.kit.default_brand]

    def _say(self, pack: BrandPack, name: str, now: datetime, **extra: Any) -> str:
        return self.kit.say(pack, name, "en", now, **extra)

    def card(self, row: Mapping[str, Any], now: datetime) -> Reply:
        """The summary card consultants see, with the customer's photos."""
        pack = self.kit.packs[row["brand"]]
        data = row["data"]
        media = tuple(Media(kind, ref) for kind, ref in data.get("photos", ()))
        described = self.view.described(pack, data, "en", now)
        label = row["status"].replace("_", " ")
        return Reply(self._say(pack, "rma_staff_card", now, r=row, d=described, label=label), (), media)

    def listing(self, status: str | None, now: datetime) -> str:
        """Open RMAs (or those with one status), newest first, for consultants."""
        workflow = self.kit.workflow
        if status is not None and status not in workflow.statuses:
            raise InputError(f"unknown status {status!r} (known: {', '.join(workflow.statuses)})")
        if status:
            rows = self.view.find(status=status, limit=50)
        else:
            rows = [r for r in self.view.find(limit=500) if r["status"] not in workflow.final][:50]
        for row in rows:  # stored in UTC: the day it was made, in its brand's zone
            zone = self.kit.packs[row["brand"]].timezone if row["brand"] in self.kit.packs else UTC
            row["created_on"] = datetime.fromisoformat(row["created_at"]).astimezone(zone).date()
        return self._say(self._any_pack, "rma_staff_list", now, rmas=rows, status=status)

    def show(self, number: str, now: datetime) -> Reply:
        """One RMA in full for consultants: the card and its history."""
        found = find_number(number) or number.strip().upper()
        row = self.view.get(found)
        if row is None:
            raise InputError(f"no RMA {found}")
        card = self.card(row, now)
        pack = self.kit.packs[row["brand"]]
        history = self._say(pack, "rma_staff_history", now, r=self.view.for_customer(row, "en", now))
        return Reply(f"{card.text}\n{history}", (), card.media)

    def command(self, text: str, *, by: str, now: datetime) -> list[Reply]:
        """``/rma`` in the staff chat: list, show, or change a status. Errors come back as a reply."""
        pack = self._any_pack
        parts = text.split(maxsplit=3)[1:] if command_of(text) == "rma" else []
        try:
            if not parts or parts[0].lower() in ("help", "?"):
                return [Reply(self._say(pack, "rma_staff_help", now))]
            if parts[0].lower() == "list":
                status = self.kit.workflow.status_word(parts[1]) if len(parts) > 1 else None
                return [Reply(self.listing(status, now))]
            if parts[0].lower() == "show" and len(parts) > 1:
                return [self.show(parts[1], now)]
            number = find_number(" ".join(parts[:1]))
            if number is None or len(parts) < 2:
                return [Reply(self._say(pack, "rma_staff_help", now))]
            self.set_status(number, parts[1], by=by, now=now, extra=" ".join(parts[2:]))
            return []  # the change is announced to the staff chat by its notice
        except InputError as exc:
            return [Reply(self._say(pack, "rma_staff_refused", now, reason=str(exc)))]

    def set_status(self, number: str, word: str, *, by: str, now: datetime, extra: str = "") -> dict[str, Any]:
        """A consultant changes an RMA's status; the customer is told at once. Raises InputError when refused."""
        store, workflow = self.kit.store, self.kit.workflow
        found = find_number(number) or number.strip().upper()
        row = self.view.get(found)
        if row is None:
            raise InputError(f"no RMA {found}")
        status = workflow.status_word(word)
        if status is None:
            raise InputError(f"unknown status {word!r} (known: {', '.join(workflow.statuses)})")
        if status in ("repairing", "replacing") and row["status"] == "quote_declined":
            raise InputError(
                f"the customer declined the quote for {row['number']}: it can only be shipped back, "
                "closed or cancelled (or quoted again)"
            )
        workflow.check_change(row["status"], status)
        pack = self.kit.packs[row["brand"]]
        fields: dict[str, Any] = {}
        words = extra.split()
        confirmed = any(w.lower() in CONFIRM for w in words)  # the consultant read the warning and goes on
        extra = " ".join(w for w in words if w.lower() not in CONFIRM)[:300]
        note = extra or None  # what the customer reads; the history and the staff chat read ``logged``
        logged = note
        need = workflow.needs.get(status)
        if need == "tracking":
            tracking = extra.split()[0] if extra else ""
            if not re.fullmatch(r"[A-Za-z0-9-]{4,40}", tracking):
                raise InputError("shipped needs the tracking number: /rma RMA-… shipped <tracking number>")
            fields["tracking"] = tracking
        if need == "amount":
            fields, note, logged = self._quote(pack, row, extra, confirmed)
        if status == "quote_declined":
            fields["quote_decision"] = "declined"
        lang = row["data"].get("lang") or "en"
        status_after = status
        if status == "approved":
            validity = pack.rma.validity_days
            if validity:
                local = now.astimezone(pack.timezone).date()
                fields["expires_on"] = (local + timedelta(days=validity)).isoformat()
            status_after = "awaiting_shipment"
        customer = self._update_reply(pack, {**row, **fields, "status": status_after}, status, lang, now, note)
        label = status_after.replace("_", " ")
        told = Reply(self._say(pack, "rma_staff_changed", now, number=row["number"], by=by, label=label, note=logged))
        notices = [(row["user"], customer.to_dict()), ("staff", told.to_dict())]
        if not store.rmas.change(
            row["number"],
            expect=row["status"],
            status=status,
            by=by,
            at=now,
            note=logged,
            fields=fields,
            notices=notices if status_after == status else [],
        ):
            raise InputError(f"{row['number']} was changed by someone else just now; look again")
        if status_after != status:
            store.rmas.change(row["number"], expect=status, status=status_after, by=by, at=now, notices=notices)
        result = store.rmas.get(row["number"])
        assert result is not None
        return result

    def _quote(
        self, pack: BrandPack, row: Mapping[str, Any], extra: str, confirmed: bool
    ) -> tuple[dict[str, Any], str | None, str]:
        """A quote's fields, what the customer reads with it, and the history line: every quote is kept there.

        Refused without an amount; without a currency when the brand's pack names none (the bot never guesses
        one); and, unless ``confirmed``, for a request the bot told the customer was free.
        """
        number = row["number"]
        quoted = quote(extra)
        if quoted is None:
            raise InputError(f"a quote needs its amount: /rma {number} quote <amount> <currency> [what it covers]")
        amount, currency, covers = quoted
        currency = currency or brand_currency(pack)
        if not currency:
            raise InputError(
                f"{pack.name}'s policy names no currency, so please type it after the amount "
                f"(for example /rma {number} quote 120 USD {covers or 'new sensor'}); nothing was sent"
            )
        if row.get("outcome") == "free" and not confirmed:
            raise InputError(
                f"{number} was filed as a free repair (in warranty) and the customer was told so; if it is to be "
                f"charged after all, send the quote again with confirm: /rma {number} quote {extra} confirm"
            )
        fields = {"quote_amount": amount, "quote_currency": currency, "quote_decision": None}
        which = self.view.quotes(number) + 1
        logged = f"quote {which}: {money(amount, currency)}" + (f", {covers}" if covers else "")
        return fields, covers or None, logged

    def _update_reply(
        self, pack: BrandPack, row: Mapping[str, Any], status: str, lang: str, now: datetime, note: str | None
    ) -> Reply:
        """What the customer is told of a status change (with the instructions once approved)."""
        shown = self.view.for_customer(row, lang, now)
        text = self.kit.say(pack, "rma_update", lang, now, r=shown, changed=status, note=note)
        buttons: tuple[Button, ...] = ()
        if status == "approved":
            damage = self.kit.workflow.reported_damage(row["data"].get("answers") or {})
            e = assess(
                pack, stored_situation(row["data"]), now.astimezone(pack.timezone).date(), reported_damage=damage
            )
            expires = date.fromisoformat(row["expires_on"]) if row.get("expires_on") else None
            e = replace(e, status="awaiting_shipment", expires=expires)
            instructions = self.kit.say(pack, "rma_instructions", lang, now, number=row["number"], e=e, d=row["data"])
            text += "\n" + instructions
        if status == "quote_sent":
            buttons = tuple(self.view.quote_buttons(pack, row, lang, now, self.view.quotes(row["number"]) + 1))
        return Reply(text, buttons)

    def sweep(self, now: datetime) -> int:
        """Remind customers whose RMA number is about to expire; mark expired ones. Returns changes made.

        Run at start-up and then every few minutes: everything it needs is in SQLite.
        """
        changes = 0
        store = self.kit.store
        for row in self.view.find(status="awaiting_shipment", expiring=True, limit=100000):
            pack = self.kit.packs.get(row["brand"])
            if not row.get("expires_on") or pack is None:
                continue
            today = now.astimezone(pack.timezone).date()
            expires = date.fromisoformat(row["expires_on"])
            lang = row["data"].get("lang") or "en"
            if today > expires:
                shown = self.view.for_customer(row, lang, now)
                notice = Reply(self.kit.say(pack, "rma_expired", lang, now, r=shown))
                staff = Reply(
                    self._say(
                        pack, "rma_staff_changed", now, number=row["number"], by="assistant", label="expired", note=None
                    )
                )
                notices = [(row["user"], notice.to_dict()), ("staff", staff.to_dict())]
                if store.rmas.change(
                    row["number"], expect="awaiting_shipment", status="expired", by="assistant", at=now, notices=notices
                ):
                    changes += 1
            elif not row.get("reminded") and (expires - today).days <= self.kit.workflow.reminder_days:
                shown = self.view.for_customer(row, lang, now)
                notice = Reply(self.kit.say(pack, "rma_reminder", lang, now, r=shown, days=(expires - today).days))
                if store.rmas.change(
                    row["number"],
                    expect="awaiting_shipment",
                    status="awaiting_shipment",
                    by="assistant",
                    at=now,
                    note="expiry reminder sent",
                    fields={"reminded": 1},
                    notices=[(row["user"], notice.to_dict())],
                ):
                    changes += 1
        return changes
