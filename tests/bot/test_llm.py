"""The optional LLM composer, against a scripted OpenAI-compatible server on loopback: it never
sees a URL, cannot cite a page it was not given, and on a timeout or an error the extractive
answer stands. Streaming (POST /api/chat/stream) gives the same reply as POST /api/chat."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from llm_server import ScriptedLLM, Sleep, Status

if TYPE_CHECKING:
    from bot.chat import Bot

QUESTION = "How much is a Blue Badge?"


@pytest.fixture(scope="module")
def llm_server() -> Iterator[ScriptedLLM]:
    server = ScriptedLLM().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def llm_bot(crawled, embedder, llm_server) -> Bot:
    from askcouncil.chroma import ChromaConnection
    from askcouncil.settings import Settings
    from bot.chat import Bot
    from bot.llm import chat_model
    from bot.services import Services

    settings = Settings(data_dir=crawled[0].data_dir, environment="test", _env_file=None,
                        llm="openai:test-model", llm_base_url=llm_server.base_url,
                        llm_api_key="not-a-real-key", llm_timeout_s=1.5)
    services = Services(embedder, ChromaConnection(settings), llm=chat_model(settings),
                        llm_settings=settings)
    return Bot(settings, services, None)


def test_the_model_gets_numbered_sources_and_no_urls(llm_bot, llm_server) -> None:
    reply = llm_bot.chat(QUESTION)
    prompt = llm_server.requests[-1]["messages"]
    text = json.dumps(prompt)
    assert "[1] Blue Badge parking" in text
    assert "http" not in text and "127.0.0.1" not in text
    assert reply.context.composer == "llm"
    assert reply.status == "answered"
    assert reply.answer.endswith("[1]")
    assert reply.citations[0]["url"].endswith("/parking/blue-badge.html#how-to-apply")


def test_invented_links_citations_and_numbers_are_removed(llm_bot, llm_server) -> None:
    llm_server.replies.append(
        "A Blue Badge costs £10 [1]. See https://evil.example/badges for more [9]. "
        "Call 0800 000 0000 to apply [2].\nIt is free in council car parks for 3 hours [2]. "
        "The admin fee is £25 [1]. Pay at [the shop](https://evil.example/pay) [7].")
    reply = llm_bot.chat(QUESTION)
    assert reply.context.composer == "llm"
    assert "evil.example" not in reply.answer and "http" not in reply.answer
    assert "0800 000 0000" not in reply.answer  # a number no source gives
    assert "£25" not in reply.answer  # a price no source gives
    assert "[9]" not in reply.answer and "[7]" not in reply.answer
    assert reply.answer == ("A Blue Badge costs £10 [1].\nIt is free in council car parks for "
                            "3 hours [2].")
    given = {c.cite_url for c in reply.context.sources}
    assert [c["n"] for c in reply.citations] == [1, 2]
    assert {c["url"] for c in reply.citations} <= given


def test_timeout_falls_back_to_the_extractive_answer(llm_bot, llm_server) -> None:
    extractive = llm_bot.chat("How much is a Blue Badge parking permit?")
    llm_server.replies.append(Sleep(5.0, "Too late [1]."))
    began = time.perf_counter()
    reply = llm_bot.chat(QUESTION)
    assert time.perf_counter() - began < 1.5 + 1.5  # the deadline, plus the pipeline
    assert reply.status == "answered"
    assert reply.context.composer == "extractive"
    assert "£10" in reply.answer and "Too late" not in reply.answer
    assert extractive.citations  # the fallback is a cited answer too
    assert reply.citations[0]["url"].endswith("#how-to-apply")


@pytest.mark.parametrize("failure", [Status(500), Status(429), "I think it is about £10."])
def test_errors_and_uncited_replies_fall_back(llm_bot, llm_server, failure) -> None:
    llm_server.replies.append(failure)
    reply = llm_bot.chat(QUESTION)
    assert reply.status == "answered"
    assert reply.context.composer == "extractive"
    assert "A Blue Badge costs £10." in reply.answer


def test_model_saying_no_answer_declines_with_a_handoff(llm_bot, llm_server) -> None:
    llm_server.replies.append("NO_ANSWER")
    reply = llm_bot.chat(QUESTION)
    assert reply.status == "no_answer"
    assert reply.citations == []
    assert reply.handoff and reply.handoff["phone"] == "01632 960404"


def test_llm_stream_sends_sentences_as_they_arrive(llm_bot, llm_server) -> None:
    llm_server.replies.append("A Blue Badge costs £10 [1]. It takes up to 12 weeks [1].")
    events = list(llm_bot.chat_stream(QUESTION))
    names = [e for e, _ in events]
    assert names[-3:] == ["citations", "handoff", "done"]
    pieces = [d["text"] for e, d in events if e == "answer"]
    assert len(pieces) == 2  # sentence by sentence
    assert "".join(pieces) == events[-1][1]["answer"]


def test_llm_setting_is_checked() -> None:
    from askcouncil.settings import Settings

    with pytest.raises(ValueError, match="openai:MODEL"):
        Settings(llm="gpt-4o", _env_file=None)
    assert Settings(llm="ollama:llama3.1", _env_file=None).llm == "ollama:llama3.1"


def parse_sse(text: str) -> list[tuple[str, object]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_stream_endpoint_gives_the_same_reply_as_chat(client) -> None:
    plain = client.post("/api/chat", json={"message": QUESTION}).json()
    resp = client.post("/api/chat/stream", json={"message": QUESTION})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(resp.text)
    names = [e for e, _ in events]
    assert names[0] == "status" and names[-3:] == ["citations", "handoff", "done"]
    done = events[-1][1]
    assert {k: done[k] for k in ("status", "answer", "citations", "handoff")} == \
        {k: plain[k] for k in ("status", "answer", "citations", "handoff")}
    assert "".join(d["text"] for e, d in events if e == "answer") == done["answer"]
    assert len([e for e in names if e == "answer"]) > 1  # in pieces
    steps = [d["step"] for e, d in events if e == "status"]
    assert steps[:3] == ["screen_input", "contextualise", "retrieve"]


def test_stream_handoff_and_bad_input(client) -> None:
    events = parse_sse(client.post("/api/chat/stream",
                                   json={"message": "When is the next full council meeting?"}
                                   ).text)
    done = events[-1][1]
    assert done["status"] == "no_answer"
    assert dict(events)["handoff"] == done["handoff"] and done["handoff"]["phone"]
    resp = client.post("/api/chat/stream", json={"message": "x" * 10_001})
    assert resp.status_code == 422
    assert resp.json()["error"]["code"]
    resp = client.post("/api/chat/stream", json={"message": "  "})
    assert resp.status_code in (400, 422)
