"""The widget on a council page of another origin, in real Chromium: every example configuration
of widget/README.md in every state under axe-core's WCAG 2.2 A/AA rules, a strict
Content-Security-Policy, a hostile stylesheet, reflow at 320 px and 400% zoom, session storage
across pages, streaming, feedback, CORS, and unit tests of the widget's own logic. Screenshots go
to $ASKCOUNCIL_ARTIFACTS/screenshots (CI keeps them)."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO, UNLIMITED, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

pytestmark = pytest.mark.browser

STRICT_CSP = ("default-src 'none'; script-src {bot}; style-src 'self' {bot}; connect-src {bot}; "
              "img-src 'self'; base-uri 'none'; form-action 'none'")
WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                    "wcag22aa"]}}
# The same with axe's best-practice rules too (heading order among them).
WITH_BEST_PRACTICE = {"runOnly": {"type": "tag", "values": [
    *WCAG_22_AA["runOnly"]["values"], "best-practice"]}}
README = (REPO / "widget" / "README.md").read_text("utf-8")
# The example configurations documented in widget/README.md (the tests use the same tags).
EXAMPLES = dict(re.findall(r"<!-- example: (\S+) -->\n```html\n(<script [^`]+?></script>)\n```",
                           README))
ARTIFACTS = Path(os.environ.get("ASKCOUNCIL_ARTIFACTS", "artifacts")) / "screenshots"


class CouncilSite:
    """The council's website: another loopback origin than the bot, serving pages with a strict
    Content-Security-Policy (Chromium blocks a non-loopback page from loading loopback URLs,
    so both sides are on 127.0.0.1, on different ports)."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        site = self
        self.files: dict[str, tuple[str, str]] = {}  # path -> (content type, body)
        self.csp = ""

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                ctype, body = site.files.get(self.path, site.files.get("*", ("text/plain", "")))
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                if ctype.startswith("text/html"):
                    self.send_header("Content-Security-Policy", site.csp)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def council_site() -> Iterator[CouncilSite]:
    site = CouncilSite()
    yield site
    site.server.shutdown()


@pytest.fixture(scope="module")
def bot_url(crawled, bot, council_site) -> Iterator[str]:
    """The bot, allowing the council's origin (and only it) to call it from a browser."""

    from askcouncil.settings import Settings

    settings = Settings(data_dir=crawled[0].data_dir, environment="test", _env_file=None,
                        cors_origins=[council_site.origin], **UNLIMITED)
    with live_server(settings, bot) as url:
        council_site.csp = STRICT_CSP.format(bot=url)
        yield url


def host_page(bot_url: str, tag: str, *, lang: str = "en", extra_head: str = "",
              host: str = "", extra_body: str = "", fallback: bool = True) -> str:
    tag = tag.replace("https://BOT", bot_url)
    contact = (f'<p data-askcouncil-fallback><a href="{host}/contact-us">Contact the council</a>'
               "</p>" if fallback else "")
    return f"""<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Council page</title>{extra_head}</head>
<body><header><p>Kestrelford Borough Council</p></header>
<main><h1>Bins and recycling</h1><p>Find out about bin collections.</p>
{contact}
<p><a href="{host}/other-page">Another page</a></p></main>
{extra_body}{tag}</body></html>"""


def open_site(browser: Browser, site: CouncilSite, bot_url: str, tag: str, *, lang: str = "en",
              extra_head: str = "", viewport: ViewportSize | None = None, extra_body: str = "",
              fallback: bool = True, before: Callable[[Page], None] | None = None,
              ) -> tuple[BrowserContext, Page, list[str]]:
    """A browser tab on the council's site (served with a strict CSP) with the widget tag.
    `before` runs on the new tab before the page loads (routes, browser settings)."""
    site.files["*"] = ("text/html; charset=utf-8", host_page(
        bot_url, tag, lang=lang, extra_head=extra_head, host=site.origin,
        extra_body=extra_body, fallback=fallback))
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800})
    page = context.new_page()
    if before:
        before(page)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    page.goto(f"{site.origin}/bins")
    page.locator("button.launcher").wait_for()
    return context, page, violations


def ask(page, question: str) -> None:
    """Ask, and wait until this question's answer is complete (not just the previous one)."""
    done = page.locator(".msg.a:not([aria-busy])")
    before = done.count()
    page.locator("textarea").fill(question)
    page.keyboard.press("Enter")
    done.nth(before).wait_for(timeout=20000)


def axe_clean(page, name: str, options: dict | None = None) -> None:
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), caret="initial")  # no injected style
    results = Axe().run(page, options=options or WCAG_22_AA)
    # (axe's own report cannot print a target inside a shadow root: it is a list of selectors)
    found = [(v["id"], [n["html"][:120] for n in v["nodes"]])
             for v in results.response["violations"]]
    assert not found, f"{name}: {found}"


def test_readme_examples_are_the_tested_configurations() -> None:
    assert set(EXAMPLES) >= {"default", "welsh", "custom"}
    for tag in EXAMPLES.values():
        for attr in re.findall(r"(data-[a-z-]+)=", tag):
            assert f"`{attr}`" in README


@pytest.mark.parametrize("example", ["default", "welsh", "custom"])
def test_every_state_passes_axe_under_a_strict_csp(browser, council_site, bot_url, example) -> None:
    lang = "cy" if example == "welsh" else "en"
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES[example], lang=lang)
    try:
        assert page.locator("[data-askcouncil-fallback]").is_hidden()  # JS on: not needed
        axe_clean(page, f"{example}-closed")
        page.locator("button.launcher").click()
        axe_clean(page, f"{example}-open")
        ask(page, "How much does a garden waste subscription cost?")
        assert "£49" in page.locator(".msg.a").last.inner_text()
        axe_clean(page, f"{example}-answer", WITH_BEST_PRACTICE)
        ask(page, "How do I report a pothole on my road?")
        assert page.locator(".handoff a[href^='tel:']").last.is_visible(), \
            page.locator(".msg.a").last.inner_text()
        axe_clean(page, f"{example}-handoff", WITH_BEST_PRACTICE)
        page.route(re.compile(r"/api/chat"), lambda route: route.abort())
        ask(page, "When is my bin collected?")
        contact = page.locator(".msg.a").last.locator("a[href*='example.gov.uk']")
        assert contact.count() == 1, page.locator(".msg.a").last.inner_text()
        axe_clean(page, f"{example}-api-down")
        # contrast of controls against the page (1.4.11): the launcher and send button
        brand = page.evaluate("""() => getComputedStyle(document.getElementById(
            'askcouncil-widget').shadowRoot.querySelector('.send')).backgroundColor""")
        rgb = [int(x) for x in re.findall(r"\d+", brand)[:3]]
        assert page.evaluate("([rgb]) => AskCouncilWidget.contrast(rgb, [255, 255, 255])",
                             [rgb]) >= 4.5
        # target size: every button at least 44 x 44 CSS px (past 2.5.8's 24, as the README says)
        sizes = page.evaluate("""() => [...document.getElementById('askcouncil-widget')
            .shadowRoot.querySelectorAll('button')].filter(b => b.offsetParent)
            .map(b => [b.getBoundingClientRect().width, b.getBoundingClientRect().height])""")
        assert sizes and all(w >= 44 and h >= 44 for w, h in sizes), sizes
    finally:
        context.close()


def test_a_strict_csp_host_page_reports_no_violation(browser, council_site, bot_url) -> None:
    """Everything the widget does, with nothing else injected (screenshots and axe inject
    styles of their own, so they are left to the test above)."""
    context, page, violations = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.locator("button.launcher").click()
        ask(page, "How much does a garden waste subscription cost?")
        page.locator(".fb").last.get_by_role("button", name="No").click()
        page.get_by_role("button", name="It was hard to understand").click()
        ask(page, "How do I report a pothole on my road?")
        page.get_by_role("button", name="Start again").click()
        page.keyboard.press("Escape")
        launcher = page.locator("button.launcher")
        assert launcher.evaluate("b => getComputedStyle(b).position") == "fixed"  # styled
        assert violations == [], "\n".join(violations)
    finally:
        context.close()


def test_welsh_strings_follow_the_page_language(browser, council_site, bot_url) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"], lang="cy")
    try:
        assert page.locator("button.launcher").inner_text() == "Gofyn cwestiwn"
        page.locator("button.launcher").click()
        assert page.get_by_role("button", name="Dechrau eto").is_visible()
        assert page.locator("label").inner_text() == "Eich cwestiwn"
    finally:
        context.close()


