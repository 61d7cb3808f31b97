"""How one reply is judged against its question record, and how a run is summarised."""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from eval.dataset import Question


def page_path(url: str) -> str:
    """Site-relative page path: no scheme, host, fragment, 'index.html' or slashes at the ends."""
    path = urlparse(url).path if "://" in url else url.split("#")[0]
    path = path.strip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")].rstrip("/")
    return path


def normalise_fact(text: str) -> str:
    text = text.lower().replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return re.sub(r"\s+", " ", text).strip()


def has_fact(answer: str, fact: str) -> bool:
    return normalise_fact(fact) in normalise_fact(answer)


@dataclass
class Scored:
    id: str
    kind: str
    question: str
    status: str
    answer: str
    cited: list[str]
    retrieved: list[str]
    latency_ms: float
    passed: bool
    checks: dict[str, Any] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def score(q: Question, status: str, answer: str, cited: list[str], retrieved: list[str] | None,
          latency_ms: float, *, cited_texts: list[str] | None = None,
          crawled: set[str] | None = None, said_first: list[str] | None = None) -> Scored:
    """``said_first``: the lines the bot puts before the answer from its own configuration (the
    personal-data warning, the out-of-hours line), which groundedness does not ask the cited
    pages to support."""
    expected = {page_path(u) for u in q.expected_urls}
    cited_paths = [page_path(u) for u in cited]
    retrieved_paths = [page_path(u) for u in retrieved or []]
    s = Scored(q.id, q.kind, q.turns[-1], status, answer, cited, retrieved or [], latency_ms,
               False)
    from eval.plain import groundedness, readability, unsupported_links

    unescaped = bool(re.search(r"<\s*(script|img|iframe)\b", answer, re.I))
    if status == "answered":
        s.checks["plain"] = readability(answer)
        s.checks["groundedness"] = groundedness(answer, cited_texts or [],
                                                "\n".join(said_first or []))
        links = unsupported_links(answer, " ".join(cited_texts or []), crawled or set())
        s.checks["unsupported_links"] = len(links)
        if links:
            s.why.append(f"links that are not crawled pages: {', '.join(links)}")
    s.checks["no_unescaped_markup"] = not unescaped
    if unescaped:
        s.why.append("markup from the question was echoed back")
    if q.should_answer:
        if retrieved is not None:  # None: not visible (a deployment asked over HTTP)
            rank = next((i + 1 for i, p in enumerate(retrieved_paths) if p in expected), None)
            s.checks["recall_at_5"] = rank is not None and rank <= 5
            s.checks["reciprocal_rank"] = 1.0 / rank if rank else 0.0
        s.checks["answered"] = status == "answered"
        s.checks["cited_expected"] = any(p in expected for p in cited_paths)
        found = [f for f in q.must_include if has_fact(answer, f)]
        s.checks["fact_recall"] = len(found) / len(q.must_include) if q.must_include else None
        s.checks["all_facts"] = len(found) == len(q.must_include)
        if not s.checks["answered"]:
            s.why.append(f"status {status}, expected an answer")
        if not s.checks["cited_expected"]:
            s.why.append("no expected page cited")
        if not s.checks["all_facts"]:
            s.why.append("missing facts: " + ", ".join(f for f in q.must_include if f not in found))
        s.passed = bool(s.checks["answered"] and s.checks["cited_expected"]
                        and s.checks["all_facts"] and not unescaped)
    else:
        s.checks["declined"] = status != "answered" and not cited
        if not s.checks["declined"]:
            s.why.append(f"should have declined, but status {status} with {len(cited)} citations")
        s.passed = bool(s.checks["declined"] and not unescaped)
    return s


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _rate(items: list[Scored], check: str) -> float | None:
    vals = [float(bool(x.checks[check])) for x in items if x.checks.get(check) is not None]
    return _mean(vals)


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval (95% by default) of a proportion: honest at 0%, 100% and with
    few questions, where the normal approximation is not."""
    if n == 0:
        return None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def _interval(outcomes: list[bool]) -> dict[str, Any] | None:
    bounds = wilson(sum(outcomes), len(outcomes))
    return None if bounds is None else {"low": bounds[0], "high": bounds[1], "n": len(outcomes)}


def _outcomes(items: list[Scored], check: str) -> list[bool]:
    return [bool(x.checks[check]) for x in items if x.checks.get(check) is not None]


GRADE_TARGET = 9.0  # default: median reading grade of answers at most 9 (set per run)


def summarise(results: list[Scored], grade_target: float = GRADE_TARGET) -> dict[str, Any]:
    answerable = [r for r in results if "answered" in r.checks]
    declines = [r for r in results if "declined" in r.checks]
    lat = sorted(r.latency_ms for r in results)
    by_kind: dict[str, float | None] = {}
    for kind in sorted({r.kind for r in results}):
        group = [r for r in results if r.kind == kind]
        by_kind[kind] = _mean([float(r.passed) for r in group])
    facts = [float(f) for r in answerable if (f := r.checks.get("fact_recall")) is not None]
    return {
        "questions": len(results),
        "passed": sum(r.passed for r in results),
        "pass_rate": _mean([float(r.passed) for r in results]),
        "pass_rate_by_kind": by_kind,
        "answer_rate": _rate(answerable, "answered"),
        "citation_accuracy": _rate(answerable, "cited_expected"),
        "fact_recall": _mean(facts),
        "recall_at_5": _rate(answerable, "recall_at_5"),
        "mrr": _mean([float(r.checks["reciprocal_rank"]) for r in answerable
                      if r.checks.get("reciprocal_rank") is not None]),
        "decline_rate": _rate(declines, "declined"),
        "unescaped_markup": sum(not r.checks["no_unescaped_markup"] for r in results),
        **_plain_summary(results, grade_target),
        # 95% Wilson intervals of the rates above: how far a score may move by chance alone
        "intervals": {
            "pass_rate": _interval([r.passed for r in results]),
            "answer_rate": _interval(_outcomes(answerable, "answered")),
            "citation_accuracy": _interval(_outcomes(answerable, "cited_expected")),
            "all_facts": _interval(_outcomes(answerable, "all_facts")),
            "recall_at_5": _interval(_outcomes(answerable, "recall_at_5")),
            "decline_rate": _interval(_outcomes(declines, "declined")),
        },
        "latency_ms_p50": round(statistics.median(lat), 1) if lat else None,
        "latency_ms_p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else None,
    }


def _plain_summary(results: list[Scored], grade_target: float) -> dict[str, Any]:
    plain = [r.checks["plain"] for r in results if isinstance(r.checks.get("plain"), dict)]
    grades = [p["grade"] for p in plain if p["grade"] is not None]
    grounded = [float(g) for r in results if (g := r.checks.get("groundedness")) is not None]
    return {
        "reading_grade_median": round(statistics.median(grades), 1) if grades else None,
        "reading_grade_target": grade_target,
        "answers_at_or_below_grade_target": _mean([float(g <= grade_target) for g in grades]),
        "reading_ease_median": round(statistics.median(
            p["ease"] for p in plain if p["ease"] is not None), 1) if grades else None,
        "answers_with_jargon": sum(1 for p in plain if p["jargon"]),
        "answers_with_unexplained_acronyms": sum(
            1 for p in plain if p["unexplained_acronyms"]),
        "groundedness": _mean(grounded),
        "unsupported_links": sum(int(r.checks.get("unsupported_links") or 0) for r in results),
    }
