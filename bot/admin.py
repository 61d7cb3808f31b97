"""The dashboard for web editors and customer-service managers, under ``/admin``: overview
(volumes, statuses, satisfaction, the deflection estimate), gap topics, a masked conversation
browser, the site report from the last crawl, and CSV/JSON exports.

Sign-in: one password, stored only as a PBKDF2 hash in ``ASKCOUNCIL_ADMIN_PASSWORD_HASH``
(``askcouncil admin hash-password`` makes one). Outside development there is no default: without
a hash the dashboard says how to set one and lets nobody in. In development, with no hash set,
the password is ``askcouncil`` and every page says so. Sessions are signed cookies (HttpOnly,
SameSite=Strict); every form carries a CSRF token tied to the session.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from askcouncil import urls
from askcouncil.settings import Settings

router = APIRouter(prefix="/admin", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
urls.install(templates.env)  # `| href` on every address a template links to
COOKIE = "askcouncil_admin"
DEV_PASSWORD = "askcouncil"
ITERATIONS = 600_000
CACHE_S = 600.0
_process_secret = secrets.token_bytes(32)
_gap_cache: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}


# ---- Passwords and sessions ----------------------------------------------------------------

def hash_password(password: str, *, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    salt_b64, digest_b64 = base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    return f"pbkdf2_sha256${iterations}${salt_b64}${digest_b64}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt),
                                  int(iterations))
        return hmac.compare_digest(got, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


def _secret(settings: Settings) -> bytes:
    configured = settings.admin_session_secret
    return configured.get_secret_value().encode() if configured else _process_secret


def _sign(settings: Settings, text: str) -> str:
    return hmac.new(_secret(settings), text.encode(), hashlib.sha256).hexdigest()


def _session(request: Request) -> str | None:
    """The session's nonce when the cookie is valid and unexpired."""
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(COOKIE, "")
    parts = raw.split(".")
    if len(parts) != 3:
        return None
    expires, nonce, sig = parts
    if not hmac.compare_digest(sig, _sign(settings, f"{expires}.{nonce}")):
        return None
    if not expires.isdigit() or int(expires) < time.time():
        return None
    return nonce


def _csrf(request: Request, nonce: str) -> str:
    return _sign(request.app.state.settings, f"csrf.{nonce}")


def _login_mode(settings: Settings) -> str:
    """"hash" (a password is configured), "dev" (development default) or "off"."""
    if settings.admin_password_hash:
        return "hash"
    return "dev" if settings.environment == "development" else "off"


def _headers(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    settings: Settings = request.app.state.settings
    nonce = _session(request)
    base = {"council": request.app.state.bot.services.council(settings.council),
            "dev": _login_mode(settings) == "dev", "csrf": _csrf(request, nonce) if nonce else "",
            "signed_in": nonce is not None, "path": request.url.path}
    return _headers(templates.TemplateResponse(request, f"admin/{name}", {**base, **context},
                                               status_code=status))


def _required(request: Request) -> Response | None:
    """A redirect to the sign-in page unless signed in."""
    if _session(request) is None:
        return _headers(RedirectResponse("/admin/login", status_code=303))
    return None


def _login_slot(request: Request) -> asyncio.Semaphore:
    """One password check at a time in this process (made with the app, on its event loop)."""
    state = request.app.state
    if getattr(state, "login_slot", None) is None:
        state.login_slot = asyncio.Semaphore(1)
    return state.login_slot


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, max_num_fields=20).items()}


# ---- Sign-in ------------------------------------------------------------------------------

@router.get("/login")
def login_page(request: Request) -> Response:
    mode = _login_mode(request.app.state.settings)
    return _page(request, "login.html", {"mode": mode, "error": None,
                                         "login_csrf": _sign(request.app.state.settings,
                                                             "login")})


