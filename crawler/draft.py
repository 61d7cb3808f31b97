"""Draft a council file from the crawled site (``askcouncil council draft URL``).

Everything a council file needs that the council's own pages state: its name, its contact page,
every phone line a page tells residents to call (with the hours and email address given beside
it, its form and its topics), whether lines close on bank holidays, and the other bodies whose
lines the pages give (the county, the DWP, HMRC...). Each value is drafted with the page section
and the words it came from, for a person to check; what no page says is left out, never guessed.

How a line is read (``_occurrences``): a page block (a paragraph or list item) holding a phone
number. The words just before the number name it ("waste and recycling: 01632 960101", "call the
benefits team on ...", "Jobcentre Plus Telephone: ...") or else the section heading does; the
words after it, or the next block of the section, give its hours ("Monday to Friday, 8am to
6pm"). A textphone, Welsh-language, Relay UK or from-abroad number belongs to the line before it.
A number is the council's own when its contact page gives it or it shares the council's exchange;
otherwise it belongs to the body the words around it name (``bodies.yaml``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlparse

from askcouncil.chunks import Chunk
from askcouncil.hours import HoursText, bank_holidays, read_hours
from askcouncil.routing import Body, load_bodies

# A phone number as pages write it: "01632 960101", "0800 328 5644", "020 8726 6500",
# "0300 123 11 00", "+44 191 21 87608", "03000 560 630"; 10 or 11 digits with the leading 0.
# (Wider than the answer composer's pattern in bot/pipeline/facts.py: a draft must find every
# line a page gives, in whatever spacing, and it checks the digit count itself.)
PHONE = re.compile(r"(?<![\w£.,/-])(?:\+44\s?(?:\(0\)\s?)?|0)\d{2,4}(?:[ -]?\d{2,4}){1,3}"
                   r"(?![\w/]|[.,]\d)")
# Short helplines when a page says to call them: "call 101", "NHS 111", "on 116 123".
SHORT = re.compile(r"(?i:\b(?:call|ring|dial|phone|on|NHS)\s+)(?P<n>10[15]|111|116 ?\d{3}|119)\b")
# Any run of digit groups a page asks residents to call ("please call 555 111 222 333").
CALLED = re.compile(r"(?i:\b(?:call|ring|phone|telephone|tel)(?:\s+us)?(?:\s+on)?:?\s+)"
                    r"(?P<n>\d{3}(?: \d{3}){2,3})\b")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
COUNCIL_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:[ -](?:and|upon|on|in)?[ -]?[A-Z][a-z]+)*) "
                          r"(?:(?:Borough|District|County|City|Town|Metropolitan Borough|Parish) )?"
                          r"Council\b")
OTHER_COUNCIL = re.compile(r"\b(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*) (?:County|District|Borough|City)"
                           r" Council\b")

# What the words just before a number say it is (the last of them counts).
KIND = [("fax", re.compile(r"\bfax\b", re.I)),
        ("text", re.compile(r"\b(?:text|sms)(?: messages?| a report to)?:?\s*$", re.I)),
        ("textphone", re.compile(r"\b(?:textphone|minicom|text relay|typetalk|ffôn testun)\b",
                                 re.I)),
        ("relay", re.compile(r"\b(?:relay uk|18001)\b", re.I)),
        ("welsh", re.compile(r"\bwelsh(?:[- ]language)?\b|\bcymraeg\b", re.I)),
        ("abroad", re.compile(r"\b(?:outside the uk|from abroad|overseas|international (?:number|"
                               r"calls?|phone)|dramor)\b", re.I))]
LABEL_TAIL = re.compile(r"(?:\b(?:telephone|tel|phone|call|calling|ring|contact|on|at|number|"
                        r"free|freephone|helpline number|by|or|and|us|then|please)\b|[:,(–-]|\s)+$",
                        re.I)
VERB_LABEL = re.compile(r"^.*\b(?:call|contact|ring|phone|telephone|using)\s+"
                        r"(?:the\s+|our\s+|your\s+)?(?P<label>[\w'’ -]{3,60}?)\s+(?:on|at)\s*$",
                        re.I)
LABEL_CUT = re.compile(r"\s+(?:as soon as|if|to|for|first|now|today|straight away|directly|"
                       r"instead|during|from|about)\b.*$", re.I)
LIST_LABEL = re.compile(r"^(?:[-*•]\s*|\d+\.\s*)?(?P<label>[^:.;]{2,60}):\s*$")
GENERIC_HEADING = re.compile(r"^(?:contact(?: us| details| information)?|how to contact.*|"
                             r"phone|telephone|call us|get in touch|opening (?:hours|times)|"
                             r"contact the .*|find out about call charges)$", re.I)
BANK_HOLIDAYS = re.compile(r"\bclosed (?:on|over) (?:all )?(?:bank|public) holidays\b", re.I)
FORM_TITLE = re.compile(r"^(?:report|apply|request|book|pay|tell us|order|claim|register|make|"
                        r"renew|cancel)\b", re.I)
STOPWORDS = frozenset("""a an and are as at be by can do for from get how i if in is it its my
 of on or our the their this to what when where which who why will with you your we us about
 page guide information help contact service council online more other new""".split())


@dataclass(frozen=True)
class Source:
    """Where a drafted value came from: the page section and the words it was read from."""

    url: str  # the page section cited ("https://.../contact-us/#phone-lines")
    text: str


@dataclass
class Occurrence:
    digits: str
    phone: str  # as the page wrote it
    kind: str  # "voice", "textphone", "welsh", "relay", "abroad", "text" or "fax"
    label: str | None  # named by the words before it
    named_by: str  # how the label was found: "list", "verb", "words", "heading" or "title"
    hours: HoursText | None
    chunk: Chunk
    block: str
    owner_words: str  # the text searched for the body that runs the line


@dataclass
class DraftLine:
    key: str
    label: str
    phone: str
    council: bool  # the council's own line, or another body's
    body: str | None  # who runs it (another body's line), when the pages name them
    body_key: str | None
    hours: HoursText | None
    url: str
    sources: list[Source]
    email: str | None = None
    form_url: str | None = None
    keywords: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    alternatives: dict[str, str] = field(default_factory=dict)  # kind -> number
    services: list[str] = field(default_factory=list)  # another body's line: what routes to it
    occurrences: int = 0  # how many times the pages give it
    contact_order: tuple[int, int] | None = None  # where the contact page first gives it


@dataclass
class Draft:
    name: tuple[str, Source] | None
    contact_url: tuple[str, Source] | None
    lines: list[DraftLine]
    closed_on: tuple[list[date], Source] | None
    partners_named: dict[str, Source]  # body key -> where the pages name it
    other_councils: dict[str, Source]  # "X County Council" -> where the pages name it
    base_url: str
    topics: list[tuple[str, Source]] = field(default_factory=list)  # its sections' names

    def council_lines(self) -> list[DraftLine]:
        return [line for line in self.lines if line.council]

    def partner_lines(self) -> list[DraftLine]:
        return [line for line in self.lines if not line.council]


def draft_council(chunks: Iterable[Chunk], base_url: str, bodies: Sequence[Body] | None = None,
                  today: date | None = None) -> Draft:
    """The council file a site's pages support (``chunks``: the crawled index, any order)."""
    bodies = load_bodies() if bodies is None else bodies
    pages: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        pages[chunk.url].append(chunk)
    for page in pages.values():
        page.sort(key=lambda c: c.position)
    name = _council_name(pages)
    contact = _contact_page(pages)
    found = [occ for url in sorted(pages) for chunk in pages[url]
             for occ in _occurrences(chunk)]
    lines = _lines(found, contact, name[0] if name else None, bodies, base_url)
    _key_lines(lines, contact)
    sections = _sections(pages)
    for line in lines:
        if line.council:
            _place(line, found, contact, sections, base_url)
    closed = _bank_holidays(pages, contact, today or date.today())
    named = {b.key: src for b in bodies if (src := _first_naming(pages, b)) is not None}
    others: dict[str, Source] = {}
    for url in sorted(pages):
        for chunk in pages[url]:
            for m in OTHER_COUNCIL.finditer(chunk.text):
                if (name is None or m.group(0) != name[0]) and m.group(0) not in others:
                    others[m.group(0)] = Source(chunk.cite_url, _sentence(chunk.text, m.start()))
    return Draft(name, (_path(contact, base_url), Source(contact, pages[contact][0].title))
                 if contact else None, lines, closed, named, others, base_url, _topics(pages))


