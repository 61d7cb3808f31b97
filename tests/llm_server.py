"""A small OpenAI-compatible chat server for tests, on loopback: replies are scripted.

    server = ScriptedLLM(); server.start()
    server.replies.append("Blue Badges cost £10 [1].")        # a reply
    server.replies.append(Sleep(5.0, "too late [1]."))          # a reply after a delay
    server.replies.append(Status(500))                          # an error
With no scripted reply left it answers from the prompt like a careful model: the first sentence
of source [1], cited. Every request body is kept in ``server.requests``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Sleep:
    seconds: float
    text: str


@dataclass
class Status:
    code: int


class ScriptedLLM:
    def __init__(self) -> None:
        self.replies: list[str | Sleep | Status] = []
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ScriptedLLM:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any]) -> str | Sleep | Status:
        if self.replies:
            return self.replies.pop(0)
        prompt = body["messages"][-1]["content"]
        first = re.search(r"\[1\] [^\n]*\n(.+?[.!?])(\s|$)", prompt, re.S)
        return f"{first.group(1).strip()} [1]" if first else "NO_ANSWER"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                reply = outer._next(body)
                if isinstance(reply, Status):
                    self._json(reply.code, {"error": {"message": "scripted failure",
                                                      "type": "server_error"}})
                    return
                if isinstance(reply, Sleep):
                    time.sleep(reply.seconds)
                    reply = reply.text
                if body.get("stream"):
                    self._stream(reply, body.get("model", "test"))
                else:
                    self._json(200, {
                        "id": "chatcmpl-test", "object": "chat.completion", "created": 0,
                        "model": body.get("model", "test"),
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": reply}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            def _json(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = re.findall(r"\S+\s*", text) or [""]
                for i, piece in enumerate(pieces):
                    delta = {"content": piece} if i else {"role": "assistant", "content": piece}
                    self._event({"id": "chatcmpl-test", "object": "chat.completion.chunk",
                                 "created": 0, "model": model,
                                 "choices": [{"index": 0, "delta": delta,
                                              "finish_reason": None}]})
                self._event({"id": "chatcmpl-test", "object": "chat.completion.chunk",
                             "created": 0, "model": model,
                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

        return Handler
