"""Step 4, decide: answer or decline, from dense similarity and IDF-weighted keyword coverage, and
decline a question asking for a price, a phone number or opening hours that no on-topic section
of a retrieved page gives. A real keyword index over hand-made pages; similarities chosen."""

from dataclasses import replace

from askcouncil.chunks import Chunk
from askcouncil.council import Council, load_council
from askcouncil.index import CouncilIndex
from bot.keyword import KeywordIndex
from bot.pipeline.context import Candidate, Status, TurnContext
from bot.pipeline.decide import coverage, decide, unmet_demand
from bot.pipeline.replies import NO_ANSWER_REPLY

KESTRELFORD = load_council("kestrelford")  # min_similarity 0.5, min_coverage 0.9, sure 0.55


def page(url: str, title: str, *sections: tuple[str, str]) -> list[Chunk]:
    return [Chunk(id=f"{url}#{i}", url=url, anchor=str(i), title=title, section=heading,
                  text=text, page_hash="h", position=i)
            for i, (heading, text) in enumerate(sections)]


BULKY = page("http://x/bins/bulky-waste", "Bulky waste collections",
             ("Bulky waste collections", "We collect large household items such as sofas, "
              "fridges and mattresses from your home. Book a collection online."),
             ("Charges", "A bulky waste collection costs £35 for up to 3 items."))
TIP = page("http://x/bins/tip", "Household recycling centre",
           ("Household recycling centre", "Take garden waste, wood and electrical items to the "
            "household recycling centre on Mill Lane."),
           ("Opening times", "The centre is open 8am to 4pm, every day except 25 December."))
NEWS = page("http://x/news/tip-reopens", "News: tip reopens",
            ("News: tip reopens", "The household recycling centre on Mill Lane is open again "
             "after repairs."))
LIBRARY = page("http://x/libraries", "Libraries",
               ("Libraries", "Borrow books, e-books and audiobooks free with a library card."),
               ("Printing", "Printing costs 10p a page."))
INDEX = KeywordIndex(BULKY + TIP + NEWS + LIBRARY)


def turn(question: str, *found: tuple[Chunk, float | None], council: Council = KESTRELFORD
         ) -> TurnContext:
    ctx = TurnContext(question, council)
    ctx.question = ctx.query = question
    # looked up once a turn by an earlier step; decide only reads them
    ctx.keyword, ctx.index = INDEX, CouncilIndex(None, "kestrelford")
    ctx.candidates = [Candidate(chunk, sim, None, 0.0) for chunk, sim in found]
    return ctx


def test_coverage_weighs_rare_words_and_looks_past_intent_words() -> None:
    assert coverage("bulky waste sofa", BULKY[0].text, INDEX) < 1.0  # "bulky" is in its title
    assert coverage("collect sofas mattresses", BULKY[0].text, INDEX) == 1.0
    assert coverage("how much does it cost", BULKY[1].text, INDEX) == 0.0  # intent words only
    half = coverage("mattresses swimming", BULKY[0].text, INDEX)
    assert 0.0 < half < 1.0


def test_a_close_page_covering_the_question_is_answered() -> None:
    ctx = turn("can you collect my sofas and mattresses", (BULKY[0], 0.52), (TIP[0], 0.3))
    decide(ctx, None)
    assert ctx.status is None  # goes on to compose
    assert ctx.signals["similarity"] == 0.52 and ctx.signals["coverage"] >= 0.9
    assert ctx.confidence == 0.52


def test_fair_similarity_without_the_question_s_words_is_declined() -> None:
    ctx = turn("can you collect my old piano", (BULKY[0], 0.52))
    decide(ctx, None)
    assert ctx.status is Status.NO_ANSWER and ctx.answer == NO_ANSWER_REPLY
    assert ctx.signals["coverage"] < 0.9


def test_high_similarity_alone_is_enough() -> None:
    ctx = turn("can you collect my old piano", (BULKY[0], 0.6))
    decide(ctx, None)
    assert ctx.status is None


def test_words_without_similarity_are_declined() -> None:
    ctx = turn("sofas mattresses fridges", (BULKY[0], 0.4), (BULKY[1], None))
    decide(ctx, None)
    assert ctx.status is Status.NO_ANSWER
    assert ctx.signals["coverage"] == 1.0 and ctx.signals["similarity"] == 0.4


def test_nothing_retrieved_is_declined() -> None:
    ctx = turn("sofas")
    decide(ctx, None)
    assert ctx.status is Status.NO_ANSWER and ctx.signals == {"similarity": 0.0, "coverage": 0.0}


def test_only_the_top_three_candidates_count_for_coverage() -> None:
    never_sure = replace(KESTRELFORD, retrieval=replace(KESTRELFORD.retrieval,
                                                        sure_similarity=0.99))
    found = [(c, 0.52) for c in LIBRARY + NEWS + BULKY[:1]]
    ctx = turn("collect sofas mattresses", *found, council=never_sure)
    decide(ctx, None)
    assert ctx.status is Status.NO_ANSWER  # the section that covers it is fourth
    ctx = turn("collect sofas mattresses", *found[1:], council=never_sure)
    decide(ctx, None)
    assert ctx.status is None  # third


def test_a_price_on_another_section_of_a_retrieved_page_answers_how_much() -> None:
    ctx = turn("How much is a bulky waste collection?", (BULKY[0], 0.6))
    decide(ctx, None)
    assert ctx.status is None  # the Charges section, not itself retrieved, gives £35


def test_asking_for_opening_hours_that_only_a_news_item_mentions_is_declined() -> None:
    ctx = turn("What are the opening hours of the recycling centre on Mill Lane?",
               (NEWS[0], 0.62), (TIP[0], 0.35))  # the page with the hours is far below
    decide(ctx, None)
    assert ctx.status is Status.NO_ANSWER and ctx.answer == NO_ANSWER_REPLY
    assert ctx.notes == ["declined: asks for opening hours; no retrieved page gives one"]
    ctx = turn("What are the opening hours of the recycling centre on Mill Lane?",
               (NEWS[0], 0.62), (TIP[0], 0.45))  # within NEARBY of min_similarity
    decide(ctx, None)
    assert ctx.status is None


def test_a_fact_in_a_section_about_something_else_does_not_meet_the_demand() -> None:
    question = "how much does a library card cost"
    assert unmet_demand(question, question, LIBRARY, INDEX) is None  # "free with a library card"
    question = "what is the cost of printing"
    assert unmet_demand(question, question, LIBRARY, INDEX) == "a price"  # "10p" is no £
    question = "what is the cost of a bulky waste collection"
    assert unmet_demand(question, question, LIBRARY + TIP, INDEX) == "a price"
    assert unmet_demand(question, question, BULKY, INDEX) is None
    question = "what is the phone number for bulky waste"
    assert unmet_demand(question, question, BULKY, INDEX) == "a phone number"
    assert unmet_demand("can I book a bulky waste collection", "", BULKY, INDEX) is None
