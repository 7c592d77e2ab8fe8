"""The words and patterns dates are written with, in English, Chinese and Vietnamese (see :mod:`.dates`)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_range(year: int, month: int) -> tuple[date | None, date | None]:
    """The first and last day of a month (None for a month that does not exist)."""
    try:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except (ValueError, OverflowError):
        return None, None


MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
ORD = r"(?:st|nd|rd|th)?"
ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "couple of": 2,
    "a couple": 2,
    "a few": 3,
    "few": 3,
    "half a": 0.5,
    "a half": 0.5,
    "several": 3,
}
NUM = (
    r"(?:\d+(?:[.,]\d+)?|a couple of|couple of|a few|few|half a|several|an|a|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve)"
)
ZH_NUM = r"(?:\d+|[一二两三四五六七八九十半]+)"


UNIT = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "wk": "week",
    "wks": "week",
    "month": "month",
    "months": "month",
    "mth": "month",
    "mths": "month",
    "mo": "month",
    "mos": "month",
    "year": "year",
    "years": "year",
    "yr": "year",
    "yrs": "year",
    "天": "day",
    "日": "day",
    "周": "week",
    "星期": "week",
    "礼拜": "week",
    "月": "month",
    "年": "year",
    "ngày": "day",
    "ngay": "day",
    "tuần": "week",
    "tuan": "week",
    "tháng": "month",
    "thang": "month",
    "năm": "year",
    "nam": "year",
}


@lru_cache(maxsize=8)
def number(text: str) -> float:
    """A number written as digits or words ("2", "1.5", "two", "a couple of")."""
    text = text.strip().lower()
    if text in WORD_NUMBERS:
        return WORD_NUMBERS[text]
    return float(text.replace(",", "."))


def zh_number(text: str) -> float:
    """A number written in Chinese ("三", "十二", "两") or digits."""
    if text.isdigit():
        return float(text)
    if text == "半":
        return 0.5
    if "十" in text:
        tens, _, units = text.partition("十")
        return float((ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (ZH_DIGITS.get(units, 0) if units else 0))
    return float(ZH_DIGITS.get(text, 0)) if len(text) == 1 else float("nan")


ISO = re.compile(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])")
ZH_FULL = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?")
VI_DAY = re.compile(r"ngày\s+(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2,4}))?", re.I)
VI_FULL = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
DAY_MONTH_LAST_YEAR = re.compile(rf"\b(\d{{1,2}}){ORD}\s+(?:of\s+)?({MONTH})\s+(last year|this year)\b", re.I)
LAST_YEAR_MONTH_DAY = re.compile(rf"\b(last year|this year),?\s+(?:on\s+)?({MONTH})\.?\s+(\d{{1,2}}){ORD}\b", re.I)
VI_MONTH = re.compile(r"tháng\s+(\d{1,2})(?:\s*/\s*|\s+năm\s+)(\d{4})", re.I)
NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?!\d|[/.-]\d)")
NUMERIC_NO_YEAR = re.compile(
    r"(?:\b(?:on|since|from|dated?|bought|purchased|delivered|received|issued|came|ship|shipped|sent|until|"
    r"till|by|at)\s+(?:the\s+|on\s+)?)(\d{1,2})/(\d{1,2})(?![/\d])",
    re.I,
)
MONTH_NAME = re.compile(
    rf"\b(?:(\d{{1,2}}){ORD}\s+(?:of\s+)?)?({MONTH})\.?(?:\s+(\d{{1,2}}){ORD}\b)?(?:,?\s+(\d{{4}}))?\b", re.I
)
LAST_MONTH_NAME = re.compile(
    rf"\b(last|this|in|early|late|mid|end of|beginning of)\s+({MONTH})\b(?![\s,.]*\d)"
    rf"(?:\s+(last year|this year))?",
    re.I,
)
MONTH_LAST_YEAR = re.compile(rf"\b({MONTH})\s+(last year|this year)\b", re.I)
RELATIVE = re.compile(
    rf"\b({NUM})\s*(days?|weeks?|wks?|months?|mths?|mos?|years?|yrs?)\s+(ago|back|earlier|old)\b", re.I
)
HALF = re.compile(r"\b(a year and a half|a month and a half|half a year|half a month)\s+(ago|back|old)\b", re.I)
ZH_RELATIVE = re.compile(rf"({ZH_NUM})\s*(?:个|個)?\s*(天|日|周|星期|礼拜|月|年)多?(?:以)?前")
VI_RELATIVE = re.compile(r"(\d+)\s+(ngày|ngay|tuần|tuan|tháng|thang|năm|nam)\s+(trước|truoc)", re.I)
ZH_DAY_NUM = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
ZH_MONTH = re.compile(rf"(去年|今年|前年)?\s*{ZH_DAY_NUM}\s*月份?(?:\s*{ZH_DAY_NUM}\s*[日号])?")
WORDS = re.compile(
    r"\b(the day before yesterday|yesterday|today|this morning|last week|last month|last year|this year|"
    r"year before last)\b|(前天|昨天|今天|上周|上个?星期|上个?月|去年|前年|今年)|"
    r"\b(hôm kia|hôm qua|hôm nay|tuần trước|tháng trước|năm ngoái|năm trước)\b",
    re.I,
)
YEAR_ONLY = re.compile(r"\b(?:in|since|from|bought|purchased|got it|year)\s+(\d{4})\b|(\d{4})\s*年(?!\s*\d)", re.I)


def word_range(word: str, today: date) -> tuple[date | None, date | None]:
    """The days a word for a time means ("yesterday", "上个月", "năm ngoái")."""
    one_day = {
        "today": 0,
        "this morning": 0,
        "今天": 0,
        "hôm nay": 0,
        "yesterday": 1,
        "昨天": 1,
        "hôm qua": 1,
        "the day before yesterday": 2,
        "前天": 2,
        "hôm kia": 2,
    }
    if word in one_day:
        d = today - timedelta(days=one_day[word])
        return d, d
    if word in ("last week", "上周", "上星期", "上个星期", "tuần trước"):
        return today - timedelta(days=13), today - timedelta(days=7)
    if word in ("last month", "上月", "上个月", "tháng trước"):
        first = add_months(today.replace(day=1), -1)
        return month_range(first.year, first.month)
    if word in ("last year", "去年", "năm ngoái", "năm trước"):
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if word in ("year before last", "前年"):
        return date(today.year - 2, 1, 1), date(today.year - 2, 12, 31)
    return date(today.year, 1, 1), today  # this year, 今年
