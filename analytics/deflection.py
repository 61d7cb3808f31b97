"""The deflection estimate: conversations, how many the bot contained, how many calls that
avoided (as a range), and the staff time and money that stands for, with every step and
assumption written out for a scrutiny committee to check.

Definitions (per period, and per service):
- conversation: one chat session in the widget (a conversation id);
- contained: the resident got at least one answer, used no handoff (no phone number, form or
  contact page clicked), did not say "No, it did not answer my question", and did not come back
  within the recontact window (``recontact_hours``, default 24; 0 turns it off): the same
  browser started a new conversation (the widget sends its previous conversation's id, no
  tracking id) within that many hours of the conversation's last question. A conversation that
  came back is moved to not contained and counted as "came back";
- the three tiers councils meet in procurement: confirmed (contained, and the resident said
  "Yes, it answered my question"), assumed (contained, no feedback given) and not contained;
- would otherwise have phoned: the share of sampled "Would you have phoned us?" answers that
  said yes, with a 95% Wilson interval. Below ``min_sample`` answers a stated prior
  (``prior_share``, weighing as ``prior_weight`` answers) is added to the counts and the report
  says so; from ``min_sample`` on the raw share is used;
- calls avoided = contained conversations x that share (its interval gives the range);
- staff time = calls avoided x minutes a call takes to handle (a low and a high figure);
- cost = calls avoided x cost of handling a call (a benchmark and an upper bound). The saving is
  non-cashable unless rotas change: the same staff take other calls;
- service: the contact line whose pages answered (else whose words the question used); each
  service's calls avoided use the council-wide share, so the services add up to the total;
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
    # services annual report 2024/25; a city council's lines took 5 min 19 s to 7 min 08 s in
    # 2022-23 (published council figures).
    handling_minutes: float = 5 + 51 / 60
    handling_minutes_low: float = 5 + 19 / 60
    handling_minutes_high: float = 7 + 8 / 60
    # Cost of handling one phone enquiry: Socitm's benchmark across English councils, £2.83 a
    # call (2012, stable since 2009); ContactBabel's cross-sector UK figure, £5.58 an inbound call
    # (2024), as the upper bound.
    cost_per_call: float = 2.83
    cost_per_call_high: float = 5.58
    prior_share: float = 0.5  # would-have-phoned share assumed before enough survey answers
    prior_weight: float = 10.0  # ...counted as this many survey answers
    min_sample: int = 30  # from this many survey answers on, the raw share is used
    # A contained conversation whose browser starts a new one within this many hours of its last
    # question is not counted as contained (0: off). 24 hours, as contact centres count a repeat
    # call the next day as the first one not resolved.
    recontact_hours: float = 24.0

    @classmethod
    def for_council(cls, council: Council) -> Assumptions:
        """The defaults, with what the council file's ``deflection`` section sets."""
        values = {k: (int(v) if k == "min_sample" else v) for k, v in council.deflection}
        return cls(**values)  # type: ignore[arg-type]

    def window(self) -> str:
        return f"{self.recontact_hours:g} hour{'' if self.recontact_hours == 1 else 's'}"

    def describe(self) -> list[str]:
        return [
            f"A call takes {_minutes(self.handling_minutes_low)} to "
            f"{_minutes(self.handling_minutes_high)} to handle, "
            f"{_minutes(self.handling_minutes)} on average (published council figures: a "
            "district council's average for avoidable calls, and the range across a city "
            "council's lines).",
            f"Handling a call costs £{self.cost_per_call:.2f} (Socitm's benchmark across English "
            f"councils) to £{self.cost_per_call_high:.2f} (ContactBabel's UK figure, an upper "
            "bound). The saving is non-cashable unless rotas change: the same staff answer "
            "other calls.",
            f"Until {self.min_sample} residents have answered \"Would you have phoned us?\", "
            f"{self.prior_share:.0%} is assumed and counted as {self.prior_weight:g} answers "
            "beside the real ones; from then on only the real answers count.",
            "A conversation is contained when the resident got at least one answer, used no "
            "phone number, form or contact link, and did not say the answer did not help. It is "
            "confirmed when the resident also said it answered their question.",
            (f"Recontact window: {self.window()}. A conversation that looked contained is "
             "counted as not contained when the same browser started a new conversation within "
             f"{self.window()} of its last question (a resident who comes back was probably not "
             "helped the first time). The widget tells the server which conversation it had "
             "before; no tracking id is kept. A resident who comes back on another device, "
             "or in a browser that keeps nothing, is not seen, so the estimate can still be "
             "too high." if self.recontact_hours > 0 else
             "The recontact window is off: a resident who starts a new conversation later does "
             "not change whether the first one counts as contained."),
        ]


def _minutes(m: float) -> str:
    whole = int(m)
    return f"{whole} min {round((m - whole) * 60):02d} s"


