"""RMA requests as data and rules, with no conversation in them.

* :class:`RmaRules`: the shared workflow (``policies/_rma.toml``: statuses, which may follow which,
  exclusion questions) and how typed answers are read (``faq/_common/matching/rma.toml``).
* Checking answers: :func:`RmaRules.serial`, :func:`RmaRules.vague`, :func:`contact`, :func:`address`, :func:`model`.
* :func:`assess`: eligibility from the brand pack (free, paid, excluded, or for a consultant to review).
* :func:`new_number`: RMA numbers that carry the brand's code and 40 random bits, never a sequence.

The conversation that collects a request is :mod:`bot.rmaflow`; storage is :class:`bot.store.Store`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.core.errors import FaqError, InputError
from bot.core.text import fold
from bot.knowledge.faq import read_toml
from bot.knowledge.packs import BrandPack
from bot.policy import verdicts as policy
from bot.understand.situation import Situation

# Crockford's base32 without I, L, O, U: nothing to misread on a box label.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER = re.compile(r"\bRMA[-\s]?(\d{3})[-\s]?([0-9A-Z]{4})[-\s]?([0-9A-Z]{4})\b", re.I)
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,24}$")
_WORDS = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def new_number(pack: BrandPack) -> str:
    """A fresh RMA number: ``RMA-<brand code>-XXXX-XXXX`` with 40 random bits (uniqueness is the store's)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"RMA-{pack.code}-{chars[:4]}-{chars[4:]}"


def find_number(text: str) -> str | None:
    """An RMA number in what someone typed, normalised ("rma 004 7kq2m9xd" -> "RMA-004-7KQ2-M9XD")."""
    m = NUMBER.search(text or "")
    if m is None:
        return None
    body = (m[2] + m[3]).upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return f"RMA-{m[1]}-{body[:4]}-{body[4:]}"


_NOT_A_MODEL = re.compile(
    r"^(?:hi|hello|hey|ok|okay|yes|no|thanks|thank you|help|idk|i don.?t know|not sure|"
    r"你好|不知道|xin chao|khong biet)\W*$",
    re.I,
)
# Where a model typed with more facts ends: "LG-IPC2 cam, serial LG998877, bought jan 2026".
_MODEL_TAIL = re.compile(
    r"[,;]?\s+(?:s/?n|serial(?: number| no\.?)?|bought|purchased|purchase date|delivered|"
    r"序列号|购买|mua)\b.*$",
    re.I,
)
MODEL_MAX = 80
_CURRENCIES = frozenset(
    {
        "USD",
        "EUR",
        "GBP",
        "CNY",
        "RMB",
        "VND",
        "HKD",
        "JPY",
        "AUD",
        "CAD",
        "SGD",
        "TWD",
        "KRW",
        "THB",
        "MYR",
        "PHP",
        "IDR",
        "INR",
        "AED",
        "CHF",
        "NZD",
    }
)
_SERIAL_IN = re.compile(
    r"\b(?:s/?n|serial(?: number| no\.?)?)\s*[:#]?\s*"
    r"([A-Za-z0-9][A-Za-z0-9/._-]*(?: [0-9][A-Za-z0-9]*)*)",
    re.I,
)


def model(text: str) -> str | None:
    """A product model as typed, tidied (facts typed after it dropped); None when it cannot be one."""
    cleaned = " ".join(_MODEL_TAIL.sub("", text).split()).strip(" .,;:!\"'")
    if "?" in text or "？" in text or _NOT_A_MODEL.match(cleaned):
        return None  # a question ("where is the serial number?") or a greeting is not a model
    if not 2 <= len(cleaned) <= MODEL_MAX or not re.search(r"[^\W_]", cleaned):
        return None
    return cleaned


def serial_in(text: str) -> str | None:
    """A serial number typed after its label within a longer message ("…, serial LG99887766, bought…")."""
    m = _SERIAL_IN.search(text)
    return m.group(1) if m else None


def contact(text: str) -> tuple[str, str] | None:
    """An email address or a phone number: ("email" | "phone", value), or None."""
    cleaned = text.strip().strip(".,;")
    if _EMAIL.match(cleaned):
        return "email", cleaned
    digits = re.sub(r"\D", "", cleaned)
    if _PHONE.match(cleaned) and 7 <= len(digits) <= 15 and len(set(digits)) > 2:
        return "phone", " ".join(cleaned.split())
    return None


def address(text: str) -> str | None:
    """A postal address: several words (or, in Chinese, enough characters), at most 500 characters."""
    cleaned = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
    if len(cleaned) > 500:
        return None
    cjk = len(_CJK.findall(cleaned))
    if cjk >= 8 or (len(_WORDS.findall(cleaned)) >= 3 and len(cleaned) >= 12):
        return cleaned
    return None


@dataclass(frozen=True)
class Choice:
    """One button of an exclusion question."""

    id: str
    tags: frozenset[str]


@dataclass(frozen=True)
class Question:
    """An exclusion question ("was it opened?") and its choices."""

    id: str
    choices: tuple[Choice, ...]
    damage: bool = False  # a choice reports damage: not a defect, even where no exclusion names it

    def tags(self) -> frozenset[str]:
        """Every tag a choice can mean."""
        return frozenset(t for c in self.choices for t in c.tags)

    def choice(self, choice_id: str) -> Choice | None:
        """The choice with this id."""
        return next((c for c in self.choices if c.id == choice_id), None)


class RmaRules:
    """The shared workflow and the reading of typed answers."""

    def __init__(self, workflow_path: Path, matching_path: Path) -> None:
        workflow = read_toml(workflow_path)
        try:
            self.statuses: tuple[str, ...] = tuple(workflow["statuses"])
            self.final = frozenset(workflow["final"])
            self.next: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in workflow["next"].items()}
            self.needs: dict[str, str] = dict(workflow.get("needs", {}))
            self.aliases: dict[str, str] = dict(workflow.get("aliases", {}))
            self.reminder_days = int(workflow["reminder_days_before"])
            self.questions = tuple(
                Question(
                    q["id"],
                    tuple(Choice(c["id"], frozenset(c["tags"])) for c in q["choices"]),
                    bool(q.get("damage", False)),
                )
                for q in workflow["questions"]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FaqError(workflow_path, "(workflow)", f"cannot read: {exc!r}") from None
        for status, following in self.next.items():
            unknown = (set(following) | {status}) - set(self.statuses)
            if unknown:
                raise FaqError(workflow_path, f"next.{status}", f"unknown status {sorted(unknown)[0]!r}")
        missing = set(self.statuses) - set(self.next)
        if missing:
            raise FaqError(workflow_path, "next", f"no entry for status {sorted(missing)[0]!r}")
        matching = read_toml(matching_path)
        try:
            self._vague = [re.compile(f"^(?:{p})$", re.I) for p in matching["vague"]]
            self.min_fault_words = int(matching["min_fault_words"])
            self.min_fault_chars_cjk = int(matching["min_fault_chars_cjk"])
            self._serial_prefix = re.compile(matching["serial_prefix"], re.I)
            self.serial_min, self.serial_max = int(matching["serial_min"]), int(matching["serial_max"])
            self._done = [re.compile(p, re.I) for p in matching["photos_done"]]
            self._skip = [re.compile(p, re.I) for p in matching["photos_skip"]]
            self._wants = [re.compile(p, re.I) for p in matching["wants_rma"]]
            self.offer_after: tuple[str, ...] = tuple(matching["offer_after"])
            self._start = [re.compile(p, re.I) for p in matching["start"]]
            self._status = [re.compile(p, re.I) for p in matching["status"]]
            self._status_in = [re.compile(p, re.I) for p in matching.get("status_in", [])]
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise FaqError(matching_path, "(patterns)", f"cannot read: {exc!r}") from None

    @classmethod
    def load(cls, root: Path) -> RmaRules:
        """The rules under a content root (``policies/_rma.toml``, ``faq/_common/matching/rma.toml``)."""
        return cls(root / "policies" / "_rma.toml", root / "faq" / "_common" / "matching" / "rma.toml")

    # -- typed answers ---------------------------------------------------------------------------------

    def serial(self, text: str) -> str | None:
        """A serial number, normalised (upper case, no spaces); None when it cannot be one."""
        cleaned = self._serial_prefix.sub("", text.strip()).strip(" .,;:")
        cleaned = re.sub(r"\s+", "", cleaned).upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9/._-]*", cleaned):
            return None
        core = re.sub(r"[^A-Z0-9]", "", cleaned)
        if not self.serial_min <= len(core) <= self.serial_max or not re.search(r"\d", core):
            return None
        if len(set(core)) <= 2 or core in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" or core in "9876543210":
            return None  # 000000, 121212, 123456: a placeholder, not a serial
        if len(re.findall(r"[A-Za-z]{4,}", text)) >= 2 and " " in text.strip():
            return None  # words ("JP-T640 thermal monocular"): a model or a sentence, not a serial
        return cleaned

    def vague(self, text: str) -> bool:
        """Whether a fault description names no symptom ("broken", "not working")."""
        folded = fold(text).strip()
        if any(p.match(folded) for p in self._vague):
            return True
        cjk = len(_CJK.findall(folded))
        if cjk:
            return cjk < self.min_fault_chars_cjk and len(_WORDS.findall(_CJK.sub(" ", folded))) < 2
        return len(_WORDS.findall(folded)) < self.min_fault_words

    def quote(self, text: str) -> tuple[float, str | None, str] | None:
        """A quote as a consultant types it: (amount, currency if typed, what it covers), or None.

        "120", "$120", "1,250.50 PSU + mainboard", "450000 VND new board", "¥300".
        """
        m = re.match(
            r"^\s*([^\d\s]{1,3})?\s*(\d{1,3}(?:[,\s]\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
            r"(?:\s*([A-Za-z]{3})\b)?\s*(.*)$",
            text,
        )
        if m is None:
            return None
        number = m[2]
        if re.fullmatch(r"\d{1,3}(?:[,\s]\d{3})+(?:\.\d{1,2})?", number):
            number = re.sub(r"[,\s]", "", number)
        amount = float(number.replace(",", "."))
        if not 0 < amount < 10**9:
            return None
        code = m[3].upper() if m[3] else None
        if code is not None and code not in _CURRENCIES:  # "120 new sensor": a word, not a currency
            return amount, m[1], f"{m[3]} {m[4]}".strip()
        return amount, m[1] or code, m[4].strip()

    def photos_done(self, text: str) -> str | None:
        """Say "done" or "skip" when typed text ends the photo step."""
        folded = fold(text)
        if any(p.search(folded) for p in self._skip):
            return "skip"
        if any(p.search(folded) for p in self._done):
            return "done"
        return None

    def wants_rma(self, text: str) -> bool:
        """Whether a message asks to send a product back or have it repaired."""
        folded = fold(text)
        return any(p.search(folded) for p in self._wants)

    def asks_to_start(self, text: str) -> bool:
        """Whether a short message just says "RMA" / "I need an RMA number"."""
        folded = fold(text).strip()
        return any(p.match(folded) for p in self._start)

    def names_number(self, text: str) -> bool:
        """Whether a message names an RMA number ("status of rma-001-0y2j-k9rp?"): it is about that RMA."""
        return find_number(text) is not None

    def asks_status(self, text: str) -> bool:
        """Whether a short message asks for the customer's own RMA status."""
        folded = fold(text).strip()
        return any(p.match(folded) for p in self._status) or any(p.search(folded) for p in self._status_in)

    # -- statuses --------------------------------------------------------------------------------------

    def status_word(self, word: str) -> str | None:
        """A status from what a consultant typed ("ship", "received", "awaiting-shipment")."""
        key = word.strip().lower().replace("-", "_")
        if key in self.statuses:
            return key
        return self.aliases.get(key)

    def check_change(self, current: str, new: str) -> None:
        """Raise InputError when ``new`` may not follow ``current``."""
        if new not in self.statuses:
            raise InputError(f"unknown status {new!r} (known: {', '.join(self.statuses)})")
        if new not in self.next.get(current, ()):
            allowed = ", ".join(self.next.get(current, ())) or "none, it is final"
            raise InputError(f"an RMA that is {current} cannot become {new} (next may be: {allowed})")

    def reported_damage(self, answers: Mapping[str, Any]) -> frozenset[str]:
        """The tags of damage the customer reported at the exclusion questions (water, a drop…)."""
        damage = {q.id for q in self.questions if q.damage}
        return frozenset(t for qid, a in answers.items() if qid in damage for t in a.get("tags", ()))

    def questions_for(self, pack: BrandPack) -> tuple[Question, ...]:
        """The exclusion questions that matter for a brand: one of its exclusions names a choice's tag."""
        tags = {t for e in pack.exclusions() if e.get("scope", "warranty") == "warranty" for t in e.get("tags", ())}
        return tuple(q for q in self.questions if q.tags() & tags)


