"""The gap report measured on the labelled log (``eval/gaplog``): 1,040 resident messages, 560 in
12 topics the sample site lacks and 480 that a named page answers. Every message is sent to the
bot as residents send them (a follow-up in its conversation) and stored, then the report's own
analysis (``analytics.gaps.period_questions`` and ``analyse``) reads the store, as the job does.

    ASKCOUNCIL_DATA_DIR=data/eval-sample python -m eval.gapmeasure [--out gaplog.json] [--fit]

Measured on each half of the log (``part``: the tuning half, which the report's thresholds and
the owner model were fitted on, and the test half, which nothing is tuned on):

- **separation**: of the questions the report says the bot missed, the share a page does answer
  (precision); of the answered-by-a-page questions in the report's input, the share it says the
  bot missed (recall);
- **content gaps**: the purity of the topics it shows web editors (each topic's majority label,
  where a covered question's label is its page), and the coverage of the true gap questions
  (in a topic whose majority is their own topic; strict: only in its largest such topic).

``--fit`` refits the owner model's weights (``analytics.gap_owner.WEIGHTS``) on the tuning half.
``--gate`` exits 1 when a measure of either half falls below its floor (``FLOORS``: a little
under the figures of 2026-11-30, so that a release which makes the report worse is stopped).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from analytics.clustering import Topic, measure
from analytics.gap_owner import SitePages
from analytics.gaps import Analysis, analyse, period_questions

LOG = Path(__file__).resolve().parent / "gaplog"
# Floors for --gate, on each half (measured 2026-11-30: tune 0.908, 0.848, 0.932, 0.915; test
# 0.817, 0.825, 0.913, 0.857).
FLOORS = {"separation_precision": 0.78, "separation_recall": 0.78, "content_gap_purity": 0.87,
          "gap_coverage": 0.82}


def load(folder: Path = LOG) -> list[dict[str, Any]]:
    return [json.loads(line) for name in ("kestrelford-gaps.jsonl", "kestrelford-covered.jsonl")
            for line in (folder / name).read_text("utf-8").splitlines() if line.strip()]


def label(m: dict[str, Any]) -> str:
    return f"gap:{m['topic']}" if m["kind"] == "gap" else f"covered:{m['page']}"


def tuning_labels(messages: list[dict[str, Any]]) -> set[str]:
    """The tuning half: every other gap topic and every other answering page, alphabetically
    (the rest is the test half)."""
    gaps = sorted({m["topic"] for m in messages if m["kind"] == "gap"})
    pages = sorted({m["page"] for m in messages if m["kind"] == "covered"})
    return {f"gap:{t}" for t in gaps[::2]} | {f"covered:{p}" for p in pages[::2]}


def run(bot: Any, messages: list[dict[str, Any]]) -> dict[str, str]:  # noqa: ANN401
    """Send every message (a follow-up in its conversation); the stored message id of each."""
    replies: dict[str, Any] = {}
    ids = {}
    for m in messages:
        earlier = replies.get(m.get("follows", ""))
        reply = bot.chat(m["text"], conversation_id=earlier.conversation_id if earlier else None,
                         conversation_token=earlier.conversation_token if earlier else None)
        replies[m["id"]] = reply
        ids[reply.message_id] = m["id"]
    return ids


def score(a: Analysis, truth: list[str], tune: set[str]) -> dict[str, Any]:
    """The separation and grouping measures on each half."""
    missed = set(a.missed)
    out: dict[str, Any] = {}
    for part, mine in (("tune", lambda lab: lab in tune), ("test", lambda lab: lab not in tune)):
        idx = [i for i, lab in enumerate(truth) if mine(lab)]
        covered = [i for i in idx if truth[i].startswith("covered:")]
        said = [i for i in idx if i in missed]
        right = [i for i in said if truth[i].startswith("covered:")]
        topics = [Topic(t.label, t.terms, t.representative,
                        [q for i, q in zip(t.members, t.questions, strict=True) if mine(truth[i])],
                        [i for i in t.members if mine(truth[i])]) for t in a.topics]
        topics = [t for t in topics if t.members]
        content = measure(topics, list(truth))
        gaps = measure(topics, [lab[4:] if lab.startswith("gap:") and mine(lab) else None
                                for lab in truth])
        out[part] = {
            "report_input": len(idx), "covered_in_input": len(covered),
            "said_bot_missed": len(said),
            "separation_precision": round(len(right) / len(said), 4) if said else 0.0,
            "separation_recall": round(len(right) / len(covered), 4) if covered else 0.0,
            "content_gap_purity": content["purity"],
            "gap_coverage": gaps["coverage"], "gap_strict_coverage": gaps["strict_coverage"],
        }
    out["content_topics"] = len(a.topics)
    out["bot_missed_questions"] = len(a.missed)
    out["other"] = len(a.other)
    out["topic_labels"] = [
        {"label": t.label, "volume": t.volume,
         "majority": Counter(truth[i] for i in t.members).most_common(1)[0][0]}
        for t in a.topics]
    return out


def fit(a: Analysis, truth: list[str], tune: set[str]) -> list[float]:
    """The owner model's weights (intercept, then each kind of evidence as
    ``analytics.gap_owner.chance`` takes it) fitted on the tuning half."""
    from sklearn.linear_model import LogisticRegression

    rows = [i for i, lab in enumerate(truth) if lab in tune]
    y = [truth[i].startswith("covered:") for i in rows]
    model = LogisticRegression(max_iter=1000).fit(a.evidence[rows], y)
    return [round(float(model.intercept_[0]), 2), *(round(float(w), 2) for w in model.coef_[0])]


def main() -> None:
    from analytics.store import AnalyticsStore
    from askcouncil.settings import Settings
    from bot.chat import build_bot

    ap = argparse.ArgumentParser(prog="python -m eval.gapmeasure")
    ap.add_argument("--council", default="kestrelford")
    ap.add_argument("--out", default=None)
    ap.add_argument("--fit", action="store_true", help="refit the owner model's weights")
    ap.add_argument("--gate", action="store_true", help="exit 1 below a floor (FLOORS)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="keep the messages' database in this folder (and reuse it if there)")
    args = ap.parse_args()
    messages = load()
    by_id = {m["id"]: m for m in messages}
    tune = tuning_labels(messages)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        settings = Settings(council=args.council,
                            database_url=f"sqlite:///{folder}/gaplog.db",
                            outbox_path=folder / "outbox.sqlite3")
        start = datetime.now(UTC) - timedelta(days=7)  # the kept database's messages too
        sent = folder / "ids.json"
        bot = build_bot(settings)
        try:
            if sent.exists():
                ids = json.loads(sent.read_text())
            else:
                ids = run(bot, messages)
                assert bot.writer is not None
                bot.writer.flush(timeout_s=120)
                sent.write_text(json.dumps(ids))
            store: AnalyticsStore = bot.store  # type: ignore[assignment]
            council = bot.services.council(args.council)
            index = bot.services.index(args.council)
            site = SitePages.of(index.iter_chunks())
            gaps, answered = period_questions(store, args.council, start,
                                              datetime.now(UTC) + timedelta(minutes=1))
            a = analyse(gaps, answered, bot.services.embedder, site, council, index)
        finally:
            bot.close()
    truth = [label(by_id[ids[q.message_id]]) for q in gaps]
    result = {"messages": len(messages), **score(a, truth, tune)}
    if args.fit:
        result["fitted_weights"] = fit(a, truth, tune)
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "topic_labels"}, indent=1))
    if args.gate:
        below = [f"{part} {name} {result[part][name]} < {floor}" for part in ("tune", "test")
                 for name, floor in FLOORS.items() if result[part][name] < floor]
        if below:
            raise SystemExit("gap report below its floors: " + "; ".join(below))
        print("gap report gate: passed")


if __name__ == "__main__":
    main()
