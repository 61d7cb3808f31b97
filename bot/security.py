"""Protections on every request: security headers, a request size limit, and per-client rate
limits on the endpoints residents call (chat, stream, feedback, events) and on dashboard sign-in.

Plain ASGI middleware, so streamed responses pass through untouched. Rate limits are kept per
process (a token bucket per client address); with several workers each enforces its own, so set
the limits per worker.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from askcouncil.settings import Settings

# What every response carries. Pages set a stricter Content-Security-Policy of their own (the
# dashboard); the API and the widget's files need only these.
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]
# The demo page has its own inline style; the widget's files are loaded by council websites.
DEFAULT_CSP = (b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
CROSS_ORIGIN_FILES = {"/widget.js", "/widget.css"}
LIMITED = {"/api/chat": "chat", "/api/chat/stream": "chat", "/api/feedback": "feedback",
           "/api/event": "feedback", "/admin/login": "login"}


class TokenBucket:
    """``rate`` requests a minute per client, in bursts of up to ``rate``; least recently seen
    clients are forgotten beyond ``max_clients``."""

    def __init__(self, per_minute: int, max_clients: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 if the request may go ahead, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if tokens >= 1 else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait


class Protect:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_bytes = settings.max_request_bytes
        self.buckets = {"chat": TokenBucket(settings.rate_limit_chat_per_minute),
                        "feedback": TokenBucket(settings.rate_limit_feedback_per_minute),
                        # password guessing on the dashboard
                        "login": TokenBucket(settings.rate_limit_login_per_minute)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = dict(scope.get("headers") or [])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _v in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in have]
                if b"content-security-policy" not in have:
                    extra.append((b"content-security-policy", DEFAULT_CSP))
                if path in CROSS_ORIGIN_FILES:
                    extra.append((b"cross-origin-resource-policy", b"cross-origin"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _error(send_with_headers, 413, "too_large",
                         f"The request is larger than {self.max_bytes} bytes.")
            return
        kind = LIMITED.get(path) if scope.get("method") == "POST" else None
        if kind is not None:
            wait = self.buckets[kind].take(self._client(scope))
            if wait > 0:
                await _error(send_with_headers, 429, "rate_limited",
                             "Too many requests. Please wait a moment and try again.",
                             retry_after=math.ceil(wait))
                return
        received = 0

        async def limited_receive() -> Message:  # a body sent without a length is counted too
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, f"The request is larger than {self.max_bytes} bytes.")
            return message

        await self.app(scope, limited_receive, send_with_headers)

    def _client(self, scope: Scope) -> str:
        """The client's address: the connection's peer, which the proxy-headers middleware has
        already replaced with the forwarded address when (and only when) the peer is one of
        ``ASKCOUNCIL_TRUSTED_PROXIES``."""
        client = scope.get("client")
        return client[0] if client else "unknown"


async def _error(send: Send, status: int, code: str, message: str,
                 retry_after: int | None = None) -> None:
    body = json.dumps({"error": {"code": code, "message": message, "details": None}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
