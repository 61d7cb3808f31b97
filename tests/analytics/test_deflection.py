"""The deflection estimate: the Wilson interval, the counting rules, the prior while the survey
sample is small, the exports carrying their working, on SQLite and PostgreSQL."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from analytics.db import make_engine, migrate
from analytics.deflection import (
    Assumptions,
    ConversationFacts,
    conversation_facts,
    estimate,
    report,
    to_csv,
    to_html,
    wilson,
    would_have_phoned,
)
from analytics.store import AnalyticsStore, TurnRecord
from askcouncil.council import load_council
from askcouncil.hours import OpeningHours

KESTRELFORD = load_council("kestrelford")
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SUNDAY_NOON = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_wilson_interval() -> None:
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(81, 100) == pytest.approx((0.7222, 0.8749), abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def facts(n: int, **kw: object) -> list[ConversationFacts]:
    base = dict(started_at=MONDAY_NOON, service="Waste and recycling", answered=True,
                handoff_used=False, unhelpful=False, helpful=False, would_have_phoned=None)
    return [ConversationFacts(id=f"c{i}", **{**base, **kw}) for i in range(n)]


def test_counting_rules_tiers_and_the_range() -> None:
    hours = OpeningHours.parse({"mon-fri": "09:00-17:00"})
    data = (facts(60, helpful=True, would_have_phoned=True)   # confirmed, surveyed yes
            + facts(20, helpful=True, would_have_phoned=False)  # confirmed, surveyed no
            + facts(7)                                        # assumed: answered, no feedback
            + facts(10, handoff_used=True)                    # phoned or used a form
            + facts(5, unhelpful=True)                        # said no: not contained
            + facts(5, answered=False, started_at=SUNDAY_NOON))  # declined, out of hours
    a = Assumptions(min_sample=30)
    e = estimate(data, a, hours)
    assert (e.conversations, e.contained, e.confirmed, e.assumed, e.not_contained) == (
        107, 87, 80, 7, 20)
    assert [(t["tier"], t["n"]) for t in e.tiers] == [
        ("confirmed", 80), ("assumed", 7), ("not contained", 20)]
    assert (e.tiers[0]["low"], e.tiers[0]["high"]) == pytest.approx(wilson(80, 107), abs=1e-4)
    assert (e.survey_answers, e.survey_yes, e.out_of_hours) == (80, 60, 5)
    # 80 answers, past the minimum sample: the raw share, no prior
    assert not e.prior_used and e.notes == []
    assert e.share == e.raw_share == 0.75
    assert (e.share_low, e.share_high) == pytest.approx(wilson(60, 80), abs=1e-4)
    assert e.calls_avoided == round(87 * 0.75)
    assert e.calls_avoided_low <= 87 * e.share_low and e.calls_avoided_high >= 87 * e.share_high
    assert e.hours_saved == pytest.approx(87 * 0.75 * (5 + 51 / 60) / 60, abs=0.05)
    assert e.hours_saved_low < e.hours_saved < e.hours_saved_high
    # cost: the benchmark at the low end, the upper bound at the high end, in whole pounds
    assert e.cost_avoided_low == round(87 * e.share_low * 2.83, -1)  # £100 and over: to £10
    assert e.cost_avoided_high == round(87 * e.share_high * 5.58, -1)
    assert estimate(facts(5, would_have_phoned=True), a, None).cost_avoided_high < 100
    assert estimate(facts(5), a, None).cost_avoided_high == round(5 * wilson(5, 10)[1] * 5.58)
    assert isinstance(e.cost_avoided, int) and isinstance(e.calls_avoided, int)


def test_small_samples_lean_on_the_stated_prior_and_say_so() -> None:
    e = estimate(facts(10, would_have_phoned=True)[:3] + facts(7), Assumptions(), None)
    assert e.survey_answers == 3 and e.raw_share == 1.0  # the measured share is kept, shown
    assert e.prior_used and e.share == pytest.approx((3 + 5) / (3 + 10), abs=1e-4)
    assert "Only 3 residents have answered" in e.notes[0]
    assert e.share_high - e.share_low > 0.4  # honest: wide
    none = estimate(facts(5), Assumptions(), None)
    assert none.raw_share is None and none.prior_used and none.share == 0.5


def test_the_interval_covers_the_true_share_as_it_says() -> None:
    """Simulated surveys: with at least the minimum sample, the 95% interval on the residents'
    own answers covers the true share about 95% of the time, for true shares of 0.5 to 0.9 (the
    prior, which pulled towards 50%, is no longer counted in). Fixed seed."""
    import random

    rng = random.Random(7)
    a = Assumptions(min_sample=30)
    for true in (0.5, 0.7, 0.8, 0.9):
        for n in (30, 100, 400):
            covered = 0
            for _ in range(400):
                answers = [rng.random() < true for _ in range(n)]
                share, low, high, prior = would_have_phoned(answers, a)
                assert not prior
                covered += low <= true <= high
            assert covered / 400 >= 0.92, (true, n, covered / 400)


def test_services_add_up_to_the_total_and_follow_the_answering_page() -> None:
    data = (facts(30, service="Waste and recycling", would_have_phoned=True)
            + facts(20, service="Council Tax", would_have_phoned=False)
            + facts(3, service="Parking"))
    since, until = MONDAY_NOON - timedelta(days=1), MONDAY_NOON
    r = report(data, KESTRELFORD, Assumptions(), since, until)
    total = r["total"]
    rows = r["services"]
    assert sum(s["conversations"] for s in rows) == total["conversations"]
    # each service at the council-wide share: their calls avoided add up (to rounding)
    assert abs(sum(s["calls_avoided"] for s in rows) - total["calls_avoided"]) <= len(rows)
    assert {s["share"] for s in rows} == {total["share"]}
    parking = next(s for s in rows if s["service"] == "Parking")
    assert parking["raw_share"] is None and parking["notes"] == []  # no prior shown as measured


def _turn(mid: str, cid: str, question: str, status: str = "answered",
          page: str = "http://x/bins-and-recycling/a.html#b", **kw: object) -> TurnRecord:
    return TurnRecord(message_id=mid, conversation_id=cid, council="kestrelford",
                      question=question, answer="x [1]", status=status,
                      citations=[{"n": 1, "url": page,
                                  "title": "t", "section": "s", "snippet": "x"}],
                      handoff=None, retrieval_scores=[], confidence=0.7, latency_ms=10.0,
                      timings_ms={}, **kw)  # type: ignore[arg-type]


def test_report_from_the_store_and_its_exports(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    store = AnalyticsStore(engine)
    store.record_turn(_turn("m1", "c1", "when is my bin collected"))
    store.record_feedback("m1", True, None, True)
    store.record_turn(_turn("m2", "c2", "garden waste bin cost"))
    store.record_feedback("m2", True, None, False)
    store.record_turn(_turn("m3", "c3", "missed bin"))
    store.record_event("m3", "phone", "tel:01632960101")
    store.record_turn(_turn("m4", "c4", "how do I pay council tax",
                            page="http://x/council-tax/pay.html#online"))
    # the page that answered decides the service, whatever words the question used
    store.record_turn(_turn("m5", "c5", "my bill for the bins", page="http://x/council-tax/a.html"))
    # nothing answered: the question's words decide
    store.record_turn(_turn("m6", "c6", "parking permit please", status="no_answer"))
    since = datetime.now(UTC) - timedelta(days=1)
    until = datetime.now(UTC) + timedelta(minutes=1)
    found = conversation_facts(store, KESTRELFORD, since, until)
    assert sorted(f.id for f in found) == ["c1", "c2", "c3", "c4", "c5", "c6"]
    r = report(found, KESTRELFORD, Assumptions(), since, until)
    t = r["total"]
    assert (t["conversations"], t["contained"], t["confirmed"], t["assumed"]) == (6, 4, 2, 2)
    assert (t["survey_answers"], t["survey_yes"]) == (2, 1)
    services = {s["service"]: s["conversations"] for s in r["services"]}
    assert services == {"Waste and recycling": 3, "Council Tax": 2, "Parking": 1}
    assert r["formulas"] and len(r["assumptions"]["described"]) == 5

    rows = list(csv.reader(io.StringIO(to_csv(r))))
    assert rows[0][:3] == ["service", "conversations", "contained"]
    assert rows[1][:3] == ["All services", "6", "4"]
    assert any(row[0].startswith("# formula: Calls avoided") for row in rows)
    assert any(row[0].startswith("# assumption: Handling a call costs £2.83") for row in rows)
    html = to_html(r)
    assert "<caption>Deflection estimate by service</caption>" in html
    assert "non-cashable unless rotas change" in html and "Wilson" in html
    assert "Confirmed" in html and "Assumed" in html and "Not contained" in html
    json.dumps(r)  # the JSON export is plain data
    engine.dispose()


def test_cli_report(tmp_path, monkeypatch, capsys) -> None:
    from cli.main import main

    monkeypatch.setenv("ASKCOUNCIL_DATA_DIR", str(tmp_path))
    store = AnalyticsStore(make_engine(f"sqlite:///{tmp_path / 'askcouncil.sqlite3'}"))
    store.ensure_schema()
    store.record_turn(_turn("m1", "c1", "when is my bin collected"))
    assert main(["report", "deflection", "--since", "30d", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"]["conversations"] == 1
    assert main(["report", "deflection", "--format", "html", "--out",
                 str(tmp_path / "d.html")]) == 0
    assert (tmp_path / "d.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert main(["report", "deflection", "--since", "last week"]) == 2
    assert main(["db", "retain", "--months", "13"]) == 0  # nothing that old: nothing deleted
    assert "Deleted 0 conversations" in capsys.readouterr().out
    assert main(["db", "erase", "c1"]) == 0
    assert main(["db", "erase", "c1"]) == 2  # already gone: a clear error


def test_assumptions_come_from_the_council_file() -> None:
    from askcouncil.council import parse_council
    from askcouncil.errors import ConfigError

    a = Assumptions.for_council(KESTRELFORD)
    assert (a.handling_minutes, a.cost_per_call, a.cost_per_call_high, a.prior_share) == (
        5.85, 2.83, 5.58, 0.5)
    custom = parse_council("x", "contact_lines: {general: {label: C}}\n"
                                "deflection: {cost_per_call: 3.5, min_sample: 50}\n")
    b = Assumptions.for_council(custom)
    assert (b.cost_per_call, b.min_sample) == (3.5, 50)
    assert "£3.50" in " ".join(b.describe())
    with pytest.raises(ConfigError, match="unknown deflection setting"):
        parse_council("x", "contact_lines: {general: {label: C}}\ndeflection: {cost: 3}\n")
    e = estimate(facts(4) + facts(1, started_at=SUNDAY_NOON), a,
                 KESTRELFORD.general_line.opening)
    assert (e.out_of_hours, e.out_of_hours_share) == (1, 0.2)


# ---- The recontact window -----------------------------------------------------------------------


def test_the_recontact_window_moves_a_resident_who_came_back_to_not_contained() -> None:
    helped = facts(10, helpful=True)
    back_soon = facts(3, helpful=True, came_back=[(2.0, True)])  # phoned after coming back
    back_later = facts(4, came_back=[(23.5, False)])
    back_tomorrow = facts(5, came_back=[(30.0, False)])  # outside 24 hours: still contained
    data = helped + back_soon + back_later + back_tomorrow + facts(2, handoff_used=True)
    e = estimate(data, Assumptions(), None)
    assert (e.conversations, e.contained, e.confirmed, e.assumed) == (24, 15, 10, 5)
    assert (e.not_contained, e.came_back, e.came_back_handoff) == (9, 7, 3)
    assert any("7 conversations that looked contained" in n and "within 24 hours" in n
               and "3 of them" in n for n in e.notes)
    off = estimate(data, Assumptions(recontact_hours=0), None)
    assert (off.contained, off.came_back, off.confirmed) == (22, 0, 13)
    assert not any("looked contained" in n for n in off.notes)
    wide = estimate(data, Assumptions(recontact_hours=48), None)
    assert (wide.contained, wide.came_back) == (10, 12)
    # a conversation already not contained is not counted again as having come back
    assert estimate(facts(3, unhelpful=True, came_back=[(1.0, True)]), Assumptions(),
                    None).came_back == 0
    # the method text says what the window is, or that it is off
    assert any("Recontact window: 24 hours" in d for d in Assumptions().describe())
    assert any("recontact window is off" in d for d in Assumptions(recontact_hours=0).describe())
    assert any("recontact window" in f for f in report(data, KESTRELFORD, Assumptions(),
                                                       MONDAY_NOON, MONDAY_NOON)["formulas"])


def test_the_recontact_window_recovers_the_known_truth_in_a_simulation() -> None:
    """Simulated residents whose truth is known: a resident not helped comes back within a few
    hours more often than not; one who was helped may come back days later with something
    else. Without the window every looked-contained conversation counts; with it, the count
    falls to the conversations with no return within 24 hours, exactly, and lands nearer the
    number truly helped. Fixed seed."""
    import random

    rng = random.Random(18)
    data, truly_helped, no_return_in_window = [], 0, 0
    for i in range(2000):
        helped = rng.random() < 0.7
        truly_helped += helped
        back: list[tuple[float, bool]] = []
        if not helped and rng.random() < 0.6:  # not helped: back soon, often to phone
            back.append((rng.expovariate(1 / 3), rng.random() < 0.5))
        if rng.random() < 0.2:  # anyone: another question, days later
            back.append((24 + rng.expovariate(1 / 72), False))
        no_return_in_window += not any(h <= 24 for h, _ in back)
        data.append(ConversationFacts(id=f"s{i}", started_at=MONDAY_NOON, service="Waste",
                                      answered=True, handoff_used=False, unhelpful=False,
                                      helpful=False, would_have_phoned=None, came_back=back))
    without = estimate(data, Assumptions(recontact_hours=0), None)
    within = estimate(data, Assumptions(), None)
    assert without.contained == 2000
    assert within.contained == no_return_in_window
    assert within.came_back == 2000 - no_return_in_window
    assert abs(within.contained - truly_helped) < abs(without.contained - truly_helped) / 2
    assert within.contained >= truly_helped  # it can only miss those who never came back


def test_a_new_conversation_is_linked_to_the_browsers_previous_one(db_url: str) -> None:
    """Through the store: the link is kept only to a conversation of the same council, the
    window is measured from the last question, and erasing either side removes the link."""
    engine = make_engine(db_url)
    migrate(engine)
    store = AnalyticsStore(engine)
    t0 = datetime.now(UTC) - timedelta(days=2)
    store.record_turns([
        _turn("a1", "ca", "bin day", created_at=t0),
        _turn("a2", "ca", "and garden waste?", created_at=t0 + timedelta(hours=1)),
        # back 23 hours after ca's last question, and phoned
        _turn("b1", "cb", "bin day again", created_at=t0 + timedelta(hours=24),
              previous_conversation_id="ca"),
        _turn("c1", "cc", "recycling", created_at=t0 + timedelta(hours=1)),
        # 25 hours after cc's last question: outside the window
        _turn("d1", "cd", "parking", created_at=t0 + timedelta(hours=26),
              previous_conversation_id="cc"),
    ])
    store.record_event("b1", "phone", "tel:01632960101")
    other = TurnRecord(**{**_turn("x1", "cx", "bins").__dict__, "council": "elsewhere"})
    store.record_turn(other)
    # an unknown id, another council's conversation and its own id are not kept as links
    store.record_turns([
        _turn("e1", "ce", "q", previous_conversation_id="no-such-conversation"),
        _turn("f1", "cf", "q", previous_conversation_id="cx"),
        _turn("g1", "cg", "q", previous_conversation_id="cg"),
    ])
    with engine.connect() as conn:
        links = dict(conn.exec_driver_sql(
            "SELECT id, previous_conversation_id FROM conversations").all())
    assert links == {"ca": None, "cb": "ca", "cc": None, "cd": "cc", "cx": None, "ce": None,
                     "cf": None, "cg": None}
    since, until = t0 - timedelta(hours=1), datetime.now(UTC) + timedelta(minutes=1)
    found = {f.id: f for f in conversation_facts(store, KESTRELFORD, since, until)}
    assert found["ca"].came_back == [(pytest.approx(23.0, abs=0.01), True)]
    assert found["cc"].came_back == [(pytest.approx(25.0, abs=0.01), False)]
    e = estimate(list(found.values()), Assumptions(), None)
    assert (e.came_back, e.came_back_handoff) == (1, 1)  # ca; cc came back too late
    # erasing the earlier conversation removes the later one's link to it
    store.erase("ca")
    with engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT previous_conversation_id FROM conversations WHERE id = 'cb'").scalar() is None
    engine.dispose()
