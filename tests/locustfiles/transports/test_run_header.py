"""The HTTP transports tag every request with the run's tag (X-Peakload-Run): a platform can route a
test run's messages and receipt polls on it."""

from tests.locustfiles.transports.child import run_check

TAGGED = """
from ceb.types import MessageType
from locustfiles.transports.ceb_http import CebHttpTransport
from locustfiles.transports.eport import EportTransport
from targets.profile import TargetProfile

seen = []

def app(environ, start_response):
    environ["wsgi.input"].read()
    seen.append((environ["PATH_INFO"], environ.get("HTTP_X_PEAKLOAD_RUN")))
    if environ["PATH_INFO"].endswith("/receipts"):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"receipts": [], "next": ""}']
    start_response("202 Accepted", [("Content-Type", "text/plain")])
    return [b"OK"]

port = serve(app)
ceb = CebHttpTransport(TargetProfile(name="t", url=f"http://127.0.0.1:{port}", id_tag="R7"), hook)
assert ceb.sender().send(MessageType.ORDER, b"<x/>", "G1").status == 202
ceb.receipt_feed(["5001960001"], []).poll()
untagged = CebHttpTransport(TargetProfile(name="t", url=f"http://127.0.0.1:{port}"), hook)
untagged.sender().send(MessageType.ORDER, b"<x/>", "G2")
eport = EportTransport(TargetProfile(name="t", transport="eport", url=f"http://127.0.0.1:{port}", dxp_id="DXPENT0000000001",
                                     id_tag="R7"), hook)
eport.sender().send(MessageType.ORDER, b"<x/>", "G3")
assert seen == [("/ceb/messages", "R7"), ("/ceb/receipts", "R7"), ("/ceb/messages", "untagged"),
                ("/cebcmsg", "R7")], seen
print("ok")
"""


def test_every_request_of_a_run_carries_its_tag():
    run_check(TAGGED)
