"""The sender's poster against a small gevent server: statuses and errors as the generator and
Locust's statistics expect them, the base URL's path and credentials, one kept-alive connection.
(In a child process: Locust patches the standard library with gevent's and must be imported first.)"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import locust  # first: gevent's monkey-patching
import socket
from gevent.pywsgi import WSGIServer
from locust.event import EventHook

from locustfiles.poster import MessagePoster

seen = []
ANSWERS = {b"ok": ("202 Accepted", b'{"guid": "G"}'), b"dup": ("200 OK", b'{"duplicate": true}'),
           b"busy": ("429 Too Many Requests", b'{"error": "overloaded"}')}

def app(environ, start_response):
    body = environ["wsgi.input"].read()
    seen.append((environ["PATH_INFO"], environ.get("HTTP_AUTHORIZATION"), environ["CONTENT_TYPE"],
                 environ["REMOTE_PORT"]))
    status, answer = ANSWERS[body]
    start_response(status, [("Content-Type", "application/json")])
    return [answer]

server = WSGIServer(("127.0.0.1", 0), app, log=None)
server.start()
port = server.server_port
events = []
hook = EventHook()
hook.add_listener(lambda **kw: events.append(kw))

poster = MessagePoster(f"http://decl%40rer:s3cret@127.0.0.1:{port}/gateway/", hook, "/ceb/messages")
assert poster.post(b"ok", "CEB311") == (202, None)
assert poster.post(b"dup", "CEB311") == (200, None)
status, error = poster.post(b"busy", "CEB621")
assert (status, error) == (429, '{"error": "overloaded"}'), (status, error)

paths = {path for path, *_ in seen}
assert paths == {"/gateway/ceb/messages"}, paths
import base64
assert {auth for _, auth, *_ in seen} == {"Basic " + base64.b64encode(b"decl@rer:s3cret").decode()}
assert {ctype for *_, ctype, _ in seen} == {"application/xml; charset=utf-8"}
assert len({remote for *_, remote in seen}) == 1, "every post should reuse one connection"

assert [e["name"] for e in events] == ["CEB311", "CEB311", "CEB621"]
assert all(e["request_type"] == "POST" and e["response_length"] > 0 for e in events)
assert events[0]["exception"] is None and events[1]["exception"] is None
assert "code=429" in repr(events[2]["exception"]), repr(events[2]["exception"])
url = f"http://127.0.0.1:{port}/gateway/ceb/messages"
assert {e["url"] for e in events} == {url}, "the reported URL must carry no credentials"
poster.close()

closed = socket.socket()
closed.bind(("127.0.0.1", 0))
dead_port = closed.getsockname()[1]
closed.close()
events.clear()
status, error = MessagePoster(f"http://127.0.0.1:{dead_port}", hook, "/ceb/messages").post(b"ok", "CEB311")
assert status is None and error, (status, error)
assert events and events[0]["exception"] is not None and events[0]["response_length"] == 0

try:
    MessagePoster("ftp://127.0.0.1/", hook, "/ceb/messages")
except ValueError as exc:
    assert "ftp://127.0.0.1/" in str(exc)
else:
    raise AssertionError("a non-http URL was accepted")
print("ok")
"""


def test_poster_reports_statuses_paths_credentials_and_connection_errors_like_fasthttp():
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr
