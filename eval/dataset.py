"""Question files (JSON Lines), in the format of shared/eval/README.md."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from askcouncil.errors import BadInput


@dataclass
class Question:
    id: str
    turns: list[str]
    expected_urls: list[str]
    must_include: list[str]
    category: str
    style: str = "plain"
    turn1_expected_urls: list[str] = field(default_factory=list)
    expected_behaviour: str = ""

    @property
    def kind(self) -> str:
        """answerable, unanswerable, adversarial or multi_turn (from the id's prefix)."""
        if self.id.startswith("mt") or len(self.turns) > 1:
            return "multi_turn"
        if self.id.startswith("u") or self.category == "unanswerable":
            return "unanswerable"
        if self.id.startswith("a") or self.category == "adversarial":
            return "adversarial"
        return "answerable"

    @property
    def should_answer(self) -> bool:
        return bool(self.expected_urls)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            turns = raw.get("turns") or [raw["question"]]
            questions.append(
                Question(
                    id=str(raw["id"]),
                    turns=[str(t) for t in turns],
                    expected_urls=list(raw.get("expected_urls") or []),
                    must_include=list(raw.get("must_include") or []),
                    category=str(raw.get("category", "")),
                    style=str(raw.get("style", "plain")),
                    turn1_expected_urls=list(raw.get("turn1_expected_urls") or []),
                    expected_behaviour=str(raw.get("expected_behaviour", "")),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise BadInput(f"{path}:{n}: not a valid question record ({exc})") from exc
    if not questions:
        raise BadInput(f"{path} holds no questions")
    return questions
