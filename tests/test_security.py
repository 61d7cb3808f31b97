"""Protections on every request: security headers, the request size limit and per-client rate
limits with 429 and Retry-After."""

import pytest
from fastapi.testclient import TestClient

from bot.security import TokenBucket


@pytest.fixture
def strict(crawled, bot):
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

    def chunks():  # no Content-Length: counted as it arrives
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
