"""`peakload mock` refuses to start, in one clear line, when it cannot store or cannot listen."""

import socket

from peakload.exit_codes import ExitCode
from tests.cli import peakload


def test_an_unreachable_database_is_one_line_without_its_password():
    done = peakload("mock", "--port", "0", "--db", "postgresql://ops:s3cret-pw@127.0.0.1:1/ceb", timeout=60)
    assert done.returncode == ExitCode.UNAVAILABLE
    assert "cannot open the database postgresql:127.0.0.1:1/ceb: connection failed" in " ".join(done.stderr.split())
    assert "s3cret-pw" not in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_a_database_file_that_cannot_be_created_is_refused(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    done = peakload("mock", "--port", "0", "--db", str(blocker / "mock.db"), timeout=60)
    assert done.returncode == ExitCode.UNAVAILABLE
    assert f"cannot open the database sqlite:{blocker / 'mock.db'}" in " ".join(done.stderr.split())


def test_a_port_in_use_is_refused(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = peakload("mock", "--port", str(port), "--db", str(tmp_path / "mock.db"), timeout=60)
    assert done.returncode == ExitCode.UNAVAILABLE
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
