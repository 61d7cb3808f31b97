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
    def _topics(self) -> tuple[tuple[str, re.Pattern[str] | frozenset[str], float], ...]:
        """Each keyword as (its singular, what matches it: a compiled pattern for a phrase, the
        forms of a word, its weight): made once, as a council file with many partners has over
        a thousand."""
        out: list[tuple[str, re.Pattern[str] | frozenset[str], float]] = []
        for kw in self.keywords:
            one = kw.removesuffix("s")
            if " " in kw:
                out.append((one, re.compile(rf"\b{re.escape(one)}s?\b"), 2.0 * len(kw.split())))
            else:
                out.append((one, frozenset({kw, f"{kw}s"} | ({kw[:-1]} if kw.endswith("s")
                                                             else set())), 2.0))
        return tuple(out)

    def score(self, words: set[str], text: str) -> float:
        """How well the line's topics match a question's words (multi-word topics weigh more;
        a topic counts once however many of its forms the line lists: "bin" and "bins")."""
        total = 0.0
        found: set[str] = set()
        for one, match, weight in self._topics:
            if one in found:
                continue
            if match.search(text) if isinstance(match, re.Pattern) else not match.isdisjoint(words):
                found.add(one)
                total += weight
        return total


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


# An answer from the council's own pages says another body runs the service only when the
# question names that body's service this surely (``ContactLine.score``: a two-word service, or
# two services); a handoff goes to the best match however weak.
SURE_SERVICE = 4.0


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

    def runs(self, question: str, urls: list[str], said: str = "") -> ContactLine | None:
        """The other body that runs the service a reply is about, or None for this council:
        whoever's services the question names (a partner's above the council's own lines, as
        for a handoff; for a partner, named in two words or more, "universal credit", or in
        one that the answer ``said`` names too: "PIP" in a PIP answer, not "police" in a
        licensing question), else the owner of the site most of the reply's parts are from
        (the first part's, on a tie)."""
        line, score = self._best_line(question, [])
        if score > 0 and line.body is None:
            return None
        if score >= SURE_SERVICE or (score > 0 and line.score(_words(said), said.lower()) > 0):
            return line
        owners = [site.owner if site else None for site in map(self.site_for, urls)]
        if not owners:
            return None
        counted = Counter(owners)
        top = max(counted.values())
        return self.partner(next(o for o in owners if counted[o] == top))

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

    def line_for(self, question: str, urls: list[str]) -> ContactLine:
        """The contact line that best matches the question's words and the pages retrieved; a
        partner body's line when the question is about a service that body runs."""
        return self._best_line(question, urls)[0]

    def _best_line(self, question: str, urls: list[str]) -> tuple[ContactLine, float]:
        text = question.lower()
        words = _words(text)
        best, best_score = self.general_line, 0.0
        for line in self.lines:
            score = line.score(words, text)
            for rank, url in enumerate(urls[:3]):
                if any(p in url for p in line.paths):
                    score += 1.0 / (rank + 1)
            if score > best_score:
                best, best_score = line, score
        for partner in self.partners:
            if partner.score(words, text) > best_score:
                best, best_score = partner, partner.score(words, text)
        return best, best_score


def _words(text: str) -> set[str]:
    """A text's words in any letters ("tŷ", "ailgylchu"), lower-cased, hyphenated ones whole
    and in parts ("budd-dal", "budd", "dal")."""
    whole = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower())
    return set(whole) | {part for w in whole if "-" in w for part in w.split("-")}


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
        partners = tuple(
            _line(key, item, closed_on, body=item["name"])
            for key, item in (raw.get("partners") or {}).items()
        )
        emergency_raw = raw.get("emergency") or {}
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
