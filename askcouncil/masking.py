"""Mask personal data before anything is stored. UK patterns; applied to every resident's text.

Masked: email addresses (also spelled out: "jo dot smith at gmail dot com"), card numbers and
their security codes, IBANs, sort codes, National Insurance, NHS, passport and driving licence
numbers, dates of birth, phone numbers, postcodes, vehicle registrations, Council Tax and other
account or reference numbers (labelled, or seven digits or more), and addresses: numbered ("12
mill lane", "flat 3, 45 victoria road", "221b baker street") and named houses with their street
("Rose Cottage, Church Lane"), and then people's names (askcouncil/names.py: "my name is Jane
Smith", "Mrs Patel", "my son Jack", "Regards, Tom"). Left alone: road numbers (A38), planning
references (23/01234/FUL), prices, event dates and street names on their own ("parking on mill
lane"), unless said to be where someone lives. Order matters: the longer, more specific
patterns go first so that one pattern does not eat part of another (a card number is not three
phone numbers). Masking a little too much is the safe side; what is left must still read as the
question it was. The corpora in tests/corpora/ measure both sides (docs/security.md has the
figures).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from askcouncil.names import mask_names

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


def _keep_label(tag: str) -> Callable[[re.Match[str]], str]:
    """Keep group 1 (the words that say what it is: "sort code", "dob") and mask group 2."""
    return lambda m: m.group(1) + tag


# Words that cannot be part of a street's name: after a number they mean a quantity ("2 potholes
# on church lane", "20 cars park on victoria road"), not an address.
_NOT_NAME = (r"(?:on|in|at|to|of|and|or|for|near|by|from|with|outside|opposite|along|past|off|"
             r"into|onto|behind|per|a|an|is|are|was|were|my|your|our|their|this|that|every|"
             r"each|more|than|about|days?|weeks?|months?|years?|hours?|minutes?|times?|bags?|"
             r"bins?|boxes|cars?|items?|people|potholes?|houses|flats|homes|trees|lights)")
_NAME = rf"(?!{_NOT_NAME}\b)[a-z][a-z'.-]*"
_UNIT = r"(?:(?:flat|apartment|apt|unit|room|maisonette)\s*\d+[a-z]?,?\s+)"
_HOUSE = (r"(?:cottages?|house|lodge|farm(?:house)?|barn|rectory|vicarage|manor|hall|grange|"
          r"villa|bungalow|mill|croft|cottage|chapel|coach house|stables|oast)")
# A street: one to three name words and a street type ("mill lane", "st johns avenue"), or one
# word ending in way or gate ("kingsway", "northgate"), or "the crescent".
_STREET_AFTER_NUMBER = (rf"(?:the\s+{STREET}|(?:{_NAME}\s+){{1,3}}{STREET}"
                        rf"|(?!(?:a|any|half|door|gate|motor|rail|run|path|high|park|drive|every)"
                        rf"(?:way|gate)\b)[a-z]{{2,}}(?:way|gate))\b")
_DATE = (r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}"
         r"|(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]{3,9}\.?,?\s+\d{2,4})"
         r"|(?:[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{2,4}))")
_TLD = r"(?:com|co|uk|org|net|gov|ac|nhs|io|me|info|biz|wales|scot|ie|eu|fr|de)"
_DOT = r"(?:\s*\.\s*|\s*[\[(]\s*dot\s*[\])]\s*|\s+dot\s+)"
_AT = r"(?:\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+)"

PATTERNS: list[tuple[str, re.Pattern[str], Replacement]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.I), "[email]"),
    # Spelled out so that it survives a form: "john dot smith at gmail dot com",
    # "jsmith(at)hotmail.co.uk". The address must end in a known top-level domain.
    ("email", re.compile(
        rf"\b[\w+-]+(?:(?:{_DOT}|\s+(?:underscore|hyphen|dash)\s+)[\w+-]+)*{_AT}[\w-]+"
        rf"(?:{_DOT}[\w-]+)*{_DOT}{_TLD}\b", re.I), "[email]"),
    ("IBAN", re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){3,7}(?:\s?[A-Z0-9]{1,3})?\b", re.I),
     "[IBAN]"),
    # "4111 1111 1111 1111", and American Express grouped 4-6-5
    ("card number", re.compile(r"(?<![\w-])\d{4}[ -]?\d{6}[ -]?\d{5}(?![\w-])"), "[card number]"),
    ("card number", re.compile(r"(?<![\w-])\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}(?![\w-])"), _card),
    # The three or four digits on the back of a card, after the words that name them
    ("card security code", re.compile(
        r"\b((?:security code|cvv2?|cvc2?|cv2|csc|card verification (?:code|value)|"
        r"3[- ]digit (?:number|code)|three[- ]digit (?:number|code))\b[^\d\n]{0,30}?)"
        r"(\d{3,4})\b", re.I), _keep_label("[card security code]")),
    # Any two letters: residents mistype prefixes, and masking too much is the safe side.
    ("NI number", re.compile(r"\b[A-Z]{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?[A-D]\b", re.I),
     "[NI number]"),
    ("NHS number", re.compile(r"(?<![\w-])(?:\d{3}[ -]\d{3}[ -]\d{4}|\d{10})(?![\w-])"), _nhs),
    # DVLA licence: five letters of the surname (padded with 9s), six digits, two initials,
    # a digit and two letters
    ("driving licence", re.compile(r"\b[A-Z9]{5}\s?\d{6}\s?[A-Z9]{2}\d\s?[A-Z]{2}\b", re.I),
     "[driving licence]"),
    ("phone",
     re.compile(r"(?<![\w])(\+44\s?\(?0?\)?|0044\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}"
                r"(?!\d)"),
     "[phone]"),
    # Bank sort codes: 20-00-00 or 20 00 00 anywhere; 200000 after the words for it
    ("sort code", re.compile(r"(?<![\w/.:-])\d{2}([- ])\d{2}\1\d{2}(?![\w/.:-])"), "[sort code]"),
    ("sort code", re.compile(r"\b((?:sort ?code|s/c|sort)\W{0,3}(?:is\s+)?)(\d{6})\b", re.I),
     _keep_label("[sort code]")),
    # Dates of birth: a date after the words for it (other dates stay: "collections on
    # 26/12/2026")
    ("date of birth", re.compile(
        rf"((?:\b(?:born|dob|date of birth|birth ?date|birthday)\b|\bd\.o\.b\b\.?)[\s:,-]*"
        rf"(?:(?:is|was|on|the|of)\s+){{0,3}})({_DATE})", re.I), _keep_label("[date of birth]")),
    ("postcode",
     re.compile(r"\b(GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.I),
     "[postcode]"),
    # Number plates: current (AB12 CDE, any case) and prefix (A123 BCD, capitals only, or
    # "M25 and A1" would be one).
    ("vehicle registration", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b", re.I),
     "[vehicle registration]"),
    ("vehicle registration", re.compile(r"\b[A-Z]\d{1,3}\s?[A-Z]{3}\b"), "[vehicle registration]"),
    ("passport", re.compile(r"\b(passport(?:\s+(?:number|no\.?))?\W{0,3}(?:is\s+)?)(\d{9})\b",
                            re.I), _keep_label("[passport number]")),
    # "account number 12345678", "reference: CT-0012345", "housing register number HR12345".
    # Not a planning application's reference: those are public ("23/01234/FUL").
    ("reference",
     re.compile(r"\b((?:account|acct|a/c|acc|reference|ref|customer|claim|case|(?<!planning )"
                r"application|booking|tenancy|payment|invoice|pcn|penalty charge|register|"
                r"housing register)(?:\s+(?:number|no\.?|num|id))?"
                r"(?:\s+(?:is|was))?\s*[:#]?\s*)(?!\d{2}/\d{4,5}/[A-Z]{2,4}\b)"
                r"([A-Z]{0,4}[-/]?\d[\d/-]{3,})\b", re.I),
     _keep_label("[reference]")),
    # Seven digits or more on their own: a Council Tax or benefit account number
    ("long number", re.compile(r"(?<![\w£$€.,:/-])\d{7,}(?![\w:/-]|[.,]\d|%)"), "[number]"),
    # Addresses: "12 mill lane", "flat 3, 45 victoria road", "221b baker street", "88a kingsway",
    # "number 9 beech drive", "3 the crescent"
    ("address", re.compile(
        rf"\b{_UNIT}?(?:number\s+|no\.?\s*)?\d{{1,4}}[a-z]?,?\s+{_STREET_AFTER_NUMBER}", re.I),
     "[address]"),
    # A named house with its street: "Rose Cottage, Church Lane", "the old rectory on station
    # road", "2 Ivy Cottages, Hollow Road", "The Willows, Brook Street"
    ("address", re.compile(
        rf"\b(?:\d{{1,4}}\s+)?(?:the\s+)?(?:(?:{_NAME}\s+){{0,2}}{_HOUSE}|(?-i:[A-Z][a-z]+))"
        rf"(?:,\s*|\s+on\s+|\s+in\s+)(?:{_NAME}\s+){{1,3}}{STREET}\b", re.I), "[address]"),
    # A street said to be where someone lives: "i live on mill lane", "its on Back Lane"
    ("address", re.compile(
        rf"\b((?:i|we|she|he|they|mum|dad)\s*(?:live|lives|living|am|are|is|'m|'re)\s+(?:on|in|at)"
        rf"\s+|(?:it'?s|house is|home is)\s+on\s+)((?:{_NAME}\s+){{1,3}}{STREET})\b", re.I),
     _keep_label("[address]")),
    # "our house is called Meadow View"
    ("address", re.compile(r"\b((?:house|home|property|cottage) is called\s+)((?-i:[A-Z]\w+)"
                           r"(?:\s+(?-i:[A-Z]\w+)){0,2})", re.I), _keep_label("[address]")),
]


def mask(text: str | None) -> str | None:
    if text is None:
        return None
    for _label, pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    # Last: a name is found by the words around it, once the numbers and addresses are gone.
    return mask_names(text)
