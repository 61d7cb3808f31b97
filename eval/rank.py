"""Learn how the composer ranks sections, from the tuning questions: which section of which page
holds the answer.

    # each answerable question's candidate sections, their features and whether each is on an
    # expected page and holds the key facts (from that council's crawl, ASKCOUNCIL_DATA_DIR)
    python -m eval.rank measure QUESTIONS.jsonl --council SLUG --out rows.jsonl
    # fit the section weights on tuning rows; writes the ranker the bot loads
    python -m eval.rank fit rows-tune.jsonl ... --out bot/pipeline/ranker.json
    # how often the best-ranked section is on an expected page and holds the facts, on any rows
    python -m eval.rank check rows-test.jsonl ... [--ranker bot/pipeline/ranker.json]

A section "answers" a question when it is on an expected page and holds as many of the
question's key facts as any section of that page does. ``fit`` learns a linear score from pairs
(a section that answers against one that does not, of the same question) with a logistic model
without intercept, so the weights are the score the composer sums (``compose.Ranker``). It
chooses the features one at a time by how often, question by question in five-fold
cross-validation, the best-ranked section answers; only a feature that raises that by at least
one question in a hundred is kept.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from bot.chat import Bot
from bot.pipeline.compose import FEATURES, Ranker, clean, rank_sections
from eval.calibrate import before_decision, measure_files, read_rows
from eval.dataset import Question
from eval.scoring import has_fact, page_path

Row = dict[str, Any]  # id, set, facts, sections: [{features, page, facts}]
PAGES = 3  # the best pages whose other sections join the candidates while measuring


def measure_questions(bot: Bot, council_slug: str, questions: list[Question], name: str
                      ) -> list[Row]:
    """Each answerable question's sections as the composer would rank them (a conversation's last
    turn), with the decision switched off. Questions with no section on an expected page among
    them give no row: no ranking can answer those."""
    rows = []
    for q in questions:
        if not q.should_answer or not q.expected_urls:
            continue
        ctx = before_decision(bot, council_slug, q)
        if ctx is None or ctx.status is not None or not ctx.candidates:
            continue
        expected = {page_path(u) for u in q.expected_urls}
        sections = []
        for s in rank_sections(ctx, bot.services, pages=PAGES, every=True):
            chunk = s.units[0].chunk
            text = f"{chunk.section}\n{clean(chunk.text)}"
            sections.append({
                "features": {k: round(v, 5) for k, v in s.features.items()},
                "page": page_path(chunk.url) in expected,
                "facts": sum(has_fact(text, f) for f in q.must_include),
            })
        if any(s["page"] for s in sections):
            rows.append({"id": q.id, "set": name, "facts": len(q.must_include),
                         "sections": sections})
    return rows


def answers(row: Row) -> list[bool]:
    """Which of the row's sections answer it: on an expected page, holding the most facts any
    section of that page holds."""
    most = max((s["facts"] for s in row["sections"] if s["page"]), default=0)
    return [bool(s["page"] and s["facts"] == most) for s in row["sections"]]


def top_rates(rows: list[Row], weights: dict[str, float]) -> tuple[float, float]:
    """(best-ranked section on an expected page, best-ranked section answers), over the rows."""
    ranker = Ranker(weights)
    page = right = 0.0
    for row in rows:
        scores = [ranker.score(s["features"]) for s in row["sections"]]
        # sections scoring the same as the best count by their share (a tie is a coin toss)
        best = [i for i, v in enumerate(scores) if v >= max(scores) - 1e-9]
        page += sum(row["sections"][i]["page"] for i in best) / len(best)
        right += sum(answers(row)[i] for i in best) / len(best)
    return page / max(1, len(rows)), right / max(1, len(rows))


def _pairs(rows: list[Row], names: list[str], seed: int = 0
           ) -> tuple[list[list[float]], list[int]]:
    """Feature differences of (answering, not answering) section pairs, both ways round."""
    rng = random.Random(seed)
    x: list[list[float]] = []
    y: list[int] = []
    for row in rows:
        good = answers(row)
        pos = [s for s, g in zip(row["sections"], good, strict=True) if g]
        neg = [s for s, g in zip(row["sections"], good, strict=True) if not g]
        for p in pos:
            for n in neg:
                diff = [p["features"][k] - n["features"][k] for k in names]
                if rng.random() < 0.5:
                    x.append(diff)
                    y.append(1)
                else:
                    x.append([-d for d in diff])
                    y.append(0)
    return x, y


def learn(rows: list[Row], names: list[str], c: float = 1.0) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression

    x, y = _pairs(rows, names)
    if len(set(y)) < 2:
        return dict.fromkeys(names, 1.0)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000).fit(x, y)
    return {n: round(float(w), 5) for n, w in zip(names, model.coef_[0], strict=True)}


def cross_validated(rows: list[Row], names: list[str], folds: int = 5) -> float:
    """The share of rows whose best-ranked section answers, each ranked by weights learnt on the
    other folds (questions shuffled once, with a fixed seed)."""
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    right = 0.0
    for f in range(folds):
        test = [rows[i] for i in order[f::folds]]
        train = [rows[i] for n, i in enumerate(order) if n % folds != f]
        right += top_rates(test, learn(train, names))[1] * len(test)
    return right / max(1, len(rows))


def select(rows: list[Row], gain: float = 0.01) -> list[tuple[str, float]]:
    chosen: list[tuple[str, float]] = []
    rest = list(FEATURES)
    while rest:
        names = [n for n, _ in chosen]
        score, best = max((cross_validated(rows, [*names, n]), n) for n in rest)
        if chosen and score < chosen[-1][1] + gain:
            break
        chosen.append((best, round(score, 4)))
        rest.remove(best)
    return chosen


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m eval.rank")
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="each answerable question's ranked sections, as JSON lines")
    m.add_argument("questions", nargs="+")
    m.add_argument("--council", required=True)
    m.add_argument("--out", required=True)
    f = sub.add_parser("fit", help="learn the section weights on tuning rows")
    f.add_argument("rows", nargs="+")
    f.add_argument("--out", required=True)
    c = sub.add_parser("check", help="how often the best-ranked section answers, on (test) rows")
    c.add_argument("rows", nargs="+")
    c.add_argument("--ranker", default=None)
    args = ap.parse_args()

    if args.command == "measure":
        measure_files(args.questions, args.council, args.out, measure_questions)
    elif args.command == "fit":
        rows = read_rows(args.rows)
        chosen = select(rows)
        weights = learn(rows, [n for n, _ in chosen])
        page, right = top_rates(rows, weights)
        fitted = {"weights": weights, "fitted_on": [Path(p).name for p in args.rows],
                  "questions": len(rows),
                  "cross_validated": {"answers_as_features_were_added": dict(chosen)},
                  "on_the_tuning_rows": {"page": round(page, 4), "answers": round(right, 4)}}
        Path(args.out).write_text(json.dumps(fitted, indent=1) + "\n")
        print(json.dumps(fitted, indent=1))
    else:
        rows = read_rows(args.rows)
        weights = (json.loads(Path(args.ranker).read_text())["weights"] if args.ranker
                   else Ranker.hand().weights)
        page, right = top_rates(rows, weights)
        print(f"{len(rows)} questions: best section on an expected page {page:.3f}, "
              f"answers {right:.3f}")


if __name__ == "__main__":
    main()
