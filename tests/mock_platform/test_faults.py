"""Fault injection: token-protected, turns on and off, expires, and shows in /metrics."""

import datetime as dt
import time

import httpx
import pytest

from ceb.codec import render_message
from ceb.types import MessageType
from tests.conftest import XML

from tests.conftest import ADMIN_TOKEN as TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def admin(admin_url):
    with httpx.Client(base_url=admin_url, timeout=10.0) as http:
        yield http
        http.delete("/admin/faults", headers=AUTH)


def post_order(http, factory):
    message = factory.make(dt.datetime(2018, 11, 11)).messages(factory.parties, factory.guid)[MessageType.ORDER]
    started = time.monotonic()
    response = http.post("/ceb/messages", content=render_message(message), headers=XML)
    return response, time.monotonic() - started


def active(http, kind):
    line = f'ceb_platform_fault_active{{kind="{kind}"}}'
    return next(float(l.split()[-1]) for l in http.get("/metrics").text.splitlines() if l.startswith(line))


def test_admin_api_is_off_without_a_token(client):
    assert client.get("/admin/faults").status_code == 404


def test_admin_api_needs_the_token(admin):
    assert admin.get("/admin/faults").status_code == 401
    assert admin.get("/admin/faults", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert admin.get("/admin/faults", headers=AUTH).json() == {"faults": []}


def test_latency_fault_turns_on_shows_in_metrics_and_clears(admin, factory):
    created = admin.post("/admin/faults", headers=AUTH,
                         json={"kind": "latency", "delay_ms": 400, "duration_s": 60})
    assert created.status_code == 201
    assert active(admin, "latency") == 1
    response, took = post_order(admin, factory)
    assert response.status_code == 202 and took >= 0.4
    assert admin.delete("/admin/faults", headers=AUTH).json() == {"cleared": 1}
    assert active(admin, "latency") == 0
    response, took = post_order(admin, factory)
    assert response.status_code == 202 and took < 0.4


def injected(admin) -> float:
    line = 'ceb_platform_intake_messages_total{message_type="unknown",outcome="injected_fault"}'
    found = [row for row in admin.get("/metrics").text.splitlines() if row.startswith(line)]
    return float(found[0].split()[-1]) if found else 0.0


def test_error_fault_answers_500_and_counts_it_in_the_intake_metrics(admin, factory):
    before = injected(admin)
    admin.post("/admin/faults", headers=AUTH, json={"kind": "error", "ratio": 1.0, "duration_s": 60})
    response, _ = post_order(admin, factory)
    assert response.status_code == 500 and response.json()["error"] == "injected_fault"
    assert injected(admin) == before + 1  # alerts see the platform's own errors


def test_capacity_cap_fault_paces_intake(admin, factory):
    admin.post("/admin/faults", headers=AUTH, json={"kind": "capacity_cap", "capacity": 5,
                                                    "duration_s": 60})
    assert "ceb_platform_capacity_messages_per_second 5.0" in admin.get("/metrics").text
    started = time.monotonic()
    statuses = [post_order(admin, factory)[0].status_code for _ in range(6)]
    assert statuses == [202] * 6
    assert time.monotonic() - started >= 0.9  # five gaps of 1/5 s


def test_fault_expires_by_itself(admin):
    admin.post("/admin/faults", headers=AUTH, json={"kind": "stall", "duration_s": 0.3})
    assert active(admin, "stall") == 1
    end = time.monotonic() + 5
    while active(admin, "stall") and time.monotonic() < end:
        time.sleep(0.05)
    assert admin.get("/admin/faults", headers=AUTH).json() == {"faults": []}


@pytest.mark.parametrize("body,field", [
    ({"kind": "latency", "duration_s": 10}, None),
    ({"kind": "meteor", "duration_s": 10}, "kind"),
    ({"kind": "error", "ratio": 2, "duration_s": 10}, "ratio"),
])
def test_bad_fault_is_400(admin, body, field):
    response = admin.post("/admin/faults", headers=AUTH, json=body)
    assert response.status_code == 400
    assert response.json().get("field") == field
