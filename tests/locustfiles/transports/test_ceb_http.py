"""The ceb-http transport against small gevent servers: statuses and errors as the generator and
Locust's statistics expect them, the base URL's path and credentials, one kept-alive connection,
and a receipts feed that stays bounded whatever the target answers."""

from tests.locustfiles.transports.child import run_check

SENDER = """
import base64, socket
from ceb.types import MessageType
from locustfiles.transports.ceb_http import CebHttpTransport
from targets.profile import TargetProfile

seen = []
ANSWERS = {b"ok": ("202 Accepted", b'{"guid": "G"}'), b"dup": ("200 OK", b'{"duplicate": true}'),
           b"busy": ("429 Too Many Requests", b'{"error": "overloaded"}'),
           b"away": ("302 Found", b"")}

def app(environ, start_response):
    body = environ["wsgi.input"].read()
    seen.append((environ["PATH_INFO"], environ.get("HTTP_AUTHORIZATION"), environ["CONTENT_TYPE"],
                 environ["REMOTE_PORT"], environ.get("HTTP_X_API_KEY")))
    status, answer = ANSWERS[body]
    start_response(status, [("Content-Type", "application/json"), ("Location", "http://elsewhere.example/")])
    return [answer]

port = serve(app)
profile = TargetProfile(name="t", url=f"http://decl%40rer:s3cret@127.0.0.1:{port}/gateway/",
                        headers={"X-Api-Key": "TEST_API_KEY"})
sender = CebHttpTransport(profile, hook).sender()
assert sender.send(MessageType.ORDER, b"ok", "G1") == (202, None)
assert sender.send(MessageType.ORDER, b"dup", "G2") == (200, None)
status, error = sender.send(MessageType.INVENTORY_LIST, b"busy", "G3")
assert (status, error) == (429, '{"error": "overloaded"}'), (status, error)
status, error = sender.send(MessageType.ORDER, b"away", "G4")
assert status == 302 and "redirects are not followed" in error and "elsewhere.example" in error, error
assert len(seen) == 4, "the redirect was followed"

assert {path for path, *_ in seen} == {"/gateway/ceb/messages"}
assert {s[1] for s in seen} == {"Basic " + base64.b64encode(b"decl@rer:s3cret").decode()}
assert {s[2] for s in seen} == {"application/xml; charset=utf-8"}
assert len({s[3] for s in seen}) == 1, "every post should reuse one connection"
assert {s[4] for s in seen} == {"k-123"}, "the profile's header, its value from the environment"

assert [e["name"] for e in events] == ["CEB311", "CEB311", "CEB621", "CEB311"]
assert events[0]["exception"] is None and events[1]["exception"] is None
assert "code=429" in repr(events[2]["exception"]), repr(events[2]["exception"])
assert {e["url"] for e in events} == {f"http://127.0.0.1:{port}/gateway/ceb/messages"}, "no credentials"
sender.close()

closed = socket.socket()
closed.bind(("127.0.0.1", 0))
dead_port = closed.getsockname()[1]
closed.close()
events.clear()
dead = CebHttpTransport(TargetProfile(name="t", url=f"http://127.0.0.1:{dead_port}"), hook).sender()
status, error = dead.send(MessageType.ORDER, b"ok", "G5")
assert status is None and error, (status, error)
assert events and events[0]["exception"] is not None and events[0]["response_length"] == 0
print("ok")
"""


def test_the_sender_reports_statuses_paths_credentials_redirects_and_connection_errors():
    import os
    run_check(SENDER, env={**os.environ, "TEST_API_KEY": "k-123"})


SILENT = """
import socket, time
from ceb.types import MessageType
from locustfiles.transports.ceb_http import CebHttpTransport
from targets.profile import TargetProfile

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)  # accepts connections (the kernel does) and never answers
port = listener.getsockname()[1]
sender = CebHttpTransport(TargetProfile(name="t", url=f"http://127.0.0.1:{port}", request_timeout_s=1), hook).sender()
started = time.monotonic()
status, error = sender.send(MessageType.ORDER, b"x", "G")
took = time.monotonic() - started
assert status is None and error, (status, error)
assert took < 3, f"a silent target held the sender {took:.1f} s, past its 1 s request timeout"
print("ok")
"""


def test_a_silent_target_holds_a_sender_no_longer_than_the_request_timeout():
    run_check(SILENT)


FEED = """
import json, time
from locustfiles.transports.ceb_http import CebHttpTransport
from targets.profile import TargetProfile

requests = []
MODE = {"now": "ok"}

def page(receipts, nxt):
    return json.dumps({"receipts": receipts, "next": nxt}).encode()

RECEIPT = {"messageType": "CEB622", "guid": "G1", "returnStatus": 800, "returnTime": "20181111000000000",
           "keys": {"invtNo": "N1"}}

def app(environ, start_response):
    requests.append(environ["QUERY_STRING"])
    mode = MODE["now"]
    if mode == "ok":
        after = "after=1" in environ["QUERY_STRING"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [page([] if after else [RECEIPT], "1")]
    if mode == "html":
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<html>sign in</html>"]
    if mode == "garbage":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{not json"]
    if mode == "stuck":  # ignores `after`: the same full page for ever
        start_response("200 OK", [("Content-Type", "application/json")])
        return [page([RECEIPT] * 2, "1")]
    if mode == "redirect":
        start_response("301 Moved", [("Location", "http://other.example/ceb/receipts")])
        return [b""]

port = serve(app)
profile = TargetProfile(name="t", url=f"http://127.0.0.1:{port}",
                        receipts={"page_size": 2, "max_pages_per_poll": 50, "requests_per_s": 50,
                                  "interval_s": 0.1, "max_backoff_s": 0.4})
feed = CebHttpTransport(profile, hook).receipt_feed(["AGENT1"], [])
got = feed.poll()
assert [(r.guid, r.return_status, r.receiver, r.keys) for r in got.receipts] == [("G1", 800, "AGENT1", {"invtNo": "N1"})]
assert not feed.problems

for mode, words in [("html", "text/html, not JSON"), ("garbage", "not a receipts page"),
                    ("stuck", "did not advance"), ("redirect", "redirects are not followed")]:
    MODE["now"] = mode
    feed = CebHttpTransport(profile, hook).receipt_feed(["AGENT1"], [])
    requests.clear()
    started = time.monotonic()
    while time.monotonic() - started < 2.0:
        feed.poll()
        time.sleep(0.05)
    assert any(words in problem for problem in feed.problems), (mode, dict(feed.problems))
    # Backed off and within the budget: a misbehaving feed is not polled without bound.
    assert len(requests) <= 12, (mode, len(requests))
print("ok")
"""


def test_a_misbehaving_receipts_feed_is_named_backed_off_and_bounded():
    run_check(FEED)
