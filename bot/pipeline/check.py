"""Step 8: check the output before it leaves. No citation that retrieval did not return, no web
address that is neither a crawled page nor quoted from one, no marker without a citation, no
markup."""

from __future__ import annotations

import re

from bot.pipeline.context import Status, TurnContext
from bot.pipeline.replies import NO_ANSWER_REPLY
from bot.services import Services

URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\]]*[^\s<>()\].,;:!?'\"]", re.I)


def check_output(ctx: TurnContext, services: Services) -> None:
    retrieved = {c.chunk.cite_url for c in ctx.candidates} | {c.cite_url for c in ctx.sources}
    # A web address may appear only if it is a crawled page or is quoted from one.
    quoted = " ".join([c.chunk.text for c in ctx.candidates] + [c.text for c in ctx.sources])
    pages = {u.split("#")[0] for u in retrieved}
    ctx.answer = URL.sub(
        lambda m: m.group(0) if m.group(0) in quoted or m.group(0) in pages else "", ctx.answer)
    ctx.citations = [c for c in ctx.citations if c.url in retrieved]
    known = {c.n for c in ctx.citations}
    answer = re.sub(r"<[^>]{0,500}>", "", ctx.answer)
    answer = re.sub(r"\[(\d+)\]", lambda m: m.group(0) if int(m.group(1)) in known else "", answer)
    if not ctx.citations or not answer.strip():
        ctx.citations = []
        ctx.stop(Status.NO_ANSWER, NO_ANSWER_REPLY)
        return
    ctx.answer = answer.strip()
