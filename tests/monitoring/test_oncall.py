"""The on-call receiver: pages recorded from Alertmanager webhooks, acknowledged (API and the page's
form), escalated when nobody acknowledges within the target, resolved; the HTML page in Chromium."""

import asyncio
import contextlib
import datetime as dt
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import lxml.html
import pytest

from monitoring.oncall.app import create_app
from monitoring.oncall.model import (Page, PageStatus, ResponseTargets, Route, acknowledger, china_time,
                                     due_for_escalation)
from monitoring.oncall.runbooks import runbook_link
from tests.reports.browser import FLAGS, chromium

HOSTILE = {"alertname": "<script>document.title='owned'</script>", "severity": '"><img src=x onerror=alert(1)>',
           "summary": "<img src=x onerror=alert(1)><b>bold</b>", "runbook_url": "javascript:alert(1)"}


def test_escalation_rule():
    targets = ResponseTargets(ack_s={Route.PAGE_PROMOTION: 300, Route.PAGE: 900})
    page = Page("f", "CebPlatformDown", "page", Route.PAGE_PROMOTION, paged_at=1000.0)
    assert not due_for_escalation(page, targets, 1299)
    assert due_for_escalation(page, targets, 1300)
    assert not due_for_escalation(Page("f", "a", "page", Route.PAGE, 1000.0), targets, 1300)
    assert not due_for_escalation(Page("f", "a", "page", Route.PAGE_PROMOTION, 1000.0, acked_at=1100), targets, 2000)
    assert not due_for_escalation(Page("f", "a", "ticket", Route.TICKET, 1000.0), targets, 99999)


def test_a_page_status_follows_its_timeline_and_times_are_china_time():
    page = Page("f", "a", "page", Route.PAGE, 1000.0)
    assert page.status is PageStatus.OPEN
    assert Page("f", "a", "page", Route.PAGE, 1000.0, escalated_at=1300).status is PageStatus.ESCALATED
    taken = Page("f", "a", "page", Route.PAGE, 1000.0, acked_at=1400, acked_by="li", escalated_at=1300)
    assert taken.status is PageStatus.ACKNOWLEDGED
    assert Page("f", "a", "page", Route.PAGE, 1000.0, resolved_at=1500).status is PageStatus.RESOLVED
    singles_day = dt.datetime(2026, 11, 11, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()
    assert china_time(singles_day) == "2026-11-11T00:00:00+08:00"
    assert china_time(singles_day - 8 * 3600 + 0.4) == "2026-11-10T16:00:00+08:00"
    assert china_time(None) is None


def test_acknowledger_names_are_checked():
    for good in ("li.wei", "李伟", "Li Wei", "oncall@example.com", "on-call", "w2"):
        assert acknowledger(f" {good} ") == good
    for bad in ("", " ", "<b>x</b>", "a\nb", "a\tb", "x" * 65, "-lead", "_x", "a/b", "a\u202eb"):
        with pytest.raises(ValueError):
            acknowledger(bad)


def test_runbook_links_are_the_projects_runbooks_or_http_urls_only():
    assert runbook_link("monitoring/runbooks/CebPlatformDown.md") == "/runbooks/CebPlatformDown"
    assert runbook_link("https://wiki.example/runbooks/x") == "https://wiki.example/runbooks/x"
    for unsafe in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>x</script>",
                   "monitoring/runbooks/../../etc/passwd.md", "monitoring/runbooks/NoSuchAlert.md",
                   "//evil.example/x", "https://", "http://a b", "", "/etc/passwd"):
        assert runbook_link(unsafe) is None, unsafe


def notification(status: str, fingerprint: str, alertname: str, severity: str = "page",
                 summary: str = "", runbook: str = "") -> dict:
    annotations = {"summary": summary or f"{alertname} summary", "runbook_url": runbook or
                   f"monitoring/runbooks/{alertname}.md"}
    return {"version": "4", "status": status, "receiver": "oncall-page-promotion", "alerts": [
        {"status": status, "labels": {"alertname": alertname, "severity": severity},
         "annotations": annotations, "startsAt": "2026-11-11T00:00:00Z", "fingerprint": fingerprint}]}


def _asgi(db: Path) -> httpx.AsyncClient:
    app = create_app(db, ResponseTargets())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:9095")


def test_hostile_alert_content_is_escaped_and_never_linked(tmp_path):
    async def scenario() -> tuple[httpx.Response, dict]:
        async with _asgi(tmp_path / "oncall.db") as client:
            sent = await client.post("/alerts", json=notification(
                "firing", "e1", HOSTILE["alertname"], HOSTILE["severity"], HOSTILE["summary"], HOSTILE["runbook_url"]))
            assert sent.status_code == 200
            return await client.get("/"), (await client.get("/pages")).json()["pages"][0]

    page, record = asyncio.run(scenario())
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none' covers it
    assert "default-src 'none'" in page.headers["content-security-policy"]
    tree = lxml.html.fromstring(page.text)
    assert not tree.xpath("//script | //img | //b")
    row = tree.get_element_by_id("page-e1")
    assert HOSTILE["alertname"] in row.text_content() and HOSTILE["summary"] in row.text_content()
    assert not row.xpath(".//a") and "javascript" not in "".join(tree.xpath("//@href"))
    assert record["summary"] == HOSTILE["summary"] and record["runbookUrl"] is None


