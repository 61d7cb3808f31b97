"""The run summary's confidence intervals."""

import pytest

from eval.scoring import wilson


def test_wilson_interval_known_values() -> None:
    assert wilson(0, 10) == (0.0, 0.2775)  # a rule-of-three-like bound, never [0, 0]
    assert wilson(10, 10) == (0.7225, 1.0)
    low, high = wilson(37, 41)
    assert (low, high) == pytest.approx((0.7745, 0.9614), abs=1e-4)
    assert wilson(0, 0) is None


def test_wilson_interval_narrows_with_more_questions() -> None:
    few, many = wilson(9, 10), wilson(900, 1000)
    assert few[1] - few[0] > 4 * (many[1] - many[0])
    assert few[0] < 0.9 < few[1] and many[0] < 0.9 < many[1]


def test_what_the_bot_says_first_is_not_asked_of_the_cited_pages() -> None:
    from eval.dataset import Question
    from eval.scoring import score

    q = Question("q1", ["no heating tonight"], ["housing/repairs.html"], ["01632 960550"],
                 "housing")
    first = ("If this is an emergency outside office hours, call Emergencies out of hours on "
             "01632 960999.")
    answer = f"{first}\nReport emergency repairs by phone on 01632 960550 at any time. [1]"
    page = "Report emergency repairs by phone on 01632 960550 at any time, day or night."
    kwargs = {"cited_texts": [page], "crawled": {"http://x/housing/repairs.html"}}
    cited = ["http://x/housing/repairs.html#emergency"]
    assert score(q, "answered", answer, cited, None, 1.0, **kwargs).checks["groundedness"] == 0.5
    assert score(q, "answered", answer, cited, None, 1.0, said_first=[first],
                 **kwargs).checks["groundedness"] == 1.0
