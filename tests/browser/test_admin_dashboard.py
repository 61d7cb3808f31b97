"""The Monday-morning dashboard in real Chromium, as a customer-services manager and a
screen-reader user meet it: the overview (with data), the conversation browser (filtered and
searched with its form), a conversation, the erase confirmation and the site report each pass
axe-core (WCAG 2.2 A and AA, and axe's other rules) with no violations, and none scrolls sideways
at 320 px (WCAG 1.4.10 reflow). The data is tests/bot/test_admin_dashboard.py's ``seed``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.bot.test_admin import HASH, PASSWORD
from tests.bot.test_admin_dashboard import at, dashboard_bot, record, seed
from tests.conftest import UNLIMITED, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from bot.chat import Bot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dash_bot(crawled, embedder, tmp_path_factory) -> Iterator[Bot]:
    bot = dashboard_bot(crawled, embedder, tmp_path_factory.mktemp("dashboard-browser"))
    seed(bot.store)
    yield bot
    bot.close()


@pytest.fixture(scope="module")
def base(crawled, dash_bot) -> Iterator[str]:
    """The dashboard on a free loopback port, with the crawl's site report in place."""
    from askcouncil.settings import Settings
    from crawler.report import build_site_report, write_site_report

    settings = Settings(data_dir=crawled[0].data_dir, _env_file=None, environment="production",
                        admin_password_hash=HASH, admin_session_secret="b" * 32, **UNLIMITED)
    folder = settings.data_dir / "reports" / settings.council
    had = folder.exists()
    write_site_report(build_site_report(crawled[1]), folder)
    try:
        with live_server(settings, dash_bot) as url:
            yield url
    finally:
        if not had:
            shutil.rmtree(folder)


@pytest.fixture
def page(browser, base) -> Iterator[Page]:
    """A signed-in page, as the manager signs in."""
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(base + "/admin/login")
    pg.get_by_label("Password").fill(PASSWORD)
    pg.get_by_role("button", name="Sign in").click()
    pg.wait_for_url(base + "/admin")
    yield pg
    context.close()


def check(page: Page) -> None:
    """axe-core finds nothing (WCAG 2.2 A/AA, then every rule it has), and at 320 px wide the
    page does not scroll sideways."""
    from axe_playwright_python.sync_playwright import Axe

    from eval.accessibility import WCAG_22_AA

    for options in (WCAG_22_AA, None):
        results = Axe().run(page, options=options)
        assert results.violations_count == 0, f"{page.url}: {results.generate_report()}"
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        wide = page.evaluate("[document.documentElement.scrollWidth, "
                             "document.documentElement.clientWidth]")
        over = page.evaluate("""[...document.querySelectorAll('body *')].filter(
            e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)
            .slice(0, 8)""")
        assert wide[0] <= wide[1], f"{page.url} scrolls sideways at 320 px: {wide}: {over}"
    finally:
        page.set_viewport_size(size)


def test_the_overview_with_data(page, base) -> None:
    page.goto(base + "/admin?days=7")
    # a screen-reader user hears the trend in words, and can read every figure in the table
    chart = page.get_by_role("img", name=re.compile(r"^Questions a day from"))
    name = chart.get_attribute("aria-labelledby")
    summary = page.locator(f"#{name}").text_content()
    assert "16 questions in 5 conversations, 10 answered and 6 declined" in summary
    table = page.get_by_role("table", name="Questions and conversations a day (UTC days)")
    assert table.get_by_role("row").count() == 8  # a header and 7 days
    assert page.get_by_role("table", name="Most asked questions").get_by_role(
        "row").nth(1).inner_text().startswith("council tax discount for students")
    check(page)
    # the manager narrows it to one service with the form
    page.get_by_label("Service").select_option("Waste and recycling")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"service=Waste\+and\+recycling"))
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Overview: the last 7 days, Waste and recycling"
    assert "3 questions in 2 conversations" in page.locator("#trend-title").text_content()
    check(page)


def test_a_bad_filter_says_what_to_change(page, base) -> None:
    page.goto(base + "/admin?from=2026-02-30")
    assert page.get_by_role("heading", level=1).inner_text() == "Check the filters"
    assert "YYYY-MM-DD" in page.locator("main").inner_text()
    check(page)


def test_conversations_filtered_and_searched_then_one_opened(page, base) -> None:
    page.goto(base + "/admin/conversations")
    page.get_by_label("Days to show").fill("7")
    page.get_by_label("Words in questions or answers").fill("garden")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"q=garden"))
    table = page.get_by_role("table", name="Conversations, page 1")
    assert table.get_by_role("row").count() == 4  # a header, two residents and the script
    assert "(automated)" in table.inner_text()
    assert page.get_by_role("link", name=re.compile("Download these conversations")) \
        .get_attribute("href") == "/admin/export/conversations.csv?days=7&q=garden"
    check(page)
    table.get_by_role("link", name="How much is a garden waste bin?", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/conversations/conv-bins-1$"))
    main = page.locator("main").inner_text()
    assert "mobile browser" in main and "tel:[phone]" in main
    assert page.get_by_role("table", name="Phone numbers, forms and links the resident "
                                          "clicked").get_by_role("row").count() == 2
    check(page)


def test_erasing_asks_for_confirmation(page, base, dash_bot) -> None:
    dash_bot.store.record_turn(record("b-erase", "conv-browser-erase", "delete me please",
                                      at(0, 1)))
    page.goto(base + "/admin/conversations/conv-browser-erase")
    page.get_by_role("button", name="Erase conversation").click()  # without ticking
    alert = page.get_by_role("alert")
    assert "I confirm" in alert.inner_text()
    check(page)
    page.get_by_label("I confirm this conversation should be erased for good").check()
    page.get_by_role("button", name="Erase conversation").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Conversation erased"
    assert dash_bot.store.conversation_detail("conv-browser-erase") is None
    check(page)


def test_the_site_report(page, base) -> None:
    page.goto(base + "/admin")
    page.get_by_role("navigation", name="Dashboard").get_by_role("link",
                                                                 name="Site report").click()
    page.wait_for_url(base + "/admin/site-report")
    assert page.get_by_role("heading", level=1).inner_text() == "Site report"
    assert page.get_by_role("table", name="What the crawl found").is_visible()
    styled = page.evaluate("getComputedStyle(document.querySelector('.site-report table'))"
                           ".width") != "auto"
    assert styled
    check(page)
