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


def test_counting_rules_and_the_range() -> None:
    hours = OpeningHours.parse({"mon-fri": "09:00-17:00"})
    data = (facts(60, helpful=True, would_have_phoned=True)   # contained, resolved, surveyed yes
            + facts(20, helpful=True, would_have_phoned=False)  # contained, surveyed no
            + facts(10, handoff_used=True)                    # phoned or used a form: not contained
            + facts(5, unhelpful=True)                        # said no: not contained
            + facts(5, answered=False, started_at=SUNDAY_NOON))  # declined, out of hours
    a = Assumptions(prior_share=0.5, prior_weight=10, min_sample=30)
    e = estimate(data, a, hours)
    assert (e.conversations, e.contained, e.resolved) == (100, 80, 80)
    assert (e.survey_answers, e.survey_yes, e.out_of_hours) == (80, 60, 5)
    k, n = 60 + 5, 80 + 10  # the prior counted as 10 answers at 50%
    assert e.share == pytest.approx(k / n, abs=1e-4)
    assert (e.share_low, e.share_high) == pytest.approx(wilson(k, n), abs=1e-4)
    assert e.calls_avoided == pytest.approx(80 * k / n, abs=0.05)
    assert e.calls_avoided_low < e.calls_avoided < e.calls_avoided_high
    assert e.minutes_saved == pytest.approx(e.calls_avoided * (5 + 51 / 60), abs=0.2)
    assert e.cost_avoided == pytest.approx(e.calls_avoided * 10.04, abs=0.5)
    assert not e.prior_material and e.notes == []


def test_small_samples_lean_on_the_stated_prior() -> None:
    e = estimate(facts(10, would_have_phoned=True)[:3] + facts(7), Assumptions(), None)
    assert e.survey_answers == 3
    assert e.share == pytest.approx((3 + 5) / (3 + 10), abs=1e-4)  # not 100%
    assert e.prior_material and "Only 3 survey answers" in e.notes[0]
    assert e.share_high - e.share_low > 0.4  # honest: wide


def _turn(mid: str, cid: str, question: str, status: str = "answered") -> TurnRecord:
    return TurnRecord(message_id=mid, conversation_id=cid, council="kestrelford",
                      question=question, answer="x [1]", status=status,
                      citations=[{"n": 1, "url": "http://x/bins-and-recycling/a.html#b",
                                  "title": "t", "section": "s", "snippet": "x"}],
                      handoff=None, retrieval_scores=[], confidence=0.7, latency_ms=10.0,
                      timings_ms={})


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
    store.record_turn(_turn("m4", "c4", "how do I pay council tax"))
    since = datetime.now(UTC) - timedelta(days=1)
    until = datetime.now(UTC) + timedelta(minutes=1)
    found = conversation_facts(store, KESTRELFORD, since, until)
    assert sorted(f.id for f in found) == ["c1", "c2", "c3", "c4"]
    r = report(found, KESTRELFORD, Assumptions(), since, until)
    t = r["total"]
    assert (t["conversations"], t["contained"], t["resolved"]) == (4, 3, 2)
    assert (t["survey_answers"], t["survey_yes"]) == (2, 1)
    services = {s["service"]: s["conversations"] for s in r["services"]}
    assert services == {"Waste and recycling": 3, "Council Tax": 1}
    assert r["formulas"] and len(r["assumptions"]["described"]) == 4

    rows = list(csv.reader(io.StringIO(to_csv(r))))
    assert rows[0][:3] == ["service", "conversations", "contained"]
    assert rows[1][:3] == ["All services", "4", "3"]
    assert any(row[0].startswith("# formula: calls avoided") for row in rows)
    assert any(row[0].startswith("# assumption: Cost per call: £10.04") for row in rows)
    html = to_html(r)
    assert "<caption>Deflection estimate by service</caption>" in html
    assert "indicative" in html and "Wilson" in html
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
    assert (a.handling_minutes, a.cost_per_call, a.prior_share) == (5.85, 10.04, 0.5)
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
