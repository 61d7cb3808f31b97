"""The command line, run as a resident's council would run it: a real subprocess each time."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "askcouncil"


def run(args: list[str], env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture
def env(tmp_path) -> dict:
    return {**os.environ, "ASKCOUNCIL_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}


def test_crawl_ask_and_eval_from_the_command_line(sample_site, env, tmp_path) -> None:
    crawl = run(["crawl", sample_site, "--max-pages", "25", "--no-progress"], env)
    assert crawl.returncode == 0, crawl.stderr
    assert "pages fetched: 25" in crawl.stdout
    assert "skipped by robots.txt:" in crawl.stdout
    assert "failed: 0" in crawl.stdout
    assert "chunks written:" in crawl.stdout
    assert "did not reach the whole site" in crawl.stdout
    report_line = next(x for x in crawl.stdout.splitlines() if x.startswith("Site report"))
    assert Path(report_line.split(": ", 1)[1]).is_file()

    ask = run(["ask", "How much is it to have bulky waste collected?"], env)
    assert ask.returncode == 0, ask.stderr
    assert ask.stdout.startswith("[answered]")
    assert "£35" in ask.stdout
    assert "[1] Bulky waste collections" in ask.stdout
    assert "/bins-and-recycling/bulky-waste.html#charges" in ask.stdout

    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "q1", "question": "What does bulky waste collection cost?", '
        '"expected_urls": ["bins-and-recycling/bulky-waste.html"], "must_include": ["£35"], '
        '"category": "bins"}\n'
        '{"id": "u1", "question": "How do I report a pothole?", "expected_urls": [], '
        '"must_include": [], "category": "unanswerable"}\n')
    ev = run(["eval", "run", str(questions), "--out", str(tmp_path / "run")], env)
    assert ev.returncode == 0, ev.stderr
    assert "Questions: 2, passed: 2 (100.0% [" in ev.stdout
    assert (tmp_path / "run" / "results.json").exists()
    assert (tmp_path / "run" / "config.json").exists()
    report = (tmp_path / "run" / "report.html").read_text("utf-8")
    assert "<caption>Pass rate by kind of question</caption>" in report
    assert "Failures (0)" in report
    same = run(["eval", "compare", str(tmp_path / "run"), str(tmp_path / "run")], env)
    assert same.returncode == 0 and "pass_rate" in same.stdout
    assert "Now failing (0)" in same.stdout
    missing = run(["eval", "compare", str(tmp_path / "run"), str(tmp_path / "nowhere")], env)
    assert missing.returncode == 2 and "no results.json" in missing.stderr


def test_clear_errors_for_bad_input(env, tmp_path) -> None:
    bad = run(["crawl", "not a url"], env)
    assert bad.returncode == 2
    assert "askcouncil:" in bad.stderr and "Traceback" not in bad.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("{broken\n")
    ev = run(["eval", "run", str(empty)], env)
    assert ev.returncode == 2 and "not a valid question record" in ev.stderr
    slug = run(["ask", "bins?", "--council", "Bad Slug!"], env)
    assert slug.returncode == 2 and "council slug" in slug.stderr
    for months in ("0", "-1", "121"):  # not silently the default of 13
        retain = run(["db", "retain", "--months", months], env)
        assert retain.returncode == 2, retain.stdout
        assert f"--months must be a whole number of months from 1 to 120, not {months}" \
            in retain.stderr
    assert not (tmp_path / "data" / "askcouncil.sqlite3").exists()  # nothing was touched
    every = run(["report", "refresh-gaps", "--every", "weekly"], env)
    assert every.returncode == 2 and "--every must look like" in every.stderr


def test_the_reports_say_plainly_when_the_database_is_down(env) -> None:
    """The gap job, a report and an erasure with the database unreachable: a sentence that says
    so (the password hidden), not a traceback."""
    from benchmarks.harness import free_port

    down = {**env, "ASKCOUNCIL_DATABASE_URL":
            f"postgresql+psycopg://postgres:s3cret@127.0.0.1:{free_port()}/x"}
    for args in (["report", "refresh-gaps"], ["report", "deflection"],
                 ["db", "erase", "00000000-0000-4000-8000-000000000000"]):
        done = run(args, down)
        assert done.returncode == 2, (args, done.stderr[-500:])
        assert "the analytics database cannot be reached" in done.stderr
        assert "Traceback" not in done.stderr and "s3cret" not in done.stderr


def test_a_second_crawl_of_the_same_council_is_refused_while_one_runs(sample_site, env,
                                                                       tmp_path) -> None:
    from crawler.state import crawl_lock

    lock = tmp_path / "data" / "crawl-state" / "kestrelford.lock"
    with crawl_lock(lock):  # as if the scheduled job were crawling now
        busy = run(["crawl", sample_site, "--no-progress", "--max-pages", "2"], env)
    assert busy.returncode == 2
    assert "another crawl of this council is running" in busy.stderr
    bad = run(["crawl", sample_site, "--every", "often"], env)
    assert bad.returncode == 2 and "--every must look like" in bad.stderr


def test_serve_with_two_workers_answers_and_stops_on_sigterm(crawled, tmp_path) -> None:
    import shutil
    import signal

    import httpx

    from benchmarks.harness import wait_ready
    from tests.conftest import ChromaServer, free_port

    settings, _ = crawled
    port = free_port()
    env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    alone = run(["serve", "--port", str(port), "--workers", "2"], env, timeout=60)
    assert alone.returncode == 2 and "need a Chroma server" in alone.stderr
    # the session's crawl, served by `chroma run` from a copy of its folder
    shutil.copytree(settings.chroma_path, tmp_path / "chroma")
    chroma = ChromaServer(tmp_path / "chroma")
    env["ASKCOUNCIL_CHROMA_URL"] = chroma.url
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}", 120)
        reply = httpx.post(f"http://127.0.0.1:{port}/api/chat", timeout=30,
                           json={"message": "How much is a Blue Badge?"}).json()
        assert reply["status"] == "answered"
        busy = run(["serve", "--port", str(port), "--workers", "2"], env, timeout=60)
        assert busy.returncode == 2 and "cannot listen" in busy.stderr  # said once, at once
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=60)[0]
        chroma.stop()
    assert proc.returncode == 0, out
    assert "with 2 workers" in out


def test_serve_without_an_index_says_so_and_how_to_build_it(env, tmp_path) -> None:
    """A newcomer who runs `askcouncil serve` before any crawl is told at start-up, and by
    /readyz, that the council has no index and which command builds it; residents get the
    council's contact details, not silence."""
    import signal

    import httpx

    from benchmarks.harness import wait_until
    from tests.conftest import free_port

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{base}/healthz", timeout=5).status_code == 200, 120,
                   "healthz")
        wait_until(lambda: "no index yet" in log.read_text(), 30, "the start-up warning")
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 503
        said = ready.json()["checks"]["chroma"]
        assert "no index yet for council 'kestrelford'" in said
        assert "askcouncil crawl https://COUNCIL-WEBSITE --council kestrelford" in said
        reply = httpx.post(f"{base}/api/chat", json={"message": "When is my bin day?"},
                           timeout=30).json()
        assert reply["status"] == "error"
        assert reply["handoff"]["phone"]  # the council's contact details instead of an answer
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    text = log.read_text()
    assert proc.returncode == 0, text
    start_up = text.split("GET /readyz")[0]  # said before anyone asked
    assert "no index yet for council 'kestrelford'" in start_up, text
    assert "askcouncil crawl https://COUNCIL-WEBSITE --council kestrelford" in start_up


