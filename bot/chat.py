"""One chat turn, from question to logged reply. Shared by the API, the CLI and the eval runner."""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from analytics.outbox import AnalyticsWriter, Outbox
from analytics.store import AnalyticsStore, TurnRecord
from askcouncil.council import council_configured
from askcouncil.embedding import Embedder
from askcouncil.errors import BadInput, NotFound, StoreUnavailable
from askcouncil.settings import Settings, check_slug
from askcouncil.text import valid_unicode
from askcouncil.urls import web_url
from bot.conversations import ConversationMemory, Tokens
from bot.pipeline import DEFAULT_STEPS, LLM_STEPS, run_pipeline
from bot.pipeline.context import PastTurn, TurnContext
from bot.services import Services
from bot.structure import parts

log = logging.getLogger(__name__)
# Crawlers, link checkers, monitoring and scripts: their conversations are stored but flagged, and
# left out of the deflection estimate and gap reports. The two named groups tell scripts (HTTP
# libraries and command-line clients) from crawlers and monitoring, for ``agent_class``.
BOT_AGENT = re.compile(r"(?P<script>curl/|wget/|python-requests|python-httpx|go-http-client|"
                       r"java/|okhttp|axios/|postmanruntime|insomnia/|httpie/|node-fetch|undici|"
                       r"apache-httpclient|libwww-perl|scrapy|aiohttp/|guzzlehttp|dart/)|"
                       r"(?P<bot>bot\b|crawl|spider|slurp|uptime|monitor|pingdom|headlesschrome|"
                       r"site24x7|statuscake|zabbix|datadog|newrelic|check_http|lighthouse)",
                       re.I)
AUTOMATED = ("script", "bot/monitoring")  # agent_class's classes left out of reports
MOBILE_AGENT = re.compile(r"mobile|android|iphone|ipad|ipod|windows phone|silk/|opera mini", re.I)


def agent_class(user_agent: str | None) -> str:
    """What kind of client a user agent is, for the dashboard: "browser", "mobile browser",
    "bot/monitoring", "script" or "unknown". Only this class is stored, never the agent."""
    if not user_agent or not user_agent.strip():
        return "unknown"
    automated = BOT_AGENT.search(user_agent)
    if automated:
        return "script" if automated.lastgroup == "script" else "bot/monitoring"
    if user_agent.startswith(("Mozilla/", "Opera/")):
        return "mobile browser" if MOBILE_AGENT.search(user_agent) else "browser"
    return "unknown"


@dataclass
class Reply:
    conversation_id: str
    message_id: str
    status: str
    answer: str
    citations: list[dict[str, Any]]
    handoff: dict[str, Any] | None
    context: TurnContext
    conversation_token: str = ""  # send back with conversation_id to continue
    message_token: str = ""  # send back with message_id for feedback and events
    lang: str = "en"  # the language the answer is written in ("en" or "cy")
    question_lang: str = "en"  # the language the question looks written in
    # a new conversation's link to the browser's one before it (stored, never sent back)
    previous_conversation_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "conversation_token": self.conversation_token,
            "message_id": self.message_id,
            "message_token": self.message_token,
            "status": self.status,
            "answer": self.answer,
            "citations": self.citations,
            "handoff": self.handoff,
            "lang": self.lang,
            "question_lang": self.question_lang,
            "parts": parts(self.answer, {c["n"] for c in self.citations},
                           self.context.contact_sentence),
        }


class Bot:
    def __init__(
        self, settings: Settings, services: Services, store: AnalyticsStore | None
    ) -> None:
        self.settings = settings
        self.services = services
        self.store = store
        # Every analytics write goes through the outbox on local disk: answers never wait on
        # the database, and nothing is lost while it is down.
        self.writer = (AnalyticsWriter(store, Outbox(settings.outbox_file))
                       if store is not None else None)
        self.memory = ConversationMemory(settings.max_conversations, settings.history_turns)
        secret = settings.conversation_secret
        self.tokens = Tokens(secret.get_secret_value() if secret else None)
        self.steps = LLM_STEPS if services.llm is not None else DEFAULT_STEPS

    def close(self) -> None:
        """Write what the outbox holds, if the database allows (at shutdown)."""
        if self.writer is not None:
            self.writer.close()

    def history(self, conversation_id: str) -> list[PastTurn]:
        """The conversation's recent turns: from this process's memory, else from the database
        (the conversation began on another bot replica or before a restart)."""
        turns = self.memory.history(conversation_id)
        if turns or self.store is None or self.settings.history_turns == 0:
            return turns
        if self.writer is not None and self.writer.database_down:
            return []  # known to be down: answer now, without the history
        try:
            stored = self.store.recent_turns(conversation_id, self.settings.history_turns)
        except Exception as exc:  # the database is down: answer without the history
            log.warning("history of %s unavailable: %s", conversation_id, exc)
            return []
        return [PastTurn(t.question, t.query or t.question,
                         [c.get("url", "") for c in t.citations or []]) for t in stored]

    def check(self, message: str, council: str | None) -> str:
        """Validate a message before any work (or any streaming) starts; the council's slug."""
        if not message.strip():
            raise BadInput("message must not be empty")
        if len(message) > self.settings.max_message_chars:
            raise BadInput(
                f"message is {len(message)} characters; the limit is "
                f"{self.settings.max_message_chars}"
            )
        if not council or council == self.settings.council:
            return self.settings.council
        try:
            slug = check_slug(council)
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
        # Only councils this deployment serves: an open-ended slug would let anyone fill the
        # process's caches with councils of their own invention.
        if not council_configured(slug, self.settings.councils_path):
            raise NotFound(f"this service does not answer for council {slug!r}")
        return slug

    def chat(
        self,
        message: str,
        conversation_id: str | None = None,
        council: str | None = None,
        emit: Callable[[str, Any], None] | None = None,
        user_agent: str | None = None,
        *,
        conversation_token: str | None = None,
        previous_conversation_id: str | None = None,
    ) -> Reply:
        """Answer one message. ``conversation_id`` continues a conversation only with the
        ``conversation_token`` its earlier reply carried; without it, a new one starts, linked
        to ``previous_conversation_id`` (the browser's conversation before, for the deflection
        estimate's recontact window) if the store finds it is one of the same council."""
        message = valid_unicode(message)
        slug = self.check(message, council)
        began = time.perf_counter()
        if conversation_id and not self.tokens.vouches("conversation", conversation_id,
                                                       conversation_token):
            log.info("a conversation id came without its token: a new conversation starts")
            conversation_id = None
        previous = None if conversation_id else previous_conversation_id
        ctx = TurnContext(
            message=message,
            council=self.services.council(slug),
            history=self.history(conversation_id) if conversation_id else [],
            emit=emit,
        )
        conversation_id = conversation_id or str(uuid.uuid4())
        run_pipeline(ctx, self.services, self.steps)
        self.memory.add(
            conversation_id,
            PastTurn(ctx.question, ctx.query or ctx.question, [c.url for c in ctx.citations]),
        )
        answer, citations, handoff = only_safe_links(
            ctx.answer, [c.as_dict() for c in ctx.citations], ctx.handoff)
        message_id = str(uuid.uuid4())
        reply = Reply(
            conversation_id=conversation_id,
            message_id=message_id,
            status=str(ctx.status),
            answer=answer,
            citations=citations,
            handoff=handoff,
            context=ctx,
            conversation_token=self.tokens.sign("conversation", conversation_id),
            message_token=self.tokens.sign("message", message_id),
            lang=ctx.reply_lang,
            question_lang=ctx.lang,
            previous_conversation_id=previous,
        )
        agent = agent_class(user_agent)  # one match of the agent, for both
        self._record(reply, slug, (time.perf_counter() - began) * 1000,
                     is_bot=agent in AUTOMATED, ua_class=agent)
        if emit is not None:
            _finish_stream(ctx, reply)
        return reply

    def chat_stream(
        self, message: str, conversation_id: str | None = None, council: str | None = None,
        user_agent: str | None = None, *, conversation_token: str | None = None,
        previous_conversation_id: str | None = None,
    ) -> Iterator[tuple[str, Any]]:
        """The same turn as ``chat``, as events: ``status`` (each step), ``answer`` (text as it
        is produced), ``reset`` (drop the text so far: the answer is being replaced),
        ``citations``, ``handoff`` and ``done`` (the whole reply, as ``POST /api/chat`` gives
        it). Call ``check`` first: bad input is an HTTP error, not an event."""
        events: queue.Queue[tuple[str, Any] | None] = queue.Queue()
        failure: list[BaseException] = []

        def work() -> None:
            try:
                self.chat(message, conversation_id, council,
                          emit=lambda e, d: events.put((e, d)), user_agent=user_agent,
                          conversation_token=conversation_token,
                          previous_conversation_id=previous_conversation_id)
            except BaseException as exc:  # reported as an event; the stream still ends
                log.exception("streamed chat failed")
                failure.append(exc)
            finally:
                events.put(None)

        threading.Thread(target=work, name="chat-stream", daemon=True).start()
        while (item := events.get()) is not None:
            yield item
        if failure:
            yield "error", {"code": "internal_error",
                            "message": "Sorry, something went wrong. Please try again."}

    def _record(self, reply: Reply, council: str, latency_ms: float, is_bot: bool = False,
                ua_class: str | None = None) -> None:
        if self.writer is None:
            return
        try:
            self.writer.turn(
                TurnRecord(
                    message_id=reply.message_id,
                    conversation_id=reply.conversation_id,
                    council=council,
                    question=reply.context.message,
                    answer=reply.answer,
                    status=reply.status,
                    citations=reply.citations,
                    handoff=reply.handoff,
                    retrieval_scores=reply.context.retrieval_scores,
                    confidence=reply.context.confidence,
                    latency_ms=round(latency_ms, 2),
                    timings_ms=reply.context.timings_ms,
                    is_bot=is_bot,
                    ua_class=ua_class,  # kept with the conversation's first turn only
                    query=reply.context.query or reply.context.question,
                    follow_up=reply.context.follow_up,
                    previous_conversation_id=reply.previous_conversation_id,
                )
            )
        except Exception as exc:  # the resident still gets the answer (the local disk failed)
            log.error("could not queue turn %s: %s", reply.message_id, exc)

    def _check_message_token(self, message_id: str, message_token: str | None) -> None:
        """Only the browser that received an answer may give feedback on it or report its
        handoffs: the same 404 as for an answer that does not exist."""
        if not self.tokens.vouches("message", message_id, message_token):
            raise NotFound(f"no answer with message_id {message_id!r}")

    def record_feedback(self, message_id: str, helpful: bool, reason: str | None,
                        would_have_phoned: bool | None, message_token: str | None = None
                        ) -> None:
        self._check_message_token(message_id, message_token)
        if self.writer is None:
            raise StoreUnavailable("feedback cannot be stored right now")
        self.writer.feedback(message_id, helpful, reason and valid_unicode(reason),
                             would_have_phoned)

    def record_event(self, message_id: str, kind: str, target: str | None,
                     message_token: str | None = None) -> None:
        self._check_message_token(message_id, message_token)
        if self.writer is None:
            raise StoreUnavailable("events cannot be stored right now")
        self.writer.event(message_id, kind, target and valid_unicode(target))


