"""Step 5: compose an answer without an LLM, using only sentences of the retrieved sections.

Each section is cut into units: single sentences, or a whole list or table with its lead-in
line (so steps stay intact). Sections and units are scored by the question's words they hold,
each word weighted by how rare it is on the site (IDF), plus a bonus when the question asks for a
fee, date, phone number or opening hours and the text holds one. No model runs here: the dense
similarity retrieval already measured ranks the sections, which keeps the step to a few
milliseconds. The weights live in the council file (``retrieval``; docs/quality.md).

The best section is given whole when it fits the word budget (trimmed to a window around its
best units when not). A close runner-up is added when the budget allows: another section of the
same page (amounts tables often sit under their own heading) or of another page. When the
question asks for a fee, date, phone number or hours that the answer does not yet hold, the
section holding one is added from the same page. When another retrieved page close to the best
gives a different figure of the same kind, both are shown, each with its source.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from askcouncil.council import Retrieval
from askcouncil.index import CouncilIndex
from bot.keyword import KeywordIndex
from bot.pipeline import facts
from bot.pipeline.context import Status, TurnContext, Unit
from bot.pipeline.replies import NO_ANSWER_REPLY
from bot.services import Services
from bot.text import INTENT, sentences, tokens

LIST_ITEM = re.compile(r"^(- |\d+\. )")
TABLE_ROW = re.compile(r" \| |^\| ")
SECTIONS_USED = 2  # sections one answer may quote, besides a unit added for a wanted fact
SHORT_SECTION = 45  # words: a section this short is quoted whole, not cut to its best units
# Page furniture that is not an answer, wherever the extractor let it through.
BOILERPLATE_LINE = re.compile(
    r"^(last updated:? .*|last reviewed:? .*|page last (updated|reviewed):? .*|back to top|"
    r"skip to (main )?content|print (this )?page|share this page|"
    r"(was|is) this page (helpful|useful)\??.*|"
    # a link to the page in the other language, alone on its line
    r"cymraeg|english|in english|yn gymraeg|darllenwch y dudalen hon yn gymraeg|"
    r"read this page in english)$",
    re.I,
)
BOILERPLATE_TAIL = re.compile(r"\s*(Find out about call charges|Back to top)\.?\s*$", re.I)
# (what the question mentions, what a unit must hold to give it): a fee, a date or period
# (these two first: _conflicting_figures reads them), a phone number, opening hours
WANTS = [
    (facts.WANTS_PRICE, facts.COST),
    (facts.WANTS_DATE, facts.DATE_OR_PERIOD),
    (facts.WANTS_PHONE, facts.PHONE),
    (facts.WANTS_HOURS, facts.TIME_OF_DAY),
]


@dataclass
class _Section:
    units: list[Unit]
    score: float
    prior: float  # retrieval's view of the section (dense similarity, or the page's)
    features: dict[str, float] = field(default_factory=dict)


def clean(text: str) -> str:
    """The section without page furniture ("Last updated: ...", "Back to top") and with the
    spaces extraction leaves before punctuation ("bankrupt ." -> "bankrupt.")."""
    lines = []
    for line in text.split("\n"):
        line = BOILERPLATE_TAIL.sub("", line).rstrip()
        line = re.sub(r" +([.,;:!?)])", r"\1", re.sub(r"\( +", "(", line))
        if line.strip() and not BOILERPLATE_LINE.match(line.strip()):
            lines.append(line)
    return "\n".join(lines)


def _label_table(unit: str, section: str) -> str:
    """A table quoted alone keeps its heading ("Benefit cap outside Greater London:"), or its
    figures lose their meaning."""
    if not TABLE_ROW.search(unit.split("\n", 1)[0]) or not section:
        return unit
    return f"{section.split(' > ')[-1]}:\n{unit}"


def split_units(text: str) -> list[str]:
    """Sentences; a list or a table stays one unit, joined to its lead-in line."""
    units: list[str] = []
    lines = [line for line in text.split("\n") if line.strip()]
    i = 0
    while i < len(lines):
        for block in (LIST_ITEM, TABLE_ROW):
            if block.search(lines[i]):
                j = i
                while j < len(lines) and block.search(lines[j]):
                    j += 1
                text_block = "\n".join(lines[i:j])
                if units and units[-1].endswith(":"):
                    units[-1] = units[-1] + "\n" + text_block
                else:
                    units.append(text_block)
                i = j
                break
        else:
            units.extend(sentences(lines[i]))
            i += 1
    return units


class Relevance:
    """How much of the question a text holds, each word weighted by its rarity on the site."""

    def __init__(self, query: str, keyword: KeywordIndex) -> None:
        wanted = set(tokens(query))
        topic = wanted - INTENT
        self.weights = {t: keyword.idf(t) * (1.0 if t in topic else 0.3) for t in wanted}
        self.total = sum(self.weights.values()) or 1.0

    def of(self, have: set[str]) -> float:
        """Of a text's words (``set(tokens(text))``; ``tokens(a + " " + b)`` is
        ``tokens(a) + tokens(b)``, so a heading's words are found once for all its sentences)."""
        return sum(w for t, w in self.weights.items() if t in have) / self.total


