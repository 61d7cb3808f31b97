"""The dashboard's pages and exports under ``/admin``: overview (volumes, statuses, the trend a
day, the most asked and unanswered questions, satisfaction, the deflection estimate), gap topics,
a masked conversation browser (search, a conversation's details, erasure), the site report from
the last crawl, and CSV/JSON exports. The overview, the browser and their exports take the
filters in ``bot/admin/filters.py`` (period, service, search); a filter that does not parse is
answered 400 with what to change. Each route validates, asks the library (the store,
``bot/admin/reports.py``) and shapes the page; sign-in is ``bot/admin/auth.py``.

Every page carries ``Cache-Control: no-store``, a strict Content-Security-Policy and
``X-Frame-Options: DENY``."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from analytics.deflection import to_csv
from analytics.gap_topics import set_status
from analytics.gaps import PERIODS, gaps_to_csv
from analytics.queries import ConversationFilter
from analytics.render import to_csv_text
from askcouncil import urls
from askcouncil.errors import NotFound
from bot.admin import auth, filters, reports
from bot.admin.filters import FilterError, Filters
from bot.deps import AdminSession, BotDep, SettingsDep

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ANALYTICS_TEMPLATES = Path(__file__).resolve().parents[2] / "analytics" / "templates"
# the crawler's site report body, which the dashboard shows inside its own page
SITE_REPORT_TEMPLATES = Path(__file__).resolve().parents[2] / "crawler" / "templates"
PAGE_SIZE = 50  # conversations a page
NOT_MADE = ("The gap report for this period has not been made yet. It is made after each crawl "
            "and can be made now with: askcouncil report refresh-gaps")
REFERENCE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a conversation id, as residents quote it
EXPORT_COLUMNS = ["conversation_id", "started", "turn_time", "question_masked", "status",
                  "confidence", "cited_pages", "handoff_used"]

router = APIRouter(prefix="/admin", include_in_schema=False)
# the crawler's site report body and the gap report's shared parts are drawn inside its pages
templates = Jinja2Templates(directory=[str(TEMPLATES), str(SITE_REPORT_TEMPLATES),
                                       str(ANALYTICS_TEMPLATES)])
urls.install(templates.env)  # `| href` on every address a template links to


def install(app: FastAPI) -> None:
    """The dashboard on ``app``: its routes, the redirect to sign in, and what it keeps per app
    (the gap reports)."""
    app.include_router(router)
    app.add_exception_handler(auth.SignInRequired, _sign_in_first)


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    return _headers(RedirectResponse("/admin/login", status_code=303))


def _headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    settings = request.app.state.settings
    nonce = auth.session_nonce(request)
    base = {"council": request.app.state.bot.services.council(settings.council),
            "dev": auth.login_mode(settings) == "dev",
            "csrf": auth.csrf_token(request, nonce) if nonce else "",
            "signed_in": nonce is not None, "path": request.url.path}
    return _headers(templates.TemplateResponse(request, f"admin/{name}", {**base, **context},
                                               status_code=status))


def _message(request: Request, title: str, message: str, status: int = 200,
             back: tuple[str, str] | None = None) -> Response:
    """A page with one message; ``back``: a (link, text) to carry on from."""
    return _page(request, "message.html", {"title": title, "message": message, "back": back},
                 status)


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, max_num_fields=20).items()}


def _filters(request: Request, bot: BotDep, council: str,
             default_days: int | None = filters.DEFAULT_DAYS) -> Filters:
    """The page's filters (:class:`FilterError` when one does not parse)."""
    return filters.parse(request.query_params, reports.services(bot, council),
                         datetime.now(UTC), default_days)


def _days_only(request: Request) -> Filters:
    """The gap pages' period: the last ``days`` days, one of the periods the job makes."""
    f = filters.parse({"days": request.query_params.get("days", "")}, [], datetime.now(UTC))
    if f.days not in PERIODS:
        raise FilterError("The gap report is made for the last "
                          + ", ".join(str(d) for d in PERIODS[:-1])
                          + f" or {PERIODS[-1]} days: choose one of those.")
    return f


def _bad_filter(request: Request, exc: FilterError, page: str) -> Response:
    return _message(request, "Check the filters", str(exc), 400,
                    back=(page, "Start again with no filters"))


def _where(bot: BotDep, council: str, f: Filters) -> ConversationFilter:
    """The conversations the browser's filters pick (a service's: the deflection estimate's
    attribution, residents only)."""
    only = None if f.service is None else reports.service_conversations(
        bot, council, f.service, f.since, f.until)
    return ConversationFilter(f.since, f.until, f.words, only)


# ---- Sign-in ------------------------------------------------------------------------------

@router.get("/login")
def login_page(request: Request, settings: SettingsDep) -> Response:
    return _page(request, "login.html", {"mode": auth.login_mode(settings), "error": None,
                                         "login_csrf": auth.login_token(settings)})


