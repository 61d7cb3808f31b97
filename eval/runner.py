"""Run a question file through the in-process answer pipeline; score it; write the results
(with the configuration used) to a folder."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from askcouncil.errors import BadInput
from askcouncil.settings import Settings
from eval.dataset import load_questions
from eval.scoring import GRADE_TARGET, Scored, score, summarise

if TYPE_CHECKING:
    from bot.chat import Bot


@dataclass
class EvalResult:
    summary: dict[str, Any]
    results: list[Scored]
    config: dict[str, Any]
    out_dir: Path | None

    def report_text(self) -> str:
        s = self.summary
        ci = s.get("intervals") or {}
        lines = [f"Questions: {s['questions']}, passed: {s['passed']} "
                 f"({_pct(s['pass_rate'], ci.get('pass_rate'))}; [95% interval])"]
        for kind, rate in s["pass_rate_by_kind"].items():
            lines.append(f"  {kind:<13} {_pct(rate)}")
        lines += [
            f"Answer rate (answerable):   {_pct(s['answer_rate'], ci.get('answer_rate'))}",
            "Citation accuracy:          "
            f"{_pct(s['citation_accuracy'], ci.get('citation_accuracy'))}",
            f"Key-fact recall:            {_pct(s['fact_recall'])}",
            f"Retrieval recall@5:         {_pct(s['recall_at_5'], ci.get('recall_at_5'))}",
            f"Retrieval MRR:              {s['mrr']}",
            f"Declined when it should:    {_pct(s['decline_rate'], ci.get('decline_rate'))}",
            f"Unescaped markup echoed:    {s['unescaped_markup']}",
            f"Groundedness (answers):     {_pct(s['groundedness'])}",
            f"Unsupported links:          {s['unsupported_links']}",
            f"Reading grade (median):     {s['reading_grade_median']} (target <= "
            f"{s['reading_grade_target']:g}; {_pct(s['answers_at_or_below_grade_target'])} "
            f"of answers at or below)",
            f"Answers with jargon / unexplained acronyms: {s['answers_with_jargon']} / "
            f"{s['answers_with_unexplained_acronyms']}",
            f"Latency p50 / p95:          {s['latency_ms_p50']} ms / {s['latency_ms_p95']} ms",
        ]
        access = s.get("accessibility")
        if access:
            lines.append("Accessibility:              " + (
                f"not run ({access.get('why')})" if not access.get("run") else
                f"{'passed' if access['passed'] else 'FAILED'}: axe violations "
                f"{access['axe_violations']}, keyboard-only conversation "
                f"{'ok' if access['keyboard_conversation'] else 'failed'}, reflow at 320 px "
                f"{'ok' if access['reflow_320px'] else 'failed'}"))
        failures = [r for r in self.results if not r.passed]
        if failures:
            lines.append("Failures:")
            lines += [f"  {r.id}: {'; '.join(r.why)}" for r in failures]
        return "\n".join(lines)


def _pct(value: float | None, interval: dict[str, Any] | None = None) -> str:
    if value is None:
        return "n/a"
    if not interval:
        return f"{100 * value:.1f}%"
    return f"{100 * value:.1f}% [{100 * interval['low']:.1f}-{100 * interval['high']:.1f}]"


def run_eval(path: Path, settings: Settings, *, out_dir: Path | None = None,
             bot: Bot | HttpBot | None = None,
             progress: bool = False, mode: str | None = None,
             accessibility: bool = False, grade_target: float | None = None) -> EvalResult:
    """``mode`` (keyword, dense or hybrid) overrides the council's retrieval for a baseline;
    ``grade_target`` is the reading grade answers should not exceed (default GRADE_TARGET)."""
    from dataclasses import replace

    from bot.chat import Bot, build_bot

    questions = load_questions(path)
    bot = bot or build_bot(settings, with_store=False)
    if mode is not None:
        if not isinstance(bot, Bot):
            raise BadInput("a retrieval mode changes retrieval in process: it cannot ask a "
                           "deployment")
        council = bot.services.council(settings.council)
        bot.services._councils[settings.council] = replace(
            council, retrieval=replace(council.retrieval, mode=mode))
    results: list[Scored] = []
    for q in tqdm(questions, desc="Evaluating", unit="question", disable=not progress):
        conversation_id = token = None
        began = time.perf_counter()
        try:
            for turn in q.turns:
                reply = bot.chat(turn, conversation_id, conversation_token=token)
                conversation_id, token = reply.conversation_id, reply.conversation_token
        except BadInput as exc:  # the bot refused the message itself (too long, say): a
            # resident who got this had no answer, which is scored, not a crash of the run
            results.append(score(q, "rejected", str(exc), [], None, 0.0))
            continue
        latency = (time.perf_counter() - began) * 1000 / len(q.turns)
        ctx = reply.context
        cited = [c["url"] for c in reply.citations]
        given: dict[str, str] = {}  # a long section is several chunks with one address
        retrieved: list[str] | None
        if ctx is None:  # a deployment over HTTP: only what the reply shows
            retrieved = None
            for c in reply.citations:
                given[c["url"]] = f"{c['title']}\n{c['section']}\n{c['snippet']}"
        else:
            retrieved = [c.chunk.url for c in ctx.candidates]
            for c in {c.id: c for c in [*ctx.sources,
                                        *(x.chunk for x in ctx.candidates)]}.values():
                given[c.cite_url] = (f"{given.get(c.cite_url, '')}\n{c.title}\n{c.section}\n"
                                     f"{c.text}")
        results.append(score(q, reply.status, reply.answer, cited, retrieved, round(latency, 1),
                             cited_texts=[given[u] for u in cited if u in given],
                             crawled={u.split("#")[0] for u in given},
                             said_first=ctx.preamble if ctx is not None else None))

    in_process = bot.services.council(settings.council) if isinstance(bot, Bot) else None
    config = {
        "api": getattr(bot, "base_url", None),
        "retrieval_mode": in_process.retrieval.mode if in_process else None,
        "questions_file": str(path),
        "council": settings.council,
        "embedding_model": settings.model_name_or_path,
        "retrieval": asdict(in_process.retrieval) if in_process else None,
        "chroma": settings.chroma_url or str(settings.chroma_path),
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    summary = summarise(results, GRADE_TARGET if grade_target is None else grade_target)
    if accessibility:
        from eval.accessibility import run_checks

        summary["accessibility"] = (
            run_checks(settings, bot, questions[0].turns[0] if questions else "bin day?")
            if isinstance(bot, Bot) else {"run": False, "why": "checked in process only"})
    result = EvalResult(summary, results, config, None)
    if out_dir is None:
        out_dir = settings.data_dir / "eval" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "config.json").write_text(json.dumps(config, indent=2), "utf-8")
    (out_dir / "results.json").write_text(
        json.dumps({"summary": summary, "config": config,
                    "results": [r.as_dict() for r in results]}, indent=2), "utf-8")
    (out_dir / "report.html").write_text(report_html(summary, results, config), "utf-8")
    result.out_dir = out_dir
    return result


def report_html(summary: dict[str, Any], results: list[Scored], config: dict[str, Any]) -> str:
    """A self-contained HTML report: scores per kind (a chart and its table), every measure,
    and each failure with the question, the answer, its citations and why it failed."""
    from analytics.render import render_from

    kinds = [{"name": k, "pct": 100 * (v or 0)} for k, v in summary["pass_rate_by_kind"].items()]
    measures = [(k, v) for k, v in summary.items() if not isinstance(v, dict)]
    return render_from(Path(__file__).resolve().parent / "templates", "report.html",
                       s=summary, kinds=kinds, measures=measures, config=config,
                       config_json=json.dumps(config, indent=2),
                       failures=[r for r in results if not r.passed])


class HttpBot:
    """A running deployment, asked over HTTP (``eval run --api URL``): the same questions and
    scoring, but retrieval measures are not available and groundedness is judged against the
    citations' snippets."""

    def __init__(self, base_url: str, council: str | None = None, timeout: float = 60) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self.council = council
        self.client = httpx.Client(base_url=self.base_url, timeout=timeout,
                                   headers={"User-Agent": "askcouncil-eval"})

    def chat(self, message: str, conversation_id: str | None = None, *,
             conversation_token: str | None = None) -> SimpleNamespace:
        """The reply as the API gives it, with ``context`` None (not visible over HTTP)."""
        resp = self.client.post("/api/chat", json={"message": message,
                                                   "conversation_id": conversation_id,
                                                   "conversation_token": conversation_token,
                                                   "council": self.council})
        if resp.status_code in (413, 422):  # the deployment refused the message itself
            raise BadInput(f"HTTP {resp.status_code}: {resp.text[:200]}")
        resp.raise_for_status()
        body = resp.json()
        return SimpleNamespace(context=None, **body)


