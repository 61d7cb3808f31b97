"""Step 6, cite: sources numbered in order of use, ``[n]`` after each run of units from one
source."""

from askcouncil.chunks import Chunk
from askcouncil.council import load_council
from bot.pipeline.cite import SNIPPET_CHARS, cite
from bot.pipeline.context import Status, TurnContext, Unit

KESTRELFORD = load_council("kestrelford")


def chunk(anchor: str, text: str) -> Chunk:
    return Chunk(id=f"http://x/bins#{anchor}", url="http://x/bins", anchor=anchor, title="Bins",
                 section=f"Bins > {anchor}", text=text, page_hash="h")


FEES = chunk("fees", "A garden waste bin costs £49 a year. Pay online.")
DAYS = chunk("days", "We collect garden waste every other Tuesday.")


def cited(*units: Unit) -> TurnContext:
    ctx = TurnContext("q", KESTRELFORD)
    ctx.units = list(units)
    cite(ctx, None)
    return ctx


def test_sources_are_numbered_in_order_of_use_with_one_marker_per_run() -> None:
    ctx = cited(Unit("We collect garden waste every other Tuesday.", DAYS, 0, 0),
                Unit("A garden waste bin costs £49 a year.", FEES, 1, 0),
                Unit("Pay online.", FEES, 1, 1))
    assert ctx.answer == ("We collect garden waste every other Tuesday. [1] A garden waste bin "
                          "costs £49 a year. Pay online. [2]")
    assert [(c.n, c.url, c.section) for c in ctx.citations] == [
        (1, "http://x/bins#days", "Bins > days"), (2, "http://x/bins#fees", "Bins > fees")]
    assert ctx.status is Status.ANSWERED


def test_a_source_used_again_keeps_its_number() -> None:
    ctx = cited(Unit("A garden waste bin costs £49 a year.", FEES, 0, 0),
                Unit("We collect garden waste every other Tuesday.", DAYS, 1, 0),
                Unit("Pay online.", FEES, 0, 1))
    assert ctx.answer.endswith("Tuesday. [2] Pay online. [1]")
    assert [c.n for c in ctx.citations] == [1, 2]


def test_lists_keep_their_lines() -> None:
    steps = chunk("how", "To book:\n1. Sign in.\n2. Pay the fee.")
    ctx = cited(Unit("To book:\n1. Sign in.\n2. Pay the fee.", steps, 0, 0),
                Unit("Pay online.", FEES, 1, 1))
    assert ctx.answer == "To book:\n1. Sign in.\n2. Pay the fee. [1]\nPay online. [2]"


def test_snippets_are_cut_at_a_word_with_an_ellipsis() -> None:
    long = chunk("long", "word " * 100)
    ctx = cited(Unit("word word", long, 0, 0), Unit("Pay online.", FEES, 1, 1))
    snippet = ctx.citations[0].snippet
    assert snippet.endswith("word…") and len(snippet) <= SNIPPET_CHARS + 1
    assert ctx.citations[1].snippet == FEES.text  # short enough to give whole


def test_no_units_leave_an_empty_answer_for_the_output_check() -> None:
    ctx = cited()
    assert ctx.answer == "" and ctx.citations == []