# What a question asks for, and the section headings that give it ("How much will I get?" ->
# "What you'll get"): the site's own headings say where each kind of answer lives.
ASKS = [
    (re.compile(r"\b(how much|cost|costs|price|fee|fees|charge|charged|pay|paid|amount|rate)\b",
                re.I),
     re.compile(r"\b(what you('ll| will)? get|how much|costs?|fees?|charges?|prices?|rates?|"
                r"amounts?|payments?)\b", re.I)),
    (re.compile(r"\b(can i|am i|eligible|eligibility|qualify|entitled|who can)\b", re.I),
     re.compile(r"\b(eligib\w*|who can|can you get|qualify\w*|entitle\w*)\b", re.I)),
    (re.compile(r"\b(how (do|can|should) (i|we|you)|apply|claim|register|book|report)\b", re.I),
     re.compile(r"\b(how to|apply\w*|applications?|claim\w*|register\w*|book\w*|"
                r"report\w*)\b", re.I)),
    (re.compile(r"\b(what do i need|documents?|proof|evidence|bring)\b", re.I),
     re.compile(r"\b(what you need|what you'll need|documents?|proof|evidence)\b", re.I)),
    (re.compile(r"\b(phone|number|contact|call|ring|email)\b", re.I),
     re.compile(r"\b(contact\w*|phone|telephone|call)\b", re.I)),
    (re.compile(r"\b(when|how long|deadline|by when|time limit)\b", re.I),
     re.compile(r"\b(when|how long|deadlines?|time limits?|dates?)\b", re.I)),
]


def intent_heading(question: str, heading: str) -> bool:
    """Whether the section's own heading names what the question asks for."""
    last = heading.split(" > ")[-1]
    return any(asks.search(question) and gives.search(last) for asks, gives in ASKS)


# What the composer weighs, then what only ``eval.rank`` measures (a learnt ranker did no better
# with them: docs/quality.md), computed only when asked for.
WEIGHED = ("similarity", "words", "heading", "best_unit", "wanted")
FEATURES = (*WEIGHED, "intent_heading", "retrieved", "page_votes", "first")


class Ranker:
    """A section's score: a weighted sum of its features (``rank_sections``)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = weights

    @classmethod
    def hand(cls) -> Ranker:
        """The council file's default weights."""
        return cls.of(Retrieval())

    @classmethod
    def of(cls, tuning: Retrieval) -> Ranker:
        return cls({"similarity": tuning.similarity_weight, "words": 1.0,
                    "heading": tuning.heading_weight, "best_unit": 0.3,
                    "wanted": tuning.wanted_weight})

    def score(self, features: dict[str, float]) -> float:
        return sum(w * features.get(name, 0.0) for name, w in self.weights.items())


