"""Signing in to the dashboard (bot/admin/auth.py): password hashes, the signed session cookie,
CSRF tokens, the login modes, one password check at a time, and the AdminSession redirect."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import Response
from fastapi.testclient import TestClient
from starlette.requests import Request

from askcouncil.settings import Settings
from bot.admin import auth

SECRET = "s" * 32


def _settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(data_dir=tmp_path, _env_file=None, **{"environment": "test", **kw})


def _request(settings: Settings, cookie: str | None = None, scheme: str = "http") -> Request:
    app = SimpleNamespace(state=SimpleNamespace(settings=settings))
    headers = [(b"cookie", f"{auth.COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "method": "GET", "path": "/admin", "headers": headers,
                    "query_string": b"", "scheme": scheme, "server": ("test", 80), "app": app})


def _signed_in(settings: Settings, scheme: str = "http") -> tuple[str, str]:
    """(cookie value, set-cookie header) of a new session."""
    response = Response()
    auth.start_session(response, _request(settings, scheme=scheme), settings)
    header = response.headers["set-cookie"]
    return header.split(";")[0].split("=", 1)[1], header


def test_password_hashes() -> None:
    stored = auth.hash_password("a long enough password", iterations=1000)
    assert stored.startswith("pbkdf2_sha256$1000$") and "long enough" not in stored
    assert auth.hash_password("a long enough password", iterations=1000) != stored  # salted
    assert auth.check_password("a long enough password", stored)
    assert not auth.check_password("a long enough passwore", stored)
    assert not auth.check_password("a long enough password", stored.replace("pbkdf2_sha256",
                                                                            "md5"))
    assert not auth.check_password("x", "pbkdf2_sha256$many$salt$digest")


def test_login_modes(tmp_path) -> None:
    assert auth.login_mode(_settings(tmp_path, admin_password_hash="h")) == "hash"
    assert auth.login_mode(_settings(tmp_path, environment="development")) == "dev"
    assert auth.login_mode(_settings(tmp_path)) == "off"


def test_session_cookie_is_signed_and_expires(tmp_path) -> None:
    settings = _settings(tmp_path, admin_session_secret=SECRET)
    cookie, header = _signed_in(settings)
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/admin" in header
    assert "Secure" not in header and "Secure" in _signed_in(settings, "https")[1]
    expires, nonce, _sig = cookie.split(".")
    assert int(expires) > time.time() + 3000
    assert auth.session_nonce(_request(settings, cookie)) == nonce
    assert auth.session_nonce(_request(settings)) is None
    tampered = cookie[:-1] + ("1" if cookie.endswith("0") else "0")  # (it may end in "0")
    assert auth.session_nonce(_request(settings, tampered)) is None
    assert auth.session_nonce(_request(settings, f"{int(expires) + 9}.{nonce}.{_sig}")) is None
    past = str(int(time.time()) - 1)
    expired = f"{past}.{nonce}.{auth.sign(settings, f'{past}.{nonce}')}"
    assert auth.session_nonce(_request(settings, expired)) is None
    assert auth.session_nonce(_request(settings, "a.b")) is None
    other = _settings(tmp_path, admin_session_secret="t" * 32)
    assert auth.session_nonce(_request(other, cookie)) is None  # another secret's cookie
    unset = _settings(tmp_path)  # no configured secret: the process's own
    assert auth.sign(unset, "x") == auth.sign(_settings(tmp_path), "x") != auth.sign(settings, "x")


def test_form_tokens_are_tied_to_the_session(tmp_path) -> None:
    settings = _settings(tmp_path, admin_session_secret=SECRET)
    request = _request(settings)
    assert auth.csrf_token(request, "n1") != auth.csrf_token(request, "n2")
    assert auth.login_token(settings) not in (auth.csrf_token(request, "n1"), "")
    assert auth.token_ok(auth.csrf_token(request, "n1"), auth.csrf_token(request, "n1"))
    assert not auth.token_ok("forged", auth.csrf_token(request, "n1"))


def test_require_session(tmp_path) -> None:
    settings = _settings(tmp_path, admin_session_secret=SECRET)
    with pytest.raises(auth.SignInRequired):
        auth.require_session(_request(settings))
    cookie, _ = _signed_in(settings)
    assert auth.require_session(_request(settings, cookie)) == cookie.split(".")[1]


def test_password_checks_by_mode_one_at_a_time(tmp_path, monkeypatch) -> None:
    dev = _settings(tmp_path, environment="development")
    off = _settings(tmp_path)
    assert asyncio.run(auth.password_ok(_request(dev), dev, auth.DEV_PASSWORD))
    assert not asyncio.run(auth.password_ok(_request(dev), dev, "guess"))
    assert not asyncio.run(auth.password_ok(_request(off), off, auth.DEV_PASSWORD))

    hashed = _settings(tmp_path, admin_password_hash=auth.hash_password("right", iterations=10))
    running, most = 0, 0
    real = auth.check_password

    def slow_check(password: str, stored: str) -> bool:
        nonlocal running, most
        running += 1
        most = max(most, running)
        time.sleep(0.05)
        running -= 1
        return real(password, stored)

    monkeypatch.setattr(auth, "check_password", slow_check)
    request = _request(hashed)  # one app: one semaphore

    async def burst() -> list[bool]:
        return await asyncio.gather(*(auth.password_ok(request, hashed, p)
                                      for p in ["right", "wrong", "right", "x"]))

    assert asyncio.run(burst()) == [True, False, True, False]
    assert most == 1  # never two PBKDF2 checks at once


def test_every_dashboard_page_needs_a_session(tmp_path) -> None:
    from bot.app import create_app

    stub = SimpleNamespace(services=SimpleNamespace(index=lambda slug: None))
    settings = _settings(tmp_path, admin_session_secret=SECRET)
    with TestClient(create_app(settings, stub)) as client:  # type: ignore[arg-type]
        for method, path in [("GET", "/admin"), ("GET", "/admin/gaps"),
                             ("GET", "/admin/conversations"), ("GET", "/admin/conversations/x"),
                             ("GET", "/admin/site-report"), ("GET", "/admin/export/gaps.csv"),
                             ("POST", "/admin/gaps/1/status")]:
            resp = client.request(method, path, follow_redirects=False)
            assert resp.status_code == 303, path
            assert resp.headers["location"] == "/admin/login", path
            assert resp.headers["cache-control"] == "no-store", path
            assert "frame-ancestors 'none'" in resp.headers["content-security-policy"], path
        # a topic id that is not a number is refused before the sign-in check, as it always was
        assert client.post("/admin/gaps/x/status", follow_redirects=False).status_code == 422
