"""Calibrate the answer/decline decision: measure each question's evidence (``bot.pipeline.
evidence``) with the decision switched off, fit a logistic model on the tuning questions, and
draw its precision-recall curve on questions it was not fitted on.

    # one file of signals per question set, from that council's crawl (ASKCOUNCIL_DATA_DIR)
    python -m eval.calibrate measure QUESTIONS.jsonl --council SLUG --out rows.jsonl
    # fit on the tuning rows only; writes the model the bot loads
    python -m eval.calibrate fit rows-tune.jsonl ... --out bot/pipeline/decision.json
    # the model's precision and recall at each threshold, on the test rows
    python -m eval.calibrate curve rows-test.jsonl ... [--model bot/pipeline/decision.json]

The model answers when its probability that the question is answerable reaches the threshold.
``fit`` chooses the signals one at a time by five-fold cross-validated AUC on the tuning rows
(never the test rows), keeping only those whose weight points the way it should (``SIGNS``), and
picks the threshold from the cross-validated probabilities: the one that gets the most decisions
right (a resident failed by a decline counts the same as one failed by a wrong answer) while still
declining at least ``MIN_DECLINED`` of the unanswerable questions, and reports how flat its
neighbourhood is.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from askcouncil.settings import Settings
from bot.chat import Bot
from bot.pipeline import DEFAULT_STEPS, run_pipeline
from bot.pipeline.context import PastTurn, TurnContext
from bot.pipeline.decide import Model, decide, ruled_out, signals_of
from bot.pipeline.evidence import NAMES, SIGNS
from eval.dataset import Question, load_questions
from eval.scoring import page_path

# Most questions residents ask are answerable, so "the most decisions right" alone would answer
# nearly everything; the threshold must still decline at least this share of the unanswerable
# tuning questions (the two thresholds the model replaced declined 0.6 of them).
MIN_DECLINED = 0.6

Row = dict[str, Any]  # id, set, answerable, found (an expected page retrieved), signals


def before_decision(bot: Bot, council_slug: str, q: Question) -> TurnContext | None:
    """The question's last turn (a conversation's earlier turns asked first), run up to the
    decision: what the decision and the composer would be given."""
    council = bot.services.council(council_slug)
    steps = DEFAULT_STEPS[: DEFAULT_STEPS.index(decide)]
    history: list[PastTurn] = []
    ctx = None
    for turn in q.turns:
        ctx = TurnContext(turn, council, history=list(history))
        run_pipeline(ctx, bot.services, steps)
        history.append(PastTurn(ctx.question, ctx.query,
                                [c.chunk.url for c in ctx.candidates[:3]]))
    return ctx


def measure_files(paths: list[str], council_slug: str, out: str,
                  measure: Callable[[Bot, str, list[Question], str], list[Row]]) -> None:
    """Rows for every question file, from that council's crawl, written as JSON lines."""
    from bot.chat import build_bot

    bot = build_bot(Settings(council=council_slug), with_store=False)
    rows = []
    for path in paths:
        rows += measure(bot, council_slug, load_questions(Path(path)), Path(path).stem)
    Path(out).write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"{len(rows)} rows -> {out}")


def measure_questions(bot: Bot, council_slug: str, questions: list[Question], name: str
                      ) -> list[Row]:
    """Each question's evidence, as the pipeline sees it when it reaches the decision (a
    conversation's last turn). Questions screening stops (pure attacks) give no row."""
    rows = []
    for q in questions:
        ctx = before_decision(bot, council_slug, q)
        if ctx is None or ctx.status is not None or ctx.keyword is None:
            continue
        expected = {page_path(u) for u in q.expected_urls}
        rows.append({
            "id": q.id, "set": name, "kind": q.kind, "answerable": q.should_answer,
            "found": any(page_path(c.chunk.url) in expected for c in ctx.candidates[:5]),
            "signals": signals_of(ctx, bot.services, every=True),
        })
    return rows


def _matrix(rows: list[Row], names: Iterable[str]) -> tuple[list[list[float]], list[int]]:
    return ([[r["signals"][n] for n in names] for r in rows],
            [int(r["answerable"]) for r in rows])


def _rates(probs: Iterable[float], labels: list[int], threshold: float) -> tuple[float, float]:
    """(answered share of answerable, declined share of unanswerable) at ``threshold``."""
    pairs = list(zip(probs, labels, strict=True))
    pos = [p for p, y in pairs if y]
    neg = [p for p, y in pairs if not y]
    return (sum(p >= threshold for p in pos) / max(1, len(pos)),
            sum(p < threshold for p in neg) / max(1, len(neg)))


def _pipeline(c: float = 1.0) -> Any:  # noqa: ANN401 - a scikit-learn Pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced",
                                                              max_iter=1000))


