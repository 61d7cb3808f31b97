"""Step 2: understand a follow-up ("and how much is it?") in the light of the last turn."""

from __future__ import annotations

import re

from bot.pipeline.context import TurnContext
from bot.services import Services
from bot.text import tokens

ANAPHORA = re.compile(
    r"^(and|also|so|but|what about|how about|then)\b|\b(it|its|that|this|they|them|those|these|"
    r"there|one|ones|he|she|him|her)\b",
    re.I,
)


def is_follow_up(question: str) -> bool:
    return len(tokens(question)) <= 4 or bool(ANAPHORA.search(question))


def contextualise(ctx: TurnContext, services: Services) -> None:
    """Join a follow-up to the previous question, then add the council's words for residents'
    phrases ("tip" -> "household recycling centre") from the reviewed synonyms file."""
    query = ctx.question
    if ctx.history and is_follow_up(ctx.question):
        query = f"{ctx.history[-1].query} {ctx.question}"
        ctx.notes.append("follow-up: joined to the previous question")
    ctx.query = ctx.council.expand(query)
