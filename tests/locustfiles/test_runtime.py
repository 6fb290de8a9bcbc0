"""The hand-over between the dispatcher and the senders: senders wait without a timer while the
dispatcher runs, and every one still waiting is woken when it is done. (In a child process:
Locust patches the standard library with gevent's and must be imported first.)"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny.yaml"

CHECK = f"""
import locust  # first: gevent's monkey-patching
import gevent
from locust.env import Environment

from ceb.types import MessageType
from locustfiles.runtime import GeneratorRuntime
from locustfiles.schedule import SendJob
from locustfiles.transports import open_transport
from scenarios.loader import load
from targets import TargetProfile

environment = Environment()
transport = open_transport(TargetProfile(name="unused", url="http://127.0.0.1:9"), environment.events.request)
runtime = GeneratorRuntime(environment, load({str(TINY)!r}), transport)
job = SendJob(0.05, MessageType.ORDER, b"<x/>", 1, "G", None)
runtime._plan = iter([job])  # a plan of one job, due in 50 ms
senders = [gevent.spawn(runtime.take) for _ in range(3)]
gevent.sleep(0)
assert not any(s.ready() for s in senders), "senders should wait for the dispatcher, not poll"
dispatcher = gevent.spawn(runtime._dispatch)
gevent.joinall([dispatcher, *senders], timeout=5)
assert all(s.ready() for s in senders), "a waiting sender was never woken"
taken = [s.value for s in senders]
assert taken.count(job) == 1 and taken.count(None) == 2, taken
assert runtime.in_flight == 1, runtime.in_flight  # only the real job is in flight
assert runtime.dispatch_done and runtime.take_waiting() is None
print("ok")
"""


def test_waiting_senders_get_the_due_job_then_a_wake_up_that_counts_nothing_in_flight():
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr
