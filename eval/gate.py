"""The release gate: minimum scores pinned in eval/baseline.json for each question set. A run
below any floor fails. Raising floors is one command; lowering one needs an explicit flag and a
reason, which is kept in the file's history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from askcouncil.errors import BadInput

BASELINE = Path(__file__).resolve().parent / "baseline.json"
# Measures where more is worse: the floor is a ceiling.
AT_MOST = {"unsupported_links", "unescaped_markup"}


def load(path: Path = BASELINE) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def check(summary: dict[str, Any], floors: dict[str, float]) -> list[str]:
    """The measures below their floor (or above their ceiling), as plain sentences."""
    problems = []
    for name, floor in floors.items():
        if name == "accessibility":  # the Chromium checks must have run and passed
            access = summary.get("accessibility") or {}
            if floor and not access.get("passed"):
                problems.append("accessibility: " + ("not run: " + str(access.get("why"))
                                                     if not access.get("run") else
                                                     f"failed: {access}"))
            continue
        value = summary.get(name)
        if value is None:
            problems.append(f"{name}: not measured (floor {floor})")
        elif name in AT_MOST and value > floor:
            problems.append(f"{name}: {value}, more than the allowed {floor}")
        elif name not in AT_MOST and value < floor:
            problems.append(f"{name}: {value}, below the floor {floor}")
    return problems


def update(path: Path, set_name: str, summary: dict[str, Any], *, lower: bool = False,
           reason: str | None = None) -> list[str]:
    """Move the floors to this run's scores: up always; down only with ``lower`` and a reason.
    Returns what changed."""
    data = load(path)
    floors = data["sets"][set_name]["floors"]
    changes = []
    for name, floor in floors.items():
        value = summary.get(name)
        if name == "accessibility" or value is None or value == floor:
            continue
        better = value < floor if name in AT_MOST else value > floor
        if not better and not lower:
            continue
        if not better and not reason:
            raise BadInput("lowering a floor needs --reason")
        floors[name] = value
        changes.append(f"{name}: {floor} -> {value}")
    if changes:
        data.setdefault("history", []).append({
            "date": datetime.now(UTC).date().isoformat(), "set": set_name,
            "changes": changes, "reason": reason or "raised to the latest run"})
        path.write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    return changes


def run_summary(run: Path) -> dict[str, Any]:
    """The summary a run folder's results.json holds (written by ``eval run``)."""
    results = run / "results.json"
    if not results.is_file():
        raise BadInput(f"{run} has no results.json: give a folder written by eval run")
    summary: dict[str, Any] = json.loads(results.read_text("utf-8"))["summary"]
    return summary


def gate(run: Path, set_name: str, baseline: Path = BASELINE) -> list[str]:
    """``askcouncil eval gate``: the run's scores below the set's floors (none: it passes)."""
    summary = run_summary(run)
    sets = load(baseline)["sets"]
    if set_name not in sets:
        raise BadInput(f"{baseline} has no question set {set_name!r} (it has {', '.join(sets)})")
    return check(summary, sets[set_name]["floors"])


def move_floors(run: Path, set_name: str, baseline: Path = BASELINE, *, lower: bool = False,
                reason: str | None = None) -> list[str]:
    """``askcouncil eval gate --raise`` (and ``--lower --reason``): the floors moved to the run's
    scores; returns what changed."""
    if lower and not reason:
        raise BadInput("--lower needs --reason: say why the floor may drop")
    return update(baseline, set_name, run_summary(run), lower=lower, reason=reason)
