"""Every command line that docs/usage.md shows is run through `askcouncil`'s real entry point
(`main`), with each form it documents: only the required arguments, and every option at once
(each alternative in turn). `--help` is not enough: the `make demo` crash passed `--help`, and
failed inside its handler. Commands that crawl, serve or evaluate stop at the one library call
their handler makes (recorded here, with what it was given); the quick ones run for real on a
copy of the session's crawl."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from types import SimpleNamespace
from typing import Never

import pytest

from cli.main import build_parser, main
from tests.conftest import REPO

USAGE = (REPO / "docs" / "usage.md").read_text("utf-8")
URL = "http://127.0.0.1:9/"  # nothing is fetched: the crawl is recorded, not run
CONVERSATION = "00000000-0000-4000-8000-000000000000"


def documented_commands() -> list[str]:
    """The synopses in the command table and the commands in the shell examples."""
    table = re.findall(r"^\| `(askcouncil [^`]+)` \|", USAGE, re.M)
    examples = [line.split("askcouncil", 1)[1].strip()
                for line in re.findall(r"^\.venv/bin/askcouncil .*$", USAGE, re.M)]
    return [t.replace("\\|", "|") for t in table] + [f"askcouncil {e}" for e in examples]


def _groups(synopsis: str) -> list[tuple[str, bool]]:
    """The synopsis as (text, optional) pieces: each [...] is an optional piece."""
    pieces, depth, current = [], 0, ""
    for ch in synopsis:
        if ch == "[" and depth == 0:
            if current.strip():
                pieces.append((current.strip(), False))
            current, depth = "", 1
        elif ch == "]" and depth == 1:
            pieces.append((current.strip(), True))
            current, depth = "", 0
        else:
            current += ch
    if current.strip():
        pieces.append((current.strip(), False))
    return pieces


def forms(synopsis: str) -> list[list[str]]:
    """Token lists for: the required arguments only, then every option with its k-th
    alternative (``a | b``) and k-th choice (``json|csv|html``), for each k needed."""
    pieces = _groups(synopsis.removeprefix("askcouncil "))
    required = [p for p, optional in pieces if not optional]
    widest = max([1] + [len(p.split(" | ")) for p, _ in pieces]
                 + [len(t.split("|")) for p, _ in pieces for t in p.split()])
    out = [" ".join(required).split()]
    for k in range(widest):
        words: list[str] = []
        for text, optional in pieces:
            alternatives = text.split(" | ") if optional else [text]
            for token in alternatives[min(k, len(alternatives) - 1)].split():
                choices = token.split("|")
                words.append(choices[k % len(choices)])
        out.append(words)
    unique = []
    for form in out:
        if form not in unique:
            unique.append(form)
    return unique


@pytest.fixture
def world(tmp_path, crawled, monkeypatch) -> SimpleNamespace:
    """A copy of the session's crawl as the data folder, files for the placeholders, and the
    long-running library calls replaced by recorders."""
    settings, _ = crawled
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data)
    monkeypatch.setenv("ASKCOUNCIL_DATA_DIR", str(data))
    monkeypatch.delenv("ASKCOUNCIL_COUNCIL", raising=False)
    monkeypatch.delenv("ASKCOUNCIL_WORKERS", raising=False)
    for var in ("ASKCOUNCIL_RATE_LIMIT_CHAT_PER_MINUTE",):
        monkeypatch.delenv(var, raising=False)

    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"id": "q1", "question": "What does bulky waste cost?",
                                     "expected_urls": [], "must_include": [],
                                     "category": "bins"}) + "\n")
    baseline = tmp_path / "baseline.json"
    shutil.copy(REPO / "eval" / "baseline.json", baseline)
    floors = json.loads(baseline.read_text())["sets"]["sample"]["floors"]
    run = tmp_path / "run"
    run.mkdir()
    summary = {**floors, "accessibility": {"run": True, "passed": True}}
    (run / "results.json").write_text(json.dumps({"summary": summary, "results": []}))

    from analytics.db import make_engine
    from analytics.store import AnalyticsStore, TurnRecord

    store = AnalyticsStore(make_engine(f"sqlite:///{data / 'askcouncil.sqlite3'}"))
    store.record_turn(TurnRecord(CONVERSATION, CONVERSATION, "kestrelford", "bin day?", "x",
                                 "no_answer", [], None, [], 0.0, 1.0, {}))  # for db erase

    calls: list[tuple[str, tuple, dict]] = []

    def recorder(name: str, result: object = None) -> Callable[..., object]:
        def record(*args: object, **kwargs: object) -> object:
            calls.append((name, args, kwargs))
            return result(*args, **kwargs) if callable(result) else result
        return record

    def schedule(crawl_once: Callable[[], object], interval_s: float, **_: object) -> None:
        crawl_once()  # the schedule's first crawl, as the job would make it

    def refuse(what: str) -> Callable[..., Never]:  # a wiring that bypasses its library call
        def fail(*_: object, **__: object) -> Never:
            raise AssertionError(f"a documented command reached {what} past its library call")
        return fail

    monkeypatch.setattr("uvicorn.run", refuse("uvicorn.run"))
    monkeypatch.setattr("uvicorn.Server.run", refuse("uvicorn.Server.run"))
    monkeypatch.setattr("crawler.crawl.crawl", refuse("crawler.crawl.crawl"))
    evaluated = SimpleNamespace(report_text=lambda: "Questions: 1", out_dir=tmp_path / "out")
    monkeypatch.setattr("crawler.job.run_crawl",
                        recorder("run_crawl", SimpleNamespace(embedder=None)))
    monkeypatch.setattr("crawler.job.run_schedule", recorder("run_schedule", schedule))
    monkeypatch.setattr("bot.serve.serve", recorder("serve"))
    monkeypatch.setattr("bot.serve.demo", recorder("demo"))
    monkeypatch.setattr("askcouncil.devsite.serve_site", recorder("serve_site"))
    monkeypatch.setattr("eval.runner.run_eval", recorder("run_eval", evaluated))
    monkeypatch.setattr("eval.runner.run_baselines", recorder("run_baselines", "table"))
    monkeypatch.setattr("eval.runner.compare", recorder("compare", "side by side"))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a long enough password")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    return SimpleNamespace(tmp=tmp_path, data=data, questions=questions, baseline=baseline,
                           run=run, calls=calls)


def concrete(words: list[str], world: SimpleNamespace) -> list[str]:
    """The placeholders of a synopsis as real values."""
    out: list[str] = []
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        value = {
            "URL": URL, "OTHER-URL": "http://127.0.0.1:10/", "SLUG": "kestrelford", "N": "3",
            "INTERVAL": "1d",
            '"QUESTION"': "How much is a Blue Badge?", "QUESTIONS.jsonl": str(world.questions),
            "DIR": str(world.tmp / "out"), "RUN": str(world.run), "RUN_A": str(world.run),
            "RUN_B": str(world.run), "NAME": "sample", "TEXT": "a reason",
            "CONVERSATION_ID": CONVERSATION,
        }.get(word, word)
        if word == "...":  # "URL ...": one more is enough
            continue
        if word == "FILE":
            value = str(world.baseline if before == "--baseline" else world.tmp / f"out{i}.txt")
        out.append(value)
    return out[1:] if out and out[0] == "askcouncil" else out


def test_every_command_has_a_documented_synopsis() -> None:
    """Each noun-verb of the parser has a synopsis in the table, so the test below runs it."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    table = [c.removeprefix("askcouncil ") for c in documented_commands()]
    for name, cmd in sub.choices.items():
        verbs = [a for a in cmd._actions if a.dest == "verb"]
        for phrase in ([f"{name} {v}" for v in verbs[0].choices] if verbs else [name]):
            assert any(t == phrase or t.startswith(phrase + " ") for t in table), phrase