def test_the_form_acknowledges_and_bad_names_or_other_sites_are_refused(tmp_path):
    async def scenario() -> dict[str, httpx.Response]:
        async with _asgi(tmp_path / "oncall.db") as client:
            await client.post("/alerts?route=page", json=notification("firing", "f1", "CebPlatformDown"))
            return {
                "bad name": await client.post("/pages/f1/ack", data={"by": "<b>me</b>"}),
                "no name": await client.post("/pages/f1/ack", data={"by": ""}),
                "bad api name": await client.post("/pages/f1/ack", params={"by": "a\nb"}),
                "other site": await client.post("/pages/f1/ack", data={"by": "mallory"},
                                                headers={"origin": "https://evil.example"}),
                "good": await client.post("/pages/f1/ack", data={"by": "李伟"},
                                          headers={"origin": "http://127.0.0.1:9095"}),
                "again": await client.post("/pages/f1/ack", data={"by": "li.wei"}),
                "unknown": await client.post("/pages/nope/ack", data={"by": "li.wei"}),
                "json": await client.get("/pages"),
            }

    answers = asyncio.run(scenario())
    assert answers["bad name"].status_code == 400 and "not acknowledged" in answers["bad name"].text
    assert "&lt;b&gt;me" not in answers["bad name"].text  # the refused name is not echoed
    assert answers["no name"].status_code == 400
    assert answers["bad api name"].status_code == 400 and answers["bad api name"].json()["error"] == "bad_name"
    assert answers["other site"].status_code == 403
    assert answers["good"].status_code == 303 and answers["good"].headers["location"] == "/#page-f1"
    assert answers["again"].status_code == 409 and answers["unknown"].status_code == 409
    record = answers["json"].json()["pages"][0]
    assert record["ackedBy"] == "李伟" and record["status"] == "acknowledged"


def test_a_database_from_before_summaries_keeps_its_pages(tmp_path):
    db = tmp_path / "oncall.db"
    with contextlib.closing(sqlite3.connect(db)) as old:
        old.execute("CREATE TABLE pages (fingerprint TEXT PRIMARY KEY, alertname TEXT NOT NULL, severity TEXT"
                    " NOT NULL, route TEXT NOT NULL, paged_at REAL NOT NULL, acked_at REAL, acked_by TEXT,"
                    " escalated_at REAL, resolved_at REAL)")
        old.execute("INSERT INTO pages VALUES ('old', 'CebPlatformDown', 'page', 'page', 1000, NULL, NULL, NULL, NULL)")
        old.commit()

    async def scenario() -> list[dict]:
        async with _asgi(db) as client:
            await client.post("/alerts", json=notification("firing", "new", "CebPlatformThrottling"))
            return (await client.get("/pages")).json()["pages"]

    pages = {p["fingerprint"]: p for p in asyncio.run(scenario())}
    assert pages["old"]["summary"] == "" and pages["old"]["pagedAtIso"] == china_time(1000)
    assert pages["new"]["summary"] == "CebPlatformThrottling summary"


def test_the_project_runbooks_are_served_as_html(tmp_path):
    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        async with _asgi(tmp_path / "oncall.db") as client:
            return await client.get("/runbooks/CebPlatformDown"), await client.get("/runbooks/..%2Fapp")

    found, missing = asyncio.run(scenario())
    runbook = lxml.html.fromstring(found.text).get_element_by_id("runbook")
    source = (Path(__file__).parents[2] / "monitoring/runbooks/CebPlatformDown.md").read_text()
    assert runbook.xpath("string(.//h1)") == source.splitlines()[0].lstrip("# ")
    assert len(runbook.xpath(".//h2")) == source.count("\n## ")
    assert missing.status_code == 404


@contextlib.contextmanager
def receiver(tmp_path: Path, *extra: str) -> Iterator[str]:
    """`peakload oncall` on a free loopback port for the block; its base URL."""
    port_file = tmp_path / "port"
    server = subprocess.Popen([sys.executable, "-m", "peakload", "oncall", "--port", "0", "--port-file",
                               str(port_file), "--db", str(tmp_path / "oncall.db"), *extra])
    try:
        deadline = time.monotonic() + 20
        while not port_file.exists():
            assert server.poll() is None and time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text()}"
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/pages")
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_pages_are_acknowledged_escalated_and_resolved_over_http(tmp_path):
    with receiver(tmp_path, "--ack-promotion", "1") as url:
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
        assert pages["aaa"]["status"] == "escalated" and pages["aaa"]["escalatedAtIso"] == china_time(
            pages["aaa"]["escalatedAt"])
        assert pages["bbb"]["ackedBy"] == "li.wei" and pages["bbb"]["escalatedAt"] is None
        assert pages["bbb"]["status"] == "acknowledged" and pages["bbb"]["ackedAtIso"].endswith("+08:00")
        assert pages["aaa"]["summary"] == "CebPlatformDown summary" and pages["aaa"]["severity"] == "page"
        assert pages["aaa"]["runbookUrl"] == f"{url}/runbooks/CebPlatformDown"
        assert httpx.get(pages["aaa"]["runbookUrl"]).status_code == 200
        httpx.post(f"{url}/alerts?route=page-promotion", json=notification("resolved", "aaa", "CebPlatformDown"))
        resolved = {p["fingerprint"]: p for p in httpx.get(f"{url}/pages").json()["pages"]}["aaa"]
        assert resolved["resolvedAt"] >= resolved["escalatedAt"] and resolved["status"] == "resolved"
        assert httpx.post(f"{url}/alerts", content=b"not json").status_code == 400
        bad_fingerprint = notification("firing", "../x", "CebPlatformDown")
        assert httpx.post(f"{url}/alerts", json=bad_fingerprint).status_code == 400


