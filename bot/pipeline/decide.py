"""Step 4: answer, or say plainly that the website does not answer it.

The evidence (``bot.pipeline.evidence``: dense similarity, the question's rare words in the best
sections and their headings, its phrases, BM25, words the site never uses, whether a close page
gives the kind of fact it asks for) is weighed by a logistic model fitted on the tuning questions
(``eval/calibrate.py``; the weights in ``decision.json``, documented in docs/quality.md). The
bot answers when the model's probability that the site answers the question reaches the
threshold: the council file may move it (``retrieval.answer_threshold``). Declining a question
the site answers fails the resident as surely as a wrong answer, so the threshold balances the
two rates rather than declining whenever in doubt.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.pipeline.context import Status, TurnContext
from bot.pipeline.evidence import NAMES, TOP, measure
from bot.pipeline.replies import NO_ANSWER_REPLY
from bot.services import Services

MODEL_FILE = Path(__file__).with_name("decision.json")
# Evidence of absence, which a logistic model (weighing each signal in a straight line) cannot
# express: a question none of whose rarer words is in the best sections, or whose words the site
# mostly never uses, is not answered by the site, however close the embedding puts it (Welsh
# questions are all "close" to the one Welsh page). On the tuning questions these decline no
# answerable question (coverage <= 0.05: 3 unanswerable; unknown words >= 0.8: 4).
NOTHING_IN_COMMON = 0.05
UNKNOWN_TO_SITE = 0.8


def ruled_out(signals: dict[str, float]) -> str | None:
    """Why the evidence says the site cannot answer, whatever the model says; None if it may."""
    if signals["coverage"] <= NOTHING_IN_COMMON:
        return "none of the question's words is in the sections found"
    if signals["unknown_words"] >= UNKNOWN_TO_SITE:
        return "the site does not use most of the question's words"
    return None


@dataclass(frozen=True)
class Model:
    """A logistic model over standardised signals (as scikit-learn fitted it)."""

    signals: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float

    @staticmethod
    def load(path: Path = MODEL_FILE) -> Model:
        raw = json.loads(path.read_text("utf-8"))
        unknown = set(raw["signals"]) - set(NAMES)
        if unknown:
            raise ValueError(f"{path} weighs signals the evidence step does not measure "
                             f"({', '.join(sorted(unknown))}): refit it "
                             "(python -m eval.calibrate fit)")
        return Model(tuple(raw["signals"]), tuple(raw["mean"]), tuple(raw["scale"]),
                     tuple(raw["weights"]), float(raw["intercept"]), float(raw["threshold"]))

    def chance(self, signals: dict[str, float]) -> float:
        """The probability, or 0 when the evidence rules an answer out (``ruled_out``)."""
        return 0.0 if ruled_out(signals) else self.probability(signals)

    def probability(self, signals: dict[str, float]) -> float:
        z = self.intercept + sum(
            w * (signals[name] - m) / (s or 1.0)
            for name, m, s, w in zip(self.signals, self.mean, self.scale, self.weights,
                                     strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@cache
def model() -> Model:
    return Model.load()


def signals_of(ctx: TurnContext, services: Services, *, every: bool = False
               ) -> dict[str, float]:
    """The evidence for this turn's candidates. The one costly signal (embedding the best
    candidates' titles, ~10 ms) is measured only when the model weighs it, or ``every``
    signal is wanted (``eval.calibrate``)."""
    keyword, _index = ctx.indexes(services)
    titles: list[float] = []
    wanted = every or "title_similarity" in model().signals
    if wanted and ctx.query_embedding is not None and ctx.candidates:
        heads = [f"{c.chunk.title}: {c.chunk.section}" for c in ctx.candidates[:TOP]]
        q = ctx.query_embedding
        titles = [sum(a * b for a, b in zip(q, v, strict=True))
                  for v in services.embedder.embed_documents(heads)]
    return measure(ctx.asking, ctx.query, ctx.candidates, keyword,
                   ctx.similarities.values(), titles)


def decide(ctx: TurnContext, services: Services) -> None:
    signals = signals_of(ctx, services)
    chance = model().chance(signals)
    threshold = ctx.council.retrieval.answer_threshold
    if threshold is None:
        threshold = model().threshold
    ctx.confidence = round(chance, 4)
    ctx.signals = {name: round(value, 4) for name, value in signals.items()}
    if chance < threshold:
        if why := ruled_out(signals):
            ctx.notes.append(f"declined: {why}")
        elif signals["unmet_demand"]:
            ctx.notes.append("declined: asks for a kind of fact no close page gives")
        ctx.stop(Status.NO_ANSWER, NO_ANSWER_REPLY)