# -- eligibility ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """What the brand's policy says about a request."""

    outcome: str  # free | paid | excluded | review
    warranty: policy.WarrantyVerdict
    excluded: tuple[Mapping[str, Any], ...]
    window: policy.WindowVerdict | None  # a return / replacement / credit window still open
    shipping: policy.ShippingVerdict | None
    cost: policy.CostVerdict
    status: str  # the status the new request starts in
    expires: date | None  # the day the RMA number stops being valid (brands whose number has a validity)
    ship_rule: Mapping[str, Any] | None = None  # who pays shipping each way for this request


def situation_of(draft: Mapping[str, Any], extra_events: Sequence[str] = ()) -> Situation:
    """The policy's view of a request: its date, category, and what happened to the product."""
    base = Situation.from_state(draft.get("situation") or {})
    events = set(base.events) | set(extra_events)
    for answer in (draft.get("answers") or {}).values():
        events.update(answer.get("tags", ()))
    return Situation(
        dates=base.dates,
        category=draft.get("category") or base.category,
        events=frozenset(events),
        wants=frozenset({"free", "shipping"}),
    )


def assess(
    pack: BrandPack, situation: Situation, today: date, *, reported_damage: frozenset[str] = frozenset()
) -> Eligibility:
    """Free repair or replacement, a paid repair, excluded, or for a consultant to review.

    ``reported_damage`` holds the tags of damage the customer reported (water, a drop…). Damage the brand's
    exclusions name excludes the request; damage they don't name is not a defect either, so a consultant
    reviews it rather than the bot promising a free repair.
    """
    w = policy.warranty(pack, situation, today)
    excluded = tuple(policy.exclusions(pack, situation))
    window = policy.return_option(pack, situation, today)
    if window is not None and (window.window is None or window.need is not None or window.excluded):
        window = None
    ship = policy.shipping(pack, situation, today)
    cost = policy.out_of_warranty_cost(pack, situation, w.months_over if w.status == "expired" else None)
    if excluded:
        outcome = "excluded"
    elif reported_damage and w.status == "covered":
        outcome = "review"
    elif w.status == "covered":
        outcome = "free"
    elif w.status == "expired" and _repairs_after_warranty(pack):
        outcome = "paid"
    else:
        outcome = "review"  # manufacturer's terms, a date the policy can't settle, or no paid repair offered
    rma = pack.data.get("rma", {})
    issued = outcome in ("free", "paid") and rma.get("number_issued", "at_once") == "at_once"
    status = "awaiting_shipment" if issued else "requested"
    validity = rma.get("validity_days")
    expires = today + timedelta(days=int(validity)) if issued and validity else None
    uncertain = ship is not None and ship.need is not None  # an age-based rule, but the age straddles it
    ship = ship if ship and ship.rule else None
    return Eligibility(
        outcome,
        w,
        excluded,
        window,
        ship,
        cost,
        status,
        expires,
        ship.rule if ship else None if uncertain else shipping_rule(pack, outcome),
    )


# Shipping rules about other situations than sending a product in for repair or replacement.
_NOT_RMA_RULES = ("returned_without_consent", "advanced_replacement", "advanced_replacement_not_defective")


def shipping_rule(pack: BrandPack, outcome: str) -> Mapping[str, Any] | None:
    """The brand's shipping rule for a request: the non-warranty one for a paid repair, else the general one."""
    rules = [
        r
        for r in pack.data.get("shipping", {}).get("rules", [])
        if r.get("id") not in _NOT_RMA_RULES and "from_day" not in r and "until_day" not in r
    ]
    if outcome == "paid":
        paid = [r for r in rules if any("non-warranty" in a for a in r.get("applies_to", ()))]
        if paid:
            return paid[0]
    general = [r for r in rules if not any("non-warranty" in a for a in r.get("applies_to", ()))]
    return general[0] if general else None


def _repairs_after_warranty(pack: BrandPack) -> bool:
    """Whether the document offers repairs past the warranty (at a cost)."""
    data = pack.data
    return bool(
        data["warranty"].get("after_warranty_repair")
        or data.get("fees", {}).get("beyond_warranty")
        or "diagnosis" in data.get("fees", {})
        or data.get("fees", {}).get("out_of_warranty_charged")
    )