def _chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="peakload-chromium-") as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)


def render(url: str, screenshot: Path | None = None) -> lxml.html.HtmlElement:
    """`url` loaded in headless Chromium: the DOM it built (and a screenshot of it)."""
    if screenshot is not None:
        _chromium(f"--screenshot={screenshot}", "--window-size=1280,900", url)
    dom = _chromium("--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return lxml.html.fromstring(dom.stdout)


def rows(dom: lxml.html.HtmlElement, status: str) -> dict[str, lxml.html.HtmlElement]:
    """The page's rows in one status section, by fingerprint."""
    return {row.get("data-fingerprint"): row for row in dom.get_element_by_id(status).xpath(".//tr[@class='page']")}


def test_the_page_renders_in_chromium_and_its_form_acknowledges(tmp_path):
    with receiver(tmp_path, "--ack-promotion", "1") as url:
        httpx.post(f"{url}/alerts?route=page-promotion", json=notification("firing", "esc", "CebPlatformDown"))
        deadline = time.monotonic() + 10  # let the first page escalate
        while not httpx.get(f"{url}/pages").json()["pages"][0]["escalatedAt"]:
            assert time.monotonic() < deadline, "never escalated"
            time.sleep(0.1)
        httpx.post(f"{url}/alerts?route=page", json=notification("firing", "opn", "CebPlatformThrottling"))
        httpx.post(f"{url}/alerts?route=page", json=notification(
            "firing", "evil", HOSTILE["alertname"], HOSTILE["severity"], HOSTILE["summary"], HOSTILE["runbook_url"]))
        capacity = notification("firing", "res", "CebPlatformCapacityHigh", "ticket")
        httpx.post(f"{url}/alerts?route=ticket", json=capacity)
        httpx.post(f"{url}/alerts?route=ticket", json=notification("resolved", "res", "CebPlatformCapacityHigh"))
        records = {p["fingerprint"]: p for p in httpx.get(f"{url}/pages").json()["pages"]}

        dom = render(f"{url}/", tmp_path / "before.png")
        assert (tmp_path / "before.png").stat().st_size > 10_000  # Chromium painted something

        assert set(rows(dom, "escalated")) == {"esc"} and set(rows(dom, "open")) == {"opn", "evil"}
        assert set(rows(dom, "resolved")) == {"res"} and not rows(dom, "acknowledged")
        escalated = rows(dom, "escalated")["esc"]
        assert "CebPlatformDown summary" in escalated.text_content()
        assert escalated.xpath("string(.//time[@class='paged'])") == records["esc"]["pagedAtIso"]
        assert escalated.xpath("string(.//time[@class='escalated'])") == records["esc"]["escalatedAtIso"]
        assert escalated.xpath("string(.//td[contains(@class, 'severity')])") == "page"
        assert escalated.xpath(".//a[@class='runbook']/@href") == ["/runbooks/CebPlatformDown"]
        assert dom.xpath("//title")[0].text_content().endswith("3 waiting")
        assert dom.xpath("//title")[0].text_content() != "owned"  # the hostile label ran no script
        assert not dom.xpath("//script | //img") and HOSTILE["summary"] in rows(dom, "open")["evil"].text_content()
        assert not rows(dom, "open")["evil"].xpath(".//a")

        form = rows(dom, "escalated")["esc"].xpath(".//form")[0]
        assert form.get("method") == "post" and form.xpath(".//input/@name") == ["by"]
        # The form as Chromium built it, submitted as a browser would (urlencoded, with its Origin).
        sent = httpx.post(f"{url}{form.get('action')}", data={"by": "li.wei"}, headers={"origin": url})
        assert sent.status_code == 303
        back = httpx.get(f"{url}{sent.headers['location']}")
        assert back.status_code == 200

        dom = render(f"{url}/")
        acknowledged = rows(dom, "acknowledged")
        assert set(acknowledged) == {"esc"} and "esc" not in rows(dom, "escalated")
        assert acknowledged["esc"].xpath("string(.//span[@class='acked-by'])") == "li.wei"
        record = {p["fingerprint"]: p for p in httpx.get(f"{url}/pages").json()["pages"]}["esc"]
        assert acknowledged["esc"].xpath("string(.//time[@class='acked'])") == record["ackedAtIso"]
