"""Step 6: number the sources in the order the answer uses them and mark each unit with [n]."""

from __future__ import annotations

from bot.pipeline.context import Citation, Status, TurnContext
from bot.services import Services

SNIPPET_CHARS = 240


def cite(ctx: TurnContext, services: Services) -> None:
    numbers: dict[str, int] = {}
    parts: list[str] = []
    for unit in ctx.units:
        chunk = unit.chunk
        if chunk.id not in numbers:
            numbers[chunk.id] = len(numbers) + 1
            snippet = chunk.text if len(chunk.text) <= SNIPPET_CHARS else (
                chunk.text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
            )
            ctx.citations.append(
                Citation(numbers[chunk.id], chunk.cite_url, chunk.title, chunk.section, snippet)
            )
        marker = f"[{numbers[chunk.id]}]"
        lines = unit.text.split("\n")
        if len(lines) > 1 and lines[0].endswith(":") and not lines[0].startswith("- "):
            lines[0] = f"{lines[0]} {marker}"
        else:
            lines[-1] = f"{lines[-1]} {marker}"
        parts.append("\n".join(lines))
    answer = ""
    for part in parts:
        multi = "\n" in part or "\n" in answer[-200:]
        answer = part if not answer else answer + ("\n" if multi else " ") + part
    ctx.answer = answer
    ctx.status = Status.ANSWERED