@router.post("/login")
async def login(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    form = await _form(request)
    mode = _login_mode(settings)
    token_ok = hmac.compare_digest(form.get("csrf", ""), _sign(settings, "login"))
    password = form.get("password", "")
    if mode == "hash":
        assert settings.admin_password_hash is not None
        # PBKDF2 takes a core for about half a second: off the event loop (which would stop
        # every resident's request meanwhile), and one at a time, so that a burst of sign-ins
        # holds one core and no worker threads while it waits.
        async with _login_slot(request):
            ok = await run_in_threadpool(check_password, password,
                                         settings.admin_password_hash.get_secret_value())
    else:
        ok = mode == "dev" and hmac.compare_digest(password, DEV_PASSWORD)
    if not (ok and token_ok):
        await asyncio.sleep(0.5)  # slows guessing, without holding up anyone else
        return _page(request, "login.html", {
            "mode": mode, "error": "That password is not right." if token_ok else
            "The form had expired. Please try again.",
            "login_csrf": _sign(settings, "login")}, status=401)
    expires = int(time.time() + settings.admin_session_hours * 3600)
    nonce = secrets.token_hex(16)
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, f"{expires}.{nonce}.{_sign(settings, f'{expires}.{nonce}')}",
                        max_age=settings.admin_session_hours * 3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/admin")
    return _headers(response)


@router.post("/logout")
async def logout(request: Request) -> Response:
    nonce = _session(request)
    form = await _form(request)
    if nonce is None or not hmac.compare_digest(form.get("csrf", ""), _csrf(request, nonce)):
        return _headers(RedirectResponse("/admin/login", status_code=303))
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return _headers(response)


# ---- Pages ---------------------------------------------------------------------------------

def _period(request: Request) -> tuple[int, datetime, datetime]:
    try:
        days = max(1, min(400, int(request.query_params.get("days", "30"))))
    except ValueError:
        days = 30
    until = datetime.now(UTC)
    return days, until - timedelta(days=days), until


def _deflection(request: Request, since: datetime, until: datetime) -> dict[str, Any]:
    from analytics.deflection import Assumptions, conversation_facts, report

    bot = request.app.state.bot
    council = bot.services.council(request.app.state.settings.council)
    return report(conversation_facts(bot.store, council, since, until), council,
                  Assumptions.for_council(council), since, until)


def _gaps(request: Request, days: int, since: datetime, until: datetime) -> dict[str, Any]:
    from analytics.gaps import gap_report

    settings: Settings = request.app.state.settings
    key = (settings.council, days)
    cached = _gap_cache.get(key)
    if cached and time.monotonic() - cached[0] < CACHE_S:
        return cached[1]
    bot = request.app.state.bot
    try:
        index = bot.services.index(settings.council)
    except Exception:
        index = None
    result = gap_report(bot.store, bot.services.council(settings.council),
                        bot.services.embedder, index, since, until)
    _gap_cache[key] = (time.monotonic(), result)
    return result


def _status_counts(request: Request, since: datetime, until: datetime) -> dict[str, int]:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from analytics.models import Conversation, Turn

    bot = request.app.state.bot
    with Session(bot.store.engine) as s:
        rows = s.execute(select(Turn.status, func.count()).join(Conversation).where(
            Conversation.council == request.app.state.settings.council,
            Conversation.is_bot.is_(False), Turn.created_at >= since,
            Turn.created_at < until).group_by(Turn.status))
        return {status: n for status, n in rows}


@router.get("", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    if (redirect := _required(request)) is not None:
        return redirect
    days, since, until = _period(request)
    statuses = _status_counts(request, since, until)
    deflection = _deflection(request, since, until)
    return _page(request, "overview.html", {
        "days": days, "statuses": statuses, "turns": sum(statuses.values()),
        "deflection": deflection, "t": deflection["total"], "bars": _bars(statuses),
        "satisfaction": _satisfaction(request, since, until),
    })


@router.get("/gaps", response_class=HTMLResponse)
def gaps(request: Request) -> Response:
    if (redirect := _required(request)) is not None:
        return redirect
    days, since, until = _period(request)
    return _page(request, "gaps.html", {"days": days, "r": _gaps(request, days, since, until)})


@router.post("/gaps/{topic_id}/status")
async def gap_status(request: Request, topic_id: int) -> Response:
    """An editor marks a gap topic new, acknowledged or fixed (fixed topics are re-asked after
    the next crawl)."""
    if (redirect := _required(request)) is not None:
        return redirect
    from analytics.gap_topics import set_status

    form = await _form(request)
    nonce = _session(request)
    assert nonce is not None
    if not hmac.compare_digest(form.get("csrf", ""), _csrf(request, nonce)):
        return _page(request, "message.html", {"title": "Form expired",
                                               "message": "Please go back and try again."}, 403)
    await run_in_threadpool(set_status, request.app.state.bot.store, topic_id,
                            form.get("status", ""))  # a database write: off the event loop
    _gap_cache.clear()
    return _headers(RedirectResponse(f"/admin/gaps?days={form.get('days', '30')}",
                                     status_code=303))


@router.get("/conversations", response_class=HTMLResponse)
def conversations(request: Request) -> Response:
    if (redirect := _required(request)) is not None:
        return redirect
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from analytics.models import Conversation

    bot = request.app.state.bot
    page = max(1, int(request.query_params.get("page", "1") or 1))
    with Session(bot.store.engine) as s:
        convs = list(s.scalars(select(Conversation).where(
            Conversation.council == request.app.state.settings.council)
            .order_by(Conversation.started_at.desc()).offset((page - 1) * 50).limit(51)))
        rows = [{"id": c.id, "started": c.started_at, "bot": c.is_bot,
                 "first": c.turns[0].question if c.turns else "",
                 "statuses": [t.status for t in c.turns]} for c in convs[:50]]
    return _page(request, "conversations.html", {"rows": rows, "page": page,
                                                 "more": len(convs) > 50})


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation(request: Request, conversation_id: str) -> Response:
    if (redirect := _required(request)) is not None:
        return redirect
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from analytics.models import Feedback, Turn

    with Session(request.app.state.bot.store.engine) as s:
        turns = list(s.scalars(select(Turn).where(Turn.conversation_id == conversation_id)
                               .order_by(Turn.seq)))
        feedback: dict[str, list[Feedback]] = {}
        for f in s.scalars(select(Feedback).where(Feedback.turn_id.in_([t.id for t in turns]))):
            feedback.setdefault(f.turn_id, []).append(f)
    if not turns:
        return _page(request, "message.html", {"title": "Not found",
                                               "message": "There is no such conversation."}, 404)
    return _page(request, "conversation.html", {"id": conversation_id, "turns": turns,
                                                "feedback": feedback})


@router.get("/site-report", response_class=HTMLResponse)
def site_report(request: Request) -> Response:
    if (redirect := _required(request)) is not None:
        return redirect
    settings: Settings = request.app.state.settings
    latest = settings.data_dir / "reports" / settings.council / "latest.html"
    if not latest.is_file():
        return _page(request, "message.html", {
            "title": "Site report", "message": "No crawl has written a site report yet. Run "
            "askcouncil crawl URL."})
    return _headers(HTMLResponse(latest.read_text("utf-8")))


@router.get("/export/{name}.{fmt}")
def export(request: Request, name: str, fmt: str) -> Response:
    if (redirect := _required(request)) is not None:
        return redirect
    from analytics.deflection import to_csv
    from analytics.gaps import gaps_to_csv

    days, since, until = _period(request)
    if name == "deflection":
        data = _deflection(request, since, until)
        csv_text = to_csv
    elif name == "gaps":
        data = _gaps(request, days, since, until)
        csv_text = gaps_to_csv
    else:
        return _page(request, "message.html", {"title": "Not found",
                                               "message": "No such export."}, 404)
    stamp = until.strftime("%Y%m%d")
    if fmt == "json":
        body, media = json.dumps(data, indent=2, default=str), "application/json"
    elif fmt == "csv":
        body, media = csv_text(data), "text/csv; charset=utf-8"
    else:
        return _page(request, "message.html", {"title": "Not found",
                                               "message": "Exports are .csv or .json."}, 404)
    response = Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}-{days}d-{stamp}.{fmt}"'})
    return _headers(response)


def _satisfaction(request: Request, since: datetime, until: datetime) -> dict[str, int]:
    """Answers to "Did this answer your question?" in the period."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from analytics.models import Conversation, Feedback, Turn

    with Session(request.app.state.bot.store.engine) as s:
        rows = s.execute(select(Feedback.helpful, func.count()).join(Turn).join(Conversation)
                         .where(Conversation.council == request.app.state.settings.council,
                                Conversation.is_bot.is_(False), Turn.created_at >= since,
                                Turn.created_at < until).group_by(Feedback.helpful))
        counts = {bool(helpful): n for helpful, n in rows}
    return {"yes": counts.get(True, 0), "no": counts.get(False, 0)}


@router.get("/static/admin.css")
def stylesheet() -> Response:
    css = (Path(__file__).resolve().parent / "templates" / "admin" / "admin.css").read_text()
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})


def _bars(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Widths for a horizontal bar chart drawn in SVG (the same numbers are in a table)."""
    top = max(counts.values(), default=0) or 1
    return [{"label": k, "value": v, "width": round(300 * v / top), "y": 28 * i}
            for i, (k, v) in enumerate(sorted(counts.items(), key=lambda kv: -kv[1]))]
