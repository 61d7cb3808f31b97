"""A council's reviewed configuration: contact lines, opening hours and retrieval tuning.

Lives in YAML (``askcouncil/councils/<slug>.yaml`` or ``ASKCOUNCIL_COUNCILS_DIR``) so that web
and customer-service teams can review it. A council without its own file gets ``default.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from askcouncil.errors import ConfigError

BUNDLED = Path(__file__).resolve().parent / "councils"


@dataclass(frozen=True)
class ContactLine:
    key: str
    label: str
    phone: str | None
    url: str | None
    hours: str | None
    keywords: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()

    def as_handoff(self) -> dict[str, str | None]:
        return {"label": self.label, "phone": self.phone, "url": self.url, "hours": self.hours}


@dataclass(frozen=True)
class Retrieval:
    top_k: int = 8
    candidates: int = 20
    rrf_k: int = 60
    min_similarity: float = 0.5  # answer if similarity >= this and coverage >= min_coverage,
    min_coverage: float = 0.9
    sure_similarity: float = 0.55  # or if similarity alone is at least this
    max_answer_words: int = 120
    # the composer's section ranking (calibrated on the dev questions, docs/quality.md)
    similarity_weight: float = 3.0  # retrieval's dense similarity of the section
    heading_weight: float = 0.6  # the question's words in the page title and section heading
    wanted_weight: float = 0.3  # the section (or its page) holds the fee, date or number asked
    section_margin: float = 0.45  # a second section must score this close to the best


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

    def line_for(self, question: str, urls: list[str]) -> ContactLine:
        """The contact line that best matches the question's words and the pages retrieved."""
        words = set(re.findall(r"[a-z]+", question.lower()))
        best, best_score = self.general_line, 0.0
        for line in self.lines:
            score = 0.0
            for kw in line.keywords:
                kw_words = kw.split()
                if all(w in words for w in kw_words):
                    score += 2.0 * len(kw_words)
            for rank, url in enumerate(urls[:3]):
                if any(p in url for p in line.paths):
                    score += 1.0 / (rank + 1)
            if score > best_score:
                best, best_score = line, score
        return best


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
        lines = tuple(
            ContactLine(
                key=key,
                label=item["label"],
                phone=item.get("phone"),
                url=item.get("url"),
                hours=item.get("hours"),
                keywords=tuple(k.lower() for k in item.get("keywords", [])),
                paths=tuple(item.get("paths", [])),
            )
            for key, item in (raw.get("contact_lines") or {}).items()
        )
        retrieval = Retrieval(**(raw.get("retrieval") or {}))
        crawl = raw.get("crawl") or {}
        allow, deny = tuple(crawl.get("allow") or ()), tuple(crawl.get("deny") or ())
        for pattern in allow + deny:
            re.compile(pattern)
    except (yaml.YAMLError, KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"council file for {slug!r} is not valid: {exc}") from exc
    if not lines:
        raise ConfigError(f"council file for {slug!r} lists no contact_lines")
    return Council(slug, raw.get("name", slug), raw.get("contact_url"), lines, retrieval,
                   crawl_allow=allow, crawl_deny=deny)