def _topics(pages: dict[str, list[Chunk]]) -> list[tuple[str, Source]]:
    """What the site's sections are about, from their index pages' titles ("Adult social care",
    "Schools and learning" -> "schools", "learning"): the services a site owner runs."""
    found: dict[str, Source] = {}
    for url in sorted(pages):
        parts = [p for p in urlparse(url).path.split("/") if p]
        if len(parts) == 2 and parts[1] in ("index.html", "index.htm", ""):
            title = pages[url][0].title
            for topic in re.split(r",\s*|\s+and\s+|\s*&\s*", title.lower()):
                if topic.strip() and topic.strip() not in STOPWORDS:
                    found.setdefault(topic.strip(), Source(url, title))
    return sorted(found.items())


# -- reading numbers ---------------------------------------------------------------------------

def _numbers(block: str) -> list[tuple[int, int, str]]:
    """(start, end, number) of each phone number in a block, in order."""
    hits: dict[int, tuple[int, int, str]] = {}
    for m in PHONE.finditer(block):
        # "0300 555 2222 24-hour service": the groups a number ends with may be another's
        text = m.group(0)
        while len(digits_of(text)) > 11 and re.search(r"[ -]\d+$", text):
            text = re.sub(r"[ -]\d+$", "", text)
        if 10 <= len(digits_of(text)) <= 11:
            hits[m.start()] = (m.start(), m.start() + len(text), text.strip())
    for pattern in (SHORT, CALLED):
        for m in pattern.finditer(block):
            if not any(a <= m.start("n") < b for a, b, _ in hits.values()):
                hits[m.start("n")] = (m.start("n"), m.end("n"), m.group("n"))
    return [hits[k] for k in sorted(hits)]