def _held_out(rows: list[Row], names: list[str], seed: int = 0) -> list[float]:
    """Each row's probability from a model fitted on the other four fifths."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    x, y = _matrix(rows, names)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return list(cross_val_predict(_pipeline(), x, y, cv=folds, method="predict_proba")[:, 1])


def _auc(rows: list[Row], names: list[str]) -> float:
    """Cross-validated area under the ROC curve, averaged over five shuffles."""
    from sklearn.metrics import roc_auc_score

    y = [int(r["answerable"]) for r in rows]
    return sum(roc_auc_score(y, _held_out(rows, names, seed)) for seed in range(5)) / 5


def _signs_hold(rows: list[Row], names: list[str]) -> bool:
    """Whether a model fitted on these signals weighs each the way it should (``SIGNS``)."""
    x, y = _matrix(rows, names)
    weights = _pipeline().fit(x, y)[1].coef_[0]
    return all(w * SIGNS[n] > 0 for n, w in zip(names, weights, strict=True))


def select(rows: list[Row], gain: float = 0.002) -> list[tuple[str, float]]:
    """Signals chosen one at a time, each the one that most raises the cross-validated AUC,
    while it rises by at least ``gain`` (signals that add nothing only add noise) and every
    weight keeps its sign (``SIGNS``)."""
    chosen: list[tuple[str, float]] = []
    rest = [n for n in NAMES if SIGNS[n]]
    while rest:
        names = [n for n, _ in chosen]
        tried = [(_auc(rows, [*names, n]), n) for n in rest if _signs_hold(rows, [*names, n])]
        if not tried:
            break
        auc, best = max(tried)
        if chosen and auc < chosen[-1][1] + gain:
            break
        chosen.append((best, round(auc, 4)))
        rest.remove(best)
    return chosen


def fit(rows: list[Row], sources: list[str], min_declined: float = MIN_DECLINED
        ) -> dict[str, Any]:
    """A logistic model over the chosen signals, standardised, with its threshold: the one that
    gets the most decisions right while still declining ``min_declined`` of the unanswerable."""
    chosen = select(rows)
    names = [n for n, _ in chosen]
    x, y = _matrix(rows, names)
    # the evidence-of-absence rules decline before the model is asked (decide.ruled_out)
    held = [0.0 if ruled_out(r["signals"]) else p
            for r, p in zip(rows, _held_out(rows, names), strict=True)]
    guarded = [r for r in rows if ruled_out(r["signals"])]
    grid = [t / 100 for t in range(5, 96)]
    pos, neg = sum(y), len(y) - sum(y)

    def right(t: float) -> float:  # the share of questions the decision gets right
        answered, declined = _rates(held, y, t)
        return (answered * pos + declined * neg) / len(y)

    scored = [(right(t), t) for t in grid]
    allowed = [(r, t) for r, t in scored if _rates(held, y, t)[1] >= min_declined]
    best, threshold = max(allowed or scored)
    pipe = _pipeline().fit(x, y)
    scaler, model = pipe[0], pipe[1]
    near = [s for s, t in scored if abs(t - threshold) <= 0.1 + 1e-9]
    answered, declined = _rates(held, y, threshold)
    return {
        "signals": names,
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "weights": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": threshold,
        "fitted_on": sources,
        "questions": len(y), "answerable": sum(y),
        "ruled_out": {"answerable": sum(r["answerable"] for r in guarded),
                      "unanswerable": sum(not r["answerable"] for r in guarded)},
        "cross_validated": {
            "auc_as_signals_were_added": dict(chosen),
            "answered": round(answered, 4), "declined": round(declined, 4),
            "right": round(best, 4),
            "right_within_0.1_of_threshold": [round(min(near), 4), round(max(near), 4)],
        },
    }


def curve(model: Model, rows: list[Row]) -> list[dict[str, float]]:
    """Precision and recall of "answerable" at each threshold, with both classes' rates."""
    probs = [model.chance(r["signals"]) for r in rows]
    labels = [int(r["answerable"]) for r in rows]
    points = []
    for t in sorted({x / 20 for x in range(1, 20)} | {model.threshold}):
        answered, declined = _rates(probs, labels, t)
        said = [y for p, y in zip(probs, labels, strict=True) if p >= t]
        points.append({"threshold": t, "precision": sum(said) / max(1, len(said)),
                       "recall": answered, "declined": declined})
    return points


def read_rows(paths: list[str]) -> list[Row]:
    return [json.loads(line) for p in paths for line in Path(p).read_text().splitlines()
            if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m eval.calibrate")
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="each question's decision signals, as JSON lines")
    m.add_argument("questions", nargs="+")
    m.add_argument("--council", required=True)
    m.add_argument("--out", required=True)
    f = sub.add_parser("fit", help="fit the decision model on tuning rows")
    f.add_argument("rows", nargs="+")
    f.add_argument("--out", required=True)
    c = sub.add_parser("curve", help="precision-recall of a model on (test) rows")
    c.add_argument("rows", nargs="+")
    c.add_argument("--model", default=None)
    args = ap.parse_args()

    if args.command == "measure":
        measure_files(args.questions, args.council, args.out, measure_questions)
    elif args.command == "fit":
        fitted = fit(read_rows(args.rows), [Path(p).name for p in args.rows])
        Path(args.out).write_text(json.dumps(fitted, indent=1) + "\n")
        print(json.dumps({k: fitted[k] for k in ("threshold", "ruled_out", "cross_validated")},
                         indent=1))
        for name, w in sorted(zip(fitted["signals"], fitted["weights"], strict=True),
                              key=lambda p: -abs(p[1])):
            print(f"  {name:<18} {w:+.3f}")
    else:
        model = Model.load(Path(args.model)) if args.model else Model.load()
        print("threshold precision recall(answered) declined")
        for p in curve(model, read_rows(args.rows)):
            mark = " <- the model's threshold" if p["threshold"] == model.threshold else ""
            print(f"  {p['threshold']:.2f}     {p['precision']:.3f}     {p['recall']:.3f}"
                  f"            {p['declined']:.3f}{mark}")


if __name__ == "__main__":
    main()
