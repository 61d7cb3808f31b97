"""Calibrate the answer/decline decision: dump each question's decision signals and find the
thresholds that decline the most unanswerable questions while answering the answerable ones.

    python -m eval.calibrate QUESTIONS.jsonl [QUESTIONS.jsonl ...] --council SLUG
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

from askcouncil.settings import Settings
from bot.chat import Bot
from bot.pipeline import DEFAULT_STEPS, run_pipeline
from bot.pipeline.context import PastTurn, TurnContext
from bot.pipeline.decide import decide
from eval.dataset import Question, load_questions

Row = tuple[str, bool, float, float]  # id, should answer, similarity, coverage


def signals(bot: Bot, council_slug: str, questions: list[Question]) -> list[Row]:
    """(id, should_answer, similarity, coverage) with the decision itself switched off."""
    council = bot.services.council(council_slug)
    council = replace(council, retrieval=replace(council.retrieval, min_similarity=-1,
                                                 min_coverage=-1))
    steps = DEFAULT_STEPS[: DEFAULT_STEPS.index(decide) + 1]
    rows = []
    for q in questions:
        if not q.should_answer and q.kind == "adversarial":
            continue
        history: list[PastTurn] = []
        for turn in q.turns:
            ctx = TurnContext(turn, council, history=list(history))
            run_pipeline(ctx, bot.services, steps)
            history.append(PastTurn(ctx.question, ctx.query, []))
        if ctx.signals:
            rows.append((q.id, q.should_answer, ctx.signals["similarity"],
                         ctx.signals["coverage"]))
    return rows


def best_thresholds(rows: list[Row], target_decline: float = 0.95
                    ) -> tuple[tuple[bool, float, float], float, float, float, float, float] | None:
    pos = [r for r in rows if r[1]]
    neg = [r for r in rows if not r[1]]
    grid = [x / 100 for x in range(20, 96, 1)]
    best = None
    for sim, cov, sure in itertools.product(grid[::2], [x / 20 for x in range(0, 20)], grid[::5]):
        if sure < sim:
            continue

        def ok(r: Row, sim: float = sim, cov: float = cov, sure: float = sure) -> bool:
            return (r[2] >= sim and r[3] >= cov) or r[2] >= sure

        answered = sum(ok(r) for r in pos) / max(1, len(pos))
        declined = sum(not ok(r) for r in neg) / max(1, len(neg))
        key = (declined >= target_decline, answered + declined, -abs(sim - 0.45))
        if best is None or key > best[0]:
            best = (key, sim, cov, sure, answered, declined)
    return best


def main() -> None:
    from bot.chat import build_bot

    ap = argparse.ArgumentParser()
    ap.add_argument("questions", nargs="+")
    ap.add_argument("--council", required=True)
    args = ap.parse_args()
    settings = Settings(council=args.council)
    bot = build_bot(settings, with_store=False)
    rows = []
    for path in args.questions:
        rows += signals(bot, args.council, load_questions(Path(path)))
    for r in sorted(rows, key=lambda r: (r[1], r[2])):
        print(f"{r[0]:<6} answerable={r[1]!s:<5} similarity={r[2]:.3f} coverage={r[3]:.3f}")
    best = best_thresholds(rows)
    if best is None:
        raise SystemExit("no question gave decision signals: nothing to calibrate")
    _key, sim, cov, sure, answered, declined = best
    print(f"\nmin_similarity={sim} min_coverage={cov} sure_similarity={sure}: answers "
          f"{answered:.0%} of answerable, declines {declined:.0%} of unanswerable")


if __name__ == "__main__":
    main()
