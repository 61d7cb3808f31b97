"""The gap report measured on the labelled log (``eval/gaplog``): which of 1,040 resident messages
the bot leaves as gap candidates, how much of that is content the site has (the bot's misses
shown to editors as website gaps), and how the report's grouping scores against the true topics.

    ASKCOUNCIL_DATA_DIR=data/eval-sample python -m eval.gapmeasure [--out gaplog.json]

Messages run through the bot as residents send them (a follow-up in its conversation). A
candidate is what the gap report takes in: declined, or answered with similarity below
``LOW_CONFIDENCE`` (feedback is not simulated). Grouping is the report's own (``group``), on the
messages' text.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from analytics.clustering import clean, group, measure
from analytics.gaps import LOW_CONFIDENCE

LOG = Path(__file__).resolve().parent / "gaplog"


def load(folder: Path = LOG) -> list[dict[str, Any]]:
    return [json.loads(line) for name in ("kestrelford-gaps.jsonl", "kestrelford-covered.jsonl")
            for line in (folder / name).read_text("utf-8").splitlines() if line.strip()]


def run(bot: Any, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:  # noqa: ANN401
    """Each message's status and confidence, follow-ups asked in their conversation."""
    replies: dict[str, Any] = {}
    out = []
    for m in messages:
        earlier = replies.get(m.get("follows", ""))
        reply = bot.chat(m["text"], conversation_id=earlier.conversation_id if earlier else None,
                         conversation_token=earlier.conversation_token if earlier else None)
        replies[m["id"]] = reply
        out.append({**m, "status": reply.status, "confidence": reply.context.confidence})
    return out


def candidates(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in results
            if r["status"] == "no_answer" or (r["status"] == "answered"
                                              and (r["confidence"] or 0) < LOW_CONFIDENCE)]


def score(results: list[dict[str, Any]], embedder: Any) -> dict[str, Any]:  # noqa: ANN401
    """What the gap report would be given and how it groups it."""
    cands = candidates(results)
    gaps = [r for r in results if r["kind"] == "gap"]
    covered = [r for r in results if r["kind"] == "covered"]
    misses = [r for r in cands if r["kind"] == "covered"]
    texts = [r["text"] for r in cands]
    vectors = np.asarray(embedder.embed_documents([clean(t) for t in texts]))
    topics, other = group(texts, vectors) if texts else ([], [])
    # every label: a gap's topic, or the page a covered message is answered by
    labels = [f"gap:{r['topic']}" if r["kind"] == "gap" else f"covered:{r['page']}"
              for r in cands]
    gap_truth = [r["topic"] if r["kind"] == "gap" else None for r in cands]
    overall = measure(topics, list(labels))
    content = measure(topics, gap_truth)
    majority = [Counter(labels[i] for i in t.members).most_common(1)[0][0] for t in topics]
    return {
        "messages": len(results), "gap_messages": len(gaps), "covered_messages": len(covered),
        "gap_messages_in_the_report": sum(1 for r in cands if r["kind"] == "gap"),
        "covered_messages_in_the_report": len(misses),
        "share_of_the_report_the_site_answers": round(len(misses) / len(cands), 4)
        if cands else 0.0,
        "covered_declined": sum(1 for r in covered if r["status"] == "no_answer"),
        "topics": len(topics), "other": len(other),
        "topics_mostly_bot_misses": sum(1 for m in majority if m.startswith("covered:")),
        "purity": overall["purity"],
        "gap_coverage": content["coverage"], "gap_strict_coverage": content["strict_coverage"],
        "true_gap_topics": content["true_topics"],
        "topic_labels": [{"label": t.label, "volume": t.volume, "majority": m}
                         for t, m in zip(topics, majority, strict=True)],
    }


def main() -> None:
    from askcouncil.settings import Settings
    from bot.chat import build_bot

    ap = argparse.ArgumentParser(prog="python -m eval.gapmeasure")
    ap.add_argument("--council", default="kestrelford")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    bot = build_bot(Settings(council=args.council), with_store=False)
    try:
        result = score(run(bot, load()), bot.services.embedder)
    finally:
        bot.close()
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "topic_labels"}, indent=1))


if __name__ == "__main__":
    main()
