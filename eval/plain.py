"""Plain English and grounding checks of one answer: reading grade and ease (textstat 0.7.8,
which needs no download), sentence length, unexplained acronyms and council jargon; the share of
answer sentences found in a cited passage; web addresses that are neither crawled pages nor
quoted from one."""

from __future__ import annotations

import re
from typing import Any

import textstat

# Words GOV.UK's style guide and councils' plain-English guides ask writers to avoid.
JARGON = frozenset("""
aforementioned commence deem discretionary eligibility facilitate forthwith hereby herein
henceforth in-accordance-with liable notwithstanding pursuant remit statutory utilise
whereby thereof therein ameliorate expedite promulgate
""".split())
# Acronyms residents know without an explanation.
KNOWN_ACRONYMS = frozenset("UK NHS GP TV PDF OK MP VAT PIN ID GOV DVLA DWP HMRC BBC SMS".split())
MARKER = re.compile(r"\s*\[\d+\]")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\]]*[^\s<>()\].,;:!?'\"]", re.I)


def answer_text(answer: str) -> str:
    """The answer as a resident reads it, without citation markers."""
    return MARKER.sub("", answer).strip()


def readability(answer: str) -> dict[str, Any]:
    text = answer_text(answer)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s.split()) >= 3]
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    defined = set(re.findall(r"\(([A-Z]{2,6})s?\)", text))  # "Blue Badge (BB)" style
    acronyms = {w for w in re.findall(r"\b[A-Z]{2,6}s?\b", text)
                if w.rstrip("s") not in KNOWN_ACRONYMS and w.rstrip("s") not in defined}
    jargon = sorted({w.lower() for w in words if w.lower() in JARGON})
    if not sentences:
        return {"grade": None, "ease": None, "words_per_sentence": None,
                "unexplained_acronyms": sorted(acronyms), "jargon": jargon}
    prose = " ".join(sentences)
    return {
        "grade": round(textstat.flesch_kincaid_grade(prose), 1),
        "ease": round(textstat.flesch_reading_ease(prose), 1),
        "words_per_sentence": round(len(prose.split()) / len(sentences), 1),
        "unexplained_acronyms": sorted(acronyms),
        "jargon": jargon,
    }


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9£]+", " ", text.lower()).strip()


def groundedness(answer: str, cited_texts: list[str], handoff_text: str = "") -> float | None:
    """Share of the answer's sentences found in a cited passage (verbatim, or with at least 80%
    of their words there: a light paraphrase by an LLM composer). The handoff sentence, which
    comes from the council's configuration, is left out. None when there is nothing to check."""
    text = answer_text(answer).replace(handoff_text, "") if handoff_text else answer_text(answer)
    sentences = [s for s in re.split(r"(?<=[.!?:])\s+|\n", text)
                 if len(s.split()) >= 3 and not s.lstrip().startswith("- ")]
    items = [s.lstrip("- ") for s in re.split(r"\n", text) if s.lstrip().startswith("- ")]
    units = [u for u in sentences + items if u.strip()]
    if not units or not cited_texts:
        return None
    passages = [_norm(t) for t in cited_texts]
    supported = 0
    for unit in units:
        n = _norm(unit)
        words = set(n.split())
        if any(n in p for p in passages) or any(
                words and len(words & set(p.split())) >= 0.8 * len(words) for p in passages):
            supported += 1
    return round(supported / len(units), 4)


def unsupported_links(answer: str, allowed_text: str, pages: set[str]) -> list[str]:
    """Web addresses in the answer that are neither a crawled page nor quoted from one."""
    return [u for u in URL.findall(answer)
            if u not in allowed_text and u.split("#")[0] not in pages]
