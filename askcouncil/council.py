"""A council's reviewed configuration: contact lines with opening hours, partner bodies,
emergency signposts and retrieval tuning.

Lives in YAML (``askcouncil/councils/<slug>.yaml`` or ``ASKCOUNCIL_COUNCILS_DIR``) so that web
and customer-service teams can review it. A council without its own file gets ``default.yaml``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from askcouncil.errors import ConfigError
from askcouncil.hours import OpeningHours
from askcouncil.routing import (
    TIERS,
    Match,
    Service,
    Topics,
    body_roles,
    load_catalogue,
    outside_longer,
    weigh,
)
from askcouncil.urls import within

BUNDLED = Path(__file__).resolve().parent / "councils"


@dataclass(frozen=True)
class ContactLine:
    """A phone line, form or office of the council (or of a partner body)."""

    key: str
    label: str
    phone: str | None
    url: str | None
    hours: str | None  # plain English, written from ``opening`` when not given
    keywords: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    form_url: str | None = None
    opening: OpeningHours | None = None
    body: str | None = None  # for a partner body's line: who runs the service
    role: str | None = None  # for a partner's: which body it is (routing.load_catalogue's keys)
    # In Welsh (the council file's label_cy and hours_cy; hours_cy is written from ``open`` when
    # the English hours were too). None: the file does not give it.
    label_cy: str | None = None
    hours_cy: str | None = None

    def speaks(self, lang: str) -> bool:
        """Whether everything the handoff says about this line can be said in ``lang``."""
        return lang != "cy" or (self.label_cy is not None and self.body is None
                                and (self.hours is None or self.hours_cy is not None))

    def as_handoff(self, now: datetime | None = None, lang: str = "en") -> dict[str, Any]:
        """The line as the API gives it, in ``lang`` when the line ``speaks`` it."""
        welsh = lang == "cy" and self.speaks("cy")
        open_now = self.opening.is_open(now) if self.opening and now else None
        return {
            "label": self.label_cy if welsh else self.label,
            "phone": self.phone,
            "url": self.url,
            "hours": self.hours_cy if welsh else self.hours,
            "form_url": self.form_url,
            "open_now": open_now,
            "availability": self.opening.status(now, "cy" if welsh else "en")
            if self.opening and now else None,
            "body": self.body,
        }

    @cached_property
    def topics(self) -> Topics:
        return Topics(self.keywords, load_catalogue().names)

    def score(self, text: str) -> float:
        """How well the line's topics match a lower-cased question (``routing.Topics``)."""
        return self.topics.score(text)


@dataclass(frozen=True)
class Emergency:
    """Signposts shown before anything else when a message says someone is at risk."""

    safeguarding_line: str | None = None  # contact line keys
    out_of_hours_line: str | None = None
    crisis_lines: tuple[ContactLine, ...] = ()


@dataclass(frozen=True)
class Retrieval:
    top_k: int = 8
    candidates: int = 20
    rrf_k: int = 60
    # answer when the decision model's probability reaches this; None: the model's own
    answer_threshold: float | None = None
    max_answer_words: int = 120
    # the composer's section ranking (calibrated on the dev questions, docs/quality.md)
    similarity_weight: float = 3.0  # retrieval's dense similarity of the section
    heading_weight: float = 0.6  # the question's words in the page title and section heading
    wanted_weight: float = 0.3  # the section (or its page) holds the fee, date or number asked
    section_margin: float = 0.45  # a second section must score this close to the best
    # (URL path regex, weight): a page type counted up or down in retrieval and composing,
    # e.g. ("^/news/", 0.8) for dated news items. The first matching pattern applies.
    page_weights: tuple[tuple[str, float], ...] = ()
    # hybrid (default); keyword or dense: one search only, for the evaluation's baselines
    mode: str = "hybrid"

    def page_weight(self, url: str) -> float:
        path = urlparse(url).path
        for pattern, weight in self.page_weights:
            if re.search(pattern, path):
                return weight
        return 1.0


