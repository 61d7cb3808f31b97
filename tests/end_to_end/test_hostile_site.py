"""A crawled page is untrusted input: whatever it claims, no link it controls may run script on
the council's site (the widget), on the bot's own pages (the dashboard, reports), or leave the
API. The attack (found by an outside test): a page whose
``<link rel="canonical" href="javascript://COUNCIL-HOST/%0aalert(document.domain)//">`` became
the address of every chunk of that page, so the widget rendered it as a "Sources" link."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from askcouncil.devsite import start_site_server
from askcouncil.urls import link_url, web_url
from tests.conftest import UNLIMITED, live_server

HOSTILE = "javascript://{host}/%0aalert(document.domain)//"


def _page(title: str, head: str = "", body: str = "") -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body><main><h1>{title}</h1>"
            f"<h2 id='fees'>Fees</h2>{body}<p>{title}: the permit costs £54 a year and lasts "
            "twelve months from the day it is issued.</p></main></body></html>")


@pytest.fixture
def hostile_site(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("")  # written below, once the address is known
    server, url = start_site_server(root)
    host = url.split("/")[2]
    pages = {
        # in <head>, javascript: on the council's own host
        "head.html": _page("Resident parking permits",
                           f'<link rel="canonical" href="{HOSTILE.format(host=host)}">'),
        # the same trick upper-cased and behind a tab, which browsers remove
        "tab.html": _page("Visitor parking permits",
                          f'<link rel="canonical" href=" JavaScript\t://{host}/%0aalert(1)//">'),
        # in <body> (a CMS comment or a form echo): never trusted, even an http(s) one
        "body.html": _page("Business parking permits",
                           body=f'<link rel="canonical" href="{url}elsewhere.html">'),
        # another host
        "away.html": _page("Carer parking permits",
                           '<link rel="canonical" href="https://attacker.example/page">'),
        # a sound canonical link: honoured
        "print.html": _page("Blue badge permits", f'<link rel="canonical" href="{url}badge.html">'),
    }
    links = "".join(f'<a href="/{name}">{name}</a> ' for name in [*pages, "badge.html"])
    pages["index.html"] = _page("Parking", body=f"<p>{links}</p>")
    pages["badge.html"] = _page("Blue badge permits")
    for name, html in pages.items():
        (root / name).write_text(html)
    yield url
    server.shutdown()


def test_a_crawled_page_cannot_rename_itself_to_script(hostile_site, embedder, tmp_path) -> None:
    from askcouncil.chroma import open_chroma
    from askcouncil.index import CouncilIndex
    from askcouncil.settings import Settings
    from crawler.crawl import CrawlOptions, crawl

    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    index = CouncilIndex(open_chroma(settings), "hostile")
    crawl(hostile_site, index, embedder, CrawlOptions.from_settings(
        settings, progress=False, delay_s=0.0))
    pages = {c.url for c in index.all_chunks()}
    assert pages, "nothing indexed"
    for page in pages:
        assert web_url(page) and page.startswith(hostile_site), page
    for own in ("head.html", "tab.html", "body.html", "away.html"):
        assert hostile_site + own in pages  # cited at the address it was fetched from
    assert hostile_site + "badge.html" in pages  # a sound canonical link still merges copies
    assert hostile_site + "print.html" not in pages


def test_the_api_never_sends_a_link_that_is_not_a_web_page() -> None:
    from bot.chat import only_safe_links

    citations = [
        {"n": 1, "url": "https://council.example/bins.html#when", "title": "Bins"},
        {"n": 2, "url": "javascript://council.example/%0aalert(1)//", "title": "Evil"},
        {"n": 3, "url": "data:text/html,<script>alert(1)</script>", "title": "Data"},
    ]
    handoff = {"label": "Waste", "phone": "01632 960101", "url": "javascript:alert(1)",
               "form_url": "https://council.example/form"}
    answer, kept, cleaned = only_safe_links("Bins go out on Monday. [1] Also [2] and [3]",
                                            citations, handoff)
    assert [c["n"] for c in kept] == [1]
    assert answer == "Bins go out on Monday. [1] Also and"
    assert cleaned is not None
    assert cleaned["url"] is None and cleaned["form_url"] == "https://council.example/form"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "java\nscript:alert(1)",
    "javascript://host/%0aalert(1)//", "data:text/html,x", "vbscript:msgbox", "//evil.example/x",
    "/relative/page", "http:///no-host", "", None, 42,
])
def test_unsafe_addresses_are_not_links(url) -> None:
    assert web_url(url) is None
    assert link_url(url) is None


def test_safe_addresses_stay_links() -> None:
    assert web_url("https://www.council.gov.uk/a?b=c#d") == "https://www.council.gov.uk/a?b=c#d"
    assert link_url("tel:01632960101") == "tel:01632960101"
    assert link_url("mailto:help@council.gov.uk") == "mailto:help@council.gov.uk"
    assert web_url("tel:01632960101") is None  # not as a citation or a handoff page


@pytest.mark.browser
def test_the_widget_renders_only_web_phone_and_email_links(crawled, bot, browser) -> None:
    """The API is the first line; the widget is the second, for an API it does not control
    (a proxy, an older bot, a cached reply)."""
    reply = {
        "conversation_id": "c" * 36, "message_id": "m" * 36, "status": "no_answer",
        "answer": "See [1] and [2].",
        "citations": [
            {"n": 1, "url": "javascript://h/%0aalert(document.domain)//", "title": "Evil page",
             "section": "Fees", "snippet": "x"},
            {"n": 2, "url": "https://council.example/fees.html#fees", "title": "Fees page",
             "section": "Fees", "snippet": "x"},
        ],
        "handoff": {"label": "Parking", "phone": "01632 960 101", "hours": None,
                    "url": "data:text/html,<script>alert(1)</script>",
                    "form_url": " javascript:alert(1)", "open_now": None, "availability": None,
                    "body": None},
    }
    with live_server(crawled[0], bot) as base:
        page = browser.new_page()
        try:
            page.route("**/api/chat/stream", lambda route: route.abort())
            page.route("**/api/chat", lambda route: route.fulfill(
                status=200, content_type="application/json", body=json.dumps(reply)))
            page.goto(base + "/")
            page.locator("button.launcher").click()
            page.get_by_role("textbox").fill("parking permit")
            page.keyboard.press("Enter")
            answer = page.locator(".msg.a:not([aria-busy])").first
            answer.wait_for(timeout=20000)
            hrefs = answer.evaluate("a => [...a.querySelectorAll('a')].map(x => "
                                    "x.getAttribute('href'))")
            text = answer.inner_text()
        finally:
            page.close()
    assert "Evil page" in text  # the source is still named, as text
    assert "https://council.example/fees.html#fees" in hrefs
    assert "tel:01632960101" in hrefs
    assert not [h for h in hrefs if h and not re.match(r"(https?|tel|mailto):", h)], hrefs


def test_the_dashboard_links_only_web_pages(crawled, bot, tmp_path) -> None:
    from analytics.db import make_engine, migrate
    from analytics.store import AnalyticsStore, TurnRecord
    from askcouncil.settings import Settings
    from bot.app import create_app
    from bot.chat import Bot
    from tests.bot.test_admin import HASH, sign_in

    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    migrate(engine)
    store = AnalyticsStore(engine)
    evil = "javascript://h/%0aalert(document.domain)//"
    store.record_turn(TurnRecord("m1", "conv-1", "kestrelford", "parking permit?", "See [1].",
                                 "answered", [{"n": 1, "url": evil, "title": "Evil",
                                               "section": "Fees", "snippet": ""}],
                                 None, [], 0.9, 10.0, {}))
    settings = Settings(data_dir=tmp_path, environment="production", admin_password_hash=HASH,
                        admin_session_secret="s" * 32, _env_file=None, **UNLIMITED)
    with TestClient(create_app(settings, Bot(settings, bot.services, store))) as client:
        assert sign_in(client).status_code == 303
        page = client.get("/admin/conversations/conv-1")
    assert page.status_code == 200
    assert "Evil" in page.text
    assert "javascript" not in page.text.lower()


def test_reports_link_only_web_pages(tmp_path) -> None:
    from analytics.render import render_from
    from askcouncil import urls

    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "x.html").write_text('<a href="{{ u | href }}">{{ u }}</a>')
    html = render_from(folder, "x.html", u="javascript:alert(1)")
    assert 'href=""' in html
    assert urls.href("https://a.example/") == "https://a.example/"

