"""Step 7, llm_compose, with a stand-in chat model (tests/test_llm.py runs it against a scripted
OpenAI-compatible server through the whole bot): numbered sources without URLs, the reply checked
sentence by sentence as it streams, and the extractive answer kept when the model fails."""

import time
from collections.abc import Iterator
from types import SimpleNamespace

from askcouncil.chunks import Chunk
from askcouncil.council import load_council
from bot.pipeline.context import Citation, Status, TurnContext
from bot.pipeline.handoff import hand_off
from bot.pipeline.llm_compose import NO_ANSWER, llm_compose
from bot.pipeline.replies import NO_ANSWER_REPLY, PERSONAL_DATA_NOTE

KESTRELFORD = load_council("kestrelford")
BADGE = Chunk(id="b", url="http://x/blue-badge", anchor="cost", title="Blue Badges",
              section="How much it costs", text="A Blue Badge costs £10. Apply at "
              "https://www.gov.uk/apply-blue-badge or call 01632 960404.", page_hash="h")
PARKING = Chunk(id="p", url="http://x/car-parks", anchor="badges", title="Car parks",
                section="Blue Badge holders", text="Blue Badge holders park free for 3 hours.",
                page_hash="h")
EXTRACTIVE = "A Blue Badge costs £10. [1]"


class Model:
    """A chat model that streams a scripted reply in pieces, or fails."""

    def __init__(self, *pieces: str, fail: Exception | None = None, pause: float = 0.0) -> None:
        self.pieces, self.fail, self.pause = pieces, fail, pause
        self.messages: list[tuple[str, str]] = []

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[SimpleNamespace]:
        self.messages = messages
        for piece in self.pieces:
            time.sleep(self.pause)
            yield SimpleNamespace(content=piece)
        if self.fail:
            raise self.fail


def composed(model: Model | None, *, preamble: str | None = None, timeout_s: float = 5.0
             ) -> tuple[TurnContext, list[tuple[str, object]]]:
    events: list[tuple[str, object]] = []
    ctx = TurnContext("How much is a Blue Badge?", KESTRELFORD,
                      emit=lambda e, d: events.append((e, d)))
    ctx.question = ctx.message
    ctx.sources = [BADGE, PARKING]
    ctx.answer, ctx.status = EXTRACTIVE, Status.ANSWERED
    ctx.citations = [Citation(1, BADGE.cite_url, BADGE.title, BADGE.section, BADGE.text)]
    if preamble:
        ctx.preamble.append(preamble)
    services = SimpleNamespace(llm=model, llm_settings=SimpleNamespace(
        llm_max_sources=5, llm_timeout_s=timeout_s))
    llm_compose(ctx, services)
    return ctx, events


def streamed(events: list[tuple[str, object]]) -> str:
    text = ""
    for event, data in events:
        if event == "answer":
            text += data["text"]
        elif event == "reset":
            text = ""
    return text


def test_numbered_sources_without_addresses_and_citations_in_order_of_use() -> None:
    model = Model("Blue Badge holders park free ", "for 3 hours [2]. A badge costs £10 [1].")
    ctx, events = composed(model)
    system, human = (text for _role, text in model.messages)
    assert "Kestrelford Borough Council" in system
    assert "[1] Blue Badges - How much it costs\nA Blue Badge costs £10." in human
    assert "[2] Car parks - Blue Badge holders" in human
    assert "http" not in human and "[link]" in human
    assert ctx.composer == "llm" and ctx.status is Status.ANSWERED
    assert ctx.answer == "Blue Badge holders park free for 3 hours [1]. A badge costs £10 [2]."
    assert [(c.n, c.url) for c in ctx.citations] == [(1, PARKING.cite_url), (2, BADGE.cite_url)]
    assert streamed(events) == ctx.answer


def test_invented_figures_links_and_sources_are_dropped() -> None:
    ctx, _ = composed(Model(
        "A Blue Badge costs £10 [1]. Call 0800 000 0000 to apply [1]. The fee is £25 [1]. "
        "See https://evil.example/badge [1]. Badges are free in Wales [7]. "
        "Holders park free for 3 hours [2] [9]. Ring 01632 960404 [1]."))
    assert ctx.answer == ("A Blue Badge costs £10 [1]. Holders park free for 3 hours [2]. "
                          "Ring 01632 960404 [1].")
    assert len(ctx.notes) == 5
    assert any("figure no source gives" in n and "0800" in n for n in ctx.notes)
    assert any("removed citation [9]" in n for n in ctx.notes)


def test_the_model_saying_no_answer_declines() -> None:
    ctx, events = composed(Model("NO_", "ANSWER"))
    assert NO_ANSWER == "NO_ANSWER"
    assert ctx.status is Status.NO_ANSWER and ctx.answer == NO_ANSWER_REPLY
    assert ctx.citations == [] and streamed(events) == ""


def test_a_failing_slow_or_uncited_model_leaves_the_extractive_answer() -> None:
    for model, timeout_s, note in [
        (Model("A Blue Badge ", fail=ConnectionError("refused")), 5.0, "ConnectionError"),
        (Model("A Blue Badge", " costs £10 [1].", pause=0.05), 0.01, "TimeoutError"),
        (Model("It costs about £10."), 5.0, "cited no source"),
    ]:
        ctx, events = composed(model, timeout_s=timeout_s)
        assert ctx.answer == EXTRACTIVE and ctx.composer == "extractive", note
        assert [c.url for c in ctx.citations] == [BADGE.cite_url]
        assert note in ctx.notes[-1]
        assert streamed(events) == ""  # anything streamed was taken back


def test_no_model_or_no_answer_means_no_call() -> None:
    ctx, events = composed(None)
    assert ctx.answer == EXTRACTIVE and not ctx.notes
    model = Model("Anything [1].")
    ctx = TurnContext("q", KESTRELFORD)
    ctx.stop(Status.NO_ANSWER, NO_ANSWER_REPLY)
    llm_compose(ctx, SimpleNamespace(llm=model, llm_settings=None))
    assert model.messages == [] and ctx.answer == NO_ANSWER_REPLY


def test_the_preamble_streams_first_and_hand_off_puts_it_in_the_answer_once() -> None:
    two = "A Blue Badge costs £10 [1]. Holders park free for 3 hours [2]."
    for reply, answer in [
        ([two], two),
        (["A Blue Badge costs £10 [1].", " Holders park free for 3 hours [2]."], two),
        # a line break the model began with stays after the preamble, as it was streamed
        (["\n" + two], "\n" + two),
    ]:
        ctx, events = composed(Model(*reply), preamble=PERSONAL_DATA_NOTE)
        first = next(d["text"] for e, d in events if e == "answer" and d["text"])
        assert first.startswith(PERSONAL_DATA_NOTE + "\n")
        assert ctx.answer == answer  # without the preamble until the last step
        hand_off(ctx, None)
        assert ctx.answer == f"{PERSONAL_DATA_NOTE}\n{answer}" == streamed(events)
    ctx, _ = composed(Model("\n" + two))
    assert ctx.answer == two  # no preamble: trimmed
