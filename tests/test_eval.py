"""The evaluation suite's runs: baselines side by side, and the HTML report."""

from pathlib import Path


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
    assert Path(questions).exists()
