"""HTTP routes: validate, call the library, shape the response."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.templating import Jinja2Templates

from askcouncil import urls
from bot.deps import BotDep, SettingsDep
from bot.schemas import (
    ChatRequest,
    ChatResponse,
    ErrorResponse,
    EventRequest,
    FeedbackRequest,
    FeedbackResponse,
)
from bot.services import no_index_message
from widget import WIDGET_CSS, WIDGET_JS

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
urls.install(templates.env)  # `| href` on every address a template links to
# Every error a resident's request can meet, in the one error shape (the size limit and the rate
# limit come from bot/security.py, before the route).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body is not JSON."},
    404: {"model": ErrorResponse, "description": "No such answer, or council."},
    413: {"model": ErrorResponse, "description": "The request is too large."},
    422: {"model": ErrorResponse, "description": "The request is not valid."},
    429: {"model": ErrorResponse, "description": "Too many requests: see Retry-After."},
}
STORE_ERRORS = {**ERRORS, 503: {"model": ErrorResponse,
                                "description": "Analytics cannot be stored right now."}}


@router.post("/api/chat", response_model=ChatResponse, responses=ERRORS)
def chat(body: ChatRequest, bot: BotDep, request: Request) -> dict:
    """Answer one message. Send `conversation_id` and `conversation_token` back on follow-ups."""
    return bot.chat(body.message, body.conversation_id, body.council,
                    user_agent=request.headers.get("user-agent"),
                    conversation_token=body.conversation_token,
                    previous_conversation_id=body.previous_conversation_id).as_dict()


@router.post(
    "/api/chat/stream",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}},
                               "description": "Server-Sent Events: status, answer, citations, "
                               "handoff, done (the whole reply, as POST /api/chat gives it)."}},
)
def chat_stream(body: ChatRequest, bot: BotDep, request: Request) -> StreamingResponse:
    """Answer one message as Server-Sent Events, while it is produced. Events: `status`
    (`{"step": ...}`), `answer` (`{"text": ...}`, append it), `reset` (clear the text so far),
    `citations`, `handoff`, then `done` with the same body as `POST /api/chat`."""
    bot.check(body.message, body.council)  # bad input is a 4xx, before the stream starts

    def events() -> Iterator[str]:
        for event, data in bot.chat_stream(body.message, body.conversation_id, body.council,
                                           user_agent=request.headers.get("user-agent"),
                                           conversation_token=body.conversation_token,
                                           previous_conversation_id=body.previous_conversation_id):
            yield f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/api/feedback", response_model=FeedbackResponse, responses=STORE_ERRORS)
def feedback(body: FeedbackRequest, bot: BotDep) -> dict:
    """Record "Did this answer your question?" for one answer."""
    bot.record_feedback(body.message_id, body.helpful, body.reason, body.would_have_phoned,
                        body.message_token)
    return {"ok": True}


@router.post("/api/event", response_model=FeedbackResponse, responses=STORE_ERRORS)
def event(body: EventRequest, bot: BotDep) -> dict:
    """Record that the resident used a handoff (phone number, form, contact page or source
    link): the widget reports these clicks for the deflection estimate."""
    bot.record_event(body.message_id, body.kind, body.target, body.message_token)
    return {"ok": True}


@router.get("/healthz")
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(bot: BotDep, settings: SettingsDep) -> JSONResponse:
    """Ready to answer: Chroma is reachable and holds the council's index. The database is
    reported but does not decide readiness: while it is down, answers go on and their turns
    wait in the outbox (`outbox.pending`)."""
    checks: dict[str, Any] = {}
    try:
        index = bot.services.index(settings.council)
        index.heartbeat()
        checks["chroma"] = "ok" if index.exists() else no_index_message(settings.council)
    except Exception as exc:
        checks["chroma"] = f"unreachable: {type(exc).__name__}"
    try:
        if bot.store is None:
            raise RuntimeError("not configured")
        bot.store.ping()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    if bot.writer is not None:
        checks["outbox"] = bot.writer.outbox.counts()
    ready = checks["chroma"] == "ok"
    return JSONResponse({"ready": ready, "degraded": checks["database"] != "ok",
                         "checks": checks}, status_code=200 if ready else 503)


@router.get("/widget.js", include_in_schema=False)
def widget_js() -> FileResponse:
    return FileResponse(WIDGET_JS, media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/widget.css", include_in_schema=False)
def widget_css() -> FileResponse:
    return FileResponse(WIDGET_CSS, media_type="text/css",
                        headers={"Cache-Control": "public, max-age=300"})


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page(request: Request, bot: BotDep, settings: SettingsDep) -> HTMLResponse:
    council = bot.services.council(settings.council)
    try:
        site = bot.services.index(settings.council).site_info()
    except Exception:
        site = {}
    return templates.TemplateResponse(
        request,
        "demo.html",
        {"council": council, "slug": settings.council, "site": site.get("base_url")},
    )