def test_every_reply_is_marked_with_its_own_language(browser, council_site, bot_url) -> None:
    """WCAG 3.1.2: in the Welsh widget an English reply is marked en, and a Welsh question's
    reply (the no-answer line, the line's name, hours and open-now) is Welsh and marked cy;
    in the English widget a Welsh answer is marked cy. Every text node's nearest lang is
    checked against the reply's (inherited through the shadow root, as lang is)."""
    nearest = """el => { const out = [];
        const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) { const n = walk.currentNode; if (!n.textContent.trim()) continue;
            let e = n.parentElement;  // up through the shadow root to its host, as lang is
            while (e && !e.hasAttribute('lang')) e = e.parentElement || e.getRootNode().host;
            out.push([n.textContent.trim(), e ? e.lang : '']); }
        return out; }"""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"], lang="cy")
    try:
        page.locator("button.launcher").click()
        ask(page, "When is the next full council meeting?")
        english = page.locator(".msg.a").last
        assert english.locator(".text").get_attribute("lang") == "en"
        assert "couldn't find" in english.locator(".text").inner_text()
        # the resident's own English words in the Welsh widget are marked en too; the label
        # the widget adds ("Gofynnoch chi") stays Welsh
        asked = dict(page.locator(".msg.q").last.evaluate(nearest))
        assert asked["When is the next full council meeting?"] == "en", asked
        assert asked["Gofynnoch chi:"] == "cy", asked
        ask(page, "Pryd mae cyfarfod nesaf y cyngor llawn?")
        welsh = page.locator(".msg.a").last
        text = welsh.locator(".text").inner_text()
        assert text.startswith("Ni allwn ddod o hyd i ateb"), text
        marked = dict(welsh.locator(".handoff").evaluate(nearest))
        assert marked["Ymholiadau cyffredinol"] == "cy"
        assert all(lang == "cy" for words, lang in marked.items()
                   if words.startswith(("Dydd", "Ar gau", "Ar agor"))), marked
        assert all(lang == "cy" for _w, lang in welsh.evaluate(nearest))  # every word of it
    finally:
        context.close()
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.locator("button.launcher").click()
        ask(page, "Faint mae tanysgrifiad gwastraff gardd yn ei gostio?")
        answer = page.locator(".msg.a").last.locator(".text")
        assert answer.get_attribute("lang") == "cy"
        assert page.locator(".msg.q").last.get_attribute("lang") == "cy"
    finally:
        context.close()


def test_a_long_story_is_answered_and_a_too_long_one_is_explained(browser, council_site,
                                                                   bot_url) -> None:
    """A pasted story is not cut off: up to 10,000 characters it is sent and answered, and shown
    back folded (its start, the whole on request) so the answer is in view, not thousands of
    pixels below; past that the widget says how long it is, marks the box invalid and keeps
    the text, in English and in Welsh."""
    story = ("We moved to Kestrelford in the spring and the garden is far bigger than our old one. "
             * 60) + "How much does the garden waste subscription cost each year?"
    assert 4000 < len(story) < 10_000
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.locator("button.launcher").click()
        ask(page, story)
        answer = page.locator(".msg.a").last
        assert "£49" in answer.inner_text()
        folded = page.locator(".msg.q details")
        assert folded.count() == 1 and not folded.evaluate("d => d.open")
        box = answer.bounding_box()
        assert box and 0 <= box["y"] < 800, box  # the answer is on the screen
        folded.locator("summary").click()
        assert story in folded.inner_text()  # the whole story, on request
        page.locator("textarea").fill("x" * 12_345)
        page.keyboard.press("Enter")
        hint = page.locator("#ac-hint")
        assert hint.is_visible()
        assert "12,345 characters" in hint.inner_text() and "10,000" in hint.inner_text()
        assert page.locator("textarea").get_attribute("aria-describedby") == "ac-hint"
        assert page.locator("textarea").get_attribute("aria-invalid") == "true"
        assert len(page.locator("textarea").input_value()) == 12_345  # nothing thrown away
        assert page.locator(".msg.a").count() == 1  # and nothing sent
    finally:
        context.close()
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"], lang="cy")
    try:
        page.locator("button.launcher").click()
        page.locator("textarea").fill("x" * 10_001)
        page.keyboard.press("Enter")
        assert "10,001 nod" in page.locator("#ac-hint").inner_text()
    finally:
        context.close()


def test_hostile_host_styles_cannot_break_it(browser, council_site, bot_url) -> None:
    hostile = f'<link rel="stylesheet" href="{council_site.origin}/hostile.css">'
    council_site.files["/hostile.css"] = (
        "text/css", "* { all: unset !important; color: red !important; "
        "font-size: 6px !important; } button { display: none !important; } "
        "div { position: static !important; width: 10px !important; }")
    context, page, violations = open_site(browser, council_site, bot_url, EXAMPLES["default"],
                                          extra_head=hostile)
    try:
        launcher = page.locator("button.launcher")
        launcher.wait_for()
        box = launcher.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44
        assert launcher.evaluate("b => getComputedStyle(b).color") == "rgb(255, 255, 255)"
        launcher.click()
        ask(page, "How much does a garden waste subscription cost?")
        assert "£49" in page.locator(".msg.a").last.inner_text()
        assert violations == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [
    {"width": 320, "height": 256},  # 1280 x 1024 at 400% zoom (WCAG 1.4.10)
    {"width": 640, "height": 400},  # 200% zoom (1.4.4)
    {"width": 320, "height": 640},  # a small phone
])
def test_reflow_without_two_dimensional_scrolling(browser, council_site, bot_url,
                                                  viewport) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"],
                                 viewport=viewport)
    try:
        page.locator("button.launcher").click()
        ask(page, "How do I report a missed bin?")
        dims = page.evaluate("""() => {
            const root = document.getElementById('askcouncil-widget').shadowRoot;
            const panel = root.querySelector('.panel');
            const r = panel.getBoundingClientRect();
            return {pageW: document.documentElement.scrollWidth, panelScrollW: panel.scrollWidth,
                    panelClientW: panel.clientWidth, left: r.left, right: r.right};
        }""")
        assert dims["pageW"] <= viewport["width"], dims
        assert dims["panelScrollW"] <= dims["panelClientW"], dims  # nothing wider than it
        assert dims["left"] >= 0 and dims["right"] <= viewport["width"], dims
        for selector in ("textarea", "button.send", "button.close", ".msg.a a"):
            control = page.locator(selector).first
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], selector
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"reflow-{viewport['width']}x{viewport['height']}.png"
        page.screenshot(path=str(shot), caret="initial")
    finally:
        context.close()


# WCAG 1.4.12's spacing, applied inside the widget (as a resident's spacing extension that
# reaches shadow roots would): the widget's resets keep the host page's letter-spacing out, so a
# resident's spacing is tested where it lands.
TEXT_SPACING = ("* { line-height: 1.5 !important; letter-spacing: 0.12em !important; "
                "word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }")
