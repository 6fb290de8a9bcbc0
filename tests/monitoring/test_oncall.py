"""The on-call receiver: pages recorded from Alertmanager webhooks, acknowledged, escalated when
nobody acknowledges within the target, resolved."""

import subprocess
import sys
import time

import httpx

from monitoring.oncall.model import Page, ResponseTargets, Route, due_for_escalation


def test_escalation_rule():
    targets = ResponseTargets(ack_s={Route.PAGE_PROMOTION: 300, Route.PAGE: 900})
    page = Page("f", "CebPlatformDown", "page", Route.PAGE_PROMOTION, paged_at=1000.0)
    assert not due_for_escalation(page, targets, 1299)
    assert due_for_escalation(page, targets, 1300)
    assert not due_for_escalation(Page("f", "a", "page", Route.PAGE, 1000.0), targets, 1300)
    assert not due_for_escalation(Page("f", "a", "page", Route.PAGE_PROMOTION, 1000.0, acked_at=1100), targets, 2000)
    assert not due_for_escalation(Page("f", "a", "ticket", Route.TICKET, 1000.0), targets, 99999)


def notification(status: str, fingerprint: str, alertname: str) -> dict:
    return {"version": "4", "status": status, "receiver": "oncall-page-promotion", "alerts": [
        {"status": status, "labels": {"alertname": alertname, "severity": "page"}, "annotations": {},
         "startsAt": "2026-11-11T00:00:00Z", "fingerprint": fingerprint}]}


def test_pages_are_acknowledged_escalated_and_resolved_over_http(tmp_path):
    port_file = tmp_path / "port"
    server = subprocess.Popen([sys.executable, "-m", "peakload", "oncall", "--port", "0", "--port-file",
                               str(port_file), "--db", str(tmp_path / "oncall.db"), "--ack-promotion", "1"])
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text()}"
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                httpx.get(f"{url}/pages")
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        for fingerprint, name in (("aaa", "CebPlatformDown"), ("bbb", "CebPlatformThrottling")):
            sent = httpx.post(f"{url}/alerts?route=page-promotion", json=notification("firing", fingerprint, name))
            assert sent.json() == {"received": 1}
        assert httpx.post(f"{url}/pages/bbb/ack?by=li.wei").json() == {"acknowledged": True}
        assert httpx.post(f"{url}/pages/bbb/ack?by=li.wei").status_code == 404  # already taken
        end = time.monotonic() + 10
        pages = {}
        while time.monotonic() < end:
            pages = {p["fingerprint"]: p for p in httpx.get(f"{url}/pages").json()["pages"]}
            if pages["aaa"]["escalatedAt"]:
                break
            time.sleep(0.1)
        assert pages["aaa"]["escalatedAt"] - pages["aaa"]["pagedAt"] >= 1.0
        assert pages["bbb"]["ackedBy"] == "li.wei" and pages["bbb"]["escalatedAt"] is None
        httpx.post(f"{url}/alerts?route=page-promotion", json=notification("resolved", "aaa", "CebPlatformDown"))
        resolved = {p["fingerprint"]: p for p in httpx.get(f"{url}/pages").json()["pages"]}["aaa"]
        assert resolved["resolvedAt"] >= resolved["escalatedAt"]
        assert httpx.post(f"{url}/alerts", content=b"not json").status_code == 400
    finally:
        server.terminate()
        server.wait(timeout=20)
