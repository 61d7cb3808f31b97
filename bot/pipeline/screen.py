"""Step 1: screen the input.

- Someone at risk (suicide, a child or adult in danger, abuse) is signposted to 999 and the
  council's safeguarding and out-of-hours lines at once, before anything else.
- Markup is treated as text. Personal data is masked before anything else sees the question, and
  the resident is told not to share it.
- Manipulation (prompt injection, persona switches), requests for other people's data and
  requests to write defamatory text are refused politely.
- Abuse gets a calm reply, and still an answer when there is a real question in the message.
"""

from __future__ import annotations

import re

from analytics.masking import mask
from askcouncil.council import ContactLine, Council
from bot.pipeline.context import Status, TurnContext
from bot.services import Services
from bot.text import INTENT, strip_markup, tokens

MANIPULATION = re.compile(
    r"\b(ignore|disregard|forget|override) (all |any |every |your |the |these )?(previous |prior "
    r"|above |earlier |existing )?(instructions|rules|prompts?|guidelines|restrictions)\b"
    r"|\bsystem (prompt|override|message)\b|\byou are now\b|\bfrom now on,? you\b"
    r"|\bpretend (to be|you are|you're)\b|\bact as (an?|my)\b|\brole-?play\b|\bjailbreak\b"
    r"|\bdeveloper mode\b|\bDAN\b|\bnew instructions\b|\bno (rules|restrictions|filters)\b"
    r"|\b(reveal|show|print|repeat|tell me|output|list) (me )?(your|the) (instructions|prompt|"
    r"system|rules|configuration|index|training data|source code)",
    re.I,
)
# Someone else's records: "what is my neighbour's council tax", "who lives at 12 High Street".
OTHER_PEOPLE = re.compile(
    r"\bwho lives at\b|\b(home |private )?address(es)? of (a |the )?(councillor|resident|person|"
    r"member of staff|employee)\b"
    r"|\b(what is|what's|what are|tell me|give me|show me|find out|look up|check|access|see|get)"
    r"\b[^.?!]{0,30}\b(my )?(neighbou?rs?|ex|ex-partner|ex-wife|ex-husband|someone else|somebody "
    r"else|another person|other people|other residents?|(?-i:[A-Z][a-z]+ [A-Z][a-z]+)(?='s|’s))"
    r"('s|s'|’s)?\b"
    r"[^.?!]{0,40}\b(council tax|benefits?|account|address|phone number|email|date of birth|"
    r"personal details|details|records?|bank|claims?|income)\b"
    r"|\b(list|names|details|addresses) of (all )?(the )?(residents|tenants|claimants|people who)",
    re.I,
)
DEFAMATION = re.compile(
    r"\b(write|draft|compose|make up|create|post|produce|generate)\b[^?!]{0,80}\b(saying|say|"
    r"claiming|claim|that says|accusing|accuse|stating|alleging|that)\b[^?!]{0,80}\b(is|are|was|"
    r"were|has|have)\b[^?!]{0,30}\b(corrupt|a fraud|fraudsters?|liars?|lying|criminals?|"
    r"thie(f|ves)|stole|stealing|paedophiles?|racists?|abusers?|bribes?|bribed|crooks?|drunk|incompetent)\b"
    r"|\bconfirm in writing\b",
    re.I,
)
NOT_COUNCIL = re.compile(
    r"\b(tell me a joke|write (me )?(a|an) (poem|song|story|essay)|weather (forecast|today|"
    r"tomorrow)|football score|lottery numbers|stock price|bitcoin|horoscope|recipe for)\b",
    re.I,
)
ABUSE = re.compile(
    r"\b(fuck\w*|f\*+k\w*|shit\w*|crap|idiot\w*|stupid|useless|moron\w*|dumb|pathetic|"
    r"bastard\w*|wanker\w*|twat\w*|piss\w*|bollocks|rubbish (bot|robot|service|council)|"
    r"hate (you|this)|waste of (space|time|money))\b",
    re.I,
)
CRISIS = [
    ("suicide", re.compile(
        r"\b(suicid\w*|kill(ing)? my ?self|end(ing)? (it all|my life)|take my (own )?life|"
        r"want(ed)? to die|don'?t want to (live|be alive|be here)|self[- ]?harm\w*|"
        r"hurt(ing)? myself|overdos\w*)\b", re.I)),
    ("safeguarding", re.compile(
        r"\b(child|children|kid|kids|baby|toddler|son|daughter|girl|boy|teenager|my mum|my dad|"
        r"elderly|vulnerable|old lady|old man|neighbou?r)\b[^.?!]{0,60}\b(in danger(?! of)|"
        r"at risk(?! of)|"
        r"being (hurt|hit|beaten|abused|neglected|harmed)|(is|are) (hurt|abused|neglected|"
        r"unsafe|not safe)|left alone)\b"
        r"|\b(being|been) (abused|beaten|assaulted|groomed|exploited)\b"
        r"|\b(he|she|they|my (partner|husband|wife|boyfriend|girlfriend)) (hits|beats|hurts|"
        r"threatens to (kill|hurt)) me\b|\bdomestic (abuse|violence)\b[^.?!]{0,30}\b(now|"
        r"tonight|right now|happening)\b|\bnot safe at home\b|\bsafeguarding concern\b"
        r"|\bsomeone (is )?(at risk|in danger)\b(?! of)", re.I)),
    ("danger", re.compile(
        r"\b(in immediate danger|emergency right now|(gas leak|fire) (now|right now)|"
        r"someone('s| is) (dying|unconscious|not breathing)|being attacked)\b", re.I)),
]