FORMULAS = [
    "Share who would otherwise have phoned = residents who said yes ÷ residents asked (while "
    "fewer than the minimum sample have answered, the assumed share is counted in as well), "
    "with a 95% Wilson interval.",
    "Contained conversations = conversations answered, with no handoff used and no \"it did "
    "not answer my question\", less those whose browser came back within the recontact window "
    "(those are counted as not contained, and shown as \"came back\").",
    "Calls avoided = contained conversations × that share; the low and high figures use the "
    "ends of its interval.",
    "Staff time = calls avoided × minutes a call takes (low: low calls × shortest call; high: "
    "high calls × longest call).",
    "Cost = calls avoided × cost of handling a call (low: low calls × benchmark cost; high: "
    "high calls × upper-bound cost).",
    "Each service's calls avoided = its contained conversations × the council-wide share, so "
    "the services add up to the total.",
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
    # each later conversation of the same browser: (hours after this one's last question that it
    # started, whether a phone number, form or contact link was used in it)
    came_back: list[tuple[float, bool]] = field(default_factory=list)


@dataclass
class Estimate:
    service: str
    conversations: int
    contained: int
    confirmed: int  # contained, and the resident said it answered their question
    assumed: int  # contained, no feedback
    not_contained: int
    came_back: int  # looked contained, but the browser came back within the window (not contained)
    came_back_handoff: int  # ...and used a phone number, form or contact link then
    tiers: list[dict[str, Any]]  # each tier's count and share of conversations, with interval
    survey_answers: int
    survey_yes: int
    raw_share: float | None  # yes / answers, None before any answer
    raw_low: float | None
    raw_high: float | None
    share: float  # the share used for calls avoided
    share_low: float
    share_high: float
    prior_used: bool
    calls_avoided: int
    calls_avoided_low: int
    calls_avoided_high: int
    hours_saved: float
    hours_saved_low: float
    hours_saved_high: float
    cost_avoided: int
    cost_avoided_low: int
    cost_avoided_high: int
    out_of_hours: int
    out_of_hours_share: float
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Share = tuple[float, float, float, bool]  # share, low, high, whether the prior was counted in


def would_have_phoned(answers: list[bool], a: Assumptions) -> Share:
    """The share of residents who would otherwise have phoned, with its 95% interval: the raw
    answers from ``min_sample`` on, the prior counted in before then."""
    yes, n = sum(answers), len(answers)
    if n >= a.min_sample:
        low, high = wilson(yes, n)
        return yes / n, low, high, False
    k, m = yes + a.prior_share * a.prior_weight, n + a.prior_weight
    low, high = wilson(k, m)
    return (k / m if m else a.prior_share), low, high, True


def _money(x: float) -> int:
    """Pounds to a sensible precision: to the nearest £10 from £100, else to the pound."""
    return int(round(x, -1)) if x >= 100 else int(round(x))


def _tier(name: str, n: int, total: int) -> dict[str, Any]:
    low, high = wilson(n, total)
    return {"tier": name, "n": n, "share": round(n / total, 4) if total else 0.0,
            "low": round(low, 4), "high": round(high, 4)}


def estimate(facts: list[ConversationFacts], assumptions: Assumptions,
             hours: OpeningHours | None, service: str = "All services",
             council_share: Share | None = None) -> Estimate:
    """The estimate for these conversations. ``council_share``: the council-wide share, which a
    service's row uses so that the services add up to the total."""
    a = assumptions
    looked = [f for f in facts if f.answered and not f.handoff_used and not f.unhelpful]
    back = [[used for hours, used in f.came_back if hours <= a.recontact_hours]
            if a.recontact_hours > 0 else [] for f in looked]
    contained = [f for f, b in zip(looked, back, strict=True) if not b]
    came_back = len(looked) - len(contained)
    came_back_handoff = sum(1 for b in back if any(b))
    confirmed = sum(1 for f in contained if f.helpful)
    assumed = sum(1 for f in contained if not f.helpful)
    answers = [f.would_have_phoned for f in facts if f.would_have_phoned is not None]
    yes = sum(1 for x in answers if x)
    raw = (yes / len(answers), *wilson(yes, len(answers))) if answers else (None, None, None)
    share, low, high, prior_used = council_share or would_have_phoned(answers, a)
    out_of_hours = sum(1 for f in facts if hours is not None and not hours.is_open(f.started_at))
    notes = []
    if prior_used and council_share is None:
        notes.append(f"Only {len(answers)} residents have answered \"Would you have phoned "
                     f"us?\": an assumed {a.prior_share:.0%} is still counted in, so treat the "
                     "calls avoided as a first indication. The measured share is shown beside it.")
    if came_back and council_share is None:
        notes.append(f"{came_back} conversations that looked contained are counted as not "
                     f"contained: the same browser started a new conversation within "
                     f"{a.window()} ({came_back_handoff} of them then used a phone number, form "
                     "or contact link).")
    n = len(contained)
    total = len(facts)
    return Estimate(
        service=service,
        conversations=total,
        contained=n,
        confirmed=confirmed,
        assumed=assumed,
        not_contained=total - n,
        came_back=came_back,
        came_back_handoff=came_back_handoff,
        tiers=[_tier("confirmed", confirmed, total), _tier("assumed", assumed, total),
               _tier("not contained", total - n, total)],
        survey_answers=len(answers),
        survey_yes=yes,
        raw_share=None if raw[0] is None else round(raw[0], 4),
        raw_low=None if raw[1] is None else round(raw[1], 4),
        raw_high=None if raw[2] is None else round(raw[2], 4),
        share=round(share, 4),
        share_low=round(low, 4),
        share_high=round(high, 4),
        prior_used=prior_used,
        calls_avoided=round(n * share),
        calls_avoided_low=math.floor(n * low),
        calls_avoided_high=math.ceil(n * high),
        hours_saved=round(n * share * a.handling_minutes / 60, 1),
        hours_saved_low=round(n * low * a.handling_minutes_low / 60, 1),
        hours_saved_high=round(n * high * a.handling_minutes_high / 60, 1),
        cost_avoided=_money(n * share * a.cost_per_call),
        cost_avoided_low=_money(n * low * a.cost_per_call),
        cost_avoided_high=_money(n * high * a.cost_per_call_high),
        out_of_hours=out_of_hours,
        out_of_hours_share=round(out_of_hours / total, 4) if facts else 0.0,
        notes=notes,
    )


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def conversation_facts(store: AnalyticsStore, council: Council, since: datetime,
                       until: datetime | None = None) -> list[ConversationFacts]:
    """What the estimate needs of each conversation started in the period, with the later
    conversations of the same browser (whenever they started: the window is applied later)."""
    until = until or datetime.now(UTC)
    facts = []
    histories = store.conversation_histories(council.slug, since, until)
    ended = {h.conversation.id: _aware(max([t.created_at for t in h.turns],
                                           default=h.conversation.started_at))
             for h in histories}
    later: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for previous, started, used in store.came_back(list(ended)):
        hours = (_aware(started) - ended[previous]).total_seconds() / 3600
        later[previous].append((max(0.0, hours), used))
    for h in histories:
        c, ts, fbs = h.conversation, h.turns, h.feedback
        service = _service(council, ts)
        survey = [f.would_have_phoned for f in fbs if f.would_have_phoned is not None]
        started = c.started_at if c.started_at.tzinfo else c.started_at.replace(tzinfo=UTC)
        facts.append(ConversationFacts(
            id=c.id, started_at=started, service=service,
            answered=any(t.status == "answered" for t in ts),
            handoff_used=h.handoff_used,
            unhelpful=any(not f.helpful for f in fbs),
            helpful=any(f.helpful for f in fbs),
            would_have_phoned=survey[-1] if survey else None,
            came_back=later.get(c.id, []),
        ))
    return facts


def _service(council: Council, turns: list[Any]) -> str:
    """The contact line whose pages answered the conversation (their paths in the council file),
    else the one whose words its first question used, else the general line."""
    for t in turns:
        if t.status == "answered" and t.citations:
            line = council.line_for("", [c["url"] for c in t.citations])
            if line is not council.general_line:
                return line.label
    first = turns[0] if turns else None
    return council.line_for(first.question if first else "", []).label


def report(facts: list[ConversationFacts], council: Council, assumptions: Assumptions,
           since: datetime, until: datetime) -> dict[str, Any]:
    """The whole estimate and one per service, with the formulas and assumptions."""
    hours = council.general_line.opening
    by_service: dict[str, list[ConversationFacts]] = defaultdict(list)
    for f in facts:
        by_service[f.service].append(f)
    answers = [f.would_have_phoned for f in facts if f.would_have_phoned is not None]
    council_share = would_have_phoned(answers, assumptions)
    return {
        "council": council.name,
        "since": since.isoformat(timespec="seconds"),
        "until": until.isoformat(timespec="seconds"),
        "total": estimate(facts, assumptions, hours).as_dict(),
        "services": [estimate(fs, assumptions, hours, name, council_share).as_dict()
                     for name, fs in sorted(by_service.items(), key=lambda kv: -len(kv[1]))],
        "min_sample": assumptions.min_sample,
        "assumptions": {**asdict(assumptions), "described": assumptions.describe()},
        "formulas": FORMULAS,
        "out_of_hours_defined_by": (council.general_line.label + ": " +
                                    (council.general_line.hours or "hours unknown")),
    }


CSV_COLUMNS = ["service", "conversations", "contained", "confirmed", "assumed", "not_contained",
               "came_back", "came_back_handoff", "survey_answers", "survey_yes", "raw_share",
               "raw_low", "raw_high", "share",
               "share_low", "share_high", "prior_used", "calls_avoided", "calls_avoided_low",
               "calls_avoided_high", "hours_saved", "hours_saved_low", "hours_saved_high",
               "cost_avoided", "cost_avoided_low", "cost_avoided_high", "out_of_hours"]


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

    council = load_council(settings.council, settings.councils_path)
    facts = conversation_facts(open_store(settings), council, since, until)
    return report(facts, council, Assumptions.for_council(council), since, until)