def asked_for(question: str) -> list[re.Pattern[str]]:
    """The patterns of the kinds of fact the question asks for (found once a turn)."""
    return [holds for asks, holds in WANTS if asks.search(question)]


def wanted_in(kinds: list[re.Pattern[str]], text: str) -> int:
    """How many of those kinds of fact the text holds."""
    return sum(1 for holds in kinds if holds.search(text))


def rank_sections(ctx: TurnContext, services: Services, ranker: Ranker | None = None,
                  pages: int = 1, every: bool = False) -> list[_Section]:
    """The candidates' sections and the other sections of the best ``pages`` pages, best first,
    each with the features the ranker weighed (``every``: all of ``FEATURES``, for eval.rank)."""
    keyword, index = ctx.indexes(services)
    cands = ctx.candidates  # the council's top_k
    relevance = Relevance(ctx.query, keyword)
    question = ctx.asking
    tuning = ctx.council.retrieval
    ranker = ranker or Ranker.of(tuning)

    kinds = asked_for(question)
    page_wanted: dict[str, int] = {}

    def page_wants(url: str) -> int:
        if url not in page_wanted:
            page_wanted[url] = wanted_in(kinds, " ".join(c.text for c in keyword.page_chunks(url)))
        return page_wanted[url]

    votes = Counter(c.chunk.url for c in cands)

    def section(chunk, prior: float, retrieved: bool) -> _Section:  # noqa: ANN001 - Chunk
        units = [Unit(_label_table(t, chunk.section), chunk, 0, i)
                 for i, t in enumerate(split_units(clean(chunk.text)))]
        head = set(tokens(f"{chunk.title} {chunk.section}"))
        for u in units:
            words = set(tokens(u.text))
            u.score = (relevance.of(head | words) + 0.5 * relevance.of(words)
                       + 0.15 * wanted_in(kinds, u.text))
        features = {
            "similarity": prior * tuning.page_weight(chunk.url),
            "words": relevance.of(head | set(tokens(chunk.text))),
            "heading": relevance.of(head),
            "best_unit": max((u.score for u in units), default=0.0),
            # the fact asked for is in this section, or elsewhere on its page (it is added
            # from there when this section wins)
            "wanted": max(wanted_in(kinds, chunk.text), 0.7 * page_wants(chunk.url)),
        }
        if every:
            features |= {"intent_heading": float(intent_heading(question, chunk.section)),
                         "retrieved": float(retrieved),
                         "page_votes": votes.get(chunk.url, 0) / max(1, len(cands)),
                         "first": float(chunk.position == 0)}
        score = ranker.score(features)
        return _Section(units, score, prior, features)

    # retrieval's view of each section: its dense similarity to the question
    sims = [c.similarity for c in cands if c.similarity is not None]
    floor = min(sims, default=0.3) - 0.05  # found by keyword search alone
    sections = [section(c.chunk, c.similarity if c.similarity is not None else floor, True)
                for c in cands]
    sections = sorted((s for s in sections if s.units), key=lambda s: s.score, reverse=True)
    # The rest of the best page competes too: its amounts table or contact details may sit
    # under a heading of their own that retrieval ranked lower.
    seen = {s.units[0].chunk.id for s in sections}
    best_pages: list[_Section] = []
    for s in sections:
        if len(best_pages) < pages and all(s.units[0].chunk.url != b.units[0].chunk.url
                                           for b in best_pages):
            best_pages.append(s)
    for top in best_pages:
        siblings = [c for c in keyword.page_chunks(top.units[0].chunk.url) if c.id not in seen]
        sibling_sims = _similarities(ctx, index, [c.id for c in siblings])
        for sibling in siblings:
            prior = sibling_sims.get(sibling.id, top.prior - 0.05)
            extra = section(sibling, prior, False)
            if extra.units:
                sections.append(extra)
    sections.sort(key=lambda s: s.score, reverse=True)
    return sections


