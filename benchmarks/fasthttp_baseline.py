"""The generator benchmark's baseline: a plain Locust FastHttpUser posting one fixed CEB message
as fast as it can (no scheduling, no rendering)."""

from __future__ import annotations

import datetime as dt

from locust import FastHttpUser, constant, task

from ceb.codec import render_message
from locustfiles.parcels import ParcelFactory

_factory = ParcelFactory(seed=1, namespace="FX")
BODY = render_message(next(iter(_factory.make(dt.datetime(2018, 11, 11)).messages(
    _factory.parties, _factory.guid).values())))
HEADERS = {"Content-Type": "application/xml; charset=utf-8"}


class FixedBodyUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def post(self) -> None:
        self.client.post("/ceb/messages", data=BODY, headers=HEADERS, name="fixed")
