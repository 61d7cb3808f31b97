"""Accessibility checks for an evaluation run, in Debian's Chromium (Playwright): axe-core's WCAG
2.2 A/AA rules on the widget (closed, open, answer shown) and the dashboard's sign-in page, a
keyboard-only conversation, and reflow at 320 CSS px (400% zoom). The same checks, in more
configurations and states, run in the test suite (tests/browser/test_widget_embedded.py);
this puts their verdict beside the answer scores of each release.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from askcouncil.settings import Settings
    from bot.chat import Bot

CHROMIUM = os.environ.get("ASKCOUNCIL_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                    "wcag22aa"]}}


def run_checks(settings: Settings, bot: Bot, question: str) -> dict[str, Any]:
    """Serve the bot on a free loopback port and check it; {"run": False, "why": ...} when
    Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        return {"run": False, "why": f"Chromium not found at {CHROMIUM}"}
    try:
        from axe_playwright_python.sync_playwright import Axe
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        return {"run": False, "why": f"playwright not installed: {exc}"}
    from bot.app import create_app, serve_in_background

    checks: dict[str, Any] = {}
    try:
        with serve_in_background(create_app(settings, bot)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = browser.new_page()
                page.goto(base + "/")
                page.locator("button.launcher").wait_for()
                checks["axe_widget_closed"] = Axe().run(page, options=WCAG_22_AA).violations_count
                # keyboard only: Tab to the launcher, open, ask, the answer shown, close
                reached = False
                for _ in range(20):
                    page.keyboard.press("Tab")
                    if page.evaluate("""() => { const r = document.getElementById(
                            'askcouncil-widget'); return !!(r && r.shadowRoot.activeElement &&
                            r.shadowRoot.activeElement.className === 'launcher'); }"""):
                        reached = True
                        break
                page.keyboard.press("Enter")
                checks["axe_widget_open"] = Axe().run(page, options=WCAG_22_AA).violations_count
                page.keyboard.type(question)
                page.keyboard.press("Enter")
                page.locator(".msg.a:not([aria-busy])").first.wait_for(timeout=30000)
                # the answer is announced (the live region), not focused: focus stays in the
                # question box, ready for the next question (tests/browser checks both)
                after = page.evaluate("""() => { const r = document.getElementById(
                    'askcouncil-widget').shadowRoot; const a = r.querySelector(
                    '.msg.a:not([aria-busy]) .text'); return {typing: !!r.activeElement &&
                    r.activeElement.tagName === 'TEXTAREA', answer: a ? a.textContent : ''}; }""")
                answer_focused = after["typing"] and bool(after["answer"].strip())
                checks["axe_widget_answer"] = Axe().run(page, options=WCAG_22_AA).violations_count
                page.keyboard.press("Escape")
                closed = page.locator(".panel").is_hidden()
                checks["keyboard_conversation"] = bool(reached and answer_focused and closed)
                checks["keyboard_steps"] = {"launcher_reached": reached,
                                            "answer_with_focus_in_the_box": answer_focused,
                                            "escape_closed": closed}
                # reflow at 320 CSS px (1280 px at 400% zoom)
                page.set_viewport_size({"width": 320, "height": 256})
                page.locator("button.launcher").click()
                panel = page.evaluate("""() => { const p = document.getElementById(
                    'askcouncil-widget').shadowRoot.querySelector('.panel');
                    const r = p.getBoundingClientRect();
                    return {scroll: p.scrollWidth, client: p.clientWidth, left: r.left,
                            right: r.right}; }""")
                checks["reflow_320px"] = (panel["scroll"] <= panel["client"]
                                          and panel["left"] >= 0 and panel["right"] <= 320)
                page.set_viewport_size({"width": 1280, "height": 800})
                page.goto(base + "/admin/login")
                checks["axe_admin_login"] = Axe().run(page, options=WCAG_22_AA).violations_count
            finally:
                browser.close()
    except Exception as exc:  # a browser problem is reported, not raised
        return {"run": False, "why": f"{type(exc).__name__}: {exc}", **checks}
    violations = sum(v for k, v in checks.items() if k.startswith("axe_"))
    passed = violations == 0 and checks.get("keyboard_conversation") and checks.get(
        "reflow_320px")
    return {"run": True, "passed": bool(passed), "axe_violations": violations, **checks}