def numbers_in(text: str) -> set[str]:
    """The digits of every phone number a text gives (``digits_of``)."""
    return {digits_of(phone) for block in text.split("\n") for _a, _b, phone in _numbers(block)}


def digits_of(phone: str) -> str:
    """A number's digits, the same however it is spaced or prefixed (+44 (0) 191 -> 0191)."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+44"):
        digits = "0" + digits[2:].lstrip("0")
    return digits


def _occurrences(chunk: Chunk) -> list[Occurrence]:
    out: list[Occurrence] = []
    blocks = chunk.text.split("\n")
    for i, block in enumerate(blocks):
        numbers = _numbers(block)
        last_end = 0
        for n, (start, end, phone) in enumerate(numbers):
            before = block[last_end:start]
            last_end = end
            kind = next((k for k, p in KIND if p.search(before[-60:])), "voice")
            label, how = _label(before, chunk)
            # its hours: after it in the block (up to the next number that is a line of its
            # own), else in the next block of the section unless that holds a number itself
            nxt = next((s for s, _e, _p in numbers[n + 1:]
                        if not any(p.search(block[end:s][-60:]) for _k, p in KIND)), len(block))
            hours = read_hours(block[end:nxt])
            if hours is None and nxt == len(block):
                for later in blocks[i + 1:i + 3]:
                    if _numbers(later):
                        break
                    hours = read_hours(later)
                    if hours:
                        break
            out.append(Occurrence(digits_of(phone), phone, kind, label, how, hours, chunk,
                                  block, f"{before} {chunk.section} {chunk.title}"))
    return out


def _label(before: str, chunk: Chunk) -> tuple[str | None, str]:
    """What the words before a number call its line, and how they were read."""
    tail = before[-120:]
    m = VERB_LABEL.search(tail)
    if m:
        label = LABEL_CUT.sub("", m.group("label")).strip(" -")
        if label and len(label.split()) <= 7:
            return _tidy(label), "verb"
    m = LIST_LABEL.match(before.strip() if len(before) < 70 else "")
    if m and m.group("label").strip():
        label = LABEL_TAIL.sub("", m.group("label")).strip()
        if label and not re.fullmatch(r"(?i)telephone|phone|tel|call", label):
            return _tidy(label), "list"
    # "Contact a Family helpline helpline@cafamily.org.uk Telephone:": the name before the
    # number, without addresses
    words = re.sub(r"\S+@\S+|\b(?:https?://|www\.)\S+", " ", tail).split(". ")[-1]
    words = LABEL_CUT.sub("", LABEL_TAIL.sub("", words)).strip(" :-")
    if words and len(words.split()) <= 8 and words[:1].isupper() and not re.match(
            r"(?i)(?:if|when|you|to|for|please|call|ring|or|and|but|in|on|at|by|this|it)\b",
            words):  # a clause ("If you had an appointment..."), not a name
        return _tidy(words), "words"
    heading = chunk.section.split(" > ")[-1].strip() if chunk.section else ""
    if heading and not GENERIC_HEADING.match(heading) and heading != chunk.title:
        return _tidy(heading), "heading"
    return _tidy(chunk.title) if chunk.title else None, "title"


def _tidy(label: str) -> str:
    label = re.sub(r"\s+", " ", label).strip(" .:-")
    label = re.sub(r"\s+([),.])", r"\1", label.replace("( ", "("))
    return label[:1].upper() + label[1:]


# -- from numbers to lines ---------------------------------------------------------------------

NAMED_BY_RANK = {"list": 0, "verb": 1, "words": 2, "heading": 3, "title": 4}


def _lines(found: list[Occurrence], contact: str | None, council_name: str | None,
           bodies: Sequence[Body], base_url: str) -> list[DraftLine]:
    by_number: dict[str, list[Occurrence]] = defaultdict(list)
    for occ in found:
        by_number[occ.digits].append(occ)
    exchanges = {occ.digits[:7] for occ in found
                 if occ.chunk.url == contact and occ.kind == "voice" and occ.digits[:2] == "01"}
    lines = []
    for digits, occs in by_number.items():
        voice = [o for o in occs if o.kind == "voice"]
        if not voice:
            continue  # a textphone or Welsh line only: it belongs to a line's entry
        best = min(voice, key=lambda o: (o.chunk.url != contact, NAMED_BY_RANK[o.named_by],
                                         len(o.chunk.url)))
        hours_seen = [o for o in voice if o.hours]
        hours = None
        if hours_seen:
            counted = Counter(repr(o.hours.spec) for o in hours_seen)  # type: ignore[union-attr]
            top = max(counted.values())
            hours = next(o.hours for o in sorted(hours_seen, key=lambda o: o is not best)
                         if counted[repr(o.hours.spec)] == top)  # type: ignore[union-attr]
        if hours is None and best.label and re.search(r"(?i)\b24-hour\b", best.label):
            hours = HoursText("24/7", best.label)  # "our 24-hour automated payment line"
        council = any(o.chunk.url == contact for o in voice) or digits[:7] in exchanges or bool(
            council_name and any(council_name in o.block for o in voice))
        body = None if council else _body(best, voice, bodies)
        # "call us on ...", "talk to us": on the council's own site, and no other body named
        council = council or (body is None and any(
            re.search(r"(?i)\b(?:us|our|we)\b", o.block.split(o.phone)[0][-80:])
            for o in voice))
        sources = [Source(o.chunk.cite_url, o.block) for o in
                   sorted(voice, key=lambda o: o is not best)[:3]]
        label = best.label or digits
        email = next((m.group(0) for o in voice for m in [EMAIL.search(o.block)] if m), None)
        alts = {o.kind: o.phone for o in _alternatives(found, best)}
        on_contact = [(o.chunk.position, o.chunk.text.find(o.block)) for o in voice
                      if o.chunk.url == contact]
        lines.append(DraftLine(slug_of(label), label, best.phone, council,
                               body.name if body else None, body.key if body else None, hours,
                               _path(best.chunk.url, base_url), sources, email=email,
                               alternatives=alts, occurrences=len(voice),
                               contact_order=min(on_contact) if on_contact else None))
    _route(lines, by_number, bodies)
    # another body's lines with services of their own come before the one carrying all of
    # its services, so a question naming one ("PIP") reaches that line, not the body's main one
    lines.sort(key=lambda line: (not line.council, bool(line.body_key) and line.services == [
        s for b in bodies if b.key == line.body_key for s in b.services], line.label.lower()))
    return lines


def _route(lines: list[DraftLine], by_number: dict[str, list[Occurrence]],
           bodies: Sequence[Body]) -> None:
    """Another body's line is reached by the services its name, heading and page name ("PIP
    enquiry line" by "pip"); the body's line the pages give most is reached by all of them."""
    known = {b.key: b for b in bodies}
    main: dict[str, DraftLine] = {}
    for line in lines:
        body = known.get(line.body_key or "")
        if body is None:
            continue
        said = " ".join(f"{o.label or ''} {o.chunk.section} {o.chunk.title}"
                        for o in by_number[digits_of(line.phone)])
        line.services = body.services_in(said)
        if body.key not in main or line.occurrences > main[body.key].occurrences:
            main[body.key] = line
    for key, line in main.items():
        line.services = list(known[key].services)


