import datetime as dt, itertools, os
from locust import FastHttpUser, constant, task
from ceb.codec import render_message
from locustfiles.parcels import ParcelFactory
_f = ParcelFactory(seed=1, namespace="FX")
BODIES = []
for i in range(500):
    for mt, m in _f.make(dt.datetime(2018, 11, 11)).messages(_f.parties, _f.guid).items():
        BODIES.append((mt.value, render_message(m)))
FIXED = BODIES[0]
HEADERS = {"Content-Type": "application/xml; charset=utf-8"}
V = os.environ["VARIANT"]
_cycle = itertools.cycle(BODIES)
class U(FastHttpUser):
    wait_time = constant(0)
    def on_start(self):
        if "nocookie" in V: self.client.client.cookiejar = None
    @task
    def post(self):
        name, body = next(_cycle) if "distinct" in V else FIXED
        self.client.post("/ceb/messages", data=body, headers=HEADERS, name=name if "names" in V else "fixed")
