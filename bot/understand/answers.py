"""Reading the answers a repair request asks for: a model, a serial, a fault, a contact, an address.

Also what consultants type at a desk: RMA numbers and quotes. The words and limits are in
``faq/_common/matching/rma.toml``; each reader returns the answer tidied, or None when the text
cannot be one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.core.errors import FaqError
from bot.core.text import CJK, fold
from bot.knowledge.faq import read_toml
from bot.understand.intents import patterns

NUMBER = re.compile(r"\bRMA[-\s]?(\d{3})[-\s]?([0-9A-Z]{4})[-\s]?([0-9A-Z]{4})\b", re.I)
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,24}$")
_WORDS = re.compile(r"[^\W_]+")
MODEL_MAX = 80
ADDRESS_MAX = 500
# ISO codes a consultant may type after a quoted amount ("450000 VND new board")
_CURRENCIES = frozenset(
    [
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
    ]
)


def find_number(text: str | None) -> str | None:
    """An RMA number in what someone typed, normalised ("rma 004 7kq2m9xd" -> "RMA-004-7KQ2-M9XD")."""
    m = NUMBER.search(text or "")
    if m is None:
        return None
    body = (m[2] + m[3]).upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return f"RMA-{m[1]}-{body[:4]}-{body[4:]}"


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
    if len(cleaned) > ADDRESS_MAX:
        return None
    cjk = len(CJK.findall(cleaned))
    if cjk >= 8 or (len(_WORDS.findall(cleaned)) >= 3 and len(cleaned) >= 12):
        return cleaned
    return None


_WRITTEN_AFTER = {"元": "CNY", "円": "JPY"}  # currencies written as a word after the amount ("120元")


def _symbol(text: str) -> bool:
    """A currency symbol as typed: "$", "¥", "€", "US$", "HK$" (never "ca." or "#")."""
    return 0 < len(text) <= 3 and any(unicodedata.category(c) == "Sc" for c in text)


def quote(text: str) -> tuple[float, str | None, str] | None:
    """A quote as a consultant types it: (amount, currency if typed, what it covers), or None.

    "120 USD", "$120", "1,250.50 EUR PSU + mainboard", "450000 VND new board", "¥300", "300元". The currency is
    a symbol before or after the amount, or an ISO code after it; None when none was typed.
    """
    m = re.match(
        r"^\s*([^\d\s]{1,3})?\s*(\d{1,3}(?:[,\s]\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
        r"(?:\s*([A-Za-z]{3})\b)?\s*(.*)$",
        text,
    )
    if m is None or (m[1] and not _symbol(m[1])):  # "ca. 120", "#120": no amount with its currency
        return None
    number = m[2]
    if re.fullmatch(r"\d{1,3}(?:[,\s]\d{3})+(?:\.\d{1,2})?", number):
        number = re.sub(r"[,\s]", "", number)
    amount = float(number.replace(",", "."))
    if not 0 < amount < 10**9:
        return None
    code = m[3].upper() if m[3] else None
    covers = m[4].strip()
    if code is not None and code not in _CURRENCIES:  # "120 new sensor": a word, not a currency
        code, covers = None, f"{m[3]} {m[4]}".strip()
    currency = m[1] or code
    first, _, rest = covers.partition(" ")
    if currency is None and (_symbol(first) or first in _WRITTEN_AFTER):  # "120 ¥ new board", "120元"
        currency, covers = _WRITTEN_AFTER.get(first, first), rest.strip()
    return amount, currency, covers


@dataclass(frozen=True)
class AnswerReader:
    """The readers that need words and limits from ``faq/_common/matching/rma.toml``."""

    vague_patterns: tuple[re.Pattern[str], ...]
    min_fault_words: int
    min_fault_chars_cjk: int
    serial_prefix: re.Pattern[str]
    serial_min: int
    serial_max: int
    done: tuple[re.Pattern[str], ...]
    skip: tuple[re.Pattern[str], ...]
    not_a_model: tuple[re.Pattern[str], ...]
    model_tail: tuple[re.Pattern[str], ...]
    serial_label: tuple[re.Pattern[str], ...]

    @classmethod
    def load(cls, path: Path) -> AnswerReader:
        """Read the words and limits; a problem names the file and the key."""
        data = read_toml(path)
        try:
            return cls(
                vague_patterns=patterns(path, data, "vague", whole=True),
                min_fault_words=int(data["min_fault_words"]),
                min_fault_chars_cjk=int(data["min_fault_chars_cjk"]),
                serial_prefix=re.compile(data["serial_prefix"], re.I),
                serial_min=int(data["serial_min"]),
                serial_max=int(data["serial_max"]),
                done=patterns(path, data, "photos_done"),
                skip=patterns(path, data, "photos_skip"),
                not_a_model=tuple(
                    re.compile(rf"^(?:{p.pattern})\W*$", re.I) for p in patterns(path, data, "not_a_model")
                ),
                model_tail=patterns(path, data, "model_tail"),
                serial_label=patterns(path, data, "serial_in"),
            )
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise FaqError(path, "(patterns)", f"cannot read: {exc!r}") from None

    def model(self, text: str) -> str | None:
        """A product model as typed, tidied (facts typed after it dropped); None when it cannot be one."""
        cut = text
        for tail in self.model_tail:
            cut = tail.sub("", cut)
        cleaned = " ".join(cut.split()).strip(" .,;:!\"'")
        if "?" in text or "？" in text or any(p.match(cleaned) for p in self.not_a_model):
            return None  # a question ("where is the serial number?") or a greeting is not a model
        if not 2 <= len(cleaned) <= MODEL_MAX or not re.search(r"[^\W_]", cleaned):
            return None
        return cleaned

    def serial_in(self, text: str) -> str | None:
        """A serial number typed after its label within a longer message ("…, serial LG99887766, bought…")."""
        for label in self.serial_label:
            m = label.search(text)
            if m:
                return m.group(1)
        return None

    def serial(self, text: str) -> str | None:
        """A serial number, normalised (upper case, no spaces); None when it cannot be one."""
        cleaned = self.serial_prefix.sub("", text.strip()).strip(" .,;:")
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
        if any(p.match(folded) for p in self.vague_patterns):
            return True
        cjk = len(CJK.findall(folded))
        if cjk:
            return cjk < self.min_fault_chars_cjk and len(_WORDS.findall(CJK.sub(" ", folded))) < 2
        return len(_WORDS.findall(folded)) < self.min_fault_words

    def photos_done(self, text: str) -> str | None:
        """``done`` or ``skip`` when typed text ends the photo step."""
        folded = fold(text)
        if any(p.search(folded) for p in self.skip):
            return "skip"
        if any(p.search(folded) for p in self.done):
            return "done"
        return None
