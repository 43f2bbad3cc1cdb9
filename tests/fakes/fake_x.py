"""A local fake of the X API v2 (127.0.0.1 only), serving real captured payloads to tweepy.

with FakeX(corpus=load_corpus([...]), streams=[StreamScript(lines)]) as fx:
    client = make_client("token", base_url=fx.base_url)
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.x_corpus import JSON, Corpus, load_corpus, load_stream_lines

__all__ = ["Corpus", "FakeX", "Post", "StreamScript", "load_corpus", "load_stream_lines"]


@dataclass
class StreamScript:
    """One stream connection: these lines (dicts are JSON-encoded), then ``keep_alives`` blank
    lines, then a clean end of the chunked body ("close") or a cut in the middle of a chunk."""

    lines: Sequence[str | JSON] = ()
    keep_alives: int = 0
    end: Literal["close", "drop"] = "close"


@dataclass(frozen=True)
class Post:
    id: str
    account: str
    text: str
    reply_to: str | None


def account_of(authorization: str) -> str:
    """Who is posting: ``bearer:<token>``, ``oauth1:<access token>`` or ``anonymous``."""
    if authorization.startswith("Bearer "):
        return "bearer:" + authorization[len("Bearer ") :]
    match = re.search(r'oauth_token="([^"]+)"', authorization)
    return "oauth1:" + match.group(1) if match else "anonymous"


class FakeX:
    def __init__(self, *, corpus: Corpus | None = None, streams: Iterable[StreamScript] = ()):
        self.corpus = corpus or Corpus()
        self.streams: deque[StreamScript] = deque(streams)
        self.lock = threading.Lock()
        self.queries: list[dict[str, str]] = []
        self.requests: list[tuple[str, str, str]] = []
        self.stream_connections = 0
        self.rules: list[JSON] = []
        self.rule_changes: list[JSON] = []
        self.posts: list[Post] = []
        self._ids = itertools.count(1_900_000_000_000_000_001)
        self._limited: list[tuple[int, str]] = []  # (reset_at, path prefix), one per request
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeX:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def rate_limit(self, count: int, *, reset_at: int, path_prefix: str = "/2/") -> None:
        """Answer the next ``count`` requests under ``path_prefix`` with 429."""
        with self.lock:
            self._limited.extend([(reset_at, path_prefix)] * count)

    def posts_by_account(self) -> Counter[str]:
        with self.lock:
            return Counter(p.account for p in self.posts)

    def next_id(self) -> str:
        return str(next(self._ids))

    def take_rate_limit(self, path: str) -> int | None:
        with self.lock:
            for i, (reset_at, prefix) in enumerate(self._limited):
                if path.startswith(prefix):
                    del self._limited[i]
                    return reset_at
        return None

    def search(self, query: dict[str, str]) -> tuple[int, JSON]:
        with self.lock:
            self.queries.append(query)
        size = int(query.get("max_results", "10"))
        if not 10 <= size <= 100:
            return 400, {"title": "Invalid Request", "detail": "max_results must be 10..100"}
        matches = self.corpus.newer_than(query.get("since_id"))
        start = int(query.get("next_token", "nt0")[2:])
        page = matches[start : start + size]
        meta: JSON = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if start + size < len(matches):
            meta["next_token"] = f"nt{start + size}"
        body: JSON = {"meta": meta}
        if page:
            body.update(data=page, includes=self.corpus.includes_for(page))
        return 200, body

    def change_rules(self, body: JSON) -> JSON:
        with self.lock:
            self.rule_changes.append(body)
            added = [{"id": self.next_id(), **r} for r in body.get("add") or []]
            ids = {str(i) for i in (body.get("delete") or {}).get("ids") or []}
            deleted = [r for r in self.rules if r["id"] in ids]
            self.rules = [r for r in self.rules if r["id"] not in ids] + added
        if added:
            summary = {"created": len(added), "not_created": 0, "valid": len(added), "invalid": 0}
            return {"data": added, "meta": {"sent": "now", "summary": summary}}
        return {"meta": {"sent": "now", "summary": {"deleted": len(deleted), "not_deleted": 0}}}

    def create_tweet(self, body: JSON, authorization: str) -> tuple[int, JSON]:
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return 400, {"title": "Invalid Request", "detail": "text is required"}
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        post = Post(self.next_id(), account_of(authorization), text, reply_to and str(reply_to))
        with self.lock:
            self.posts.append(post)
        return 201, {"data": {"id": post.id, "text": text, "edit_history_tweet_ids": [post.id]}}

    def next_stream(self) -> StreamScript:
        with self.lock:
            self.stream_connections += 1
            return self.streams.popleft() if self.streams else StreamScript()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for Transfer-Encoding: chunked

    @property
    def fake(self) -> FakeX:
        fake: FakeX = self.server.fake  # type: ignore[attr-defined]
        return fake

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path, query = self._begin("GET")
        if path is None:
            return
        if path == "/2/tweets/search/recent":
            self._json(*self.fake.search(query))
        elif path == "/2/tweets/search/stream":
            self._stream(self.fake.next_stream())
        elif path == "/2/tweets/search/stream/rules":
            rules = list(self.fake.rules)
            meta = {"sent": "now", "result_count": len(rules)}
            self._json(200, {"data": rules, "meta": meta} if rules else {"meta": meta})
        else:
            self._json(404, {"title": "Not Found Error", "detail": path})

    def do_POST(self) -> None:
        path, _ = self._begin("POST")
        if path is None:
            return
        body = json.loads(self.body or b"{}")
        if path == "/2/tweets/search/stream/rules":
            self._json(200, self.fake.change_rules(body))
        elif path == "/2/tweets":
            self._json(*self.fake.create_tweet(body, self.headers.get("Authorization", "")))
        else:
            self._json(404, {"title": "Not Found Error", "detail": path})

    def _begin(self, method: str) -> tuple[str | None, dict[str, str]]:
        """Record the request; answer 429 if one is scheduled (then the path is None)."""
        parts = urlsplit(self.path)
        self.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.fake.lock:
            auth = self.headers.get("Authorization", "")
            self.fake.requests.append((method, parts.path, account_of(auth)))
        reset_at = self.fake.take_rate_limit(parts.path)
        if reset_at is not None:
            body = {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}
            headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0"}
            self._json(429, body, {**headers, "x-rate-limit-reset": str(reset_at)})
            return None, {}
        return parts.path, dict(parse_qsl(parts.query))

    def _json(self, status: int, body: JSON, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _stream(self, script: StreamScript) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for line in script.lines:
            text = line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
            self._chunk(text.encode("utf-8") + b"\r\n")
        for _ in range(script.keep_alives):
            self._chunk(b"\r\n")
        if script.end == "drop":  # promise a chunk, send half of it, hang up
            self.wfile.write(b'400\r\n{"data": {"id": "12')
            self.wfile.flush()
            return
        self.wfile.write(b"0\r\n\r\n")
