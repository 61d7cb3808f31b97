"""One deployment answering from several websites, end to end: the sample site split into a
district's and a county's site (``eval.worlds``), and published twice as a new unitary's
predecessors' sites. Crawled with `askcouncil crawl` as an operator runs it (no URL: every site
the council file lists), then asked through the real pipeline."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from askcouncil.chroma import open_chroma
from askcouncil.index import CouncilIndex
from askcouncil.settings import Settings
from bot.chat import Bot, build_bot
from eval.worlds import build_predecessors, build_sample_two_tier
from tests.conftest import free_port

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent / "askcouncil"

TWO_TIER = """
name: Kestrelford Borough Council
sites:
  own:
    url: {district}
  county:
    url: {county}
    owner: county
contact_lines:
  general:
    label: General enquiries
    phone: 01632 960000
    url: /contact-us/index.html
    open: {{mon-fri: "08:30-17:00"}}
  waste:
    label: Waste and recycling
    phone: 01632 960101
    keywords: [bin, bins, recycling, bulky waste]
partners:
  county:
    name: Kestrelshire County Council
    label: Kestrelshire County Council
    phone: 01632 961000
    url: {county}contact-us.html
    services: [school place, school places, school admissions, library, pothole, potholes]
"""

PREDECESSORS = """
name: Kestrelford Council
sites:
  north:
    url: {north}
    name: the former North Kestrelford Borough Council
    area: North Kestrelford
  south:
    url: {south}
    name: the former South Kestrelford District Council
    area: South Kestrelford
contact_lines:
  general:
    label: General enquiries
    phone: 01632 960000
