"""The dashboard's pages and exports under ``/admin``: overview (volumes, statuses,
satisfaction, the deflection estimate), gap topics, a masked conversation browser, the site report
from the last crawl, and CSV/JSON exports. Each route validates, asks the library (the store,
``bot/admin/reports.py``) and shapes the page; sign-in is ``bot/admin/auth.py``.

Every page carries ``Cache-Control: no-store``, a strict Content-Security-Policy and
``X-Frame-Options: DENY``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from analytics.deflection import to_csv
from analytics.gap_topics import set_status
from analytics.gaps import gaps_to_csv
from askcouncil import urls
from bot.admin import auth, reports
from bot.deps import AdminSession, BotDep, GapReportsDep, SettingsDep

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE_SIZE = 50  # conversations a page

router = APIRouter(prefix="/admin", include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
urls.install(templates.env)  # `| href` on every address a template links to


def install(app: FastAPI) -> None:
    """The dashboard on ``app``: its routes, the redirect to sign in, and what it keeps per app
    (the gap reports)."""
    app.include_router(router)
    app.add_exception_handler(auth.SignInRequired, _sign_in_first)
    app.state.gap_reports = reports.GapReports()


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


def _message(request: Request, title: str, message: str, status: int = 200) -> Response:
    return _page(request, "message.html", {"title": title, "message": message}, status)


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, max_num_fields=20).items()}


def _period(request: Request) -> tuple[int, datetime, datetime]:
    try:
        days = max(1, min(400, int(request.query_params.get("days", "30"))))
    except ValueError:
        days = 30
    until = datetime.now(UTC)
    return days, until - timedelta(days=days), until


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
    days, since, until = _period(request)
    return _page(request, "overview.html",
                 {"days": days, **reports.overview(bot, settings.council, since, until)})


@router.get("/gaps", response_class=HTMLResponse)
def gaps(request: Request, _: AdminSession, bot: BotDep, settings: SettingsDep,
         gap_reports: GapReportsDep) -> Response:
    days, since, until = _period(request)
    return _page(request, "gaps.html",
                 {"days": days, "r": gap_reports.get(bot, settings.council, days, since, until)})


@router.post("/gaps/{topic_id}/status")
async def gap_status(request: Request, topic_id: int, bot: BotDep,
                     gap_reports: GapReportsDep) -> Response:
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
    gap_reports.forget()
    return _headers(RedirectResponse(f"/admin/gaps?days={form.get('days', '30')}",
                                     status_code=303))


@router.get("/conversations", response_class=HTMLResponse)
def conversations(request: Request, _: AdminSession, bot: BotDep,
                  settings: SettingsDep) -> Response:
    page = max(1, int(request.query_params.get("page", "1") or 1))
    found = reports.store_of(bot).conversations(settings.council, (page - 1) * PAGE_SIZE,
                                                PAGE_SIZE + 1)
    return _page(request, "conversations.html", {"rows": found[:PAGE_SIZE], "page": page,
                                                 "more": len(found) > PAGE_SIZE})


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation(request: Request, conversation_id: str, _: AdminSession,
                 bot: BotDep) -> Response:
    turns, feedback = reports.store_of(bot).conversation(conversation_id)
    if not turns:
        return _message(request, "Not found", "There is no such conversation.", 404)
    return _page(request, "conversation.html", {"id": conversation_id, "turns": turns,
                                                "feedback": feedback})


@router.get("/site-report", response_class=HTMLResponse)
def site_report(request: Request, _: AdminSession, settings: SettingsDep) -> Response:
    latest = settings.data_dir / "reports" / settings.council / "latest.html"
    if not latest.is_file():
        return _message(request, "Site report", "No crawl has written a site report yet. Run "
                        "askcouncil crawl URL.")
    return _headers(HTMLResponse(latest.read_text("utf-8")))


@router.get("/export/{name}.{fmt}")
def export(request: Request, name: str, fmt: str, _: AdminSession, bot: BotDep,
           settings: SettingsDep, gap_reports: GapReportsDep) -> Response:
    days, since, until = _period(request)
    if name == "deflection":
        data = reports.deflection(bot, settings.council, since, until)
        csv_text = to_csv
    elif name == "gaps":
        data = gap_reports.get(bot, settings.council, days, since, until)
        csv_text = gaps_to_csv
    else:
        return _message(request, "Not found", "No such export.", 404)
    stamp = until.strftime("%Y%m%d")
    if fmt == "json":
        body, media = json.dumps(data, indent=2, default=str), "application/json"
    elif fmt == "csv":
        body, media = csv_text(data), "text/csv; charset=utf-8"
    else:
        return _message(request, "Not found", "Exports are .csv or .json.", 404)
    response = Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}-{days}d-{stamp}.{fmt}"'})
    return _headers(response)


@router.get("/static/admin.css")
def stylesheet() -> Response:
    css = (TEMPLATES / "admin" / "admin.css").read_text()
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})
