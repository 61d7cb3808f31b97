"""Step 1: screen the input. Markup is treated as text; manipulation and non-council requests
stop here with a plain reply."""

from __future__ import annotations

import re

from bot.pipeline.context import Status, TurnContext
from bot.services import Services
from bot.text import strip_markup

MANIPULATION = re.compile(
    r"\b(ignore|disregard|forget) (all |any |your |the )?(previous |prior |above )?"
    r"(instructions|rules|prompts?)\b|\bsystem (prompt|override)\b|\byou are now\b"
    r"|\bpretend (to be|you are)\b|\bjailbreak\b|\bdeveloper mode\b"
    r"|\b(reveal|show|print|repeat) (me )?(your|the) (instructions|prompt|system)",
    re.I,
)
NOT_COUNCIL = re.compile(
    r"\b(tell me a joke|write (me )?(a|an) (poem|song|story|essay)|weather (forecast|today|"
    r"tomorrow)|football score|lottery numbers|stock price|bitcoin|horoscope|recipe for)\b",
    re.I,
)

REFUSED_REPLY = (
    "I can't help with that. I can only answer questions about council services, using "
    "information published on the council's website."
)
OUT_OF_SCOPE_REPLY = (
    "I can only help with questions about council services, using information from the "
    "council's website. Try asking about bins, Council Tax, parking, housing or another service."
)


def screen_input(ctx: TurnContext, services: Services) -> None:
    question = re.sub(r"\s+", " ", strip_markup(ctx.message)).strip()
    ctx.question = question
    if MANIPULATION.search(question):
        ctx.stop(Status.REFUSED, REFUSED_REPLY)
    elif NOT_COUNCIL.search(question):
        ctx.stop(Status.OUT_OF_SCOPE, OUT_OF_SCOPE_REPLY)
    elif len(re.findall(r"[A-Za-z]{2,}", question)) == 0:
        ctx.stop(Status.NO_ANSWER, "Please ask your question in words, for example "
                 "\"When is my bin collected?\"")
