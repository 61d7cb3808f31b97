"""Mask personal data before anything is stored. UK patterns; applied to every resident's text.

Masked: email addresses, card numbers, National Insurance numbers, NHS numbers, phone numbers,
postcodes, vehicle registrations, Council Tax and other account or reference numbers, and house
addresses ("12 High Street"). Order matters: the longer, more specific patterns go first so that
one pattern does not eat part of another (a card number is not three phone numbers). Masking a
little too much is the safe side; what is left must still read as the question it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable

STREET = (r"(Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Gardens|Place|"
          r"Court|Terrace|Grove|Hill|Row|Square|Mews|Walk|Parade|View|Rise)")


def luhn_ok(digits: str) -> bool:
    """The card-number check digit (Luhn)."""
    total, double = 0, False
    for ch in reversed(digits):
        d = int(ch) * (2 if double else 1)
        total += d - 9 if d > 9 else d
        double = not double
    return total % 10 == 0


def nhs_ok(digits: str) -> bool:
    """The NHS number check digit (modulus 11)."""
    if len(digits) != 10:
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _card(m: re.Match[str]) -> str:
    grouped = re.fullmatch(r"\d{4}([ -]\d{4}){3}", m.group(0)) is not None
    return "[card number]" if grouped or luhn_ok(_digits(m.group(0))) else m.group(0)


def _nhs(m: re.Match[str]) -> str:
    grouped = re.fullmatch(r"\d{3} \d{3} \d{4}", m.group(0)) is not None
    return "[NHS number]" if grouped or nhs_ok(_digits(m.group(0))) else m.group(0)


Replacement = str | Callable[[re.Match[str]], str]
PATTERNS: list[tuple[str, re.Pattern[str], Replacement]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.I), "[email]"),
    ("card number", re.compile(r"(?<![\w-])\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}(?![\w-])"), _card),
    # Any two letters: residents mistype prefixes, and masking too much is the safe side.
    ("NI number", re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I),
     "[NI number]"),
    ("NHS number", re.compile(r"(?<![\w-])(?:\d{3} \d{3} \d{4}|\d{10})(?![\w-])"), _nhs),
    ("phone",
     re.compile(r"(?<![\w])(\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"),
     "[phone]"),
    ("postcode",
     re.compile(r"\b(GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.I),
     "[postcode]"),
    # Number plates: current (AB12 CDE, any case) and prefix (A123 BCD, capitals only, or
    # "M25 and A1" would be one).
    ("vehicle registration", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b", re.I),
     "[vehicle registration]"),
    ("vehicle registration", re.compile(r"\b[A-Z]\d{1,3}\s?[A-Z]{3}\b"), "[vehicle registration]"),
    # "account number 12345678", "reference: CT-0012345", "my council tax account is 98765432"
    ("reference",
     re.compile(r"\b((?:account|acct|reference|ref|customer|claim|case|application|booking|"
                r"tenancy|payment|invoice|pcn|penalty charge)(?:\s+(?:number|no\.?|id))?"
                r"(?:\s+is)?\s*[:#]?\s*)([A-Z]{0,4}[-/]?\d[\d/-]{4,})\b", re.I),
     lambda m: m.group(1) + "[reference]"),
    ("long number", re.compile(r"(?<![\w£.,])\d{8,}(?![\w.,])"), "[number]"),
    ("address",
     re.compile(rf"\b\d{{1,4}}[a-z]?,?\s+(?:[A-Z][a-z]+\s+){{1,3}}{STREET}\b"), "[address]"),
]


def mask(text: str | None) -> str | None:
    if text is None:
        return None
    for _label, pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text