BASELINE_MEASURES = ["pass_rate", "answer_rate", "citation_accuracy", "fact_recall",
                     "decline_rate", "recall_at_5", "mrr", "latency_ms_p50"]


def run_baselines(path: Path, settings: Settings, out_dir: Path, progress: bool = False,
                  grade_target: float | None = None) -> str:
    """The same questions with keyword-only, dense-only and hybrid retrieval (the decision and
    the composer unchanged), each written to its own folder; returns the side-by-side table."""
    from bot.chat import build_bot

    bot = build_bot(settings, with_store=False)
    runs = {mode: run_eval(path, settings, out_dir=out_dir / mode, bot=bot, progress=progress,
                           mode=mode, grade_target=grade_target)
            for mode in ("keyword", "dense", "hybrid")}
    bot.services._councils.pop(settings.council, None)
    lines = [f"{'Measure':<22}" + "".join(f"{m:>12}" for m in runs)]
    for key in BASELINE_MEASURES:
        cells = [r.summary.get(key) for r in runs.values()]
        lines.append(f"{key:<22}" + "".join(f"{'-' if c is None else c:>12}" for c in cells))
    table = "\n".join(lines)
    (out_dir / "baselines.txt").write_text(table + "\n", "utf-8")
    return table


def crawl_site(settings: Settings, url: str) -> Settings:
    """``eval run --site URL``: the site crawled into its own data folder
    (data/eval-site/<host>); returns the settings that read it."""
    import re
    from urllib.parse import urlparse

    from crawler.job import run_crawl

    host = re.sub(r"[^a-z0-9-]+", "-", (urlparse(url).netloc or "site").lower()).strip("-")
    settings = settings.model_copy(update={"data_dir": settings.data_dir / "eval-site" / host})
    run_crawl(settings, url)
    return settings