def compose(ctx: TurnContext, services: Services) -> None:
    sections = rank_sections(ctx, services) if ctx.candidates else []
    if not sections:
        ctx.stop(Status.NO_ANSWER, NO_ANSWER_REPLY)
        return
    question = ctx.asking
    tuning = ctx.council.retrieval
    ctx.sources = [s.units[0].chunk for s in sections]
    for rank, s in enumerate(sections):
        for u in s.units:
            u.rank = rank

    budget = ctx.council.retrieval.max_answer_words
    chosen: list[Unit] = []
    for n, s in enumerate(sections[:SECTIONS_USED]):
        same_page = s.units[0].chunk.url == sections[0].units[0].chunk.url
        margin = tuning.section_margin * (2 if same_page else 1)
        if n > 0 and s.score < sections[0].score - margin:
            break
        left = budget - _words(chosen)
        if n == 0 or _words(s.units) <= min(left, SHORT_SECTION):
            taken = _fit(s.units, left)
        else:  # a long runner-up gives only what it adds: its best units, when they fit
            best = max(u.score for u in s.units)
            taken = [u for u in _fit(s.units, left) if u.score >= best - 0.1]
        chosen += [u for u in taken if _new(u, chosen)]
    chosen += _fill_unmet_wants(question, chosen, sections, budget, tuning.section_margin)
    chosen += _conflicting_figures(question, chosen, sections, tuning.section_margin)
    chosen += _other_areas(ctx, services, chosen)
    ctx.units = _in_reading_order(chosen)


def _other_areas(ctx: TurnContext, services: Services, chosen: list[Unit]) -> list[Unit]:
    """An answer from the site of one part of the council's area (a predecessor council's)
    gets the same section of the other areas' sites, where they publish the same page, with
    what they say differently ("A subscription costs £58" against "£49"): each is labelled
    with its area by ``cite``, so no resident is given another area's answer as their own."""
    top = chosen[0].chunk if chosen else None
    site = ctx.council.site_for(top.url) if top else None
    if top is None or site is None or site.area is None:
        return []
    keyword, _index = ctx.indexes(services)
    said = {u.text for u in chosen}
    extra: list[Unit] = []
    for other in ctx.council.sites:
        if other is site or other.area is None or other.area == site.area:
            continue
        twin_url = other.url.rstrip("/") + "/" + top.url[len(site.url.rstrip("/")):].lstrip("/")
        twin = next((c for c in keyword.page_chunks(twin_url) if c.section == top.section), None)
        if twin is None:
            continue
        units = [Unit(_label_table(t, twin.section), twin, 0, i)
                 for i, t in enumerate(split_units(clean(twin.text)))]
        extra += [u for u in units if u.text not in said]
    return extra


def _similarities(ctx: TurnContext, index: CouncilIndex, ids: list[str]) -> dict[str, float]:
    """Dense similarity of the question to sections by id: from retrieval's results, else from
    their stored vectors. Without Chroma the caller falls back to the page's score."""
    known = {i: ctx.similarities[i] for i in ids if i in ctx.similarities}
    missing = [i for i in ids if i not in known]
    if missing and ctx.query_embedding is not None:
        try:
            known |= index.similarities(ctx.query_embedding, missing)
        except Exception as exc:  # the answer is still composed, on words alone
            ctx.notes.append(f"sibling similarities unavailable: {exc}")
    return known


def _words(units: list[Unit]) -> int:
    return sum(len(u.text.split()) for u in units)


def _new(unit: Unit, chosen: list[Unit]) -> bool:
    return all(unit.text != c.text for c in chosen)


