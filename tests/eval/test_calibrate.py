"""The decision model's fitting (eval.calibrate): signals chosen by cross-validated AUC, only those
pointing the right way, a threshold from held-out probabilities, and the curve on other rows.
Synthetic rows: the point is the method, not the numbers."""

import random

from bot.pipeline.decide import Model
from bot.pipeline.evidence import NAMES
from eval.calibrate import curve, fit


def rows(n: int, seed: int) -> list[dict]:
    """Answerable questions have higher similarity; "unknown_words" is noise that happens to
    rise with answerability here (the wrong way round for a real site), the rest is noise."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        answerable = i % 4 != 0
        signals = {name: rng.random() for name in NAMES}
        signals["similarity"] = rng.gauss(0.65 if answerable else 0.45, 0.08)
        signals["unknown_words"] = rng.gauss(0.6 if answerable else 0.4, 0.1)
        out.append({"id": f"q{i}", "answerable": answerable, "signals": signals})
    return out


def test_fit_keeps_the_signal_that_separates_and_not_one_pointing_the_wrong_way() -> None:
    fitted = fit(rows(200, 1), ["synthetic.jsonl"])
    assert fitted["signals"][0] == "similarity"
    assert "unknown_words" not in fitted["signals"]  # more unknown words must not mean answer
    assert 0.05 <= fitted["threshold"] <= 0.95
    assert fitted["cross_validated"]["right"] > 0.8
    low, high = fitted["cross_validated"]["right_within_0.1_of_threshold"]
    assert low <= fitted["cross_validated"]["right"] == high


def test_the_curve_on_other_rows_trades_answers_for_declines() -> None:
    fitted = fit(rows(200, 1), ["synthetic.jsonl"])
    model = Model(tuple(fitted["signals"]), tuple(fitted["mean"]), tuple(fitted["scale"]),
                  tuple(fitted["weights"]), fitted["intercept"], fitted["threshold"])
    points = curve(model, rows(100, 2))
    assert any(p["threshold"] == model.threshold for p in points)
    recalls = [p["recall"] for p in points]
    declines = [p["declined"] for p in points]
    assert recalls == sorted(recalls, reverse=True) and declines == sorted(declines)
    mine = next(p for p in points if p["threshold"] == model.threshold)
    assert mine["recall"] > 0.8 and mine["declined"] > 0.5  # held out, still separates