def _alternatives(found: list[Occurrence], line: Occurrence) -> list[Occurrence]:
    """The textphone, Welsh-language and other numbers given in the same block as a line."""
    return [o for o in found if o.block is line.block and o.chunk is line.chunk
            and o.kind in ("textphone", "welsh", "abroad", "text") and o.digits != line.digits]


def _body(best: Occurrence, occs: list[Occurrence], bodies: Sequence[Body]) -> Body | None:
    """The body the words nearest a number name: its label, then the words before it, the
    section heading and the page title, on the page that names the line best first."""
    for occ in [best] + [o for o in occs if o is not best]:
        for text in (occ.label or "", occ.owner_words):
            named = [b for b in bodies if b.named_in(text)]
            if named:
                return named[0]
    # else a service only one body runs, named beside it ("PIP enquiry line")
    for occ in [best] + [o for o in occs if o is not best]:
        for text in (occ.label or "", occ.owner_words):
            named = [b for b in bodies if b.schemes and b.services_in(text)]
            if len(named) == 1:
                return named[0]
    return None


def _key_lines(lines: list[DraftLine], contact: str | None) -> None:
    """Unique keys; the contact page's first council line is ``general``."""
    seen: set[str] = set()
    given = [line for line in lines if line.council and line.contact_order is not None]
    general = min(given, key=lambda line: line.contact_order or (0, 0)) if given else None
    for line in lines:
        key = "general" if line is general else line.key
        if line is general and GENERIC_HEADING.match(line.label):
            line.label = "General enquiries"  # "Contact us" names the page, not the line
        if key == "general" and line is not general:
            key = "general_enquiries"
        base, n = key, 2
        while key in seen:
            key, n = f"{base}_{n}", n + 1
        seen.add(key)
        line.key = key