@router.post("/login")
async def login(request: Request, settings: SettingsDep) -> Response:
    form = await _form(request)
    token_ok = auth.token_ok(form.get("csrf", ""), auth.login_token(settings))
    password_ok = await auth.password_ok(request, settings, form.get("password", ""))
    if not (password_ok and token_ok):
        await auth.refuse()
        return _page(request, "login.html", {
            "mode": auth.login_mode(settings), "error": "That password is not right."
            if token_ok else "The form had expired. Please try again.",
            "login_csrf": auth.login_token(settings)}, status=401)
    response = RedirectResponse("/admin", status_code=303)
    auth.start_session(response, request, settings)
    return _headers(response)


@router.post("/logout")
async def logout(request: Request) -> Response:
    nonce = auth.session_nonce(request)
    form = await _form(request)
    if nonce is None or not auth.token_ok(form.get("csrf", ""), auth.csrf_token(request, nonce)):
        return _headers(RedirectResponse("/admin/login", status_code=303))
    response = RedirectResponse("/admin/login", status_code=303)
    auth.end_session(response)
    return _headers(response)


# ---- Pages ---------------------------------------------------------------------------------

@router.get("", response_class=HTMLResponse)
def overview(request: Request, _: AdminSession, bot: BotDep, settings: SettingsDep) -> Response:
    try:
        f = _filters(request, bot, settings.council)
    except FilterError as exc:
        return _bad_filter(request, exc, "/admin")
    assert f.since is not None and f.until is not None  # the overview always has a period
    return _page(request, "overview.html", {
        "f": f, "services": reports.services(bot, settings.council),
        **reports.overview(bot, settings.council, f.since, f.until, f.service)})


@router.get("/gaps", response_class=HTMLResponse)
def gaps(request: Request, _: AdminSession, bot: BotDep, settings: SettingsDep) -> Response:
    try:
        f = _days_only(request)
    except FilterError as exc:
        return _bad_filter(request, exc, "/admin/gaps")
    assert f.days is not None and f.since is not None and f.until is not None
    return _page(request, "gaps.html", {"days": f.days, "periods": PERIODS,
                                        "r": reports.gap_report(bot, settings.council, f.days)})


@router.post("/gaps/{topic_id}/status")
async def gap_status(request: Request, topic_id: int, bot: BotDep) -> Response:
    """An editor marks a gap topic new, acknowledged or fixed (fixed topics are re-asked after
    the next crawl)."""
    # Checked here rather than as AdminSession, which FastAPI would run before it validates the
    # path: a topic id that is not a number is answered 422 before the sign-in check, as before.
    nonce = auth.require_session(request)
    form = await _form(request)
    if not auth.token_ok(form.get("csrf", ""), auth.csrf_token(request, nonce)):
        return _message(request, "Form expired", "Please go back and try again.", 403)
    await run_in_threadpool(set_status, reports.store_of(bot), topic_id,
                            form.get("status", ""))  # a database write: off the event loop
    days = form.get("days", "30")
    return _headers(RedirectResponse(f"/admin/gaps?days={days if days.isdigit() else 30}",
                                     status_code=303))


@router.get("/conversations", response_class=HTMLResponse)
def conversations(request: Request, _: AdminSession, bot: BotDep,
                  settings: SettingsDep) -> Response:
    try:
        f = _filters(request, bot, settings.council, default_days=None)
    except FilterError as exc:
        return _bad_filter(request, exc, "/admin/conversations")
    found = reports.store_of(bot).conversations(
        settings.council, (f.page - 1) * PAGE_SIZE, PAGE_SIZE + 1,
        _where(bot, settings.council, f))
    return _page(request, "conversations.html", {
        "rows": found[:PAGE_SIZE], "more": len(found) > PAGE_SIZE, "f": f,
        "services": reports.services(bot, settings.council)})


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation(request: Request, conversation_id: str, _: AdminSession, bot: BotDep,
                 settings: SettingsDep) -> Response:
    found = reports.store_of(bot).conversation_detail(conversation_id)
    if found is None or found.conversation.council != settings.council:
        return _message(request, "Not found", "There is no such conversation.", 404,
                        back=("/admin/conversations", "All conversations"))
    return _page(request, "conversation.html", {"c": found, "id": conversation_id})


def conversation_id_of(reference: str) -> str:
    """The conversation id a resident's quoted reference stands for: the widget shows the id in
    capitals without hyphens, in groups of four ("3F2B 8C1E ..."); any other text is taken as it
    is, trimmed."""
    compact = re.sub(r"[\s-]", "", reference)
    if re.fullmatch(r"[0-9A-Fa-f]{32}", compact):
        return str(uuid.UUID(compact))
    return reference.strip()


