"""After the steps: when the bot cannot answer, hand off to the right phone line or page."""

from __future__ import annotations

from urllib.parse import urljoin

from bot.pipeline.context import Status, TurnContext
from bot.services import Services

HANDOFF_STATUSES = {Status.NO_ANSWER, Status.ERROR}


def hand_off(ctx: TurnContext, services: Services) -> None:
    if ctx.status not in HANDOFF_STATUSES:
        return
    # Route on the question's words only: when the bot declines, the pages retrieval found
    # were judged not to answer it, so they say little about which team can.
    line = ctx.council.line_for(ctx.question or ctx.message, [])
    handoff = line.as_handoff()
    if handoff["url"] and ctx.site_base:
        handoff["url"] = urljoin(ctx.site_base, handoff["url"])
    elif handoff["url"] and handoff["url"].startswith("/"):
        handoff["url"] = None  # a site-relative link is useless until we know the site
    ctx.handoff = handoff
    where = f" on {line.phone}" if line.phone else ""
    hours = f" ({line.hours})" if line.hours and line.phone else ""
    ctx.answer = f"{ctx.answer} You can contact {line.label}{where}{hours}.".strip()
