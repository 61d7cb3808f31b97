"""Small text helpers shared by keyword retrieval and the composer."""

from __future__ import annotations

import re

from askcouncil.text import STOPWORDS, WORD, stem, tokens

__all__ = ["STOPWORDS", "WORD", "INTENT", "stem", "tokens", "sentences", "strip_markup"]


# Words that say what kind of answer is wanted, not what it is about ("how much", "opening
# hours"): the decision's coverage and follow-up detection look past them.
INTENT = frozenset(tokens(
    "much many long cost costs price fee fees charge pay apply applying way find time times "
    "day days open opening hours when where who why how can could do does need get make"
))

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9£\"(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def strip_markup(text: str) -> str:
    """Treat markup in a question as text: drop tags, keep their words out of the query."""
    return re.sub(r"<[^>]{0,500}>", " ", text)

