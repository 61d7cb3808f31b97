"""Protections on every request: security headers, the request size limit and per-client rate
limits with 429 and Retry-After."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.security import TokenBucket


@pytest.fixture
def strict(crawled, bot) -> Iterator[TestClient]:
    from askcouncil.settings import Settings
    from bot.app import create_app

    settings = Settings(data_dir=crawled[0].data_dir, environment="test", _env_file=None,
                        rate_limit_chat_per_minute=3, rate_limit_feedback_per_minute=2,
                        rate_limit_login_per_minute=3,
                        max_request_bytes=2048)
    with TestClient(create_app(settings, bot)) as c:
        yield c


def test_security_headers_on_every_response(strict) -> None:
    for path in ("/healthz", "/widget.js", "/", "/openapi.json"):
        headers = strict.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert "max-age=" in headers["strict-transport-security"], path
    assert strict.get("/widget.js").headers["cross-origin-resource-policy"] == "cross-origin"
    chat = strict.post("/api/chat", json={"message": "bin day?"})
    assert chat.headers["x-content-type-options"] == "nosniff"


def test_rate_limit_answers_429_with_retry_after(strict) -> None:
    codes = [strict.post("/api/chat", json={"message": "bin day?"}).status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429], codes
    limited = strict.post("/api/chat", json={"message": "bin day?"})
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 20
    assert strict.get("/healthz").status_code == 200  # only residents' endpoints are limited
    feedback = [strict.post("/api/feedback", json={"message_id": "x", "helpful": True})
                .status_code for _ in range(3)]
    assert feedback[-1] == 429 and 429 not in feedback[:2]
    guesses = [strict.post("/admin/login", data={"csrf": "x", "password": f"guess{i}"})
               .status_code for i in range(4)]
    assert guesses[:3] != [429] * 3 and guesses[-1] == 429, guesses


def test_request_size_limit(strict) -> None:
    big = strict.post("/api/chat", content=b'{"message": "' + b"a" * 5000 + b'"}',
                      headers={"content-type": "application/json"})
    assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"message": "'
        for _ in range(10):
            yield b"b" * 500
        yield b'"}'

    streamed = strict.post("/api/feedback", content=chunks(),
                           headers={"content-type": "application/json"})
    assert streamed.status_code == 413, streamed.text


def test_token_bucket_refills() -> None:
    bucket = TokenBucket(per_minute=60)
    assert all(bucket.take("a", now=0.0) == 0 for _ in range(60))
    assert bucket.take("a", now=0.0) == pytest.approx(1.0)
    assert bucket.take("a", now=2.0) == 0  # a token a second comes back
    assert bucket.take("b", now=0.0) == 0  # per client


def _chat_codes(base: str, forwarded: list[str]) -> list[int]:
    import httpx

    return [httpx.post(f"{base}/api/chat", json={"message": "bin day?"}, timeout=60,
                       headers={"X-Forwarded-For": xff}).status_code for xff in forwarded]


def test_a_client_cannot_choose_its_own_rate_limit_address(crawled, bot) -> None:
    """An outside test: the left-most X-Forwarded-For entry (which the client writes) chose the
    rate-limit bucket. Only a trusted proxy's word counts, read from the right."""
    from askcouncil.settings import Settings
    from bot.app import create_app, serve_in_background

    base_settings = dict(data_dir=crawled[0].data_dir, environment="test", _env_file=None,
                         rate_limit_chat_per_minute=2)
    # No proxy trusted: the header is ignored, whatever it says.
    direct = Settings(**base_settings)
    with serve_in_background(create_app(direct, bot)) as base:
        assert _chat_codes(base, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [200, 200, 429]
    # Behind a trusted proxy on loopback that appends the peer it saw (nginx's
    # $proxy_add_x_forwarded_for): the resident is the right-most untrusted entry, so entries
    # the resident made up to the left change nothing.
    behind = Settings(**base_settings, trusted_proxies=["127.0.0.1", "10.0.0.0/8"])
    with serve_in_background(create_app(behind, bot)) as base:
        spoofed = [f"{i}.{i}.{i}.{i}, 203.0.113.7, 10.1.2.3" for i in range(1, 4)]
        assert _chat_codes(base, spoofed) == [200, 200, 429]
        assert _chat_codes(base, ["198.51.100.9"]) == [200]  # another resident: own bucket


def test_trusted_proxies_must_be_addresses() -> None:
    from askcouncil.settings import Settings

    with pytest.raises(ValueError, match="not an IP address or CIDR range"):
        Settings(trusted_proxies=["proxy.internal"], _env_file=None)


def test_the_served_bot_does_not_believe_loopback_forwarded_headers(tmp_path) -> None:
    """uvicorn, by default, rewrites the client address from X-Forwarded-For for any loopback
    peer: `askcouncil serve` turns that off, so the setting above is the only trust there is."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import httpx

    from benchmarks.harness import wait_until
    from tests.conftest import free_port

    port = free_port()
    env = {**os.environ, "ASKCOUNCIL_DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1",
           "ASKCOUNCIL_RATE_LIMIT_CHAT_PER_MINUTE": "2"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "askcouncil"), "serve", "--port",
                             str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{base}/healthz", timeout=5).status_code == 200, 120,
                   "healthz")
        assert _chat_codes(base, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [200, 200, 429]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
