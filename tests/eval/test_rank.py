"""Learning the composer's section ranking (eval.rank): what counts as the answering section, ties
counted as coin tosses, and weights learnt from pairs that find the section a synthetic signal
marks. Synthetic rows: the point is the method, not the numbers."""

import random

from bot.pipeline.compose import FEATURES, Ranker
from eval.rank import answers, cross_validated, learn, select, top_rates


def section(page: bool, facts: int, **features: float) -> dict:
    return {"page": page, "facts": facts,
            "features": {name: features.get(name, 0.0) for name in FEATURES}}


def test_the_answering_section_is_on_an_expected_page_with_the_most_facts() -> None:
    row = {"sections": [section(False, 2), section(True, 0), section(True, 1), section(True, 1)]}
    assert answers(row) == [False, False, True, True]
    # a page none of whose sections holds a fact: any of its sections answers
    assert answers({"sections": [section(True, 0), section(False, 1)]}) == [True, False]


def test_sections_scoring_the_same_count_as_a_coin_toss() -> None:
    row = {"sections": [section(False, 0, similarity=0.5), section(True, 0, similarity=0.5)]}
    page, right = top_rates([row], {"similarity": 1.0})
    assert page == right == 0.5  # not the first listed, which would flatter the list's order


def rows(n: int, seed: int) -> list[dict]:
    """The answering section has the higher "words"; "similarity" is noise, and the answering
    section is never listed first (a ranker copying the list's order gets none right)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        good = section(True, 1, words=rng.uniform(0.5, 1.0), similarity=rng.random())
        bad = [section(False, 0, words=rng.uniform(0.0, 0.6), similarity=rng.random())
               for _ in range(4)]
        out.append({"sections": [*bad, good]})
    return out


def test_learnt_weights_find_the_feature_that_marks_the_answer() -> None:
    data = rows(150, 1)
    weights = learn(data, ["words", "similarity"])
    assert weights["words"] > 5 * abs(weights["similarity"])
    assert top_rates(rows(100, 2), weights)[1] > 0.85
    assert cross_validated(data, ["words"]) > 0.85
    assert cross_validated(data, ["similarity"]) < 0.5
    assert select(data)[0][0] == "words"


def test_the_hand_ranker_is_the_composers_default() -> None:
    assert set(Ranker.hand().weights) <= set(FEATURES)
    assert Ranker.hand().score({"similarity": 1.0, "words": 1.0}) == 4.0
