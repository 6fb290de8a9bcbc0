"""HTTP/1.1 over a bare socket, for requests no client library will send: oversized or endless
heads, trickled and endless bodies, paths with `..` left in."""

from __future__ import annotations

import json
import select
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Answer:
    """A response as it came over the wire."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def connect(url: str, timeout_s: float = 10.0) -> socket.socket:
    """A connection to the platform at `url`."""
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=timeout_s)


def answered(sock: socket.socket) -> bool:
    """Whether the server has sent something (or closed) without waiting for it."""
    return bool(select.select([sock], [], [], 0)[0])


def send_until_answered(sock: socket.socket, chunks) -> int:
    """Send `chunks` until the server answers or stops reading; the bytes sent."""
    sent = 0
    try:
        for chunk in chunks:
            if answered(sock):
                break
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:  # the server closed its side: its answer is still to be read
        pass
    return sent


def read_answer(sock: socket.socket) -> Answer:
    """The next response on `sock` (a Content-Length body, or up to the server's close)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a whole head: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    length = int(headers.get("content-length", -1))
    while length < 0 or len(body) < length:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        body += chunk
    return Answer(int(status_line.split()[1]), headers, body if length < 0 else body[:length])


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed the connection (waits up to the socket's timeout)."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True