# Who runs the service (``Council.route``): each body's score is how close the question's
# meaning is to its services (``routing.Senses``, a cosine similarity) plus WORD_WEIGHT for each
# point of words naming one of them (``routing.Topics``: 2 a word, so "universal credit" adds
# 0.2; half what it was before the catalogue held residents' questions, whose meaning now
# decides more, docs/quality.md); a word inside a longer phrase another body's services name
# counts for nothing (the "bin" of "grit bin"). A body the words do not name needs a meaning at
# least MIN_SENSE close for a handoff, SURE_SENSE for an answer; when none has either, the body
# whose site most of an answer is from runs it. A winner the council has no partner for is
# nobody it can name.
WORD_WEIGHT = 0.05
MIN_SENSE = 0.35
SURE_SENSE = 0.45


@dataclass(frozen=True)
class Site:
    """A website the council's bot answers from (a council file's ``sites``): the council's own,
    the county's or district's in a two-tier area, or a predecessor council's that a new
    unitary still publishes. Its pages keep their owner: an answer from another body's page says
    whose it is, and one from a page that covers only part of the council's area says which."""

    key: str
    url: str
    owner: str | None = None  # a partner's key: the body that runs this site's services
    name: str | None = None  # whose website it is, as residents know it
    area: str | None = None  # the part of the council's area its pages apply to

    def holds(self, url: str) -> bool:
        return within(self.url, url)


