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
from bot.pipeline.replies import WELSH, run_by_note
from bot.services import Services

HANDOFF_STATUSES = {Status.NO_ANSWER, Status.ERROR}


def hand_off(ctx: TurnContext, services: Services) -> None:
    # Route on the question (its words and its meaning), not on the pages retrieval found: when
    # the bot declines, those were judged not to answer it, so they say little about who can.
    line = (ctx.council.line_for(ctx.asking or ctx.message, [], ctx.meaning(services))
            if ctx.status in HANDOFF_STATUSES else None)
    say = {**WELSH, **ctx.welsh}  # our own lines in Welsh
    lang = _reply_language(ctx, line, say)
    if lang == "cy":  # our own lines in Welsh too, as the answer is
        ctx.preamble = [say.get(p, p) for p in ctx.preamble]
        if ctx.status is not Status.ANSWERED:
            ctx.answer = say[ctx.answer]
    ctx.reply_lang = lang
    if line is not None:
        ctx.run_by = line if line.body else None
        _add_contact_line(ctx, line, lang)
    ctx.answer = ctx.with_preamble(ctx.answer)


def _reply_language(ctx: TurnContext, line: ContactLine | None, say: dict[str, str]) -> str:
    """The language the reply is in: an answer's is its pages'; the bot's own words are Welsh
    for a Welsh question when all of them can be (the stock reply, the lines said first, and
    the contact line's name and hours from the council file), else English throughout."""
    if ctx.status is Status.ANSWERED:
        langs = [u.chunk.lang for u in ctx.units] or [c.chunk.lang for c in ctx.candidates[:1]]
        return "cy" if langs and langs.count("cy") * 2 > len(langs) else "en"
    welsh = (ctx.lang == "cy" and ctx.answer in say and all(p in say for p in ctx.preamble)
             and (line is None or line.speaks("cy")))
    return "cy" if welsh else "en"


def _add_contact_line(ctx: TurnContext, line: ContactLine, lang: str) -> None:
    handoff = line.as_handoff(ctx.now, lang)
    if not line.phone and not line.url and not line.form_url:
        # a line with nothing to call or open (a council without its own file): the council's
        # contact page, from its file or, failing that, the page the crawl found
        handoff["url"] = ctx.council.contact_url or (ctx.site or {}).get("contact_url")
    for key in ("url", "form_url"):
        if handoff[key] and ctx.site_base:
            handoff[key] = urljoin(ctx.site_base, handoff[key])
        elif handoff[key] and handoff[key].startswith("/"):
            handoff[key] = None  # a site-relative link is useless until we know the site
    ctx.handoff = handoff
    ctx.contact_sentence = handoff_text(line, handoff, ctx.council.name, lang)
    ctx.answer = f"{ctx.answer} {ctx.contact_sentence}".strip()


def handoff_text(line: ContactLine, handoff: dict[str, Any], council_name: str,
                 lang: str = "en") -> str:
    """"You can contact Waste and recycling on 01632 960101 (Monday to Friday, 9:30am to 3:30pm;
    closed now; opens tomorrow at 9:30am), or use the online form: URL." In Welsh, "Gallwch
    gysylltu â Gwastraff ac ailgylchu ar 01632 960101 (...), neu ddefnyddio'r ffurflen ar-lein:
    URL." (``handoff`` already holds the line's Welsh name and hours)."""
    if lang == "cy":
        where = f" ar {line.phone}" if line.phone else ""
        when = "; ".join(x for x in (handoff["hours"] if line.phone else None,
                                     handoff["availability"]) if x)
        sentence = f"Gallwch gysylltu {_with(handoff['label'])}{where}" + (
            f" ({when})" if when else "")
        if handoff["form_url"]:
            sentence += f", neu ddefnyddio'r ffurflen ar-lein: {handoff['form_url']}"
        return sentence + "."
    if not line.phone and not handoff["form_url"] and not line.body:
        where = (f"on its contact page: {handoff['url']}" if handoff["url"]
                 else "on its website")
        return f"You can find how to contact {council_name} {where}."
    said = []
    if line.body:
        said.append(run_by_note(line.body, council_name))
    where = f" on {line.phone}" if line.phone else ""
    when = "; ".join(x for x in (line.hours if line.phone else None, handoff["availability"]) if x)
    sentence = f"You can contact {line.label}{where}" + (f" ({when})" if when else "")
    if handoff["form_url"]:
        sentence += f", or use the online form: {handoff['form_url']}"
    elif line.body and handoff["url"]:
        sentence += f", or go to {handoff['url']}"
    said.append(sentence + ".")
    return " ".join(said)


def _with(name: str) -> str:
    """"â" (with) before a name: "ag" before a vowel ("ag Ymholiadau cyffredinol"), and the
    aspirate mutation after "â" ("â Thîm y Dreth Gyngor")."""
    if name[:1].lower() in "aeiouwyâêîôûŵŷ":
        return f"ag {name}"
    for plain, mutated in (("C", "Ch"), ("P", "Ph"), ("T", "Th")):
        if name.startswith(plain) and not name.startswith(mutated):
            return f"â {mutated}{name[1:]}"
    return f"â {name}"
