"""A drafted council file as YAML (``askcouncil council draft``): each value with the page
section and the words it came from, for a person to check; and the command's library call,
which crawls what is not indexed yet, drafts each site and writes the file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml

from askcouncil.routing import load_bodies
from crawler.draft import (
    Draft,
    DraftLine,
    Source,
    digits_of,
    draft_council,
    slug_of,
)


def to_yaml(draft: Draft, slug: str, others: list[Draft] | None = None) -> str:
    """The draft as a council file, each value with the page and words it came from. ``others``:
    drafts of the other sites the bot answers from, each a partner that owns its site."""
    others = others or []
    out = [f"# DRAFT council file for {slug!r}, written by `askcouncil council draft` from "
           f"{draft.base_url}",
           "# Every value below was read from the page named beside it: check each one against",
           "# its page, add what the site does not say (out-of-hours lines, safeguarding), then",
           "# remove this header. Nothing here was guessed; what no page says is left out.",
           f"# Lines found: {len(draft.council_lines())} of the council's own, "
           f"{len(draft.partner_lines())} of other bodies.", ""]
    if draft.name:
        out += [f"# name: {_cite(draft.name[1])}", f"name: {_q(draft.name[0])}"]
    else:
        out += ["# name: no page names the council: write it here", f"name: {_q(slug)}"]
    if draft.contact_url:
        out += [f"# contact_url: {_cite(draft.contact_url[1])}",
                f"contact_url: {_q(draft.contact_url[0])}"]
    else:
        out += ["# contact_url: no contact page found", "contact_url: null"]
    if draft.closed_on:
        days, src = draft.closed_on
        out += ["# Bank holidays in England and Wales (GOV.UK's rules), because the contact page "
                "says:", f"#   {_cite(src)}",
                f"closed_on: [{', '.join(d.isoformat() for d in days)}]"]
    else:
        out += ["# closed_on: the contact page does not say the lines close on bank holidays"]
    owners = [(_owner_key(d, n), d) for n, d in enumerate(others)]
    if owners:
        out += ["# The websites the bot answers from. A page keeps its site's owner: an answer "
                "from", "# another body's page says whose it is. Give a site `area:` when its "
                "pages apply to part", "# of the council's area only (a predecessor council's "
                "site).", "sites:", "  own:", f"    url: {_q(draft.base_url)}"]
        for key, other in owners:
            out += [f"  {key}:", f"    url: {_q(other.base_url)}", f"    owner: {key}"]
    council, partners = draft.council_lines(), draft.partner_lines()
    seen = {digits_of(x.phone) for x in partners}
    for other in others:  # other bodies' lines the other sites give too, once each
        for x in other.partner_lines():
            if digits_of(x.phone) not in seen:
                seen.add(digits_of(x.phone))
                x.url = urljoin(other.base_url, x.url)
                partners.append(x)
    out.append("contact_lines:")
    if not council:
        where = _q(draft.contact_url[0]) if draft.contact_url else '"/"'
        out += ["  # no page gives a number of the council's own: the handoff points at the",
                "  # contact page", "  general:", "    label: Contact the council",
                "    phone: null", f"    url: {where}"]
    for line in council:
        out += _line_yaml(line)
    out.append("# Other bodies' lines that the pages give (check who runs each one)")
    out.append("partners:" if partners or draft.partners_named or owners else "partners: {}")
    for key, other in owners:
        out += _owner_yaml(key, other)
    for line in partners:
        out += _line_yaml(line, partner=True)
    listed = {line.body_key for line in partners}
    bodies = {b.key: b for b in load_bodies()}
    for key, src in sorted(draft.partners_named.items()):
        if key in listed or key not in bodies:
            continue
        body = bodies[key]
        out += [f"  {key}:", f"    # named: {_cite(src)}", "    # no page gives its number: add "
                "it, or delete this entry", f"    name: {_q(body.name)}",
                f"    label: {_q(body.name[4:] if body.name.startswith('the ') else body.name)}",
                f"    services: [{', '.join(body.services)}]"]
    if draft.other_councils:
        out.append("# Other councils the pages name (a county or district: add the services it "
                   "runs as a partner):")
        out += [f"#   {n}: {_cite(s)}" for n, s in sorted(draft.other_councils.items())]
    return "\n".join(out) + "\n"


def _owner_key(other: Draft, n: int) -> str:
    name = other.name[0] if other.name else ""
    for word in ("county", "district", "borough", "city"):
        if f"{word} council" in name.lower():
            return word
    return slug_of(name) if name else f"site_{n + 2}"


def _owner_yaml(key: str, other: Draft) -> list[str]:
    """The body that owns another site: its name, its main line, and the services its
    sections are about; then its other lines, as its own."""
    general = next((x for x in other.council_lines() if x.key == "general"), None)
    rows = [f"  {key}:", f"    # owns the site {other.base_url}; its name: "
            + (_cite(other.name[1]) if other.name else "no page names it: write it here"),
            f"    name: {_q(other.name[0] if other.name else key)}",
            f"    label: {_q(other.name[0] if other.name else key)}"]
    if general:
        rows += [f"    # {_cite(s)}" for s in general.sources[:1]]
        rows += [f"    phone: {_q(general.phone)}"]
        if general.hours:
            rows += [f"    hours: {_q(general.hours.text)}",
                     f"    open: {_flow(general.hours.spec)}"]
    contact = other.contact_url[0] if other.contact_url else "/"
    rows.append(f"    url: {_q(urljoin(other.base_url, contact))}")
    if other.topics:
        rows.append("    # services: the names of its site's sections (check which it runs: "
                    "a section may hold pages about another body's service)")
        rows.append(f"    services: [{', '.join(t for t, _ in other.topics)}]")
    for line in other.council_lines():
        if line is general:
            continue
        line.body = other.name[0] if other.name else key
        line.key = f"{key}_{line.key}"
        line.url = urljoin(other.base_url, line.url)
        rows += _line_yaml(line, partner=True)
    return rows


def _line_yaml(line: DraftLine, partner: bool = False) -> list[str]:
    rows = [f"  {line.key}:"]
    rows += [f"    # {_cite(s)}" for s in line.sources]
    if partner:
        rows.append(f"    name: {_q(line.body or line.label)}"
                    + ("" if line.body else "  # who runs it: the page does not say"))
    rows += [f"    label: {_q(line.label)}", f"    phone: {_q(line.phone)}",
             f"    url: {_q(line.url)}"]
    if line.hours:
        spec = line.hours.spec
        rows.append(f"    hours: {_q(line.hours.text)}")
        rows.append(f"    open: {spec if isinstance(spec, str) else _flow(spec)}"
                    if spec == "24/7" else f"    open: {_flow(spec)}")
    for kind, number in line.alternatives.items():
        rows.append(f"    # {kind}: {number}")
    if line.email:
        rows.append(f"    email: {_q(line.email)}")
    if line.form_url:
        rows.append("    # form_url: the page of its section titled as a thing to do")
        rows.append(f"    form_url: {_q(line.form_url)}")
    if line.keywords and line.paths:
        rows.append(f"    # keywords, paths: the words the headings of the pages under "
                    f"{line.paths[0]} share, and that section")
    elif line.keywords:
        rows.append("    # " + ("services" if partner else "keywords") + ": the line's name")
    if line.keywords:
        rows.append(f"    {'services' if partner else 'keywords'}: [{', '.join(line.keywords)}]")
    if line.paths:
        rows.append(f"    paths: [{', '.join(line.paths)}]")
    if partner and line.services:
        rows.append(f"    services: [{', '.join(line.services)}]")
    return rows


def _flow(spec: Any) -> str:  # noqa: ANN401 - "24/7" or a mapping
    if isinstance(spec, str):
        return _q(spec)
    return "{" + ", ".join(f'{k}: "{v}"' for k, v in spec.items()) + "}"


def _cite(src: Source) -> str:
    text = re.sub(r"\s+", " ", src.text).strip()
    return f'{src.url}: "{text[:160]}{"..." if len(text) > 160 else ""}"'


def _q(value: str) -> str:
    return yaml.safe_dump(value, default_style=None, width=1000).strip().removesuffix("\n...") \
        if value else '""'


# -- the command ---------------------------------------------------------------------------------

def write_draft(settings: Any, urls: list[str], *,  # noqa: ANN401 - Settings
                out: Path | None = None, force: bool = False, progress: bool = True,
                say: Any = print) -> Path:  # noqa: ANN401 - a print-like callable
    """Draft ``settings.council``'s council file from its crawled index: the council's own
    site is ``urls[0]``, and any others are sites its bot answers from too (a county's or a
    district's), each drafted as a partner that owns its site. A site the index holds no pages
    of is crawled first. Written to ``out`` (default <councils_path>/<slug>.yaml), never over an
    existing file unless ``force``."""
    from askcouncil.chroma import open_chroma
    from askcouncil.errors import BadInput
    from askcouncil.index import CouncilIndex
    from askcouncil.urls import within
    from crawler.job import check_start_url, run_crawl

    for url in urls:
        check_start_url(url)
    slug = settings.council
    path = out or settings.councils_path / f"{slug}.yaml"
    if path.exists() and not force:
        raise BadInput(f"{path} exists: review and edit it, or pass --force to draft it again "
                       "(--out writes elsewhere)")
    held = CouncilIndex(open_chroma(settings), slug).page_versions()
    embedder = None
    for url in urls:
        if not any(within(url, page) for page in held):
            say(f"Nothing indexed from {url} for council '{slug}' yet: crawling it first.")
            embedder = run_crawl(settings, url, progress=progress, say=say, offer_draft=False,
                                 embedder=embedder,
                                 other_sites=tuple(u for u in urls if u != url)).embedder
    chunks = list(CouncilIndex(open_chroma(settings), slug).iter_chunks())
    drafts = [draft_council([c for c in chunks if within(url, c.url)], url) for url in urls]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(drafts[0], slug, others=drafts[1:]), "utf-8")
    draft = drafts[0]
    council, partners = draft.council_lines(), draft.partner_lines()
    say(f"Drafted {path}: {draft.name[0] if draft.name else slug}, "
        f"{len(council)} of the council's own lines ({sum(1 for x in council if x.hours)} with "
        f"opening hours), {len(partners)} of other bodies; contact page "
        f"{draft.contact_url[0] if draft.contact_url else 'not found'}"
        + "".join(f"; and the site of {d.name[0] if d.name else d.base_url}" for d in drafts[1:])
        + ".")
    say("Check every value against the page named beside it, then serve: askcouncil serve"
        + ("" if settings.councils_dir else
           f" (the bot reads council files from {settings.councils_path})"))
    return path
