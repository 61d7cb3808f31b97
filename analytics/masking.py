"""Mask personal data before anything is stored. UK patterns; applied to every resident's text.

Order matters: National Insurance numbers and emails are masked before phone numbers and
postcodes so that one pattern does not eat part of another.
"""

from __future__ import annotations

import re

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.I)),
    (
        "NI number",
        # Any two letters: residents mistype prefixes, and masking too much is the safe side.
        re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I),
    ),
    (
        "phone",
        re.compile(r"(?<![\w])(\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"),
    ),
    (
        "postcode",
        re.compile(r"\b(GIR\s?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})\b",
                   re.I),
    ),
]


def mask(text: str | None) -> str | None:
    if text is None:
        return None
    for label, pattern in PATTERNS:
        text = pattern.sub(f"[{label}]", text)
    return text
