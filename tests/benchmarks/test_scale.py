"""The scale benchmark's generated site is a well-formed council site (every page in the sitemap
with its lastmod, every link resolving, robots.txt naming the sitemap, varied text), and
``python -m benchmarks.scale`` runs end to end on a small one."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from benchmarks import scalesite
from benchmarks.harness import REPO

BASE = "http://127.0.0.1:8123"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _sitemap(root: Path, name: str = "sitemap.xml") -> dict[str, str]:
    """loc -> lastmod over a sitemap, following a sitemap index."""
    tree = ET.parse(root / name).getroot()
    if tree.tag.endswith("sitemapindex"):
        found: dict[str, str] = {}
        for loc in tree.findall("sm:sitemap/sm:loc", NS):
            found |= _sitemap(root, urlparse(loc.text or "").path.lstrip("/"))
        return found
    return {url.findtext("sm:loc", "", NS): url.findtext("sm:lastmod", "", NS)
            for url in tree.findall("sm:url", NS)}


def _pages(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text("utf-8") for p in root.rglob("*.html")}


def test_the_site_is_well_formed_and_varied(tmp_path: Path) -> None:
    site = scalesite.build_site(tmp_path, BASE, pages=50, seed=3)
    pages = _pages(tmp_path)
    assert len(site) == len(pages) == 50
    assert f"Sitemap: {BASE}/sitemap.xml" in (tmp_path / "robots.txt").read_text()

    listed = _sitemap(tmp_path)
    assert set(listed) == {f"{BASE}/{path}" for path in pages}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", m) for m in listed.values())

    linked: set[str] = set()
    for path, text in pages.items():
        for href in re.findall(r'href="([^"#]+)"', text):
            target = urlparse(urljoin(f"{BASE}/{path}", href)).path.lstrip("/")
            assert target in pages, f"{path} links to {href}, which is not a page"
            linked.add(target)
    assert set(pages) - linked <= {"index.html"}  # every page is reached by a link

    paragraphs = Counter(p for text in pages.values() for p in re.findall(r"<p>(.+?)</p>", text))
    assert sum(paragraphs.values()) > 300
    assert sum(n - 1 for n in paragraphs.values()) < 0.02 * sum(paragraphs.values())
    words = [len(re.sub(r"<[^>]+>", " ", re.search(r"<main.*</main>", text, re.S)[0]).split())
             for path, text in pages.items() if not path.endswith("index.html")]
    assert sum(300 <= w <= 1500 for w in words) >= 0.75 * len(words)
    assert {"<table>", "<ol>", "<form"} <= {tag for text in pages.values()
                                            for tag in ("<table>", "<ol>", "<form")
                                            if tag in text}


def test_the_same_seed_builds_the_same_site(tmp_path: Path) -> None:
    scalesite.build_site(tmp_path / "a", BASE, pages=40, seed=5)
    scalesite.build_site(tmp_path / "b", BASE, pages=40, seed=5)
    scalesite.build_site(tmp_path / "c", BASE, pages=40, seed=6)
    assert _pages(tmp_path / "a") == _pages(tmp_path / "b") != _pages(tmp_path / "c")


def test_a_large_site_has_a_sitemap_index(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scalesite, "PER_SITEMAP", 20)
    scalesite.build_site(tmp_path, BASE, pages=50)
    assert "<sitemapindex" in (tmp_path / "sitemap.xml").read_text()
    assert len(list(tmp_path.glob("sitemap-*.xml"))) == 3
    assert set(_sitemap(tmp_path)) == {f"{BASE}/{path}" for path in _pages(tmp_path)}


@pytest.mark.slow
def test_the_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--pages", "30",
                           "--out", str(out), "--work", str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert time.monotonic() - began < 120  # about 30 s on 2 shared cores
    (run,) = json.loads(out.read_text())["runs"]
    first, again = run["first"], run["recrawl"]
    assert first["pages"] == again["pages"] == 30
    assert first["chunks"] > 60 and again["chunks"] == 0  # several chunks a page; none again
    assert first["failed"] == again["failed"] == 0
    assert first["peak_rss_mb"] > 100 and again["peak_rss_mb"] > 50
    assert run["recrawl_ratio"] > 1
    assert "scale-30  first" in done.stdout and "first/re-crawl" in done.stdout
