"""Running a transport check in a child process: Locust patches the standard library with gevent's
and must be imported first, which a test process that also runs asyncio servers cannot allow."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRELUDE = """
import locust  # first: gevent's monkey-patching
from gevent.pywsgi import WSGIServer
from locust.event import EventHook

events = []
hook = EventHook()
hook.add_listener(lambda **kw: events.append(kw))

def serve(app):
    server = WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    return server.server_port
"""


def run_check(code: str, timeout: float = 90, env: dict[str, str] | None = None) -> None:
    """Run `code` after the prelude in a child; it must print ok."""
    done = subprocess.run([sys.executable, "-c", PRELUDE + code], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False, env=env)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout + done.stderr
