"""The release gate's accessibility check (eval/accessibility.py, run by `askcouncil eval run
--accessibility` in make eval-gate) on the widget as it is. In a module of its own: the check
starts its own Playwright, which cannot run while another module's browser fixture holds one."""

import pytest

pytestmark = pytest.mark.browser


def test_the_release_gate_s_accessibility_check_passes_on_the_widget(crawled, bot) -> None:
    """``askcouncil eval run --accessibility`` (make eval-gate) puts this verdict beside the
    scores; it must follow the widget as it is (it once expected focus to move to the answer,
    which the widget no longer does, and only CI's gate noticed)."""
    from pathlib import Path

    from eval.accessibility import CHROMIUM, run_checks
    from tests.conftest import need

    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}")
    settings, _ = crawled
    result = run_checks(settings, bot, "How much does a garden waste subscription cost?")
    assert result["run"] and result["passed"], result
    assert result["keyboard_steps"] == {"launcher_reached": True,
                                        "answer_with_focus_in_the_box": True,
                                        "escape_closed": True}
