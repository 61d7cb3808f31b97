"""Step 6: number the sources in the order the answer uses them, and put ``[n]`` after each run
of sentences taken from the same source (so every sentence is traceable without a marker after
each one)."""

from __future__ import annotations

from itertools import groupby

from bot.pipeline.context import Citation, Status, TurnContext
from bot.services import Services

SNIPPET_CHARS = 240


def cite(ctx: TurnContext, services: Services) -> None:
    numbers: dict[str, int] = {}
    parts: list[str] = []
    for chunk_id, run in groupby(ctx.units, key=lambda u: u.chunk.id):
        units = list(run)
        chunk = units[0].chunk
        if chunk_id not in numbers:
            numbers[chunk_id] = len(numbers) + 1
            snippet = chunk.text if len(chunk.text) <= SNIPPET_CHARS else (
                chunk.text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
            )
            ctx.citations.append(
                Citation(numbers[chunk_id], chunk.cite_url, chunk.title, chunk.section, snippet)
            )
        text = ""
        for unit in units:
            sep = "\n" if "\n" in unit.text or "\n" in text[-300:] else " "
            text = unit.text if not text else text + sep + unit.text
        parts.append(f"{text} [{numbers[chunk_id]}]")
    answer = ""
    for part in parts:
        sep = "\n" if "\n" in part or "\n" in answer[-300:] else " "
        answer = part if not answer else answer + sep + part
    ctx.answer = answer
    ctx.status = Status.ANSWERED