def test_a_new_council_from_its_address_to_answers_that_hand_off_to_its_own_lines(
        sample_site, env, tmp_path) -> None:
    """Onboarding as a council runs it: crawl (which offers the draft), the handoff before the
    council has a file, `council draft`, and the handoff after."""
    env = {**env, "ASKCOUNCIL_COUNCIL": "newtown"}
    crawl = run(["crawl", sample_site, "--no-progress"], env)
    assert crawl.returncode == 0, crawl.stderr
    assert f"askcouncil council draft {sample_site} --council newtown" in crawl.stdout
    before = run(["ask", "Can I get a grant for solar panels on my roof?"], env)
    assert before.returncode == 0, before.stderr
    assert before.stdout.startswith("[no_answer]")
    assert (f"You can find how to contact the council on its contact page: "
            f"{sample_site}contact-us/index.html") in before.stdout
    assert "Contact the council." not in before.stdout

    draft = run(["council", "draft", sample_site], env)
    assert draft.returncode == 0, draft.stderr
    written = tmp_path / "data" / "councils" / "newtown.yaml"
    assert f"Drafted {written}: Kestrelford Borough Council" in draft.stdout
    text = written.read_text("utf-8")
    assert "phone: 01632 960101" in text and 'open: {mon-fri: "09:30-15:30"}' in text
    again = run(["council", "draft", sample_site], env)  # a reviewed file is never overwritten
    assert again.returncode == 2 and "--force" in again.stderr
    assert written.read_text("utf-8") == text

    after = run(["ask", "Can I get a grant for solar panels on my roof?"], env)
    assert after.returncode == 0, after.stderr
    assert after.stdout.startswith("[no_answer]")
    assert "You can contact General enquiries on 01632 960000 (Monday to Friday, 8:30am to " \
        "5pm" in after.stdout  # the drafted general line, with its hours


def test_council_services_shows_who_runs_what_for_review(env) -> None:
    """The table a reviewer reads: the catalogue's services under the body that runs them for
    Kestrelford, with the words of its file that claim a county service as its own."""
    out = run(["council", "services", "--council", "kestrelford"], env, timeout=60)
    assert out.returncode == 0, out.stderr
    blocks = {block.split(":\n", 1)[0]: block for block in out.stdout.split("\n\n")[1:]}
    assert "  Blue Badges  (your file lists: blue badge)" in blocks["Kestrelford Borough Council"]
    assert "  Roads, pavements and street lights" in blocks["Kestrelshire County Council"]
    assert "  Allotments" in blocks["nobody named (parish)"]
