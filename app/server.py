"""``amanuensis serve``: a local HTTP API for mail-client add-ons.

Safe by default: binds to 127.0.0.1 (another address only with an explicit flag, loudly),
every request needs the bearer token stored owner-only in the data home, no CORS headers
(so no web page can read the answers), Host headers are checked against DNS rebinding,
request bodies are capped, and bad input gets a clear 4xx.

    POST /v1/drafts               {"instruction": ..., "reply_to"?, "tone"?, "length"?,
                                   "variants"?, "rag"?, "adapter"?, "stream"?}
    POST /v1/chat/completions     OpenAI-compatible; the last user message is the instruction;
                                  streamed, it sends the checked best draft, as unstreamed
    GET  /v1/models[/{id}]        OpenAI-compatible model list (the default first)
    GET  /v1/health               {"status": "ok", "memory": the engine's memory report}

Each request has its own cancel token: a client that hangs up mid-stream stops its draft
between two tokens, and the model goes on with the next request.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from app.drafting import DraftError, DraftingService, DraftRequest
from store.jobs import CancelToken
from store.settings import data_home, load_section, save_section

MAX_BODY_BYTES = 256 * 1024
TOKEN_FILE = "api-token"


class UnsafeBind(ValueError):
    pass


@dataclass
class ApiSettings:
    """``[api]`` in settings.toml: the local API the desktop serves (tray → Local API)."""

    serve_in_desktop: bool = False
    port: int = 8765

    @classmethod
    def load(cls, home: Path | None = None) -> ApiSettings:
        return load_section("api", cls, home)

    def save(self, home: Path | None = None) -> None:
        save_section("api", self, home)


def api_token(home: Path | None = None) -> str:
    """The bearer token, made on first use and readable by the owner only."""
    path = (home or data_home()) / TOKEN_FILE
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    server_version = "Amanuensis"
    protocol_version = "HTTP/1.1"

    # --- plumbing -----------------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        if self.server.verbose:
            super().log_message(format, *args)

    def _send_json(self, status: int, data: dict, headers: dict | None = None) -> None:
        body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict | None = None) -> None:
        self._send_json(status, {"error": {"message": message, "code": status}}, headers)

    def _authorised(self) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        if self.server.loopback_only and host and not is_loopback(host):
            self._error(HTTPStatus.FORBIDDEN, "unexpected Host header")
            return False
        header = self.headers.get("Authorization") or ""
        scheme, _, supplied = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
                supplied.strip().encode(), self.server.token.encode()):
            self._error(HTTPStatus.UNAUTHORIZED, "missing or wrong bearer token",
                        {"WWW-Authenticate": 'Bearer realm="amanuensis"'})
            return False
        return True

    def _read_json(self) -> dict | None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._error(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
            return None
        if int(length) > MAX_BODY_BYTES:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                        f"request body over {MAX_BODY_BYTES} bytes")
            self.close_connection = True
            return None
        raw = self.rfile.read(int(length))
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"malformed JSON: {exc}")
            return None
        if not isinstance(data, dict):
            self._error(HTTPStatus.BAD_REQUEST, "the JSON body must be an object")
            return None
        return data

    def _start_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _event(self, data) -> None:
        payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False,
                                                                default=str)
        self.wfile.write(f"data: {payload}\n\n".encode())
        self.wfile.flush()

    # --- routes -------------------------------------------------------------------------
    def do_GET(self):  # noqa: N802 - the stdlib's name
        if not self._authorised():
            return
        if self.path == "/v1/health":
            self._send_json(HTTPStatus.OK, {"status": "ok",
                                            "memory": self.server.service.engine.memory()})
        elif self.path == "/v1/models":
            self._send_json(HTTPStatus.OK, {"object": "list", "data": self._models()})
        elif self.path.startswith("/v1/models/"):
            wanted = unquote(self.path[len("/v1/models/"):])
            found = [m for m in self._models() if m["id"] == wanted]
            if found:
                self._send_json(HTTPStatus.OK, found[0])
            else:
                self._error(HTTPStatus.NOT_FOUND, f"no such model: {wanted}")
        else:
            self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: {self.path}")

    def _models(self) -> list[dict]:
        """The models drafting can use, as OpenAI clients list them before anything else."""
        catalogue = self.server.service.catalogue
        default = catalogue.default_name()
        names = sorted(catalogue.names(), key=lambda name: name != default)  # default first
        return [{"id": name, "object": "model", "created": 0, "owned_by": "local"}
                for name in names]

    def do_OPTIONS(self):  # noqa: N802
        # No CORS: a browser page on another origin gets no permission to call us.
        self._error(HTTPStatus.FORBIDDEN, "cross-origin requests are not allowed")

    def do_POST(self):  # noqa: N802
        if not self._authorised():
            return
        routes = {"/v1/drafts": self._drafts, "/v1/chat/completions": self._chat}
        route = routes.get(self.path)
        if route is None:
            self._error(HTTPStatus.NOT_FOUND, f"no such endpoint: {self.path}")
            return
        data = self._read_json()
        if data is None:
            return
        self.cancel = CancelToken()
        try:
            route(data)
        except (DraftError, ValueError, TypeError) as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up; its draft stops below
        finally:
            self.cancel.cancel()

    def _draft_request(self, data: dict, instruction: str) -> DraftRequest:
        def typed(key, kind, default=None):
            value = data.get(key, default)
            if value is not None and not isinstance(value, kind):
                raise TypeError(f"'{key}' must be {kind.__name__ if isinstance(kind, type) else kind}")
            return value

        if not isinstance(instruction, str) or not instruction.strip():
            raise ValueError("'instruction' must be a non-empty string")
        return DraftRequest(
            instruction=instruction, reply_to=typed("reply_to", str),
            recipient=typed("recipient", str, "") or "", tone=typed("tone", str),
            length=typed("length", str), variants=min(4, typed("variants", int, 1) or 1),
            use_rag=typed("rag", bool, True), use_adapter=typed("adapter", bool, True),
            model=typed("model", str), temperature=typed("temperature", (int, float)),
            max_tokens=typed("max_tokens", int), seed=typed("seed", int), cancel=self.cancel,
            repeatable=True,
        )

    def _drafts(self, data: dict) -> None:
        request = self._draft_request(data, data.get("instruction"))
        service = self.server.service
        if not data.get("stream"):
            self._send_json(HTTPStatus.OK, service.draft(request).to_json())
            return
        # Tokens stream as the first draft is written; where a checked better one replaces it,
        # a "checking" event says so, and the "draft" event at the end is the one to keep.
        events = service.stream_draft(request)
        first = next(events)  # errors in the request surface here, before the 200
        self._start_events()
        self._event({"type": "context", "context": [c.__dict__ for c in first.context or []]})
        for event in events:
            if event.kind == "checking":
                self._event({"type": "checking", "text": event.text})
            elif event.kind == "subject":
                self._event({"type": "subject", "text": event.text, "variant": event.variant})
            elif event.kind == "token":
                self._event({"type": "token", "text": event.text, "variant": event.variant})
            elif event.kind == "draft":
                self._event({"type": "draft", "draft": event.draft.to_json()})
        self._event("[DONE]")

    def _chat(self, data: dict) -> None:
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ValueError("'messages' must be a non-empty list")
        users = [m.get("content") for m in messages
                 if isinstance(m, dict) and m.get("role") == "user"]
        if not users or not isinstance(users[-1], str):
            raise ValueError("'messages' needs a user message with string content")
        request = self._draft_request(data, users[-1])
        request.write_subject = False  # streamed or not, the text is the model's own
        request.max_tokens = data.get("max_tokens") if isinstance(data.get("max_tokens"),
                                                                  int) else None
        created = int(time.time())
        ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        service = self.server.service
        if not data.get("stream"):
            draft = service.draft(request)
            text = f"Subject: {draft.subject}\n\n{draft.text}" if draft.subject else draft.text
            finish = "length" if draft.stop_reason == "length" else "stop"
            self._send_json(HTTPStatus.OK, {
                "id": ident, "object": "chat.completion", "created": created,
                "model": draft.model,
                "choices": [{"index": 0, "finish_reason": finish,
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": draft.prompt_tokens,
                          "completion_tokens": draft.completion_tokens,
                          "total_tokens": draft.prompt_tokens + draft.completion_tokens},
            })
            return
        model = service.runtime(request.model).info.name

        def chunk(delta: dict, finish=None):
            return {"id": ident, "object": "chat.completion.chunk", "created": created,
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        if not self._tokens_are_the_answer(request):
            # A streamed chat answer can only grow, so what is sent must be what is kept:
            # the checked best draft, as the non-streamed answer gives it, sent a few words
            # at a time once it is chosen (the model's first draft may be replaced).
            self._start_events()
            self._event(chunk({"role": "assistant"}))
            draft = service.draft(request)
            text = f"Subject: {draft.subject}\n\n{draft.text}" if draft.subject else draft.text
            for piece in re.findall(r"\S+\s*|\s+", text):
                self._event(chunk({"content": piece}))
            self._event(chunk({}, "length" if draft.stop_reason == "length" else "stop"))
            self._event("[DONE]")
            return
        events = service.stream_draft(request)
        next(events)
        self._start_events()
        self._event(chunk({"role": "assistant"}))
        for event in events:
            # The same text as the non-streamed answer: "Subject: …", a blank line, the body.
            if event.kind == "subject" and event.variant == 0 and event.text:
                self._event(chunk({"content": f"Subject: {event.text}\n\n"}))
            elif event.kind == "token" and event.variant == 0:
                self._event(chunk({"content": event.text}))
            elif event.kind == "draft":
                finish = "length" if event.draft.stop_reason == "length" else "stop"
                self._event(chunk({}, finish))
                break
        self._event("[DONE]")

    def _tokens_are_the_answer(self, request: DraftRequest) -> bool:
        """Whether the first draft's tokens, streamed as written, are the answer: only for
        one candidate asked for outright at temperature 0, where no rival is drafted and
        nothing is revised (a greedy draft is otherwise checked and may be revised)."""
        service = self.server.service
        temperature = service.settings.temperature if request.temperature is None \
            else request.temperature
        return temperature == 0 and request.candidates == 1


class DraftServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, service: DraftingService | Callable[[], DraftingService],
                 host: str = "127.0.0.1", port: int = 8765, *, allow_remote: bool = False,
                 token: str | None = None, verbose: bool = False, home: Path | None = None):
        """``service`` is a drafting service, or what gives the current one (the desktop's
        shared service, reopened after a forget)."""
        if not is_loopback(host) and not allow_remote:
            raise UnsafeBind(f"refusing to listen on {host}: only loopback addresses are "
                             "allowed unless --allow-remote is given")
        self._service = service
        if isinstance(service, DraftingService):
            home = service.home
        self.token = token or api_token(home)
        self.loopback_only = is_loopback(host)
        self.verbose = verbose
        super().__init__((host, port), _Handler)

    @property
    def service(self) -> DraftingService:
        return self._service if isinstance(self._service, DraftingService) else self._service()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def serve_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, daemon=True, name="api-server")
        thread.start()
        return thread