def _in_reading_order(units: list[Unit]) -> list[Unit]:
    """Grouped by section in the order they were chosen; within a section, in page order."""
    order: dict[str, int] = {}
    for u in units:
        order.setdefault(u.chunk.id, len(order))
    return sorted(units, key=lambda u: (order[u.chunk.id], u.order))


def _fill_unmet_wants(question: str, chosen: list[Unit], sections: list[_Section],
                      budget: int, margin: float) -> list[Unit]:
    """The question asks for a fee, date, phone number or hours the answer does not yet hold:
    add the section that holds it (whole when short, else its units that hold it), from the same
    page or one scoring close to the best ("How do I get a dropped kerb and what does it cost?"
    -> the page's Costs section)."""
    text = " ".join(u.text for u in chosen)
    pages = {u.chunk.url for u in chosen}
    left = budget - len(text.split())
    extra: list[Unit] = []
    for asks, holds in WANTS:
        if not asks.search(question) or holds.search(text):
            continue
        for s in sections:
            if s.units[0].chunk.url not in pages and s.score < sections[0].score - margin:
                continue
            holding = [u for u in s.units if holds.search(u.text) and _new(u, chosen + extra)]
            if not holding:
                continue
            whole = [u for u in s.units if _new(u, chosen + extra)]
            taken = whole if _words(whole) <= min(left, SHORT_SECTION) else [
                max(holding, key=lambda u: u.score)]
            if _words(taken) > left + budget // 4:  # a wanted fact may stretch the budget a little
                continue
            extra += taken
            left -= _words(taken)
            text += " " + " ".join(u.text for u in taken)
            break
    return extra


def _conflicting_figures(question: str, chosen: list[Unit], sections: list[_Section],
                         margin: float) -> list[Unit]:
    """The question asks for a fee or a period, and another page scoring close to the best gives
    a different one ("allow 20 working days" beside "up to 10 working days"): show it too, with
    its own citation, rather than pick one."""
    if not any(asks.search(question) for asks, _holds in WANTS[:2]):
        return []
    mine = {_figure(m) for u in chosen for m in facts.FIGURE.finditer(u.text)}
    if not mine:
        return []
    kinds = {kind for _value, kind in mine}
    pages = {u.chunk.url for u in chosen}
    for s in sections[1:]:
        if s.score < sections[0].score - margin:
            break
        if s.units[0].chunk.url in pages:
            continue
        for other in sorted(s.units, key=lambda u: -u.score):
            theirs = {_figure(m) for m in facts.FIGURE.finditer(other.text)}
            if any(kind in kinds for _v, kind in theirs) and not theirs & mine and _new(
                    other, chosen):
                return [other]
    return []


def _figure(m: re.Match[str]) -> tuple[str, str]:
    """("20", "working days") or ("35", "£"): the value and what it counts."""
    text = m.group(0).lower().replace(",", "")
    if text.startswith("£"):
        return text.lstrip("£ "), "£"
    value, _, kind = text.partition(" ")
    return value, kind.rstrip("s")


def _fit(units: list[Unit], budget: int) -> list[Unit]:
    """All the units if they fit the budget; else a window around the best unit, with its
    lead-in line, growing forward first (details usually follow the sentence that matched)."""
    units = sorted(units, key=lambda u: u.order)
    if sum(len(u.text.split()) for u in units) <= budget:
        return units
    best = max(range(len(units)), key=lambda i: units[i].score)
    lo, hi = best, best + 1
    used = len(units[best].text.split())
    if lo > 0 and units[lo - 1].text.endswith(":"):
        lo -= 1
        used += len(units[lo].text.split())
    while True:
        grew = False
        for side in ("forward", "back"):
            i = hi if side == "forward" else lo - 1
            if 0 <= i < len(units) and used + len(units[i].text.split()) <= budget:
                used += len(units[i].text.split())
                hi, lo = (hi + 1, lo) if side == "forward" else (hi, lo - 1)
                grew = True
                break
        if not grew:
            return units[lo:hi]
