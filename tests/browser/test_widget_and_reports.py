"""The widget in real Chromium (Debian's /usr/bin/chromium): keyboard only, screen-reader
announcements, citation links, feedback, axe-core with zero violations, and the API down."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from tests.conftest import live_server

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def live_url(crawled, bot) -> Iterator[str]:
    with live_server(crawled[0], bot) as url:
        yield url


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()


def shadow_active(page) -> str:
    """Describe the focused element inside the widget's shadow root."""
    return page.evaluate("""() => {
        const host = document.getElementById('askcouncil-widget');
        const el = host && host.shadowRoot.activeElement;
        return el ? (el.className || el.tagName.toLowerCase()) : '';
    }""")


def test_keyboard_only_question_answer_and_axe(page, live_url) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(live_url + "/")
    launcher = page.locator("button.launcher")
    launcher.wait_for()
    for _ in range(15):  # Tab from the top of the page until the launcher has focus
        page.keyboard.press("Tab")
        if shadow_active(page) == "launcher":
            break
    assert shadow_active(page) == "launcher"
    assert launcher.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Ask Kestrelford Borough Council")
    dialog.wait_for()
    assert shadow_active(page) == "textarea"

    page.keyboard.type("How much does a garden waste subscription cost?")
    page.keyboard.press("Enter")
    answer = page.locator(".msg.a:not([aria-busy])").first
    answer.wait_for(timeout=20000)
    assert "£49 a year" in answer.inner_text()
    assert shadow_active(page) == "textarea"  # focus stays put: the answer is announced
    link = answer.locator("a[href*='bins-and-recycling/garden-waste.html#']")
    assert link.count() == 1
    assert link.first.inner_text().startswith("Garden waste collections")
    live = page.locator("[aria-live=polite]").first  # the window's own
    page.wait_for_function("""() => document.getElementById('askcouncil-widget')
        .shadowRoot.querySelector('[aria-live]').textContent.includes('£49')""")
    assert "£49" in live.inner_text()

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.keyboard.press("Tab")  # into the answer's links and feedback buttons, by keyboard
    yes = page.get_by_role("button", name="Yes")
    yes.focus()
    page.keyboard.press("Enter")
    page.get_by_text("Thank you for your feedback.").wait_for()

    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert shadow_active(page) == "launcher"  # focus back on the launcher


def test_unanswerable_shows_a_tel_link_and_hours(page, live_url) -> None:
    page.goto(live_url + "/")
    page.locator("button.launcher").click()
    page.locator("textarea").fill("How do I report a pothole on my road?")
    page.keyboard.press("Enter")
    card = page.locator(".handoff")
    card.wait_for(timeout=20000)
    tel = card.locator("a[href^='tel:']")
    shown = tel.inner_text()
    assert shown.startswith("01632 96")
    assert tel.get_attribute("href") == "tel:" + shown.replace(" ", "")
    assert "Opening hours" in card.inner_text()
    assert "now" in card.inner_text()  # "Open now until 6pm." or "Closed now; opens ..."


def test_api_failure_leaves_a_contact_link(page, live_url) -> None:
    page.route(re.compile(r"/api/chat"), lambda route: route.abort())  # stream and plain
    page.goto(live_url + "/")
    page.locator("button.launcher").click()
    page.locator("textarea").fill("When is my bin collected?")
    page.keyboard.press("Enter")
    contact = page.get_by_role("link", name="Contact the council")
    contact.wait_for(timeout=10000)
    assert contact.get_attribute("href").endswith("/contact-us/index.html")


def test_widget_never_breaks_the_host_page(page, live_url) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content(f"""<html lang="en"><head><title>Host</title>
        <style>button {{ display: none !important; }} * {{ color: red !important; }}</style>
        </head><body><main><h1>Council page</h1></main>
        <script>window.attachShadowBefore = Element.prototype.attachShadow;
        Element.prototype.attachShadow = function () {{ throw new Error('host broke it'); }};
        </script>
        <script src="{live_url}/widget.js" data-council="kestrelford"></script>
        <script>document.body.dataset.after = 'ran';</script></body></html>""")
    time.sleep(0.5)
    assert page.evaluate("document.body.dataset.after") == "ran"
    assert errors == []


def test_site_report_passes_axe(page, crawled, tmp_path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from crawler.report import build_site_report, write_site_report

    _settings, report = crawled
    path = write_site_report(build_site_report(report), tmp_path)
    page.goto(path.as_uri())
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_deflection_report_passes_axe(page, tmp_path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from analytics.deflection import Assumptions, ConversationFacts, report, to_html
    from askcouncil.council import load_council

    when = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    facts = [ConversationFacts(f"c{i}", when, "Waste and recycling", True, i % 3 == 0,
                               False, i % 2 == 0, i % 4 == 0) for i in range(12)]
    r = report(facts, load_council("kestrelford"), Assumptions(), when, when)
    path = tmp_path / "deflection.html"
    path.write_text(to_html(r), "utf-8")
    page.goto(path.as_uri())
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