@pytest.mark.parametrize("synopsis", documented_commands())
def test_each_documented_form_runs_its_handler(synopsis, world, capsys) -> None:
    for words in forms(synopsis):
        argv = concrete(words, world)
        build_parser().parse_args(argv)  # every documented option exists
        world.calls.clear()
        code = main(argv)
        said = capsys.readouterr()
        if "--api" in argv and "--baselines" in argv:  # documented as refused
            assert code == 2 and "--baselines" in said.err and "Traceback" not in said.err
            continue
        assert code == 0, f"askcouncil {' '.join(argv)} exited {code}: {said.err}"
        assert "Traceback" not in said.err
        check_wiring(argv, world.calls)


def check_wiring(argv: list[str], calls: list[tuple[str, tuple, dict]]) -> None:
    """What the handler passed to its library call agrees with the command line."""
    names = [c[0] for c in calls]
    given = dict(zip(argv, [*argv[1:], ""], strict=True))
    if argv[0] == "crawl":
        assert names[-1] == "run_crawl", names
        settings, url = calls[-1][1]
        assert url == argv[1]
        assert calls[-1][2]["max_pages"] == (int(given["--max-pages"]) if "--max-pages" in argv
                                             else None)
        assert calls[-1][2]["progress"] is ("--no-progress" not in argv)
        assert calls[-1][2]["after"].__name__ == "after_crawl"
        assert ("run_schedule" in names) is ("--every" in argv)
        if "--every" in argv:  # 1d
            assert calls[0][1][1] == 86400.0
        assert settings.council == "kestrelford"
    elif argv[0] == "serve":
        assert names == ["serve"]
        settings, host, port = calls[0][1]
        assert host == given.get("--host", "127.0.0.1")
        assert port == int(given.get("--port", 8000))
        assert settings.workers == int(given.get("--workers", 1))
    elif argv[0] == "demo":
        assert names == ["demo"]
        settings, url = calls[0][1]
        kwargs = calls[0][2]
        assert url == given.get("--url")
        assert kwargs["port"] == int(given.get("--port", 8000))
        assert kwargs["site_port"] == int(given.get("--site-port", 8001))
    elif argv[:2] == ["eval", "run"]:
        want = "run_baselines" if "--baselines" in argv else "run_eval"
        assert names[-1] == want, names
        assert ("run_crawl" in names) is ("--site" in argv)
        if want == "run_eval":
            assert calls[-1][2]["accessibility"] is ("--accessibility" in argv)
            if "--site" in argv:  # evaluated on the crawl it just made
                crawled_into = calls[0][1][0].data_dir
                assert calls[-1][1][1].data_dir == crawled_into
                assert crawled_into.parts[-2:] == ("eval-site", "127-0-0-1-9")
    elif argv[:2] == ["site", "serve"]:
        assert names == ["serve_site"]
        assert calls[0][2]["port"] == int(given.get("--port", 8001))
