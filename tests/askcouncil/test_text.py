"""Words for keyword search and ranking (askcouncil.text)."""

import itertools
from pathlib import Path

from askcouncil.text import stem, tokens

SITE = Path(__file__).resolve().parents[2] / "sample_site" / "site"
EDGES = ["Fees.", "£49.50", "£", "Can't", "council’s", "O'Brien's", "3pm-5pm", "e-mail:",
         "1,200", "...", "", " ", "Bins > When", "roads,", "'quoted'", "x"]


def test_a_heading_and_its_text_are_read_as_the_two_read_apart() -> None:
    """The composer finds a heading's words once and joins them to each sentence's: that is
    right only if a space never joins or splits a word."""
    pages = [p.read_text(encoding="utf-8")[:4000] for p in sorted(SITE.rglob("*.html"))[:12]]
    for a, b in itertools.chain(itertools.product(EDGES, repeat=2),
                                itertools.pairwise(pages)):
        assert tokens(f"{a} {b}") == tokens(a) + tokens(b), (a[:40], b[:40])


def test_words_meet_at_their_stems() -> None:
    assert [stem(w) for w in ("bins", "collections", "giving", "give", "noticed", "notice",
                              "libraries", "class")] == [
        "bin", "collection", "giv", "giv", "notic", "notic", "library", "class"]
    assert tokens("The bins are collected on Mondays") == ["bin", "collect", "monday"]