def _results(run: Path) -> dict[str, Any]:
    if not (run / "results.json").is_file():
        raise BadInput(f"{run} has no results.json: give two folders written by eval run")
    results: dict[str, Any] = json.loads((run / "results.json").read_text("utf-8"))
    return results


def compare(run_a: Path, run_b: Path) -> str:
    """Two runs side by side: each measure with the change, and the questions that changed."""
    a, b = (_results(run) for run in (run_a, run_b))
    lines = [f"{'Measure':<36} {'A':>10} {'B':>10} {'change':>10}"]
    for key, va in a["summary"].items():
        vb = b["summary"].get(key)
        if isinstance(va, int | float) and isinstance(vb, int | float) and not isinstance(
                va, bool):
            lines.append(f"{key:<36} {va:>10} {vb:>10} {round(vb - va, 4):>+10}")
    passed_a = {r["id"]: r["passed"] for r in a["results"]}
    passed_b = {r["id"]: r["passed"] for r in b["results"]}
    fixed = sorted(q for q, ok in passed_b.items() if ok and passed_a.get(q) is False)
    broken = sorted(q for q, ok in passed_b.items() if not ok and passed_a.get(q) is True)
    lines.append(f"Now passing ({len(fixed)}): {', '.join(fixed) or '-'}")
    lines.append(f"Now failing ({len(broken)}): {', '.join(broken) or '-'}")
    return "\n".join(lines)
