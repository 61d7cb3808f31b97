"""Small text helpers shared by keyword retrieval and the composer."""

from __future__ import annotations

import re

from askcouncil.text import INTENT, STOPWORDS, WORD, stem, tokens

__all__ = ["STOPWORDS", "WORD", "INTENT", "stem", "tokens", "sentences", "strip_markup"]


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9£\"(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def strip_markup(text: str) -> str:
    """Treat markup in a question as text: drop tags, keep their words out of the query."""
    return re.sub(r"<[^>]{0,500}>", " ", text)

