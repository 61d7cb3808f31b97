"""The deflection estimate: conversations, how many were contained and resolved, how many calls
that avoided (as a range), and the minutes and money saved, with every formula and assumption
stated so that a manager can check it.

Definitions (per period, and per service):
- conversation: one chat session in the widget (a conversation id);
- contained: at least one answer, no handoff used (no phone number, form or contact page
  clicked) and no "No, it did not answer my question";
- resolved: at least one "Yes, it answered my question";
- would otherwise have phoned: the share of sampled "Would you have phoned us?" answers that
  said yes, with a 95% Wilson interval. While the sample is small, a stated prior (``prior_share``
  with the weight of ``prior_weight`` answers) is added to the counts before the interval is
  computed, and the report says so;
- calls avoided = contained x share (low and high ends of the interval give the range);
- minutes saved = calls avoided x average handling time; cost avoided = calls avoided x cost per
  call (indicative);
- out of hours: conversations started when the council's general line was closed.
Conversations from crawlers, monitoring and scripts (flagged by user agent) are left out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from askcouncil.council import Council
from askcouncil.hours import OpeningHours

if TYPE_CHECKING:
    from analytics.store import AnalyticsStore
    from askcouncil.settings import Settings

Z95 = 1.959964


@dataclass(frozen=True)
class Assumptions:
    # 5 min 51 s: the average length of an avoidable call in a district council's customer
    # services annual report 2024/25 (published council figure).
    handling_minutes: float = 5 + 51 / 60
    # Indicative: a county council's £228,000 savings over 22,707 fewer calls (119,186 to 96,479)
    # in a year of self-service work (published council figures): about £10.04 a call.
    cost_per_call: float = round(228_000 / (119_186 - 96_479), 2)
    prior_share: float = 0.5  # would-have-phoned share assumed before any survey answers
    prior_weight: float = 10.0  # ...counted as this many survey answers
    min_sample: int = 30  # below this many survey answers the prior is shown as material

    @classmethod
    def for_council(cls, council: Council) -> Assumptions:
        """The defaults, with what the council file's ``deflection`` section sets."""
        values = {k: (int(v) if k == "min_sample" else v) for k, v in council.deflection}
        return cls(**values)  # type: ignore[arg-type]

    def describe(self) -> list[str]:
        return [
            f"Average handling time of a call: {self.handling_minutes:.2f} minutes (5 min 51 s, "
            "a district council's published average for avoidable calls).",
            f"Cost per call: £{self.cost_per_call:.2f}, indicative (a county council's published "
            "£228,000 savings over 22,707 fewer calls).",
            f"Prior for the would-have-phoned share: {self.prior_share:.0%}, counted as "
            f"{self.prior_weight:g} survey answers and added to the real ones.",
            "A conversation is contained when it got at least one answer, no handoff was used "
            "and no answer was marked unhelpful.",
        ]


FORMULAS = [
    "share who would otherwise have phoned = (yes + prior_share x prior_weight) / (answers + "
    "prior_weight), with a 95% Wilson interval on the same counts",
    "calls avoided = contained conversations x share (low, central, high)",
    "minutes saved = calls avoided x handling_minutes",
    "cost avoided = calls avoided x cost_per_call (indicative)",
]


