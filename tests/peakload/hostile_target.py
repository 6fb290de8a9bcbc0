"""A hostile stand-in for a platform, for the generator's tests: it takes messages, then answers
everything else badly (a receipts feed that is not JSON, ignores its cursor or redirects to
another host; a /metrics that is a sign-in page), and counts what it was asked."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECEIPT = {"messageType": "CEB622", "guid": "NOT-MINE", "returnStatus": 800,
           "returnTime": "20181111000000000", "keys": {}}


class HostileTarget:
    """What the stand-in does (`feed`: "html", "stuck" or "redirect") and what it saw."""

    def __init__(self, feed: str) -> None:
        self.feed = feed
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()


def _handler(target: HostileTarget) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with target.lock:
                target.requests["POST"] += 1
            self._answer(202, b'{"accepted": true}', "application/json")

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            with target.lock:
                target.requests[path] += 1
            if path == "/healthz":
                self._answer(200, b'{"status": "ok"}', "application/json")
            elif path == "/metrics":
                self._answer(200, b"<html><form>Sign in</form></html>", "text/html")
            elif target.feed == "html":
                self._answer(200, b"<html>maintenance</html>", "text/html")
            elif target.feed == "stuck":  # ignores `after`: the same full page for ever
                page = {"receipts": [RECEIPT] * 1000, "next": "7"}
                self._answer(200, json.dumps(page).encode(), "application/json")
            else:
                self._answer(302, b"", "text/plain", Location="http://192.0.2.1/ceb/receipts")

    return Handler


@contextmanager
def hostile_target(feed: str) -> Iterator[tuple[str, HostileTarget]]:
    """The stand-in on a free loopback port for the duration of the block: (base URL, its state)."""
    target = HostileTarget(feed)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(target))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", target
    finally:
        server.shutdown()
        server.server_close()
