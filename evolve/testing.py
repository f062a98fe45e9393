"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests and benchmarks of the LLM
proposers and for trying an LLM task offline (no real API, no key).

Each POST to /v1/chat/completions consumes the next scripted `Reply`: a normal completion
(text and token counts), an HTTP error status (429, 500, ...) or a delay longer than the
client's timeout. Once the script is spent, `default` answers. Request bodies are kept in
`requests`, so a test can read the prompts the proposer sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOOPBACK = "127.0.0.1"
POLL_SECONDS = 0.02  # how fast `shutdown` returns


@dataclass(frozen=True)
class Reply:
    """One scripted answer after `delay_seconds`: `content` with status 200, an error
    `status`, or `raw_body` sent as is (status 200) in place of a completion."""

    content: str | None = ""
    raw_body: str | None = None
    status: int = 200
    delay_seconds: float = 0.0
    prompt_tokens: int = 100
    completion_tokens: int = 20


def completion_body(reply: Reply, model: str) -> dict[str, Any]:
    """The JSON of a chat completion carrying `reply`."""
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


class ScriptedServer:
    """Serve scripted replies on a free loopback port; use as a context manager."""

    def __init__(self, script: list[Reply], default: Reply | None = None) -> None:
        self.script = list(script)
        self.default = default or Reply(status=503)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((LOOPBACK, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), daemon=True
        )

    @property
    def base_url(self) -> str:
        """What `proposer.base_url` should be."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def next_reply(self, body: dict[str, Any]) -> Reply:
        """Record a request and pop its scripted reply."""
        with self._lock:
            self.requests.append(body)
            return self.script.pop(0) if self.script else self.default

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                reply = server.next_reply(body)
                time.sleep(reply.delay_seconds)
                if reply.raw_body is not None:
                    self._send_bytes(200, reply.raw_body.encode())
                elif reply.status != 200:
                    error = {"message": f"scripted {reply.status}", "type": "scripted"}
                    self._send(reply.status, {"error": error})
                else:
                    self._send(200, completion_body(reply, body.get("model", "")))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                self._send_bytes(status, json.dumps(payload).encode())

            def _send_bytes(self, status: int, data: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a scripted timeout)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Keep test output quiet."""

        return Handler
