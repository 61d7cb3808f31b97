"""Step 9, run for every reply (even after an earlier step stopped the turn or failed): the
reply's last words. When the bot cannot answer, hand off to the right phone line, form or office,
saying whether it is open now; when another body runs the service, say which and link there.
Then what is said first (the ``preamble``: "please don't share personal details", a calm word
after abuse) goes before the answer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from askcouncil.council import ContactLine
from bot.pipeline.context import Status, TurnContext
from bot.services import Services

HANDOFF_STATUSES = {Status.NO_ANSWER, Status.ERROR}


def hand_off(ctx: TurnContext, services: Services) -> None:
    if ctx.status in HANDOFF_STATUSES:
        _add_contact_line(ctx)
    ctx.answer = ctx.with_preamble(ctx.answer)


def _add_contact_line(ctx: TurnContext) -> None:
    # Route on the question's words only: when the bot declines, the pages retrieval found
    # were judged not to answer it, so they say little about which team can.
    line = ctx.council.line_for(ctx.asking or ctx.message, [])
    handoff = line.as_handoff(ctx.now)
    for key in ("url", "form_url"):
        if handoff[key] and ctx.site_base:
            handoff[key] = urljoin(ctx.site_base, handoff[key])
        elif handoff[key] and handoff[key].startswith("/"):
            handoff[key] = None  # a site-relative link is useless until we know the site
    ctx.handoff = handoff
    ctx.answer = f"{ctx.answer} {handoff_text(line, handoff, ctx.council.name)}".strip()


def handoff_text(line: ContactLine, handoff: dict[str, Any], council_name: str) -> str:
    """"You can contact Waste and recycling on 01632 960101 (Monday to Friday, 9:30am to 3:30pm;
    closed now; opens tomorrow at 9:30am), or use the online form: URL." """
    said = []
    if line.body:
        said.append(f"This service is run by {line.body}, not by {council_name}.")
    where = f" on {line.phone}" if line.phone else ""
    when = "; ".join(x for x in (line.hours if line.phone else None, handoff["availability"]) if x)
    sentence = f"You can contact {line.label}{where}" + (f" ({when})" if when else "")
    if handoff["form_url"]:
        sentence += f", or use the online form: {handoff['form_url']}"
    elif line.body and handoff["url"]:
        sentence += f", or go to {handoff['url']}"
    said.append(sentence + ".")
    return " ".join(said)