@dataclass(frozen=True)
class Council:
    slug: str
    name: str
    contact_url: str | None
    lines: tuple[ContactLine, ...]
    retrieval: Retrieval = field(default_factory=Retrieval)
    synonyms: tuple[tuple[str, str], ...] = ()
    crawl_allow: tuple[str, ...] = ()  # URL path regexes; if any, only matching URLs are crawled
    crawl_deny: tuple[str, ...] = ()  # URL path regexes never crawled
    partners: tuple[ContactLine, ...] = ()  # other bodies' services (county council, NHS, DWP)
    # the deflection estimate's assumptions (analytics.deflection.Assumptions field names)
    deflection: tuple[tuple[str, float], ...] = ()
    emergency: Emergency = field(default_factory=Emergency)
    sites: tuple[Site, ...] = ()  # empty: the one site ``askcouncil crawl URL`` is given

    def site_for(self, url: str) -> Site | None:
        """The site a page belongs to (the longest address that holds it), or None."""
        held = [s for s in self.sites if s.holds(url)]
        return max(held, key=lambda s: len(s.url)) if held else None

    @property
    def own_url(self) -> str | None:
        """The council's own website (the first site it owns, with no area), if listed."""
        own = [s for s in self.sites if s.owner is None]
        return next((s.url for s in own if s.area is None), own[0].url if own else None)

    def partner(self, key: str | None) -> ContactLine | None:
        return next((p for p in self.partners if p.key == key), None) if key else None

    @cached_property
    def _roles(self) -> tuple[frozenset[str], dict[str, tuple[ContactLine, ...]]]:
        """The bodies of the catalogue this council is (the district and county's services in a
        unitary; the district's when a partner is the county, and the reverse), and its
        partners by the body each is."""
        roles: dict[str, list[ContactLine]] = {}
        for partner in self.partners:
            roles.setdefault(partner.role or partner.key, []).append(partner)
        own = frozenset(TIERS) - set(roles) or frozenset(TIERS[:1])
        return own, {k: tuple(v) for k, v in roles.items()}

    @cached_property
    def _assigned(self) -> tuple[tuple[Service, str | None, tuple[str, ...]], ...]:
        """Each service of the catalogue with who runs it here (None: this council) and the
        words of this file's lines that decided it against the catalogue, if they did. The body
        whose lines list one of its words runs it, when one does (the file knows its council);
        else, and when several do, the catalogue's body (this council for its own tiers). A
        body the council names no partner for keeps its services: a question about one is
        nobody's this council can name, not the next closest body's."""
        own, partners = self._roles
        bodies: list[tuple[str | None, tuple[ContactLine, ...]]] = [(None, self.lines),
                                                                    *partners.items()]
        out = []
        for service in load_catalogue().services:
            topics = service.words.topics
            claims = {body: topics & frozenset(t for line in lines for t in line.topics.topics)
                      for body, lines in bodies}
            claims = {body: words for body, words in claims.items() if words}
            usual = None if service.role in own else service.role
            body = next(iter(claims)) if len(claims) == 1 or (claims and usual not in claims) \
                else usual
            out.append((service, body, tuple(sorted(claims[body])) if body != usual else ()))
        return tuple(out)

    @cached_property
    def services(self) -> tuple[tuple[Service, str | None], ...]:
        """Each service of the catalogue with who runs it here (``_assigned``)."""
        return tuple((service, body) for service, body, _words in self._assigned)

    def who_runs_what(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """For review: each service of the catalogue as (who runs it here: this council's name,
        a partner's, or "nobody named (BODY)" for a body with no partner; the service; the words
        of this file's lines that claim it against the catalogue)."""
        partners = self._roles[1]
        out = []
        for service, body, claimed in self._assigned:
            lines = self.lines if body is None else partners.get(body, ())
            who = (self.name if body is None else lines[0].body or lines[0].label if lines
                   else f"nobody named ({body})")
            out.append((who, service.name, claimed))
        return out

    def route(self, question: str, urls: list[str] | tuple[str, ...] = (),
              sense: dict[Service, float] | None = None, min_sense: float = MIN_SENSE
              ) -> str | None:
        """The body that runs the service a question is about: a partner's role, or None for
        this council. ``urls``: the pages an answer is from; ``sense``: ``Senses.by_service``
        for the question (without it, words and pages alone decide)."""
        text = _plain(question)
        partners = self._roles[1]
        said: dict[str | None, list[Match]] = {
            None: [m for line in self.lines for m in line.topics.matches(text)]}
        for role, lines in partners.items():
            said[role] = [m for line in lines for m in line.topics.matches(text)]
        close: dict[str | None, float] = {}
        for service, body in self.services:
            said.setdefault(body, []).extend(service.words.matches(text))
            if sense:
                close[body] = max(close.get(body, 0.0), sense.get(service, 0.0))
        everything = [m for ms in said.values() for m in ms]
        scores: dict[str | None, tuple[float, float, float]] = {}
        for body, matches in said.items():
            lex = weigh(outside_longer(matches, everything))
            sem = close.get(body, 0.0)
            scores[body] = (sem + WORD_WEIGHT * lex, lex, sem)
        best = max(scores, key=lambda r: (scores[r][0], r is None))
        if scores[best][1] > 0 or scores[best][2] >= min_sense:
            return best if best is None or best in partners else None
        owners = [self._site_role(site) for site in map(self.site_for, urls)]
        if not owners:
            return None
        shares = Counter(owners)
        top = max(shares.values())
        return next(role for role in owners if shares[role] == top)  # the first part's on a tie

    def _site_role(self, site: Site | None) -> str | None:
        """The body a site's owner plays (None: this council's own site, or none)."""
        partner = self.partner(site.owner) if site else None
        return partner.role if partner else None

    def runs(self, question: str, urls: list[str],
             sense: dict[Service, float] | None = None) -> ContactLine | None:
        """The other body's line for the service an answer is about, or None for this council
        (``route``, with a surer meaning than a handoff needs: saying an answer from the
        council's pages is another body's service takes more than choosing whose line a
        declined question goes to)."""
        role = self.route(question, urls, sense, SURE_SENSE)
        return None if role is None else self._partner_line(role, question)

    def _partner_line(self, role: str, question: str) -> ContactLine:
        """The line of the body playing ``role`` that the question's words best match: the one
        keyed by the role, or its first, when none does."""
        lines = self._roles[1][role]
        text = _plain(question)
        main = next((line for line in lines if line.key == role), lines[0])
        best = max(lines, key=lambda line: line.score(text))
        return best if best.score(text) > main.score(text) else main

    def expand(self, question: str) -> str:
        """The question plus the council's words for any resident phrases it uses."""
        lowered = question.lower()
        extra = [
            terms for phrase, terms in self.synonyms
            if re.search(rf"\b{re.escape(phrase)}\b", lowered)
        ]
        return f"{question} {' '.join(extra)}" if extra else question

    @property
    def general_line(self) -> ContactLine:
        for line in self.lines:
            if line.key == "general":
                return line
        return self.lines[0]

    def line(self, key: str | None) -> ContactLine | None:
        return next((line for line in self.lines if line.key == key), None) if key else None

    def safeguarding_line(self, message: str) -> ContactLine | None:
        """The line to tell that a child or adult is at risk: the one the file's ``emergency``
        names; else, where another body runs social care (a district's county: the catalogue's
        ``safeguarding`` services), that body's line; else none."""
        own = self.line(self.emergency.safeguarding_line)
        if own is not None:
            return own
        role = next((body for service, body in self.services if service.safeguarding and body
                     and body in self._roles[1]), None)
        return self._partner_line(role, message) if role else None

    def line_for(self, question: str, urls: list[str],
                 sense: dict[Service, float] | None = None) -> ContactLine:
        """The line to hand a question to: a partner body's when it runs the service
        (``route``), else the council's own line that best matches the question's words and
        the pages retrieved."""
        role = self.route(question, [], sense)
        if role is not None:
            return self._partner_line(role, question)
        text = _plain(question)
        best, best_score = self.general_line, 0.0
        for line in self.lines:
            score = line.score(text)
            for rank, url in enumerate(urls[:3]):
                if any(p in url for p in line.paths):
                    score += 1.0 / (rank + 1)
            if score > best_score:
                best, best_score = line, score
        return best


def _plain(text: str) -> str:
    """A text lower-cased, with typographic apostrophes as typed ones ("dependants’ grant")."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def council_configured(slug: str, councils_dir: Path | None = None) -> bool:
    """A council file exists for this slug (the bundled defaults do not count)."""
    return slug not in {"default", "synonyms"} and any(
        (f / f"{slug}.yaml").is_file() for f in (councils_dir, BUNDLED) if f)


def load_council(slug: str, councils_dir: Path | None = None) -> Council:
    folders = [f for f in (councils_dir, BUNDLED) if f]
    synonyms = load_synonyms(next(
        f / "synonyms.yaml" for f in folders if (f / "synonyms.yaml").is_file()))
    for folder in folders:
        if (folder / f"{slug}.yaml").is_file():
            council = parse_council(slug, (folder / f"{slug}.yaml").read_text("utf-8"))
            break
    else:
        council = parse_council(slug, (BUNDLED / "default.yaml").read_text("utf-8"))
    return replace(council, slug=slug, synonyms=synonyms)


def load_synonyms(path: Path) -> tuple[tuple[str, str], ...]:
    try:
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    return tuple((str(k).lower(), str(v)) for k, v in raw.items())


def parse_council(slug: str, text: str) -> Council:
    try:
        raw = yaml.safe_load(text) or {}
        closed_on = frozenset(_date(d) for d in raw.get("closed_on") or ())
        lines = tuple(
            _line(key, item, closed_on) for key, item in (raw.get("contact_lines") or {}).items()
        )
        partners = _with_roles(tuple(
            _line(key, item, closed_on, body=item["name"])
            for key, item in (raw.get("partners") or {}).items()
        ), raw.get("partners") or {})
        # a file that says nothing of emergencies (a drafted one) still gets the national crisis
        # lines (Samaritans) of the bundled default; `emergency: {}` says there are none
        emergency_raw = (raw["emergency"] if "emergency" in raw else yaml.safe_load(
            (BUNDLED / "default.yaml").read_text("utf-8"))["emergency"]) or {}
        emergency = Emergency(
            safeguarding_line=emergency_raw.get("safeguarding_line"),
            out_of_hours_line=emergency_raw.get("out_of_hours_line"),
            crisis_lines=tuple(_line(f"crisis-{i}", item, frozenset())
                               for i, item in enumerate(emergency_raw.get("crisis_lines") or ())),
        )
        tuning = dict(raw.get("retrieval") or {})
        retired = sorted(set(tuning) & {"min_similarity", "min_coverage", "sure_similarity"})
        if retired:
            raise ValueError(f"retrieval: the decision is a fitted model now, so "
                             f"{', '.join(retired)} cannot be set; use answer_threshold (a "
                             "probability, docs/configuration.md) or leave it out")
        weights = tuple((str(k), float(v)) for k, v in (tuning.pop("page_weights", None)
                                                         or {}).items())
        for pattern, weight in weights:
            re.compile(pattern)
            if not 0 <= weight <= 5:
                raise ValueError(f"page weight for {pattern!r} must be between 0 and 5")
        retrieval = Retrieval(**tuning, page_weights=weights)
        if retrieval.answer_threshold is not None and not 0 <= retrieval.answer_threshold <= 1:
            raise ValueError("retrieval: answer_threshold is a probability, between 0 and 1")
        if retrieval.mode not in ("hybrid", "keyword", "dense"):
            raise ValueError(f"retrieval mode must be hybrid, keyword or dense, not "
                             f"{retrieval.mode!r}")
        crawl = raw.get("crawl") or {}
        allow, deny = tuple(crawl.get("allow") or ()), tuple(crawl.get("deny") or ())
        for pattern in allow + deny:
            re.compile(pattern)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"council file for {slug!r} is not valid: {exc}") from exc
    if not lines:
        raise ConfigError(f"council file for {slug!r} lists no contact_lines")
    keys = {line.key for line in lines}
    for name in (emergency.safeguarding_line, emergency.out_of_hours_line):
        if name and name not in keys:
            raise ConfigError(f"council file for {slug!r}: emergency names line {name!r}, "
                              f"which is not in contact_lines")
    sites = _sites(slug, raw.get("sites"), {p.key for p in partners})
    deflection = tuple((str(k), float(v)) for k, v in (raw.get("deflection") or {}).items())
    known = {"handling_minutes", "handling_minutes_low", "handling_minutes_high",
             "cost_per_call", "cost_per_call_high", "prior_share", "prior_weight", "min_sample",
             "recontact_hours"}
    for name, value in deflection:
        if name not in known:
            raise ConfigError(f"council file for {slug!r}: unknown deflection setting {name!r} "
                              f"(use {', '.join(sorted(known))})")
        if name == "recontact_hours" and not 0 <= value <= 24 * 90:
            raise ConfigError(f"council file for {slug!r}: recontact_hours is {value:g}; use 0 "
                              "(off) to 2160 hours")
    return Council(slug, raw.get("name", slug), raw.get("contact_url"), lines, retrieval,
                   crawl_allow=allow, crawl_deny=deny, partners=partners, emergency=emergency,
                   deflection=deflection, sites=sites)


def _with_roles(partners: tuple[ContactLine, ...], raw: dict[str, Any]
                ) -> tuple[ContactLine, ...]:
    """Each partner with the body of the catalogue it is (``routing.load_catalogue``): its
    ``role:``, else its key when that is one ("county", "dwp"), else the role of the partner of
    that key with the same name (the county's other lines), else the body bodies.yaml names so
    (a drafted "pip_claims" line of the DWP), else its own key (a body the catalogue lacks)."""
    known = set(load_catalogue().roles)
    named = {p.body: p.key for p in partners if p.key in known} | {
        name: key for name, key in body_roles().items() if key in known}
    return tuple(replace(p, role=str(raw[p.key].get("role") or (p.key if p.key in known else None)
                                     or named.get(p.body) or p.key)) for p in partners)


def _sites(slug: str, raw: object, partners: set[str]) -> tuple[Site, ...]:
    """The council file's ``sites``: key -> {url, owner (a partner key), name, area}."""
    if not raw:
        return ()
    if not isinstance(raw, dict):
        raise ConfigError(f"council file for {slug!r}: sites must map a key to its url, owner, "
                          "name and area")
    sites = []
    for key, item in raw.items():
        item = item if isinstance(item, dict) else {"url": item}
        url = str(item.get("url") or "")
        if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
            raise ConfigError(f"council file for {slug!r}: site {key!r} needs an http(s) url, "
                              f"not {url!r}")
        owner = item.get("owner")
        if owner is not None and owner not in partners:
            raise ConfigError(f"council file for {slug!r}: site {key!r} is owned by {owner!r}, "
                              f"which is not in partners ({', '.join(sorted(partners)) or 'none'})")
        sites.append(Site(str(key), url, owner, item.get("name"), item.get("area")))
    return tuple(sites)


def _line(key: str, item: dict[str, Any], closed_on: frozenset[date], body: str | None = None
          ) -> ContactLine:
    opening = OpeningHours.parse(item["open"], closed_on) if item.get("open") else None
    hours = item.get("hours") or (opening.describe() if opening else None)
    hours_cy = item.get("hours_cy") or (
        opening.describe("cy") if opening and not item.get("hours") else None)
    return ContactLine(
        key=key,
        label=item.get("label") or item["name"],
        phone=str(item["phone"]) if item.get("phone") is not None else None,
        url=item.get("url"),
        hours=hours,
        keywords=tuple(str(k).lower() for k in item.get("keywords", item.get("services", []))),
        paths=tuple(item.get("paths", [])),
        form_url=item.get("form_url"),
        opening=opening,
        body=body,
        label_cy=item.get("label_cy"),
        hours_cy=hours_cy,
    )


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