"""


def _serve(root: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([str(BIN), "site", "serve", "--root", str(root), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx

    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            import time

            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"site on port {port} did not start")


def _world(tmp: Path, slug: str, council: str, sites: dict[str, Path], urls: dict[str, str],
           ports: dict[str, int]) -> Iterator[tuple[Settings, dict[str, str]]]:
    servers = [_serve(root, ports[key]) for key, root in sites.items()]
    try:
        (tmp / "councils").mkdir()
        (tmp / "councils" / f"{slug}.yaml").write_text(council.format(**urls), "utf-8")
        env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(tmp / "data"), "HF_HUB_OFFLINE": "1",
               "ASKCOUNCIL_COUNCILS_DIR": str(tmp / "councils"), "ASKCOUNCIL_COUNCIL": slug}
        crawl = subprocess.run([str(BIN), "crawl", "--no-progress"], env=env, text=True,
                               capture_output=True, timeout=600)
        assert crawl.returncode == 0, crawl.stderr
        for url in urls.values():
            assert f"Crawling {url} for council '{slug}' (the pages of its other sites are kept)" \
                in crawl.stdout
        yield Settings(_env_file=None, data_dir=tmp / "data", council=slug,
                       councils_dir=tmp / "councils"), env
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)


@pytest.fixture(scope="module")
def two_tier(tmp_path_factory) -> Iterator[tuple[Settings, dict[str, str], dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("two-tier")
    ports = {"district": free_port(), "county": free_port()}
    urls = {k: f"http://127.0.0.1:{p}/" for k, p in ports.items()}
    district, county = build_sample_two_tier(tmp / "sites", urls["district"], urls["county"])
    for settings, env in _world(tmp, "kestrel-district", TWO_TIER,
                                {"district": district, "county": county}, urls, ports):
        yield settings, urls, env


@pytest.fixture(scope="module")
def district_bot(two_tier, embedder) -> Iterator[Bot]:
    bot = build_bot(two_tier[0], with_store=False, embedder=embedder)
    yield bot
    bot.close()


def test_both_sites_are_indexed_and_a_crawl_of_one_keeps_the_other(two_tier) -> None:
    settings, urls, env = two_tier
    index = CouncilIndex(open_chroma(settings), settings.council)
    hosts = {u.split("/")[2] for u in index.page_versions()}
    assert hosts == {urls["district"].split("/")[2], urls["county"].split("/")[2]}
    county_pages = {u for u in index.page_versions() if u.startswith(urls["county"])}
    again = subprocess.run([str(BIN), "crawl", urls["district"], "--no-progress"], env=env,
                           text=True, capture_output=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "removed: 0" in again.stdout
    index = CouncilIndex(open_chroma(settings), settings.council)
    assert {u for u in index.page_versions() if u.startswith(urls["county"])} == county_pages
    # each site has its own site report for its editors
    reports = settings.data_dir / "reports" / settings.council
    assert {p.name for p in reports.iterdir()} == {"own", "county"}


def test_an_answer_from_the_county_s_page_says_the_county_runs_it(two_tier,
                                                                   district_bot) -> None:
    settings, urls, _env = two_tier
    reply = district_bot.chat("How do I apply for a secondary school place?")
    assert reply.status == "answered", reply.answer
    assert reply.answer.startswith("This service is run by Kestrelshire County Council, not "
                                   "by Kestrelford Borough Council.\n")
    assert reply.context.run_by is not None and reply.context.run_by.key == "county"
    assert all(c["url"].startswith(urls["county"]) for c in reply.citations)


def test_an_answer_from_the_council_s_own_page_names_nobody_else(district_bot) -> None:
    reply = district_bot.chat("How much does a bulky waste collection cost?")
    assert reply.status == "answered", reply.answer
    assert reply.context.run_by is None
    assert "This service is run by" not in reply.answer


def test_the_county_s_service_the_sites_do_not_answer_is_handed_to_the_county(
        district_bot) -> None:
    reply = district_bot.chat("There's a huge pothole on Mill Lane that nobody has fixed")
    assert reply.status == "no_answer", reply.answer
    assert "This service is run by Kestrelshire County Council, not by Kestrelford Borough " \
        "Council. You can contact Kestrelshire County Council on 01632 961000" in reply.answer
    assert reply.handoff is not None and reply.handoff["body"] == "Kestrelshire County Council"


@pytest.fixture(scope="module")
def unitary(tmp_path_factory, embedder) -> Iterator[Bot]:
    tmp = tmp_path_factory.mktemp("unitary")
    ports = {"north": free_port(), "south": free_port()}
    urls = {k: f"http://127.0.0.1:{p}/" for k, p in ports.items()}
    sites = build_predecessors(tmp / "sites")
    for settings, _env in _world(tmp, "kestrel-unitary", PREDECESSORS, sites, urls, ports):
        bot = build_bot(settings, with_store=False, embedder=embedder)
        yield bot
        bot.close()


def test_answers_that_differ_by_area_are_labelled_never_mixed(unitary) -> None:
    """The predecessors' garden waste pages are the same but for the price: both are shown,
    each labelled with its area and its site, never one price given to everyone."""
    reply = unitary.chat("How much does the garden waste bin cost a year?")
    assert reply.status == "answered", reply.answer
    lines = reply.answer.split("\n")
    north = [x for x in lines if x.startswith("For North Kestrelford (the former North "
                                               "Kestrelford Borough Council's website): ")]
    south = [x for x in lines if x.startswith("For South Kestrelford (the former South "
                                               "Kestrelford District Council's website): ")]
    assert len(north) == 1 and len(south) == 1, reply.answer
    assert "£49" in north[0] and "£58" not in north[0]
    assert "£58" in south[0] and "£49" not in south[0]
    assert all(x.startswith("For ") for x in lines), reply.answer  # nothing unlabelled


def test_each_area_s_version_of_the_same_page_is_shown_with_what_it_says_differently(
        unitary) -> None:
    reply = unitary.chat("What time do I need to put my bins out?")
    assert reply.status == "answered", reply.answer
    north = [x for x in reply.answer.split("\n") if x.startswith("For North Kestrelford")]
    south = [x for x in reply.answer.split("\n") if x.startswith("For South Kestrelford")]
    assert any("by 6:30am" in x for x in north) and not any("6:30am" in x for x in south)
    assert any("by 7am" in x for x in south) and not any("7am" in x for x in north)