def wilson(successes: float, trials: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (works for 0 and for small samples)."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class ConversationFacts:
    """What the estimate needs to know about one conversation."""

    id: str
    started_at: datetime
    service: str
    answered: bool
    handoff_used: bool
    unhelpful: bool
    helpful: bool
    would_have_phoned: bool | None  # the sampled survey answer, if any


@dataclass
class Estimate:
    service: str
    conversations: int
    contained: int
    resolved: int
    survey_answers: int
    survey_yes: int
    share: float
    share_low: float
    share_high: float
    calls_avoided: float
    calls_avoided_low: float
    calls_avoided_high: float
    minutes_saved: float
    cost_avoided: float
    out_of_hours: int
    out_of_hours_share: float
    prior_material: bool
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def estimate(facts: list[ConversationFacts], assumptions: Assumptions,
             hours: OpeningHours | None, service: str = "All services") -> Estimate:
    a = assumptions
    contained = sum(1 for f in facts if f.answered and not f.handoff_used and not f.unhelpful)
    resolved = sum(1 for f in facts if f.helpful)
    answers = [f.would_have_phoned for f in facts if f.would_have_phoned is not None]
    yes = sum(1 for x in answers if x)
    k = yes + a.prior_share * a.prior_weight
    n = len(answers) + a.prior_weight
    share = k / n if n else a.prior_share
    low, high = wilson(k, n)
    out_of_hours = sum(1 for f in facts if hours is not None and not hours.is_open(f.started_at))
    notes = []
    prior_material = len(answers) < a.min_sample
    if prior_material:
        notes.append(f"Only {len(answers)} survey answers: the prior ({a.prior_share:.0%}) still "
                     "weighs on the share. Treat the figures as a first indication.")
    return Estimate(
        service=service,
        conversations=len(facts),
        contained=contained,
        resolved=resolved,
        survey_answers=len(answers),
        survey_yes=yes,
        share=round(share, 4),
        share_low=round(low, 4),
        share_high=round(high, 4),
        calls_avoided=round(contained * share, 1),
        calls_avoided_low=round(contained * low, 1),
        calls_avoided_high=round(contained * high, 1),
        minutes_saved=round(contained * share * a.handling_minutes, 1),
        cost_avoided=round(contained * share * a.cost_per_call, 2),
        out_of_hours=out_of_hours,
        out_of_hours_share=round(out_of_hours / len(facts), 4) if facts else 0.0,
        prior_material=prior_material,
        notes=notes,
    )


def conversation_facts(store: AnalyticsStore, council: Council, since: datetime,
                       until: datetime | None = None) -> list[ConversationFacts]:
    """What the estimate needs of each conversation started in the period."""
    until = until or datetime.now(UTC)
    facts = []
    for h in store.conversation_histories(council.slug, since, until):
        c, ts, fbs = h.conversation, h.turns, h.feedback
        first = ts[0] if ts else None
        urls = [cite["url"] for cite in (first.citations if first else [])]
        service = council.line_for(first.question if first else "", urls).label
        survey = [f.would_have_phoned for f in fbs if f.would_have_phoned is not None]
        started = c.started_at if c.started_at.tzinfo else c.started_at.replace(tzinfo=UTC)
        facts.append(ConversationFacts(
            id=c.id, started_at=started, service=service,
            answered=any(t.status == "answered" for t in ts),
            handoff_used=h.handoff_used,
            unhelpful=any(not f.helpful for f in fbs),
            helpful=any(f.helpful for f in fbs),
            would_have_phoned=survey[-1] if survey else None,
        ))
    return facts


def report(facts: list[ConversationFacts], council: Council, assumptions: Assumptions,
           since: datetime, until: datetime) -> dict[str, Any]:
    """The whole estimate and one per service, with the formulas and assumptions."""
    hours = council.general_line.opening
    by_service: dict[str, list[ConversationFacts]] = defaultdict(list)
    for f in facts:
        by_service[f.service].append(f)
    return {
        "council": council.name,
        "since": since.isoformat(timespec="seconds"),
        "until": until.isoformat(timespec="seconds"),
        "total": estimate(facts, assumptions, hours).as_dict(),
        "services": [estimate(fs, assumptions, hours, name).as_dict()
                     for name, fs in sorted(by_service.items(), key=lambda kv: -len(kv[1]))],
        "assumptions": {**asdict(assumptions), "described": assumptions.describe()},
        "formulas": FORMULAS,
        "out_of_hours_defined_by": (council.general_line.label + ": " +
                                    (council.general_line.hours or "hours unknown")),
    }


CSV_COLUMNS = ["service", "conversations", "contained", "resolved", "survey_answers", "survey_yes",
               "share", "share_low", "share_high", "calls_avoided", "calls_avoided_low",
               "calls_avoided_high", "minutes_saved", "cost_avoided", "out_of_hours"]


def to_csv(r: dict[str, Any]) -> str:
    """One row per service (the first is all services), then the formulas and assumptions as
    commented lines, so the export carries its working."""
    from analytics.render import to_csv_text

    rows: list[list[Any]] = [CSV_COLUMNS]
    rows += [[row[c] for c in CSV_COLUMNS] for row in [r["total"], *r["services"]]]
    rows += [[f"# formula: {line}"] for line in r["formulas"]]
    rows += [[f"# assumption: {line}"] for line in r["assumptions"]["described"]]
    rows += [[f"# note: {line}"] for line in r["total"]["notes"]]
    return to_csv_text(rows)


def to_html(r: dict[str, Any]) -> str:
    from analytics.render import render

    return render("deflection.html", r=r)


def deflection_report(settings: Settings, since: datetime, until: datetime) -> dict[str, Any]:
    """``askcouncil report deflection``: the estimate for the settings' council and period."""
    from analytics.store import open_store
    from askcouncil.council import load_council

    council = load_council(settings.council, settings.councils_dir)
    facts = conversation_facts(open_store(settings), council, since, until)
    return report(facts, council, Assumptions.for_council(council), since, until)
