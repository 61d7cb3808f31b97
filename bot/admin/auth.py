"""Signing in to the dashboard.

One password, stored only as a PBKDF2 hash in ``ASKCOUNCIL_ADMIN_PASSWORD_HASH`` (``askcouncil
admin hash-password`` makes one). Outside development there is no default: without a hash the
dashboard says how to set one and lets nobody in. In development, with no hash set, the password
is ``askcouncil`` and every page says so. Sessions are signed cookies (HttpOnly,
SameSite=Strict); every form carries a CSRF token tied to the session. The routes take the session
through ``bot.deps.AdminSession``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from askcouncil.settings import Settings

COOKIE = "askcouncil_admin"
DEV_PASSWORD = "askcouncil"
ITERATIONS = 600_000
REFUSAL_PAUSE_S = 0.5  # after a failed sign-in: slows guessing, without holding up anyone else
# Signs sessions when ASKCOUNCIL_ADMIN_SESSION_SECRET is not set (never changed: sessions then
# last as long as the process).
PROCESS_SECRET = secrets.token_bytes(32)


class SignInRequired(Exception):
    """A dashboard page was asked for without a valid session (answered with a redirect to the
    sign-in page)."""


# ---- Passwords -----------------------------------------------------------------------------

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


def login_mode(settings: Settings) -> str:
    """"hash" (a password is configured), "dev" (development default) or "off"."""
    if settings.admin_password_hash:
        return "hash"
    return "dev" if settings.environment == "development" else "off"


def _login_slot(request: Request) -> asyncio.Semaphore:
    """One password check at a time in this process (made with the app, on its event loop)."""
    state = request.app.state
    if getattr(state, "login_slot", None) is None:
        state.login_slot = asyncio.Semaphore(1)
    return state.login_slot


async def password_ok(request: Request, settings: Settings, password: str) -> bool:
    """Whether ``password`` signs in under the settings' login mode."""
    mode = login_mode(settings)
    if mode == "hash":
        assert settings.admin_password_hash is not None
        # PBKDF2 takes a core for about half a second: off the event loop (which would stop
        # every resident's request meanwhile), and one at a time, so that a burst of sign-ins
        # holds one core and no worker threads while it waits.
        async with _login_slot(request):
            return await run_in_threadpool(check_password, password,
                                           settings.admin_password_hash.get_secret_value())
    return mode == "dev" and hmac.compare_digest(password, DEV_PASSWORD)


async def refuse() -> None:
    """The pause before a failed sign-in is answered (on the event loop: no thread held)."""
    await asyncio.sleep(REFUSAL_PAUSE_S)


# ---- Signed sessions and form tokens -------------------------------------------------------

def _secret(settings: Settings) -> bytes:
    configured = settings.admin_session_secret
    return configured.get_secret_value().encode() if configured else PROCESS_SECRET


def sign(settings: Settings, text: str) -> str:
    return hmac.new(_secret(settings), text.encode(), hashlib.sha256).hexdigest()


def token_ok(given: str, expected: str) -> bool:
    return hmac.compare_digest(given, expected)


def login_token(settings: Settings) -> str:
    """The sign-in form's token (there is no session yet)."""
    return sign(settings, "login")


def session_nonce(request: Request) -> str | None:
    """The session's nonce when the cookie is valid and unexpired."""
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(COOKIE, "")
    parts = raw.split(".")
    if len(parts) != 3:
        return None
    expires, nonce, sig = parts
    if not hmac.compare_digest(sig, sign(settings, f"{expires}.{nonce}")):
        return None
    if not expires.isdigit() or int(expires) < time.time():
        return None
    return nonce


def csrf_token(request: Request, nonce: str) -> str:
    """The token every form of a session carries."""
    return sign(request.app.state.settings, f"csrf.{nonce}")


def require_session(request: Request) -> str:
    """The dependency behind ``bot.deps.AdminSession``: the session's nonce, or
    :class:`SignInRequired`."""
    nonce = session_nonce(request)
    if nonce is None:
        raise SignInRequired
    return nonce


def start_session(response: Response, request: Request, settings: Settings) -> None:
    expires = int(time.time() + settings.admin_session_hours * 3600)
    nonce = secrets.token_hex(16)
    response.set_cookie(COOKIE, f"{expires}.{nonce}.{sign(settings, f'{expires}.{nonce}')}",
                        max_age=settings.admin_session_hours * 3600, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/admin")


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/admin")