@router.post("/erase")
async def erase(request: Request, bot: BotDep, settings: SettingsDep) -> Response:
    """Erase one conversation by its reference (a resident's request under UK GDPR), after the
    editor ticks "I confirm"; its questions leave the gap topics and the kept gap reports."""
    nonce = auth.require_session(request)
    form = await _form(request)
    if not auth.token_ok(form.get("csrf", ""), auth.csrf_token(request, nonce)):
        return _message(request, "Form expired", "Please go back and try again.", 403)
    reference = conversation_id_of(form.get("reference", ""))
    store = reports.store_of(bot)

    def again(error: str, status: int) -> Response:
        return _page(request, "erase.html", {"reference": reference, "error": error}, status)

    if not REFERENCE.fullmatch(reference):
        return again("Enter the conversation reference the resident quoted: letters, digits "
                     "and dashes, such as 3f2b8c1e-9a4d-4e7b-8c55-0d6f1a2b3c4d.", 400)
    found = await run_in_threadpool(store.conversation_detail, reference)
    if found is None or found.conversation.council != settings.council:
        return again(f"No conversation has the reference {reference}. Check it with the "
                     "resident: it may have been erased already, or deleted at the end of the "
                     "retention period.", 404)
    if form.get("confirm") != "yes":
        return again("Tick \u201cI confirm\u201d to erase this conversation.", 400)
    try:
        erased = await run_in_threadpool(store.erase, reference)  # a write: off the event loop
    except NotFound:  # erased by someone else a moment ago
        erased = 0
    return _message(request, "Conversation erased",
                    f"Conversation {reference} has been erased: "
                    + ("1 question, with its answer, feedback and handoff clicks"
                       if erased == 1 else f"{erased} questions, with their answers, feedback "
                       "and handoff clicks")
                    + "; its questions are out of the gap topics too.",
                    back=("/admin/conversations", "All conversations"))


@router.get("/site-report", response_class=HTMLResponse)
def site_report(request: Request, _: AdminSession, settings: SettingsDep) -> Response:
    """The last crawl's report for web editors, inside the dashboard's page (its styles are
    admin.css: the dashboard allows no inline style)."""
    latest = settings.data_dir / "reports" / settings.council / "latest.json"
    try:
        data = json.loads(latest.read_text("utf-8"))
    except (OSError, ValueError):
        return _message(request, "Site report", "No crawl has written a site report yet. Run "
                        "askcouncil crawl URL.")
    return _page(request, "site_report.html", {"r": data})


@router.get("/export/{name}.{fmt}")
def export(request: Request, name: str, fmt: str, _: AdminSession, bot: BotDep,
           settings: SettingsDep) -> Response:
    page = {"conversations": "/admin/conversations", "gaps": "/admin/gaps"}.get(name, "/admin")
    try:
        f = (_days_only(request) if name == "gaps" else
             _filters(request, bot, settings.council,
                      default_days=None if name == "conversations" else filters.DEFAULT_DAYS))
    except FilterError as exc:
        return _bad_filter(request, exc, page)
    data: Any
    csv_text: Callable[[Any], str]
    if name == "deflection":
        assert f.since is not None and f.until is not None
        data = reports.deflection(bot, settings.council, f.since, f.until, f.service)
        csv_text = to_csv
    elif name == "gaps":
        assert f.days is not None
        data = reports.gap_report(bot, settings.council, f.days)
        if data is None:
            return _message(request, "Not made yet", NOT_MADE, 404,
                            back=("/admin/gaps", "Gap topics"))
        csv_text = gaps_to_csv
    elif name == "conversations" and fmt == "csv":
        data = reports.store_of(bot).conversation_turns(settings.council,
                                                        _where(bot, settings.council, f))
        csv_text = _turns_csv
    elif name == "conversations":
        return _message(request, "Not found", "The conversations export is CSV only.", 404)
    else:
        return _message(request, "Not found", "No such export.", 404)
    if fmt == "json":
        body, media = json.dumps(data, indent=2, default=str), "application/json"
    elif fmt == "csv":
        body, media = csv_text(data), "text/csv; charset=utf-8"
    else:
        return _message(request, "Not found", "Exports are .csv or .json.", 404)
    period = (f"-{f.days}d" if f.days else f"-{f.start}-to-{f.end}" if f.start else "")
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    response = Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}{period}-{stamp}.{fmt}"'})
    return _headers(response)


def _turns_csv(rows: list[Any]) -> str:
    """The conversations export: one row per turn (masked; cells neutralised against
    spreadsheet formulas by ``to_csv_text``)."""
    return to_csv_text([EXPORT_COLUMNS] + [
        [r.conversation_id, _iso(r.started), _iso(r.asked), r.question, r.status,
         round(r.confidence, 3), " ".join(r.cited), "yes" if r.handoff_used else "no"]
        for r in rows])


def _iso(when: datetime) -> str:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat(
        timespec="seconds")


@router.get("/static/admin.css")
def stylesheet() -> Response:
    css = (TEMPLATES / "admin" / "admin.css").read_text()
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})