def only_safe_links(answer: str, citations: list[dict[str, Any]], handoff: dict[str, Any] | None
                    ) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    """The last check before a reply leaves the bot (the API, the stream, the stored turn):
    every citation and handoff address is an http(s) address with a host. A citation whose
    address is anything else (a crawled page can claim a ``javascript:`` canonical link) is
    dropped with its marker; a handoff address is cleared."""
    kept = []
    for c in citations:
        if web_url(c.get("url")):
            kept.append(c)
            continue
        log.warning("citation dropped: not an http(s) address: %.200r", c.get("url"))
        answer = re.sub(rf" ?\[{int(c['n'])}\]", "", answer)
    if handoff is not None:
        handoff = {**handoff, "url": web_url(handoff.get("url")),
                   "form_url": web_url(handoff.get("form_url"))}
    return answer, kept, handoff


def _finish_stream(ctx: TurnContext, reply: Reply) -> None:
    """Make the streamed text equal the final answer, then send the rest of the reply."""
    if ctx.streamed.strip() != reply.answer.strip():
        ctx.send("reset", {})
        for piece in _pieces(reply.answer):
            ctx.send("answer", {"text": piece})
    ctx.send("citations", reply.citations)
    ctx.send("handoff", reply.handoff)
    ctx.send("done", reply.as_dict())


def _pieces(text: str) -> list[str]:
    """The answer in sentence-sized pieces that join back to exactly the same text."""
    return [p for p in re.split(r"(?<=[.!?:\]\n])(?=\s)", text) if p]


def build_bot(
    settings: Settings, *, with_store: bool = True, embedder: Embedder | None = None
) -> Bot:
    """The real services: the embedding model (loaded now), Chroma and the database (opened
    on first use, so the bot starts even while either is down)."""
    from analytics.db import make_engine
    from askcouncil.chroma import ChromaConnection
    from askcouncil.embedding import load_embedder
    from bot.llm import chat_model

    if embedder is None:
        lazy = load_embedder(settings)
        lazy.model()  # every question needs it: loaded before the bot says it is ready
        embedder = lazy
    services = Services(
        embedder, ChromaConnection(settings), settings.councils_path,
        llm=chat_model(settings), llm_settings=settings, refresh_s=settings.index_refresh_s,
    )
    store = AnalyticsStore(make_engine(settings.db_url)) if with_store else None
    if store is not None:
        try:
            store.ensure_schema()
        except Exception as exc:  # it is tried again on the next write
            log.error("analytics database unavailable at start-up: %s", exc)
    bot = Bot(settings, services, store)
    if bot.writer is not None:
        bot.writer.start()  # writes an earlier process left in the outbox go in now
    return bot


def ask_once(settings: Settings, question: str) -> Reply:
    """One question answered with the real services (``askcouncil ask``); the turn is written
    to the analytics database before this returns."""
    bot = build_bot(settings)
    try:
        return bot.chat(question)
    finally:
        bot.close()