REFUSED_REPLY = (
    "I can't help with that. I can only answer questions about council services, using "
    "information published on the council's website."
)
OTHER_PEOPLE_REPLY = (
    "I can't look up or share information about other people. I can only give general "
    "information from the council's website. If you have a concern about someone, contact the "
    "council."
)
DEFAMATION_REPLY = (
    "I can't write that. I can only give information published on the council's website. If "
    "you want to complain about the council or a member of staff, the council's complaints "
    "page explains how."
)
OUT_OF_SCOPE_REPLY = (
    "I can only help with questions about council services, using information from the "
    "council's website. Try asking about bins, Council Tax, parking, housing or another service."
)
CALM_REPLY = "I'm sorry this has been frustrating. I'll do my best to help."
CALM_ONLY_REPLY = (
    "I'm sorry this has been frustrating. If you tell me what you need, for example \"When is "
    "my bin collected?\", I'll do my best to help, or I can give you the right number to call."
)
PERSONAL_DATA_NOTE = (
    "Please don't share personal details such as phone numbers, email addresses or account "
    "numbers here. I've removed them, and I don't need them to answer."
)


def screen_input(ctx: TurnContext, services: Services) -> None:
    question = re.sub(r"\s+", " ", strip_markup(ctx.message)).strip()
    kinds = [kind for kind, pattern in CRISIS if pattern.search(question)]
    if kinds:
        signpost(ctx, kinds)
        return
    masked = mask(question) or ""
    if masked != question:
        ctx.preamble.append(PERSONAL_DATA_NOTE)
    ctx.question = question = masked
    if MANIPULATION.search(question):
        ctx.stop(Status.REFUSED, REFUSED_REPLY)
    elif OTHER_PEOPLE.search(question):
        ctx.stop(Status.REFUSED, OTHER_PEOPLE_REPLY)
    elif DEFAMATION.search(question):
        ctx.stop(Status.REFUSED, DEFAMATION_REPLY)
    elif NOT_COUNCIL.search(question):
        ctx.stop(Status.OUT_OF_SCOPE, OUT_OF_SCOPE_REPLY)
    elif ABUSE.search(question):
        rest = ABUSE.sub(" ", question)
        if not [t for t in tokens(rest) if t not in INTENT and len(t) > 2]:
            ctx.stop(Status.OUT_OF_SCOPE, CALM_ONLY_REPLY)
        else:  # answer the real question, calmly
            ctx.preamble.append(CALM_REPLY)
            ctx.question = re.sub(r"\s+", " ", rest).strip(" ,.!")
    elif len(re.findall(r"[A-Za-z]{2,}", question)) == 0:
        ctx.stop(Status.NO_ANSWER, "Please ask your question in words, for example "
                 "\"When is my bin collected?\"")


def signpost(ctx: TurnContext, kinds: list[str]) -> None:
    """999 first, then the lines that fit: safeguarding (or out of hours when it is closed) for
    someone at risk, crisis lines (Samaritans) for suicide and self-harm."""
    council: Council = ctx.council
    lines: list[str] = [
        "If you or someone else is in immediate danger, call 999 now."
    ]
    handoff_line: ContactLine | None = None
    safeguarding = council.line(council.emergency.safeguarding_line)
    out_of_hours = council.line(council.emergency.out_of_hours_line)
    if "suicide" in kinds:
        for crisis in council.emergency.crisis_lines:
            lines.append(f"If you are thinking about suicide or harming yourself, you can talk to "
                         f"{crisis.label} on {crisis.phone}" + (
                             f" ({crisis.hours})" if crisis.hours else "") + ".")
            handoff_line = handoff_line or crisis
    if "safeguarding" in kinds or "danger" in kinds or not handoff_line:
        open_now = safeguarding.opening.is_open(ctx.now) if (
            safeguarding and safeguarding.opening) else True
        if safeguarding and safeguarding.phone:
            lines.append(f"To report that a child or adult is at risk, call {safeguarding.label} "
                         f"on {safeguarding.phone}" + (
                             f" ({safeguarding.hours})" if safeguarding.hours else "") + ".")
        if out_of_hours and out_of_hours.phone:
            lines.append(f"Outside those hours, call {out_of_hours.label} on {out_of_hours.phone}.")
        chosen = safeguarding if open_now or not out_of_hours else out_of_hours
        handoff_line = chosen or handoff_line or council.general_line
    ctx.stop(Status.URGENT, "\n".join(lines))
    ctx.handoff = handoff_line.as_handoff(ctx.now)
    ctx.notes.append(f"signposted: {', '.join(kinds)}")
