"""Step 2: make the question searchable: join a follow-up ("and how much is it?") to the last
turn, fix misspellings against the site's words, and add synonyms for residents' phrases."""

from __future__ import annotations

import re

from bot.pipeline.context import TurnContext
from bot.services import Services
from bot.text import INTENT, tokens

ANAPHORA = re.compile(
    r"^(and|also|so|but|what about|how about|then)\b|\b(it|its|that|this|they|them|those|these|"
    r"there|one|ones|he|she|him|her)\b",
    re.I,
)


def is_follow_up(question: str) -> bool:
    """Refers back ("it", "that", "and ...", "what about ...") or names no topic at all
    ("how much?"). "How do I report a pothole?" names its own topic: not a follow-up."""
    topic = [t for t in tokens(question) if t not in INTENT]
    return not topic or bool(ANAPHORA.search(question))


def contextualise(ctx: TurnContext, services: Services) -> None:
    """Join a follow-up to the previous question, then add the council's words for residents'
    phrases ("tip" -> "household recycling centre") from the reviewed synonyms file."""
    query = ctx.question
    if ctx.history and is_follow_up(ctx.question):
        query = f"{ctx.history[-1].query} {ctx.question}"
        ctx.notes.append("follow-up: joined to the previous question")
    keyword, _index = ctx.indexes(services)
    corrected = keyword.correct(query)
    if corrected != query:
        ctx.notes.append(f"spelling: {corrected}")
    ctx.query = ctx.council.expand(corrected)
