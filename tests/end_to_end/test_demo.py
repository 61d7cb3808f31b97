"""`make demo` as a newcomer runs it: the real `askcouncil demo` (what the Makefile's demo target
runs) in a subprocess on free ports, from an empty data folder. It must crawl the sample site with
a progress bar, become healthy, serve /widget.js and the demo page, answer a sample-site question
with a citation, in the browser too, and stop cleanly on SIGINT (Ctrl+C) and SIGTERM (docker
stop, systemd). A second start re-crawls incrementally.

`.ci/run` also runs `make demo` itself, exactly as the README writes it."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent / "askcouncil"
QUESTION = "when are bins collected?"


class Demo:
    """`askcouncil demo` in a subprocess, its output in a file (the progress bars would fill a
    pipe)."""

    def __init__(self, data: Path, log: Path, ports: tuple[int, int] | None = None) -> None:
        self.port, self.site_port = ports or (free_port(), free_port())
        self.base = f"http://127.0.0.1:{self.port}"
        self.site = f"http://127.0.0.1:{self.site_port}/"
        self.log = log
        env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
        env.pop("ASKCOUNCIL_COUNCIL", None)
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [str(BIN), "demo", "--port", str(self.port), "--site-port", str(self.site_port)],
                env=env, stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def wait_healthy(self, timeout: float = 300) -> float:
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if self.proc.poll() is not None:
                pytest.fail(f"askcouncil demo exited with {self.proc.returncode}:\n"
                            f"{self.output()[-4000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        self.proc.kill()
        pytest.fail(f"askcouncil demo was not healthy after {timeout}s:\n{self.output()[-4000:]}")

    def stop(self, sig: signal.Signals) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"askcouncil demo did not stop within 60 s of {sig.name}")


def _turns_stored(data: Path) -> int:
    with sqlite3.connect(data / "askcouncil.sqlite3") as db:
        return db.execute("SELECT count(*) FROM turns").fetchone()[0]


def test_demo_from_nothing_answers_with_a_citation_and_stops_cleanly(tmp_path, browser) -> None:
    data = tmp_path / "data"
    demo = Demo(data, tmp_path / "demo.log")
    try:
        became_healthy_s = demo.wait_healthy()
        widget = httpx.get(f"{demo.base}/widget.js", timeout=10)
        assert widget.status_code == 200
        assert "javascript" in widget.headers["content-type"]
        page = httpx.get(f"{demo.base}/", timeout=10)
        assert page.status_code == 200 and "/widget.js" in page.text

        reply = httpx.post(f"{demo.base}/api/chat", json={"message": QUESTION}, timeout=60).json()
        assert reply["status"] == "answered", reply
        assert "[1]" in reply["answer"]
        first = reply["citations"][0]
        assert first["url"].startswith(demo.site + "bins-and-recycling/bin-collection-days.html#")
        assert httpx.get(first["url"], timeout=10).status_code == 200  # it cites a real page

        # the demo page as a resident sees it: the widget opens and answers, with a source link
        tab = browser.new_page()
        try:
            tab.goto(demo.base + "/")
            tab.locator("button.launcher").click()
            tab.get_by_role("textbox").fill(QUESTION)
            tab.keyboard.press("Enter")
            answer = tab.locator(".msg.a:not([aria-busy])").first
            answer.wait_for(timeout=30000)
            assert "bin" in answer.inner_text().lower()
            assert answer.locator("a[href*='bin-collection-days.html#']").count() >= 1
        finally:
            tab.close()
    finally:
        code = demo.stop(signal.SIGINT)  # Ctrl+C
    out = demo.output()
    assert code == 0, out[-4000:]
    assert "Traceback" not in out, out[-4000:]
    assert f"Sample council site: {demo.site}" in out
    assert "Embedding:" in out and "chunk/s" in out  # the crawl's progress bar
    assert int(re.search(r"pages fetched: (\d+)", out).group(1)) >= 50, out[-3000:]
    assert "failed: 0" in out
    assert f"Ask Council: {demo.base}/" in out
    assert "Application shutdown complete" in out
    assert _turns_stored(data) == 2  # both answers were written before it exited
    print(f"demo: healthy {became_healthy_s:.1f} s after start, from an empty data folder")

    # Started again on the same data (and the same address for the sample site, as make demo
    # does): the crawl is incremental, and SIGTERM stops it cleanly.
    again = Demo(data, tmp_path / "again.log", (demo.port, demo.site_port))
    try:
        again.wait_healthy()
        reply = httpx.post(f"{again.base}/api/chat", json={"message": QUESTION}, timeout=60)
        assert reply.json()["status"] == "answered"
    finally:
        code = again.stop(signal.SIGTERM)
    out = again.output()
    assert code == 0, out[-4000:]
    assert "Traceback" not in out
    assert "chunks written: 0" in out, out[-3000:]  # nothing re-embedded: the site is unchanged
    assert "Application shutdown complete" in out


def test_demo_refuses_a_busy_port_before_crawling(tmp_path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
        done = subprocess.run([str(BIN), "demo", "--port", str(port), "--site-port",
                               str(free_port())], env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 2, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Crawling" not in done.stdout  # said at once, not after a crawl
