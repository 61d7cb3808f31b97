"""The one object every pipeline step reads and writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from askcouncil.chunks import Chunk
from askcouncil.council import ContactLine, Council
from askcouncil.index import CouncilIndex
from bot.keyword import KeywordIndex

if TYPE_CHECKING:
    from askcouncil.routing import Service
    from bot.services import Services


class Status(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    OUT_OF_SCOPE = "out_of_scope"
    REFUSED = "refused"
    ERROR = "error"
    URGENT = "urgent"  # someone may be at risk: signposted to 999 and safeguarding lines


@dataclass
class PastTurn:
    question: str
    query: str
    urls: list[str]


@dataclass
class Candidate:
    chunk: Chunk
    similarity: float | None  # dense cosine similarity, None if only keyword search found it
    keyword_score: float | None
    fused: float


@dataclass
class Unit:
    """A sentence, or a list with its lead-in line, taken verbatim from one chunk."""

    text: str
    chunk: Chunk
    rank: int  # rank of its chunk among the candidates
    order: int  # position within its chunk
    score: float = 0.0


@dataclass
class Citation:
    n: int
    url: str
    title: str
    section: str
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "url": self.url, "title": self.title, "section": self.section,
                "snippet": self.snippet}


@dataclass
class TurnContext:
    message: str
    council: Council
    history: list[PastTurn] = field(default_factory=list)
    site_base: str | None = None  # the crawled site's address, once retrieval has found it
    # The council's keyword index and its live index, pinned to the same generation: looked up
    # once a turn, by the first step that searches (``indexes``), then read from here.
    keyword: KeywordIndex | None = None
    index: CouncilIndex | None = None
    site: dict[str, Any] = field(default_factory=dict)  # what the crawl recorded (base_url)
    question: str = ""  # the message as screened (markup removed)
    asked: str = ""  # what the question asks: a long message's asking sentences (contextualise)
    query: str = ""  # what retrieval searches for (with follow-up context)
    follow_up: bool = False  # joined to the previous question (contextualise)
    query_embedding: list[float] | None = None
    candidates: list[Candidate] = field(default_factory=list)
    # every section the composer was given to quote: the candidates plus the other sections of
    # the best page. No citation may point anywhere else.
    sources: list[Chunk] = field(default_factory=list)
    similarities: dict[str, float] = field(default_factory=dict)  # dense, by chunk id
    units: list[Unit] = field(default_factory=list)
    answer: str = ""
    citations: list[Citation] = field(default_factory=list)
    handoff: dict[str, str | None] | None = None
    contact_sentence: str | None = None  # the handoff said as a sentence, at the answer's end
    # the other body that runs the service the reply is about (a partner line), said in the
    # reply; None: this council (cite sets it for an answer, hand_off for a handoff)
    run_by: ContactLine | None = None
    status: Status | None = None
    stopped_by: str | None = None
    confidence: float = 0.0
    signals: dict[str, float] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # said before the answer: "please don't share personal details", a calm word after abuse
    preamble: list[str] = field(default_factory=list)
    # the question's language ("cy" when it looks Welsh, set by screening), and the reply's:
    # the language its text is in, which the widget marks (``hand_off`` sets it)
    lang: str = "en"
    reply_lang: str = "en"
    welsh: dict[str, str] = field(default_factory=dict)  # this turn's own lines, in Welsh
    now: datetime = field(default_factory=lambda: datetime.now(UTC))  # for "open now"
    composer: str = "extractive"  # or "llm" when the chat model's answer was used
    # streaming: where events go (POST /api/chat/stream), and the answer text sent so far
    emit: Callable[[str, Any], None] | None = None
    streamed: str = ""

    def send(self, event: str, data: Any) -> None:  # noqa: ANN401 - each event's own JSON
        """Stream an event to the resident, if anyone is listening."""
        if event == "answer":
            self.streamed += data["text"]
        elif event == "reset":
            if not self.streamed:
                return
            self.streamed = ""
        if self.emit is not None:
            self.emit(event, data)

    def stop(self, status: Status, answer: str) -> None:
        self.status = status
        self.answer = answer

    @property
    def asking(self) -> str:
        """What the question asks: a long message's asking sentences (``asked``, found by
        contextualise), else the screened question."""
        return self.asked or self.question

    def indexes(self, services: Services, *, again: bool = False
                ) -> tuple[KeywordIndex, CouncilIndex]:
        """The council's keyword index and live index for this turn. Looked up on first use, so
        a turn that screening stops never touches Chroma; ``again`` forgets the process's copy
        and looks up the live generation anew (retrieval, when the one it had was replaced)."""
        if again:
            services.forget(self.council.slug)
        if again or self.keyword is None or self.index is None:
            self.keyword, self.site = services.keyword(self.council.slug)
            self.index = services.index(self.council.slug)
        return self.keyword, self.index

    def meaning(self, services: Services) -> dict[Service, float] | None:
        """How close the question is in meaning to each service of the catalogue
        (``routing.Senses``), for saying who runs it: when retrieval embedded it, and it is in
        English, the catalogue's language."""
        if self.query_embedding is None or self.lang != "en":
            return None
        return services.sense(self.query_embedding)

    def with_preamble(self, text: str) -> str:
        """The text after what is said first (``preamble``), one line each: the answer as the
        resident reads it (``hand_off`` makes it so; ``llm_compose`` streams it so)."""
        return "\n".join([*self.preamble, text])

    @property
    def retrieval_scores(self) -> list[dict[str, Any]]:
        return [
            {"url": c.chunk.cite_url, "similarity": c.similarity, "keyword": c.keyword_score,
             "fused": round(c.fused, 5)}
            for c in self.candidates[:10]
        ]
