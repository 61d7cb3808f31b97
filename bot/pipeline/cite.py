"""Step 6: number the sources in the order the answer uses them, and put ``[n]`` after each run
of sentences taken from the same source (so every sentence is traceable without a marker after
each one).

Then say whose the service is when it is not this council's (``Council.runs``: a partner the
question names a service of, or the owner of the site every source is on), before the answer;
and label each part taken from a site that covers only part of the council's area with that area,
so answers that differ by area are never mixed silently (a new unitary's predecessors' bin days).
"""

from __future__ import annotations

from itertools import groupby

from askcouncil.council import Council
from bot.pipeline.context import Citation, Status, TurnContext, Unit
from bot.pipeline.replies import ONE_AREA_NOTE, WELSH, area_label, run_by_note
from bot.services import Services

SNIPPET_CHARS = 240


def cite(ctx: TurnContext, services: Services) -> None:
    numbers: dict[str, int] = {}
    parts: list[str] = []
    areas = {site.area for u in ctx.units if (site := ctx.council.site_for(u.chunk.url))}
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
        text = _area_label(ctx.council, units)
        for unit in units:
            sep = "\n" if "\n" in unit.text or "\n" in text[-300:] else " "
            text = unit.text if not text else text + sep + unit.text
        parts.append(f"{text} [{numbers[chunk_id]}]")
    answer = ""
    for part in parts:  # (a part labelled with its area starts a line of its own)
        sep = "\n" if "\n" in part or "\n" in answer[-300:] or areas - {None} else " "
        answer = part if not answer else answer + sep + part
    if len(areas - {None}) == 1 and len([s for s in ctx.council.sites if s.area]) > 1:
        answer += "\n" + (WELSH[ONE_AREA_NOTE] if _welsh(ctx.units) else ONE_AREA_NOTE)
    ctx.answer = answer
    ctx.status = Status.ANSWERED
    ctx.run_by = ctx.council.runs(ctx.asking or ctx.message, [u.chunk.url for u in ctx.units],
                                  ctx.meaning(services))
    if ctx.run_by is not None:
        ctx.preamble.append(run_by_note(ctx.run_by.body or ctx.run_by.label, ctx.council.name,
                                        "cy" if _welsh(ctx.units) else "en"))


def _area_label(council: Council, units: list[Unit]) -> str:
    """The label of a part from a site covering only part of the area; nothing otherwise."""
    site = council.site_for(units[0].chunk.url)
    if site is None or site.area is None:
        return ""
    return area_label(site.area, site.name, "cy" if _welsh(units) else "en")


def _welsh(units: list[Unit]) -> bool:
    langs = [u.chunk.lang for u in units]
    return bool(langs) and langs.count("cy") * 2 > len(langs)
