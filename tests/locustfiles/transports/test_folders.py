"""The folders a DXP client shares: a file appears whole or not at all, even when its writer is
killed in the middle of writing it. (The writer is a child process: Locust patches the standard
library with gevent's and must be imported first.)"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.locustfiles.transports.child import ROOT

WRITER = """
import locust  # first: gevent's monkey-patching, as in a generator
import sys
from pathlib import Path
from locustfiles.transports.folders import LocalFolder
LocalFolder(Path(sys.argv[1])).write_atomic("CEB621Message_G1.xml", b"<x/>" * (64 * 1024 * 1024))
"""


def test_a_writer_killed_mid_write_leaves_no_file_a_reader_would_take(tmp_path: Path):
    folder = tmp_path / "send"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)], cwd=ROOT)
    temporary = folder / ".CEB621Message_G1.xml.tmp"  # the writer's hidden name, which readers skip
    deadline = time.monotonic() + 30
    while not (temporary.exists() and temporary.stat().st_size > 0):
        assert writer.poll() is None, "the writer finished before it could be killed"
        assert time.monotonic() < deadline, "the writer never started writing"
        time.sleep(0.001)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    left = os.listdir(folder)
    assert left == [temporary.name], left
    assert not [name for name in left if name.endswith(".xml")], "a half-written file is visible to the platform"
