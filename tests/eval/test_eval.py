"""The evaluation suite's runs: baselines side by side, and the HTML report."""

from tests.conftest import REPO


def test_baselines_vary_retrieval_only(crawled, tmp_path) -> None:
    from eval.runner import run_baselines

    settings, _ = crawled
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "q1", "question": "How much does a garden waste subscription cost?", '
        '"expected_urls": ["bins-and-recycling/garden-waste.html"], "must_include": ["£49"], '
        '"category": "bins"}\n'
        '{"id": "u1", "question": "When is the next full council meeting?", '
        '"expected_urls": [], "must_include": [], "category": "unanswerable"}\n')
    table = run_baselines(questions, settings, tmp_path / "runs")
    header, *rows = table.splitlines()
    assert header.split()[1:] == ["keyword", "dense", "hybrid"]
    assert any(r.startswith("pass_rate") for r in rows)
    import json

    for mode in ("keyword", "dense", "hybrid"):
        run = json.loads((tmp_path / "runs" / mode / "results.json").read_text("utf-8"))
        assert run["config"]["retrieval_mode"] == mode
        assert (tmp_path / "runs" / mode / "report.html").exists()
    hybrid = json.loads((tmp_path / "runs" / "hybrid" / "results.json").read_text("utf-8"))
    assert hybrid["summary"]["pass_rate"] == 1.0
    assert (tmp_path / "runs" / "baselines.txt").read_text("utf-8").startswith("Measure")


def test_gate_floors_raise_and_lower_with_a_reason(tmp_path, capsys) -> None:
    import json
    import shutil

    import pytest

    from cli.main import main
    from eval import gate

    baseline = tmp_path / "baseline.json"
    shutil.copy(gate.BASELINE, baseline)
    data = gate.load(baseline)
    gated = REPO / data["sets"]["sample"]["questions"]
    assert len(gated.read_text("utf-8").splitlines()) >= 60  # the gated sample set
    floors = data["sets"]["sample"]["floors"]
    assert floors["accessibility"] is True
    good = {**floors, "pass_rate": 0.99, "accessibility": {"run": True, "passed": True}}
    assert gate.check(good, floors) == []
    bad = {**floors, "pass_rate": 0.5, "unsupported_links": 2,
           "accessibility": {"run": False, "why": "Chromium not found"}}
    assert len(gate.check(bad, floors)) == 3
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.json").write_text(json.dumps({"summary": bad}))
    args = ["eval", "gate", str(run), "--set", "sample", "--baseline", str(baseline)]
    assert main(args) == 1
    assert "FAIL sample: pass_rate: 0.5, below the floor" in capsys.readouterr().out
    assert main([*args, "--raise"]) == 0  # nothing is better: no floor moves down
    assert gate.load(baseline)["sets"]["sample"]["floors"]["pass_rate"] == floors["pass_rate"]
    assert main([*args, "--lower"]) == 2  # lowering needs a reason
    assert main([*args, "--lower", "--reason", "new composer, see issue"]) == 0
    after = gate.load(baseline)
    assert after["sets"]["sample"]["floors"]["pass_rate"] == 0.5
    assert after["history"][-1]["reason"] == "new composer, see issue"
    (run / "results.json").write_text(json.dumps({"summary": good}))
    assert main([*args, "--raise"]) == 0
    assert gate.load(baseline)["sets"]["sample"]["floors"]["pass_rate"] == 0.99
    from askcouncil.errors import BadInput

    with pytest.raises(BadInput):
        gate.update(baseline, "sample", bad, lower=True)  # no reason


def test_draft_questions_from_the_index(crawled, tmp_path) -> None:
    import json

    from askcouncil.chroma import open_chroma
    from askcouncil.index import CouncilIndex
    from eval.dataset import load_questions
    from eval.draft import draft

    settings, _ = crawled
    chunks = CouncilIndex(open_chroma(settings), settings.council).all_chunks()
    records = draft(chunks, limit=40)
    assert 10 <= len(records) <= 40
    by_page = {}
    for c in chunks:
        by_page.setdefault(c.url.split("/", 3)[-1], []).append(c.text)
    for r in records:
        page_text = " ".join(by_page[r["expected_urls"][0]])
        assert r["must_include"][0] in page_text, r  # the fact is on the page it names
        assert "check the wording" in r["notes"]
    path = tmp_path / "draft.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    assert len(load_questions(path)) == len(records)  # a valid question file
    assert any(r["must_include"][0].startswith("£") for r in records)
    assert any(r["must_include"][0].startswith("01632") for r in records)


def test_eval_against_a_running_deployment(crawled, bot, tmp_path) -> None:
    import json

    from eval.runner import HttpBot, run_eval
    from tests.conftest import live_server

    settings, _ = crawled
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "q1", "question": "How much does a garden waste subscription cost?", '
        '"expected_urls": ["bins-and-recycling/garden-waste.html"], "must_include": '
        '["£49"], "category": "bins"}\n'
        '{"id": "mt1", "turns": ["How do I apply for a Blue Badge?", "and how long does it '
        'take?"], "expected_urls": ["parking/blue-badge.html"], "must_include": ["12 weeks"],'
        ' "category": "multi_turn"}\n')
    with live_server(settings, bot) as url:
        result = run_eval(questions, settings, out_dir=tmp_path / "run", bot=HttpBot(url))
    assert result.summary["pass_rate"] == 1.0
    assert result.summary["recall_at_5"] is None  # not visible over HTTP: n/a, not 0
    config = json.loads((tmp_path / "run" / "config.json").read_text("utf-8"))
    assert config["api"] == url


def test_a_message_the_bot_refuses_is_a_failed_question_not_a_crashed_run(crawled, bot,
                                                                          tmp_path) -> None:
    import json

    from eval.runner import HttpBot, run_eval
    from tests.conftest import live_server

    settings, _ = crawled
    story = "My bin was not collected again this week and I am fed up. " * 1000  # 60,000 chars
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "q1", "question": story + " How much is garden waste?",
         "expected_urls": ["bins-and-recycling/garden-waste.html"], "must_include": ["£49"],
         "category": "bins"},
        {"id": "q2", "question": "How much does a garden waste subscription cost?",
         "expected_urls": ["bins-and-recycling/garden-waste.html"], "must_include": ["£49"],
         "category": "bins"}]))
    with live_server(settings, bot) as url:
        for who in (bot, HttpBot(url)):  # in process, and over HTTP (a 413 or 422)
            result = run_eval(questions, settings, out_dir=tmp_path / "run", bot=who)
            by_id = {r.id: r for r in result.results}
            assert by_id["q1"].status == "rejected" and not by_id["q1"].passed
            assert by_id["q2"].passed


def test_accessibility_checks_say_when_they_cannot_run(monkeypatch) -> None:
    from eval import accessibility

    monkeypatch.setattr(accessibility, "CHROMIUM", "/nonexistent/chromium")
    result = accessibility.run_checks(None, None, "bin day?")
    assert result == {"run": False, "why": "Chromium not found at /nonexistent/chromium"}