def slug_of(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "line"


# -- a council line's place on the site ---------------------------------------------------------

def _sections(pages: dict[str, list[Chunk]]) -> dict[str, list[str]]:
    """First path segment -> the titles and headings of its pages."""
    out: dict[str, list[str]] = defaultdict(list)
    for url, chunks in pages.items():
        segment = _segment(url)
        if segment:
            out[segment].append(chunks[0].title)
            out[segment].extend(c.section.split(" > ")[-1] for c in chunks if c.section)
    return out


def _segment(url: str) -> str | None:
    parts = [p for p in urlparse(url).path.split("/") if p]
    return f"/{parts[0]}/" if len(parts) > 1 else None


def _words(text: str) -> set[str]:
    """A heading's topic words, each in the singular ("libraries" library, "bins" bin)."""
    return {w for w in map(_singular, re.findall(r"[a-z]+", text.lower()))
            if w not in STOPWORDS and len(w) > 2}


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _place(line: DraftLine, found: list[Occurrence], contact: str | None,
           sections: dict[str, list[str]], base_url: str) -> None:
    """The section of the site a council line serves (``paths``), the topics its pages are
    headed with (``keywords``), its page and form: from the pages outside the contact page
    that give its number, else from the section whose name shares the line's words."""
    digits = digits_of(line.phone)
    segments = {_segment(o.chunk.url) for o in found
                if o.digits == digits and o.chunk.url != contact} - {None}
    if len(segments) != 1:
        label = _words(line.label)
        scored = sorted(((len(label & _words(seg.strip("/").replace("-", " "))), seg)
                         for seg in sections), reverse=True)
        segments = {scored[0][1]} if scored and scored[0][0] > 0 and (
            len(scored) == 1 or scored[1][0] < scored[0][0]) else set()
    if len(segments) != 1:
        if line.key != "general":  # "Roads, pavements and street lights": its own topics
            line.keywords = [t for t in re.split(r",\s*|\s+and\s+", line.label.lower())
                             if t and t not in STOPWORDS]
        return
    segment = next(iter(segments))
    assert segment is not None
    line.paths = [segment]
    counts = Counter(w for heading in sections[segment] for w in _words(heading))
    # a word the headings of other sections use too ("apply", "pay") routes nothing
    spread = Counter(w for headings in sections.values()
                     for w in {w for h in headings for w in _words(h)})
    topic = sorted(_words(segment.strip("/").replace("-", " ")))
    line.keywords = list(dict.fromkeys(topic + [w for w, n in counts.most_common()
                                                if n >= 2 and spread[w] <= 2][:12]))
    index = next((u for u in (f"{segment}index.html", segment)
                  if any(_path(o.chunk.url, base_url) == u for o in found)
                  or u in {_path(o.chunk.url, base_url) for o in found}), None)
    line.url = index or line.url
    line.form_url = _form(found, segment, base_url)


def _form(found: list[Occurrence], segment: str, base_url: str) -> str | None:
    """A page of the section titled as a thing to do ("Report a missed bin") that gives the
    line's number: where the line's online form is."""
    for occ in found:
        if _segment(occ.chunk.url) == segment and FORM_TITLE.match(occ.chunk.title):
            return _path(occ.chunk.url, base_url)
    return None


# -- the council ---------------------------------------------------------------------------------

def _council_name(pages: dict[str, list[Chunk]]) -> tuple[str, Source] | None:
    """The council name the home page gives, or the one the pages use most."""
    counted: Counter[str] = Counter()
    where: dict[str, Source] = {}
    for url, chunks in pages.items():
        home = urlparse(url).path in ("", "/", "/index.html")
        for chunk in chunks:
            for text in (chunk.title, chunk.text):
                for m in COUNCIL_NAME.finditer(text):
                    name = re.sub(r"^(?:Welcome to|The|Contact)\s+", "", m.group(0))
                    counted[name] += 10 if home else 1
                    where.setdefault(name, Source(chunk.cite_url, _sentence(text, m.start())))
    if not counted:
        return None
    name = counted.most_common(1)[0][0]
    return name, where[name]


def _contact_page(pages: dict[str, list[Chunk]]) -> str | None:
    """The council's contact page: titled "Contact us" (or with "contact" in its address),
    the one giving the most phone numbers, then the shortest address."""
    found = [(sum(len(numbers_in(c.text)) for c in chunks), -len(url), url)
             for url, chunks in pages.items()
             if re.match(r"(?i)contact(?: us| the council)?$", chunks[0].title.strip())
             or re.search(r"/contact(?:-us)?(?:/|\.html|$)", urlparse(url).path)]
    return max(found)[2] if found else None


def contact_page(chunks: Iterable[Chunk]) -> str | None:
    """The URL of the site's contact page among ``chunks`` (an index's), or None."""
    pages: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        pages[chunk.url].append(chunk)
    return _contact_page(pages)


def _bank_holidays(pages: dict[str, list[Chunk]], contact: str | None,
                   today: date) -> tuple[list[date], Source] | None:
    """England and Wales bank holidays for the next 13 months, when the contact page says the
    lines close on them."""
    for chunk in pages.get(contact or "", []):
        m = BANK_HOLIDAYS.search(chunk.text)
        if m:
            days = [d for year in (today.year, today.year + 1) for d in bank_holidays(year)
                    if today <= d <= date(today.year + 1, 12, 31)]
            return days, Source(chunk.cite_url, _sentence(chunk.text, m.start()))
    return None


def _first_naming(pages: dict[str, list[Chunk]], body: Body) -> Source | None:
    for url in sorted(pages):
        for chunk in pages[url]:
            at = body.position_in(chunk.text)
            if at is not None:
                return Source(chunk.cite_url, _sentence(chunk.text, at))
    return None


def _sentence(text: str, at: int) -> str:
    start = max(text.rfind("\n", 0, at), text.rfind(". ", 0, at) + 1, 0)
    ends = [e for e in (text.find("\n", at), text.find(". ", at)) if e >= 0]
    return text[start:min(ends) + 1 if ends else len(text)].strip()[:300]


def _path(url: str, base_url: str) -> str:
    """A page of the council's site as a site-relative path (another host's stays whole)."""
    parts, base = urlparse(url), urlparse(base_url)
    if parts.netloc and parts.netloc != base.netloc:
        return url
    return parts.path or "/"