CLIPPED = """() => {
    const root = document.getElementById('askcouncil-widget').shadowRoot;
    const out = [];
    for (const el of root.querySelectorAll('*')) {
        if (!el.getClientRects().length || !el.textContent.trim()) continue;
        const cs = getComputedStyle(el);
        // text for screen readers only ("You asked:") is clipped to a pixel on purpose
        if (el.clientWidth <= 1 || cs.clipPath !== 'none' || cs.clip !== 'auto') continue;
        const clips = v => v === 'hidden' || v === 'clip';
        if ((clips(cs.overflowX) && el.scrollWidth > el.clientWidth + 1)
            || (clips(cs.overflowY) && el.scrollHeight > el.clientHeight + 1))
            out.push(el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 40));
    }
    const panel = root.querySelector('.panel');
    if (panel.scrollWidth > panel.clientWidth + 1) out.push('panel scrolls sideways');
    return out;
}"""


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 320, "height": 640}])
def test_text_spacing_loses_no_content(browser, council_site, bot_url, viewport) -> None:
    """1.4.12: with the criterion's line, paragraph, letter and word spacing, no text in the
    window is clipped and nothing scrolls sideways, at desktop size and on a phone, with an
    answer, its sources and the feedback buttons shown."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"],
                                 viewport=viewport)
    try:
        page.evaluate("""(css) => {
            // a constructed sheet: the host page's strict CSP refuses an inline <style>
            const root = document.getElementById('askcouncil-widget').shadowRoot;
            const sheet = new CSSStyleSheet();
            sheet.replaceSync(css);
            root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
        }""", TEXT_SPACING)
        page.locator("button.launcher").click()
        ask(page, "How do I report a missed bin?")
        ask(page, "When is the next full council meeting on the moon?")  # the contact card
        spaced = page.evaluate(f"getComputedStyle({ROOT}.querySelector('.msg.a p')).letterSpacing")
        assert spaced != "normal" and float(spaced.rstrip("px")) > 1, spaced
        assert page.evaluate(CLIPPED) == []
        for selector in ("button.launcher", "button.send", "button.close", "textarea"):
            if page.locator(selector).first.is_visible():
                box = page.locator(selector).first.bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    finally:
        context.close()


NAMES_AND_LABELS = """() => {
    const root = document.getElementById('askcouncil-widget').shadowRoot;
    return [...root.querySelectorAll('button, a[href], textarea')]
        .filter(el => el.getClientRects().length)
        .map(el => {
            const by = el.getAttribute('aria-labelledby');
            const label = el.id && root.querySelector(`label[for="${el.id}"]`);
            const name = el.getAttribute('aria-label')
                || (by && by.split(' ').map(id => root.getElementById(id).textContent).join(' '))
                || (label && label.textContent) || el.textContent;
            return {tag: el.tagName, visible: (label ? label.innerText : el.innerText).trim(),
                    name: name.replace(/\\s+/g, ' ').trim()};
        });
}"""


def test_every_controls_name_holds_the_words_it_shows(browser, council_site, bot_url) -> None:
    """2.5.3 Label in Name: a resident using voice control says what they see. Every visible
    button, link and the question box, with an answer, its sources, feedback and a contact card
    shown, has an accessible name that holds its visible words (a symbol such as the close
    button's "×" has no words to hold)."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.locator("button.launcher").click()
        ask(page, "How do I report a missed bin?")
        ask(page, "When is the next full council meeting on the moon?")
        controls = page.evaluate(NAMES_AND_LABELS)
        assert len(controls) >= 8, controls
        for c in controls:
            words = re.sub(r"[^\w\s]", " ", c["visible"].lower()).split()
            name = re.sub(r"[^\w\s]", " ", c["name"].lower())
            assert all(w in name.split() for w in words), c
    finally:
        context.close()


def test_conversation_survives_a_link_to_another_page_and_start_again(browser, council_site,
                                                                      bot_url) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.locator("button.launcher").click()
        ask(page, "How do I apply for a Blue Badge?")
        page.goto(f"{council_site.origin}/other-page")  # the resident follows a link
        panel = page.get_by_role("dialog")
        panel.wait_for()
        assert "How do I apply for a Blue Badge?" in panel.inner_text()
        ask(page, "and how long does it take?")  # the follow-up keeps its conversation
        assert "12 weeks" in page.locator(".msg.a").last.inner_text()
        page.get_by_role("button", name="Start again").click()
        assert page.locator(".msg.q").count() == 0
        page.reload()
        page.locator("button.launcher").wait_for(state="attached")
        assert page.locator(".msg.q").count() == 0
    finally:
        context.close()


def test_streamed_answer_and_feedback_with_the_sampled_survey(browser, council_site, bot_url,
                                                              bot) -> None:
    tag = EXAMPLES["default"].replace("<script ", '<script data-survey-rate="1" ')
    context, page, _ = open_site(browser, council_site, bot_url, tag)
    try:
        streamed = []
        page.on("request", lambda r: streamed.append(r.url) if "/api/chat" in r.url else None)
        page.locator("button.launcher").click()
        ask(page, "How much does a garden waste subscription cost?")
        assert any(u.endswith("/api/chat/stream") for u in streamed)
        assert not any(u.endswith("/api/chat") for u in streamed)
        page.evaluate(RECORD_LIVE)
        page.get_by_role("button", name="Yes").click()
        survey = page.get_by_role("group", name=re.compile("phoned us"))
        survey.wait_for()
        assert page.evaluate(FOCUSED)["text"] == "Yes"  # the survey's question is read with it
        # the thanks for "Yes" is already on the page: wait for the survey's own answer to land
        # (not the "Yes" request's response, which a loaded machine may deliver late)
        with page.expect_response(lambda r: r.url.endswith("/api/feedback") and
                                  "would_have_phoned" in (r.request.post_data or "")):
            survey.get_by_role("button", name="No").click()
        bot.writer.flush()
        rows = [f for f in bot.store.feedback() if f.would_have_phoned is not None]
        assert rows and rows[-1].helpful is True and rows[-1].would_have_phoned is False
        # the thanks is heard once: through focus after the survey, not announced before it
        page.wait_for_timeout(300)
        assert "Thank you" in page.evaluate(FOCUSED)["text"]
        assert not [t for t in said(page) if "Thank you" in t], said(page)
        ask(page, "How do I report a missed bin?")
        page.locator(".fb").last.get_by_role("button", name="No").click()
        with page.expect_response(re.compile(r"/api/feedback$")):
            page.get_by_role("button", name="It was hard to understand").click()
        bot.writer.flush()
        assert bot.store.feedback()[-1].reason == "It was hard to understand"
        # using a handoff is reported (it means the conversation was not contained)
        ask(page, "How do I report a pothole on my road?")
        with page.expect_request(re.compile(r"/api/event$")) as sent:
            page.locator(".handoff a[data-kind=phone]").last.click()
        body = json.loads(sent.value.post_data or "{}")
        assert body["kind"] == "phone" and body["target"].startswith("tel:")
        page.wait_for_timeout(300)
        bot.writer.flush()
        assert bot.store.events()[-1].kind == "phone"
    finally:
        context.close()


def test_cors_only_for_the_councils_origin(council_site, bot_url) -> None:
    import httpx

    ok = httpx.options(f"{bot_url}/api/chat", headers={
        "Origin": council_site.origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert ok.headers.get("access-control-allow-origin") == council_site.origin
    other = httpx.options(f"{bot_url}/api/chat", headers={
        "Origin": "http://evil.test", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in other.headers
    plain = httpx.post(f"{bot_url}/api/chat", json={"message": "bin day?"},
                       headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in plain.headers


def test_widget_logic_units(browser, council_site, bot_url) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        result = page.evaluate("""() => {
            const W = window.AskCouncilWidget;
            const events = [];
            const feed = W.sseParser((name, data) => events.push([name, data]));
            const stream = 'event: status\\ndata: {"step": "retrieve"}\\n\\nevent: answer' +
                           '\\ndata: {"text": "A Blue"}\\n\\nevent: answer\\ndata: ' +
                           '{"text": " Badge"}\\n\\nevent: done\\ndata: {"answer": ' +
                           '"A Blue Badge"}\\n\\n';
            for (let i = 0; i < stream.length; i += 7) feed(stream.slice(i, i + 7));
            const warned = [];
            const warn = console.warn; console.warn = (m) => warned.push(m);
            const yellow = W.brandColour('#ffdd00'), custom = W.brandColour('#5a1e6e');
            console.warn = warn;
            return {
                events,
                brand: W.contrast(W.parseColour('#1d4f44'), [255, 255, 255]),
                black: W.contrast([0, 0, 0], [255, 255, 255]),
                short: W.parseColour('#fff'), bad: W.parseColour('red'),
                yellow, custom, warned: warned.length,
                cy: W.pickLanguage(undefined, 'cy-GB'), fr: W.pickLanguage('fr', 'en'),
                en: W.pickLanguage(undefined, ''),
                keys: [Object.keys(W.strings.en).sort(), Object.keys(W.strings.cy).sort()],
                reasons: [W.strings.en.reasons.length, W.strings.cy.reasons.length],
                spoken: [W.spoken('Bins go out on Monday. [1] Late bins are not taken. [2]'),
                         W.spoken("Ffoniwch 01632 960101 neu ddefnyddio'r ffurflen ar-lein: " +
                                  'https://example.gov.uk/bins/report-a-missed-bin.html.')],
            };
        }""")
        assert result["events"] == [["status", {"step": "retrieve"}],
                                    ["answer", {"text": "A Blue"}],
                                    ["answer", {"text": " Badge"}],
                                    ["done", {"answer": "A Blue Badge"}]]
        assert result["brand"] >= 4.5 and abs(result["black"] - 21) < 0.01
        assert result["short"] == [255, 255, 255] and result["bad"] is None
        assert result["yellow"] == "#1d4f44" and result["warned"] == 1  # too pale: default
        assert result["custom"] == "#5a1e6e"
        assert (result["cy"], result["fr"], result["en"]) == ("cy", "en", "en")
        assert result["keys"][0] == result["keys"][1]  # every string has a Welsh version
        assert result["reasons"] == [4, 4]
        # announcements read no source markers and no web addresses
        assert result["spoken"] == ["Bins go out on Monday. Late bins are not taken.",
                                    "Ffoniwch 01632 960101 neu ddefnyddio'r ffurflen ar-lein."]
    finally:
        context.close()


def test_widget_is_small(bot_url) -> None:
    import gzip

    import httpx

    js = httpx.get(f"{bot_url}/widget.js").content
    css = httpx.get(f"{bot_url}/widget.css").content
    size = len(gzip.compress(js)) + len(gzip.compress(css))
    assert size < 30 * 1024, size
    assert b"eval(" not in js and b"new Function" not in js and b"innerHTML" not in js


def test_focus_is_visible_never_trapped_and_announcements_are_new_only(
        browser, council_site, bot_url) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"],
                                 viewport={"width": 800, "height": 600})
    try:
        page.locator("button.launcher").focus()
        page.keyboard.press("Enter")
        ask(page, "How much does a garden waste subscription cost?")
        ask(page, "How do I report a missed bin?")
        live = page.locator("[aria-live=polite]").first  # the window's own
        page.wait_for_function("""() => document.getElementById('askcouncil-widget').shadowRoot
            .querySelector('[aria-live]').textContent.includes('missed')""")
        assert "£49" not in live.inner_text()  # the new answer only, not the history
        # Focus stays in the question box when an answer comes: walk from the top of the window.
        page.get_by_role("button", name="Start again").focus()
        # Tab through everything: each focused control shows a 3px outline inside the
        # viewport (2.4.7, 2.4.11), and focus leaves the widget in the end (no trap, 2.1.2).
        seen, left = 0, False
        for _ in range(40):
            page.keyboard.press("Tab")
            state = page.evaluate("""() => {
                const root = document.getElementById('askcouncil-widget').shadowRoot;
                const el = root.activeElement;
                if (!el) return null;
                el.scrollIntoView({block: 'nearest'});
                const s = getComputedStyle(el), r = el.getBoundingClientRect();
                return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                        inView: r.bottom > 0 && r.top < innerHeight && r.right > 0
                                && r.left < innerWidth};
            }""")
            if state is None:
                left = True
                break
            seen += 1
            assert state["outline"] == "solid" and state["width"] >= 3, state
            assert state["inView"], state
        assert seen >= 6 and left
    finally:
        context.close()


def test_forced_colours_and_reduced_motion(browser, council_site, bot_url) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.emulate_media(forced_colors="active", reduced_motion="reduce")
        launcher = page.locator("button.launcher")
        assert launcher.evaluate("b => getComputedStyle(b).borderTopStyle") == "solid"
        launcher.click()
        ask(page, "How do I report a missed bin?")
        assert page.locator(".send").evaluate("b => getComputedStyle(b).borderTopStyle") == \
            "solid"
        assert page.locator(".msg.a").last.evaluate(
            "e => getComputedStyle(e).transitionDuration") in ("0s", "")
    finally:
        context.close()


# ---- The accessibility audit of issue 17: each test below failed on the widget before its fix ----

PHONE: ViewportSize = {"width": 320, "height": 640}
ROOT = "document.getElementById('askcouncil-widget').shadowRoot"
# The deepest focused element (through the widget's shadow root), and whether it can be seen:
# the topmost element at the centre of its visible part is it (or inside it), not something
# drawn over it (WCAG 2.4.11). null when nothing is focused.
FOCUSED = """() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const host = document.getElementById('askcouncil-widget');
    const r = el.getBoundingClientRect();
    const left = Math.max(r.left, 0), right = Math.min(r.right, innerWidth);
    const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
    let hit = null;
    if (right > left && bottom > top) {
        const x = (left + right) / 2, y = (top + bottom) / 2;
        hit = document.elementFromPoint(x, y);
        while (hit && hit.shadowRoot) {
            const inner = hit.shadowRoot.elementFromPoint(x, y);
            if (!inner || inner === hit) break;
            hit = inner;
        }
    }
    const text = (el.value || el.textContent || '').trim();
    return {what: el.tagName.toLowerCase() + '.' + (el.className || '') + ' ' + text.slice(0, 40),
            text: text, cls: el.className || '', inWidget: el.getRootNode() === host.shadowRoot,
            shown: !!hit && (hit === el || el.contains(hit))};
}"""
# A busy council page: a sticky header and a side column of links, and a cookie banner over
# everything else (the highest z-index there is) with buttons of its own.
BUSY_CSS = (".sticky { position: sticky; top: 0; z-index: 10; background: #fff; } "
            ".cookies { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483647; "
            "background: #fff; border-top: 2px solid #000; padding: 8px; } "
            "main { min-height: 1500px; }")
BUSY_BODY = ('<div class="sticky"><a href="/">Home</a> <a href="/search">Search</a></div>'
             '<aside><a href="/bins">Bins</a> <a href="/tax">Council Tax</a></aside>'
             '<div class="cookies"><p>We use cookies.</p><button type="button">Accept</button> '
             '<button type="button">Reject</button></div>')
# Records every change of the widget's live region, as a screen reader would hear it.
RECORD_LIVE = """() => {
    const live = ROOT.querySelector('[aria-live]');
    window.liveLog = [];
    new MutationObserver(() => window.liveLog.push(live.textContent)).observe(
        live, {childList: true, characterData: true, subtree: true});
}""".replace("ROOT", ROOT)
LIVE_EMPTY = f"() => {ROOT}.querySelector('[aria-live]').textContent === ''"
PLAIN_TAG = '<script src="https://BOT/widget.js" data-council="kestrelford" defer></script>'


def said(page: Page) -> list[str]:
    return [t for t in page.evaluate("window.liveLog") if t.strip()]


def hold_chat(page: Page) -> list:
    """Hold every chat request until the test lets it go (route.continue_())."""
    held: list = []
    page.route(re.compile(r"/api/chat"), lambda route: held.append(route))
    return held


def wait_held(page: Page, held: list, n: int = 1) -> None:
    for _ in range(100):
        if len(held) >= n:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{n} chat request(s) expected, {len(held)} made")


def tab_walk(page: Page, presses: int) -> Iterator[dict]:
    """What each Tab press focuses (presses that leave the page skipped), each checked not to be
    covered (2.4.11)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUSED)
        if state is not None:
            assert state["shown"], f"{state['what']} is focused but covered"
            yield state


def busy_page(browser: Browser, council_site: CouncilSite, bot_url: str
              ) -> tuple[BrowserContext, Page, list[str]]:
    council_site.files["/busy.css"] = ("text/css", BUSY_CSS)
    return open_site(browser, council_site, bot_url, EXAMPLES["default"], viewport=PHONE,
                     extra_head=f'<link rel="stylesheet" href="{council_site.origin}/busy.css">',
                     extra_body=BUSY_BODY)


def test_full_screen_window_is_modal_and_nothing_focused_is_hidden(browser, council_site,
                                                                    bot_url) -> None:
    """2.4.11 at 320 x 640 (a phone, or 400% zoom): the window fills the screen, so Tab must
    stay in it (the host's header links and the cookie banner's buttons are behind it), nothing
    focused may be covered (the banner has the highest z-index), and Escape closes it from
    anywhere, with focus back on the launcher."""
    context, page, _ = busy_page(browser, council_site, bot_url)
    try:
        page.locator("button.launcher").focus()
        page.keyboard.press("Enter")
        ask(page, "How do I report a pothole on my road?")  # links, a handoff card, buttons
        seen = set()
        for state in tab_walk(page, 30):
            assert state["inWidget"], f"focus went behind the window to {state['what']}"
            seen.add(state["what"])
        assert len(seen) >= 6, seen
        page.keyboard.press("Escape")
        assert page.get_by_role("dialog").is_hidden()
        assert page.evaluate(FOCUSED)["cls"] == "launcher"
        # Escape works wherever focus is: here after a click on plain text in the window
        page.keyboard.press("Enter")
        page.get_by_role("dialog").locator("p").first.click()
        page.keyboard.press("Escape")
        assert page.get_by_role("dialog").is_hidden()
        assert page.evaluate(FOCUSED)["cls"] == "launcher"
    finally:
        context.close()


def test_full_screen_window_reopens_as_the_launcher_on_the_next_page(browser, council_site,
                                                                      bot_url) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"],
                                 viewport=PHONE)
    try:
        page.locator("button.launcher").click()
        ask(page, "How do I apply for a Blue Badge?")
        page.goto(f"{council_site.origin}/other-page")
        page.wait_for_function(f"() => !{ROOT}.querySelector('.ac').hidden")  # styles loaded
        launcher = page.locator("button.launcher")
        assert launcher.is_visible() and page.get_by_role("dialog").is_hidden()
        launcher.click()  # the conversation is still there when the resident opens it
        assert "Blue Badge" in page.get_by_role("dialog").inner_text()
    finally:
        context.close()


# A council page on a desktop with a right-hand column of links running the height of the
# window, most of them where the open window sits (bottom right).
SIDE_CSS = (".side { position: fixed; right: 0; top: 0; bottom: 0; width: 30em; "
            "display: flex; flex-direction: column; justify-content: space-between; "
            "background: #f3f2f1; } main { margin-right: 31em; }")
SIDE_BODY = ('<nav class="side" aria-label="Related">'
             + "".join(f'<a href="/related-{n}">Related service {n}</a>' for n in range(12))
             + "</nav>")


def test_desktop_window_gets_out_of_the_way_of_focus_on_the_page(browser, council_site,
                                                                 bot_url) -> None:
    """2.4.11 beside the launcher: the window is not modal, so Tab leaves it for the page. A
    link of the page's right-hand column that the window covers is never focused unseen: the
    window closes to its launcher (the conversation kept) and focus stays on the link. A link
    the window does not cover leaves it open. Escape pressed on the page closes it too, leaving
    focus where it is."""
    council_site.files["/side.css"] = ("text/css", SIDE_CSS)
    context, page, _ = open_site(
        browser, council_site, bot_url, EXAMPLES["default"],
        extra_head=f'<link rel="stylesheet" href="{council_site.origin}/side.css">',
        extra_body=SIDE_BODY)
    try:
        page.locator("button.launcher").click()
        ask(page, "How do I report a pothole on my road?")
        dialog = page.get_by_role("dialog")
        covered = page.evaluate("""() => {
            const w = ROOT.querySelector('dialog').getBoundingClientRect();
            return [...document.querySelectorAll('.side a')].filter(a => {
                const r = a.getBoundingClientRect(), x = r.left + r.width / 2,
                      y = r.top + r.height / 2;
                return x >= w.left && x <= w.right && y >= w.top && y <= w.bottom;
            }).map(a => a.textContent);
        }""".replace("ROOT", ROOT))
        assert len(covered) >= 6, covered  # the page is as busy as it means to be
        open_on_page = closed_by = None
        for state in tab_walk(page, 80):
            if not state["inWidget"] and dialog.is_visible():
                open_on_page = state["text"]  # an uncovered link: the window stays
            if not state["inWidget"] and state["text"] in covered and closed_by is None:
                closed_by = state["text"]
                assert dialog.is_hidden() and page.locator("button.launcher").is_visible()
                break
        assert open_on_page and open_on_page not in covered, open_on_page
        assert closed_by, "Tab never reached a link under the window"
        page.locator("button.launcher").click()  # the conversation is still there
        assert "pothole" in dialog.inner_text().lower()
        # Escape on the page: the window closes and focus stays on the page's link
        page.locator(".side a").first.focus()
        assert dialog.is_visible()
        page.keyboard.press("Escape")
        assert dialog.is_hidden()
        assert page.evaluate("document.activeElement.textContent") == "Related service 0"
    finally:
        context.close()


def test_each_status_is_announced_once_and_the_live_region_is_cleared(browser, council_site,
                                                                      bot_url) -> None:
    """4.1.3: the empty-question error is announced; an answer is heard once (not through focus
    and the live region both); feedback thanks once; and the region empties after use."""
    tag = EXAMPLES["default"].replace("<script ", '<script data-survey-rate="0" ')
    context, page, _ = open_site(browser, council_site, bot_url, tag)
    try:
        page.locator("button.launcher").click()
        page.evaluate(RECORD_LIVE)
        page.keyboard.press("Enter")  # nothing typed
        page.wait_for_function("() => window.liveLog.includes('Type a question first.')",
                               timeout=5000)
        assert page.locator("textarea").get_attribute("aria-invalid") == "true"
        ask(page, "How much does a garden waste subscription cost?")
        assert page.locator("textarea").get_attribute("aria-invalid") is None  # sent: valid
        page.wait_for_function("() => window.liveLog.some(t => t.includes('£49'))")
        page.wait_for_function(LIVE_EMPTY, timeout=15000)  # cleared after use
        focused = page.evaluate(FOCUSED)
        heard = [t for t in said(page) if "£49" in t]
        assert len(heard) + ("£49" in focused["text"]) == 1, (heard, focused)
        # at most once: an answer that lands within the announcement's 50 ms delay replaces it
        # (seen in CI), and a resident hears the answer instead, which is what matters
        assert said(page).count("Finding an answer…") <= 1, said(page)
        page.evaluate("() => { window.liveLog = []; }")
        page.locator(".fb").last.get_by_role("button", name="Yes").click()
        page.get_by_text("Thank you for your feedback.").wait_for()
        page.wait_for_timeout(300)
        page.wait_for_function(LIVE_EMPTY, timeout=15000)
        focused = page.evaluate(FOCUSED)
        heard = [t for t in said(page) if "Thank you" in t]
        assert len(heard) + ("Thank you" in focused["text"]) == 1, (heard, focused)
    finally:
        context.close()


def test_an_answer_that_lands_after_the_window_closed_is_announced(browser, council_site,
                                                                 bot_url) -> None:
    """4.1.3: a resident who closes the window while "Finding an answer…" still hears the
    answer (the window's own live region is not rendered while it is closed), the launcher says
    an answer is waiting until it is opened, and the answer is there when it is."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        held = hold_chat(page)
        page.evaluate("""() => { window.heard = [];
            for (const region of ROOT.querySelectorAll('[aria-live]'))
                new MutationObserver(() => region.textContent.trim() &&
                    window.heard.push([region.closest('dialog') ? 'window' : 'launcher',
                                       region.textContent])).observe(
                    region, {childList: true, characterData: true, subtree: true}); }"""
                      .replace("ROOT", ROOT))
        page.locator("button.launcher").click()
        page.locator("textarea").fill("How much does a garden waste subscription cost?")
        page.keyboard.press("Enter")
        wait_held(page, held)
        page.keyboard.press("Escape")
        assert page.get_by_role("dialog").is_hidden()
        held[0].continue_()
        page.wait_for_function("() => window.heard.some(([where, t]) => t.includes('£49'))",
                               timeout=20000)
        heard = [where for where, text in page.evaluate("window.heard") if "£49" in text]
        assert heard == ["launcher"], page.evaluate("window.heard")
        assert "[1]" not in " ".join(t for _w, t in page.evaluate("window.heard"))
        launcher = page.locator("button.launcher")
        assert launcher.inner_text() == "Ask a question (new answer)"
        launcher.click()
        assert "£49" in page.locator(".msg.a").last.inner_text()
        page.keyboard.press("Escape")
        assert launcher.inner_text() == "Ask a question"
    finally:
        context.close()


@pytest.mark.parametrize("fallback", [True, False])
def test_api_failure_never_ends_on_a_colon(browser, council_site, bot_url, fallback) -> None:
    """The default tag has no data-contact-url: the page's own fallback link is offered, and
    without one the message still ends in a full sentence."""
    def failing(page: Page) -> None:
        page.route(re.compile(r"/api/chat"), lambda route: route.fulfill(
            status=500, content_type="application/json", body='{"error": "internal"}'))

    context, page, _ = open_site(browser, council_site, bot_url, PLAIN_TAG, fallback=fallback,
                                 before=failing)
    try:
        page.locator("button.launcher").click()
        ask(page, "When is my bin collected?")
        reply = page.locator(".msg.a").last
        text = reply.inner_text().strip()
        assert not text.endswith(":"), text
        if fallback:
            link = reply.locator(f"a[href='{council_site.origin}/contact-us']")
            assert link.count() == 1, text
            assert link.inner_text() == "Contact the council"
    finally:
        context.close()


def test_busy_widget_ignores_enter_and_keeps_the_residents_typing(browser, council_site,
                                                                  bot_url) -> None:
    """3.3.7 and 2.1.1: Enter while an answer is on its way sends nothing (the follow-up then
    goes with its conversation); the answer landing does not take focus from the question box
    mid-word; a question that failed is still in the box."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        sent: list[dict] = []
        page.on("request", lambda r: sent.append(r.post_data_json)
                if "/api/chat" in r.url and r.method == "POST" else None)
        page.locator("button.launcher").click()
        box = page.locator("textarea")
        held = hold_chat(page)
        box.fill("How do I apply for a Blue Badge?")
        box.press("Enter")
        wait_held(page, held)
        page.keyboard.type("and how long")  # the resident starts the follow-up
        page.keyboard.press("Enter")  # ... and presses Enter before the answer is in
        page.wait_for_timeout(300)
        assert len(held) == 1, "a second question was sent while the first was answered"
        held[0].continue_()
        page.unroute(re.compile(r"/api/chat"))
        page.locator(".msg.a:not([aria-busy])").first.wait_for(timeout=20000)
        page.keyboard.type(" does it take?")  # still typing in the box
        assert box.input_value() == "and how long does it take?"
        page.keyboard.press("Enter")
        page.locator(".msg.a:not([aria-busy])").nth(1).wait_for(timeout=20000)
        assert "12 weeks" in page.locator(".msg.a").last.inner_text()
        # focus no longer carries the window to the answer: it is scrolled there instead
        assert page.locator(".msg.q").last.evaluate("""q => {
            const log = q.closest('.log').getBoundingClientRect(), r = q.getBoundingClientRect();
            return r.top >= log.top && r.bottom <= log.bottom; }""")
        assert len(sent) == 2 and sent[1]["conversation_id"], sent  # the same conversation
        page.route(re.compile(r"/api/chat"), lambda route: route.fulfill(status=500, body="{}"))
        ask(page, "When is my bin collected?")
        assert box.input_value() == "When is my bin collected?"  # kept to try again
    finally:
        context.close()


@pytest.mark.parametrize("effect", ["filter: grayscale(1)", "transform: translateX(0)",
                                    "zoom: 1.5"])
def test_host_effects_cannot_move_cover_or_restyle_it(browser, council_site, bot_url,
                                                      effect) -> None:
    """Mourning mode (a grey body), a body transform or a text-size toolbar's CSS zoom must not
    carry the launcher off with the page or push the window past the screen's edges; a consent
    banner at the highest z-index must not cover it; the host's text-transform and
    letter-spacing must not reach the answers."""
    council_site.files["/mourning.css"] = ("text/css", (
        f"body {{ {effect}; text-transform: uppercase; letter-spacing: 4px; }} "
        "main { min-height: 3000px; } "
        "div, p, span { text-transform: uppercase !important; letter-spacing: 4px !important; "
        "font-style: italic !important; } "
        ".consent { position: fixed; left: 0; right: 0; bottom: 0; height: 200px; "
        "z-index: 2147483647; background: #fff; }"))
    context, page, _ = open_site(
        browser, council_site, bot_url, EXAMPLES["default"],
        extra_head=f'<link rel="stylesheet" href="{council_site.origin}/mourning.css">',
        extra_body='<div class="consent"><p>We use cookies.</p></div>')
    topmost = """([x, y]) => { const hit = document.elementFromPoint(x, y);
                                return hit ? hit.id || hit.className : null; }"""
    try:
        page.evaluate("() => window.scrollTo(0, 2000)")
        launcher = page.locator("button.launcher")
        box = launcher.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 800, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
        centre = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
        assert page.evaluate(topmost, centre) == "askcouncil-widget"
        launcher.click()
        ask(page, "How much does a garden waste subscription cost?")
        style = page.locator(".msg.a .text").last.evaluate(
            "e => { const s = getComputedStyle(e); return [s.textTransform, s.letterSpacing, "
            "s.fontStyle]; }")
        assert style == ["none", "normal", "normal"], style
        field = page.locator("textarea").bounding_box()
        assert field
        centre = [field["x"] + field["width"] / 2, field["y"] + field["height"] / 2]
        assert page.evaluate(topmost, centre) == "askcouncil-widget"
        # the whole window on the screen, its close button within reach (2.4.11, 2.5.8)
        for part in (page.get_by_role("dialog"), page.locator("button.close")):
            r = part.bounding_box()
            assert r and r["y"] >= 0 and r["y"] + r["height"] <= 800, (part, r)
            assert r["x"] >= 0 and r["x"] + r["width"] <= 1280, (part, r)
    finally:
        context.close()


def test_waiting_is_shown_and_the_send_button_looks_busy(browser, council_site, bot_url) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.locator("button.launcher").click()
        send = page.locator("button.send")
        idle = send.evaluate("b => getComputedStyle(b).backgroundColor")
        held = hold_chat(page)
        page.locator("textarea").fill("How do I apply for a Blue Badge?")
        page.keyboard.press("Enter")
        wait_held(page, held)
        waiting = page.locator(".msg.a").last.get_by_text("Finding an answer…")
        assert waiting.is_visible()
        assert send.get_attribute("aria-disabled") == "true"
        assert send.evaluate("b => getComputedStyle(b).backgroundColor") != idle
        held[0].continue_()
        page.unroute(re.compile(r"/api/chat"))
        page.locator(".msg.a:not([aria-busy])").first.wait_for(timeout=20000)
        assert waiting.count() == 0 and send.get_attribute("aria-disabled") != "true"
        assert send.evaluate("b => getComputedStyle(b).backgroundColor") == idle
    finally:
        context.close()


@pytest.mark.parametrize(("example", "lang", "words"), [
    ("default", "en", ["automated service", "council's website", "personal details"]),
    ("custom", "en", ["Ask about bins", "automated service", "personal details"]),
    ("welsh", "cy", ["Gwasanaeth awtomataidd", "wefan y cyngor", "manylion personol"]),
])
def test_greeting_says_it_is_automated_and_asks_for_no_personal_details(
        browser, council_site, bot_url, example, lang, words) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES[example], lang=lang)
    try:
        page.locator("button.launcher").click()
        greeting = page.locator(".log").inner_text()
        assert all(w in greeting for w in words), greeting
    finally:
        context.close()


def test_phone_numbers_in_answers_are_tap_to_call_links(browser, council_site, bot_url) -> None:
    reply = {"conversation_id": "c1", "conversation_token": "t" * 43, "message_id": "m1",
             "message_token": "t" * 43, "status": "answered", "citations": [], "handoff": None,
             "answer": "Call 01632 960 000 (Monday to Friday) or +44 1632 960001. Your "
                       "reference is 12345678 and the fee is £49.\nOut of hours: 0800 123 4567."}

    def answering(page: Page) -> None:
        page.route(re.compile(r"/api/chat$"), lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(reply)))

    tag = EXAMPLES["default"].replace("<script ", '<script data-stream="false" ')
    context, page, _ = open_site(browser, council_site, bot_url, tag, before=answering)
    try:
        page.locator("button.launcher").click()
        ask(page, "What is the number?")
        text = page.locator(".msg.a .text").last
        links = text.locator("a[href^='tel:']")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == \
            ["tel:01632960000", "tel:+441632960001", "tel:08001234567"]
        assert links.first.inner_text() == "01632 960 000"
        assert text.inner_text() == reply["answer"]  # the words are unchanged
    finally:
        context.close()


def test_too_many_requests_says_to_wait_and_keeps_the_question(browser, council_site,
                                                               bot_url) -> None:
    def limited(page: Page) -> None:
        page.route(re.compile(r"/api/chat"), lambda route: route.fulfill(
            status=429, content_type="application/json", headers={"Retry-After": "30"},
            body='{"error": "rate_limited", "message": "Too many requests"}'))

    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"],
                                 before=limited)
    try:
        page.locator("button.launcher").click()
        ask(page, "When is my bin collected?")
        text = page.locator(".msg.a").last.inner_text()
        assert "wait" in text and "try again" in text, text
        assert "not working" not in text, text
        assert page.locator("textarea").input_value() == "When is my bin collected?"
    finally:
        context.close()


def test_text_follows_the_residents_font_size_and_links_are_big_enough(
        browser, council_site, bot_url) -> None:
    """1.4.4: a resident who sets their browser's text to 24 px gets 24 px text in the widget;
    2.5.8: every link outside the answer's sentences is at least 24 x 24 CSS px."""
    def large_text(page: Page) -> None:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})

    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"],
                                 before=large_text)
    try:
        assert page.evaluate("() => getComputedStyle(document.body).fontSize") == "24px"
        launcher = page.locator("button.launcher")
        assert launcher.evaluate("b => getComputedStyle(b).fontSize") == "24px"
        launcher.click()
        ask(page, "How do I report a pothole on my road?")
        assert page.locator(".msg.a .text").last.evaluate(
            "e => getComputedStyle(e).fontSize") == "24px"
    finally:
        context.close()
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.locator("button.launcher").click()
        ask(page, "How much does a garden waste subscription cost?")
        ask(page, "How do I report a pothole on my road?")
        sizes = page.evaluate("""() => [...ROOT.querySelectorAll('a')]
            .filter(a => a.offsetParent && !a.closest('.text'))
            .map(a => [a.textContent, a.getBoundingClientRect().width,
                       a.getBoundingClientRect().height])""".replace("ROOT", ROOT))
        assert len(sizes) >= 3, sizes
        assert all(w >= 24 and h >= 24 for _, w, h in sizes), sizes
    finally:
        context.close()


# ---- Issue 17b: each test below failed on the widget before its fix ----


def test_an_answer_with_a_list_is_a_real_list_with_its_sources_linked(browser, council_site,
                                                                     bot_url) -> None:
    """1.3.1: the answer's parts are shown as they are (a list as <ul><li>, not "- " lines) once
    the streamed text is complete, and each source number is a link named "Source n" to that
    numbered source below the answer; following it moves focus there."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.locator("button.launcher").click()
        ask(page, "What can I put in my recycling bin?")
        answer = page.locator(".msg.a").last.locator(".text")
        items = answer.locator("ul > li")
        assert items.count() >= 3, answer.inner_text()
        assert "cardboard, flattened" in items.all_inner_texts()
        words = answer.inner_text()
        assert not re.search(r"^- |\[\d+\]", words, flags=re.M), words
        assert answer.get_attribute("lang") == "en"
        cites = answer.get_by_role("link", name=re.compile(r"^Source \d+$"))
        assert cites.count() >= 2, words
        for i in range(cites.count()):
            target = cites.nth(i).get_attribute("href") or ""
            assert target.startswith("#"), target
            source = page.locator(f".msg.a ol.sources > li[id='{target[1:]}']")
            assert source.count() == 1, target
            assert source.get_attribute("value") == cites.nth(i).inner_text().split()[-1]
        first = cites.first.get_attribute("href") or ""
        cites.first.click()
        assert page.evaluate(FOCUSED)["text"] == page.locator(
            f"li[id='{first[1:]}'] a").inner_text()
        assert "#" not in page.url  # the host page's address is left alone
    finally:
        context.close()


@pytest.mark.parametrize("first", ["answer", "handoff"])
def test_headings_never_skip_a_level_and_best_practice_rules_pass(browser, council_site, bot_url,
                                                                  first) -> None:
    """Whichever reply comes first, an answer with sources or a contact card, the headings in
    it are one level below the window's heading (h2 then h3), and axe's best-practice rules
    (heading-order among them) pass with the WCAG ones."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    questions = {"answer": "What can I put in my recycling bin?",
                 "handoff": "How do I report a pothole on my road?"}
    try:
        page.locator("button.launcher").click()
        ask(page, questions[first])
        levels = page.evaluate(f"""() => [...{ROOT}.querySelectorAll('h1, h2, h3, h4, h5, h6')]
            .map(h => Number(h.tagName[1]))""")
        assert levels[0] == 2 and all(
            levels[i + 1] - levels[i] <= 1 for i in range(len(levels) - 1)), levels
        assert page.locator(".msg.a").last.locator(".handoff" if first == "handoff"
                                                   else "ol.sources").count() == 1
        axe_clean(page, f"best-practice-{first}", WITH_BEST_PRACTICE)
        ask(page, questions["answer" if first == "handoff" else "handoff"])
        axe_clean(page, f"best-practice-{first}-then-other", WITH_BEST_PRACTICE)
    finally:
        context.close()


def test_in_forced_colours_questions_and_answers_differ_by_more_than_colour(
        browser, council_site, bot_url) -> None:
    """1.4.1 and 1.3.1 in forced-colours (high contrast) mode, where the backgrounds that set the
    resident's messages apart are replaced: the "You asked:" and "Answer:" labels are shown and
    the resident's message has a border the answer does not."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        page.emulate_media(forced_colors="active")
        page.locator("button.launcher").click()
        ask(page, "How much does a garden waste subscription cost?")
        for selector, words in ((".msg.q", "You asked:"), (".msg.a", "Answer:")):
            label = page.locator(selector).last.locator(".who")
            box = label.bounding_box()
            assert box and box["width"] > 40 and box["height"] > 10, (selector, box)
            assert label.inner_text().strip() == words
        border = "e => { const s = getComputedStyle(e); return s.borderTopStyle + ' ' + " \
                 "s.borderTopWidth; }"
        question = page.locator(".msg.q").last.evaluate(border)
        answer = page.locator(".msg.a").last.evaluate(border)
        assert question.startswith("solid") and question != answer, (question, answer)
    finally:
        context.close()


@pytest.mark.parametrize("contact", ["contact-url", "fallback-link", "none", "handoff"])
def test_an_answer_that_did_not_help_ends_with_where_to_speak_to_someone(
        browser, council_site, bot_url, contact) -> None:
    """"No", then "I need to speak to someone", is not answered with only a thank-you: the
    reply's contact line when it has one, else the tag's contact page, else the page's own
    fallback link, else a sentence saying to use the website's contact details. Focus moves to
    it, so it is read out; the thanks is announced."""
    reply = {"conversation_id": "c1", "conversation_token": "t" * 43, "message_id": "m1",
             "message_token": "t" * 43, "status": "answered", "lang": "en", "citations": [],
             "answer": "A subscription costs £49 a year.",
             "parts": [{"kind": "text", "text": "A subscription costs £49 a year.", "cites": []}],
             "handoff": {"label": "Waste and recycling", "phone": "01632 960101",
                         "url": "https://www.example.gov.uk/bins", "hours": None,
                         "form_url": None, "open_now": None, "availability": None,
                         "body": None}}

    def answering(page: Page) -> None:
        if contact == "handoff":
            page.route(re.compile(r"/api/chat"), lambda route: route.fulfill(
                status=200, content_type="application/json", body=json.dumps(reply)))

    tag = {"contact-url": EXAMPLES["default"], "handoff": EXAMPLES["custom"]}.get(
        contact, PLAIN_TAG).replace("<script ", '<script data-stream="false" ')
    context, page, _ = open_site(browser, council_site, bot_url, tag, before=answering,
                                 fallback=contact != "none")
    try:
        page.locator("button.launcher").click()
        ask(page, "How much does a garden waste subscription cost?")
        feedback = page.locator(".fb").last
        feedback.get_by_role("button", name="No").click()
        page.evaluate(RECORD_LIVE)
        feedback.get_by_role("button", name="I need to speak to someone").click()
        feedback.get_by_text("Thank you for your feedback.").wait_for()
        page.wait_for_function("() => window.liveLog.includes('Thank you for your feedback.')",
                               timeout=5000)
        text = feedback.inner_text()
        focused = page.evaluate(FOCUSED)
        if contact == "handoff":
            assert feedback.locator("a[href='tel:01632960101']").count() == 1, text
            assert "Waste and recycling" in focused["text"], focused
        elif contact == "none":
            assert "contact details on this website" in focused["text"], (text, focused)
        else:
            href = ("https://www.example.gov.uk/contact-us" if contact == "contact-url"
                    else f"{council_site.origin}/contact-us")
            link = feedback.get_by_role("link", name="Contact the council")
            assert link.get_attribute("href") == href, text
            assert focused["text"] == "Contact the council", focused
    finally:
        context.close()


@pytest.mark.parametrize(("example", "lang", "name"), [
    ("default", "en", "Go to the {label} web page"),
    ("welsh", "cy", "Mynd i dudalen we {label}"),
])
def test_the_contact_cards_web_page_link_says_which_page(browser, council_site, bot_url,
                                                         example, lang, name) -> None:
    """2.4.4: the card's web page link is named after its line, not only "Go to the web page"."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES[example], lang=lang)
    try:
        page.locator("button.launcher").click()
        ask(page, "How do I report a pothole on my road?")
        card = page.locator(".msg.a").last.locator(".handoff")
        label = card.locator(":is(h3, h4) span").inner_text()
        assert label, card.inner_text()
        link = card.locator("a[data-kind=page]")
        assert link.count() == 1, card.inner_text()
        expected = name.format(label=label)
        assert card.get_by_role("link", name=expected, exact=True).count() == 1, \
            link.inner_text()
    finally:
        context.close()


def test_numbered_lists_and_tables_are_shown_as_such_with_phone_links(browser, council_site,
                                                                       bot_url) -> None:
    """1.3.1 for the other kinds of part: a numbered list is an <ol>, a table a <table> whose
    first row is column headings, and a phone number inside a part is still tap-to-call."""
    reply = {"conversation_id": "c1", "conversation_token": "t" * 43, "message_id": "m1",
             "message_token": "t" * 43, "status": "answered", "lang": "en", "handoff": None,
             "citations": [{"n": 1, "url": "https://www.example.gov.uk/tax", "title": "Council Tax",
                            "section": "Bands", "snippet": ""}],
             "answer": "To pay:\n1. Call 01632 960 000\n2. Give your reference\n"
                       "Band | Amount\nA | £1,000 [1]",
             "parts": [{"kind": "text", "text": "To pay:", "cites": []},
                       {"kind": "list", "ordered": True, "cites": [],
                        "items": ["Call 01632 960 000", "Give your reference"]},
                       {"kind": "table", "rows": [["Band", "Amount"], ["A", "£1,000"]],
                        "cites": [1]}]}

    def answering(page: Page) -> None:
        page.route(re.compile(r"/api/chat"), lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(reply)))

    tag = EXAMPLES["default"].replace("<script ", '<script data-stream="false" ')
    context, page, _ = open_site(browser, council_site, bot_url, tag, before=answering)
    try:
        page.locator("button.launcher").click()
        ask(page, "How do I pay my Council Tax?")
        answer = page.locator(".msg.a").last.locator(".text")
        assert answer.locator("ol > li").all_inner_texts() == ["Call 01632 960 000",
                                                               "Give your reference"]
        assert answer.locator("ol > li a[href='tel:01632960000']").count() == 1
        assert answer.locator("table th[scope=col]").all_inner_texts() == ["Band", "Amount"]
        assert answer.locator("table td").all_inner_texts() == ["A", "£1,000"]
        cite = answer.get_by_role("link", name="Source 1", exact=True)
        target = cite.get_attribute("href") or ""
        assert page.locator(f"ol.sources > li[id='{target[1:]}']").count() == 1
    finally:
        context.close()



@pytest.mark.parametrize(("example", "lang", "question", "sentence"), [
    ("default", "en", "How do I report a pothole on my road?", "You can contact"),
    ("default", "cy", "Pryd mae cyfarfod nesaf y cyngor llawn?", "Gallwch gysylltu"),
])
def test_the_contact_line_is_shown_once_and_announced_once(browser, council_site, bot_url,
                                                           example, lang, question,
                                                           sentence) -> None:
    """A no-answer reply ends with the contact line as a sentence, and the card under it holds
    the same line: the card is where it is shown (name, number, hours), the sentence is not
    repeated above it, and the announcement reads the whole reply, the sentence once."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES[example], lang=lang)
    try:
        page.locator("button.launcher").click()
        page.evaluate(RECORD_LIVE)
        ask(page, question)
        reply = page.locator(".msg.a").last
        card = reply.locator(".handoff")
        number = card.locator("a[href^='tel:']").inner_text()
        text = reply.locator(".text").inner_text()
        assert text.strip() and sentence not in text and number not in text, text
        assert reply.inner_text().count(number) == 1, reply.inner_text()
        page.wait_for_function(f"() => window.liveLog.some(t => t.includes({sentence!r}))")
        heard = [t for t in said(page) if sentence in t]
        assert len(heard) == 1 and heard[0].count(number) == 1, heard
    finally:
        context.close()


# ---- The conversation reference, and the browser's previous conversation -------------------------

STATE = """() => JSON.parse(Object.entries(sessionStorage)
    .find(([k]) => k.startsWith('askcouncil:'))[1])"""
LAST = """() => Object.entries(localStorage).filter(([k]) => k.startsWith('askcouncil:last:'))
    .map(([k, v]) => [k, JSON.parse(v)])"""


@pytest.mark.parametrize(("example", "lang", "words"), [
    ("default", "en", ["Your conversation reference is:", "delete this conversation",
                       "quote this reference"]),
    ("welsh", "cy", ["Cyfeirnod eich sgwrs yw:", "ddileu'r sgwrs hon", "rhowch y cyfeirnod"]),
])
def test_the_conversation_reference_is_shown_on_request_and_is_the_conversation_id(
        browser, council_site, bot_url, example, lang, words) -> None:
    """A resident who wants their conversation deleted or sent finds the reference with the
    keyboard alone, reads it out in groups of four, and the council gets back exactly the
    conversation_id from it (the dashboard erases by it)."""
    import uuid

    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES[example], lang=lang)
    try:
        strings = page.evaluate(f"() => AskCouncilWidget.strings.{lang}")
        page.locator("button.launcher").focus()
        page.keyboard.press("Enter")
        greeting = page.locator(".log").inner_text()
        assert strings["privacy"] in greeting  # how to ask for erasure, before anything is typed
        button = page.get_by_role("button", name=strings["reference"])
        box = page.locator("#ac-ref")
        assert button.get_attribute("aria-expanded") == "false" and box.is_hidden()
        button.focus()
        page.keyboard.press("Enter")  # the keyboard alone
        assert button.get_attribute("aria-expanded") == "true"
        assert box.inner_text() == strings["referenceNone"]
        axe_clean(page, f"{example}-reference-none", WITH_BEST_PRACTICE)
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "false" and box.is_hidden()

        ask(page, "How much does a garden waste subscription cost?")
        conversation_id = page.evaluate(STATE)["id"]
        button.focus()
        page.keyboard.press("Space")
        shown = box.locator(".ref-id").inner_text()
        assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){7}", shown), shown
        assert str(uuid.UUID(shown.replace(" ", ""))) == conversation_id  # lossless
        text = box.inner_text()
        assert all(w in text for w in words), text
        # where to ask: the contact page
        assert box.locator("a[href*='contact'], a[href*='cysylltu']").count() == 1
        # it is the reply's own id, as the API gave it
        assert page.evaluate("(id) => AskCouncilWidget.referenceOf(id)", conversation_id) == shown
        axe_clean(page, f"{example}-reference", WITH_BEST_PRACTICE)
        # focus stays on the button, and it is seen (2.4.7) and big enough (2.5.8)
        assert page.evaluate(FOCUSED)["text"] == strings["reference"]
        size = button.bounding_box()
        assert size and size["height"] >= 44
        # a new conversation: the reference follows it
        page.get_by_role("button", name=strings["restart"]).click()
        assert box.inner_text() == strings["referenceNone"]
    finally:
        context.close()


def test_widget_reference_units(browser, council_site, bot_url) -> None:
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    try:
        ref = "(id) => AskCouncilWidget.referenceOf(id)"
        assert page.evaluate(ref, "3f2a9c01-5b7e-4d12-8a6f-0c3b1e9d7a55") == \
            "3F2A 9C01 5B7E 4D12 8A6F 0C3B 1E9D 7A55"
        assert page.evaluate(ref, "not-a-uuid-id") == "not-a-uuid-id"  # shown as it is
        assert page.evaluate(ref, None) == ""
    finally:
        context.close()


def _link_of(bot, conversation_id: str) -> str | None:
    from sqlalchemy import text

    bot.writer.flush()
    with bot.store.engine.connect() as conn:
        return conn.execute(text("SELECT previous_conversation_id FROM conversations "
                                 "WHERE id = :id"), {"id": conversation_id}).scalar()


def test_a_new_conversation_names_the_browsers_previous_one(browser, council_site, bot_url,
                                                            bot) -> None:
    """The same browser, with no tracking id: after "Start again", in another tab the next day,
    the widget sends the conversation it had before; another browser sends nothing; a damaged
    entry is dropped and the question still answered."""
    context, page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
    other = None
    try:
        sent: list[dict] = []
        page.on("request", lambda r: sent.append(json.loads(r.post_data or "{}"))
                if "/api/chat" in r.url else None)
        page.locator("button.launcher").click()
        ask(page, "How much does a garden waste subscription cost?")
        first = page.evaluate(STATE)["id"]
        assert "previous_conversation_id" not in sent[-1]  # nothing before it
        assert [v["id"] for _, v in page.evaluate(LAST)] == [first]
        ask(page, "and how do I pay?")  # a follow-up: the same conversation, no link
        assert "previous_conversation_id" not in sent[-1]
        page.get_by_role("button", name="Start again").click()
        ask(page, "How do I apply for a Blue Badge?")
        second = page.evaluate(STATE)["id"]
        assert second != first and sent[-1]["previous_conversation_id"] == first
        assert _link_of(bot, second) == first

        # another tab of the same browser (its own session storage, the same local storage)
        tab = context.new_page()
        tab_sent: list[dict] = []
        tab.on("request", lambda r: tab_sent.append(json.loads(r.post_data or "{}"))
               if "/api/chat" in r.url else None)
        tab.goto(f"{council_site.origin}/bins")
        tab.locator("button.launcher").click()
        ask(tab, "When is my bin collected?")
        assert tab_sent[-1]["previous_conversation_id"] == second
        assert _link_of(bot, tab.evaluate(STATE)["id"]) == second

        # a damaged entry: refused with a 422, forgotten, and the question asked again without
        key = tab.evaluate(LAST)[0][0]
        tab.evaluate("([k]) => localStorage.setItem(k, JSON.stringify({id: 'bad id!', "
                     "at: Date.now()}))", [key])
        tab.get_by_role("button", name="Start again").click()
        ask(tab, "How much is a Blue Badge?")
        assert "£10" in tab.locator(".msg.a").last.inner_text()
        assert [b.get("previous_conversation_id") for b in tab_sent[-2:]] == ["bad id!", None]
        assert [v["id"] for _, v in tab.evaluate(LAST)] == [tab.evaluate(STATE)["id"]]

        # another browser: nothing to link
        other, other_page, _ = open_site(browser, council_site, bot_url, EXAMPLES["default"])
        other_sent: list[dict] = []
        other_page.on("request", lambda r: other_sent.append(json.loads(r.post_data or "{}"))
                      if "/api/chat" in r.url else None)
        other_page.locator("button.launcher").click()
        ask(other_page, "When is my bin collected?")
        assert "previous_conversation_id" not in other_sent[-1]
    finally:
        context.close()
        if other is not None:
            other.close()
