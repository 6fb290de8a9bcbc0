"""Running the mock platform as a child process on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 15.0


class MockStartError(RuntimeError):
    """The mock platform did not come up."""


@dataclass
class MockProcess:
    """A running `peakload mock` child process."""

    process: subprocess.Popen
    url: str

    def stop(self) -> int:
        """SIGTERM (graceful drain), then SIGKILL if it does not exit in time; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def _wait_ready(process: subprocess.Popen, port_file: Path, log: Path, tls: ssl.SSLContext | None) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise MockStartError(f"the mock platform exited with {process.returncode}; see {log}")
        if url is None and port_file.exists():
            url = f"{'https' if tls else 'http'}://127.0.0.1:{port_file.read_text().strip()}"
        if url is not None:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/readyz", timeout=1.0, verify=tls or True).status_code == 200:
                    return url
        time.sleep(0.05)
    raise MockStartError(f"the mock platform was not ready within {STARTUP_TIMEOUT_S:g} s; see {log}")


def start_mock(database: str | Path, log_path: Path, extra_args: tuple[str, ...] = (),
               env: dict[str, str] | None = None, tls: ssl.SSLContext | None = None) -> MockProcess:
    """Start `peakload mock` on 127.0.0.1 with a free port (SQLite file or PostgreSQL URL);
    `env` adds to the environment (e.g. PEAKLOAD_ADMIN_TOKEN, kept off the command line). A mock
    serving HTTPS (`--tls-cert` in `extra_args`) is probed with the client context `tls`."""
    with tempfile.TemporaryDirectory(prefix="peakload-mock-") as tmp:
        port_file = Path(tmp) / "port"
        command = [sys.executable, "-m", "peakload", "mock", "--host", "127.0.0.1", "--port", "0",
                   "--port-file", str(port_file), "--db", str(database), *extra_args]
        with open(log_path, "ab") as log:
            # A session of its own: a Ctrl-C in the terminal reaches only its parent, which stops
            # the load first and the platform after (SIGTERM, a graceful drain).
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                       env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
                                       start_new_session=True)
        try:
            return MockProcess(process, _wait_ready(process, port_file, log_path, tls))
        except BaseException:  # not ready, or interrupted while starting: no orphan left behind
            if process.poll() is None:
                process.kill()
            process.wait()
            raise


def remove_database(database: str | Path) -> None:
    """Delete a stopped mock's SQLite database and its write-ahead log (tens of MB a run, which a
    run's folder does not need: the summary holds what was measured); a PostgreSQL URL is left."""
    if str(database).startswith(("postgresql://", "postgres://")):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def embedded_mock(database: str | Path, log_path: Path,
                  extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    """A mock platform for the duration of the block; yields its base URL."""
    mock = start_mock(database, log_path, extra_args)
    try:
        yield mock.url
    finally:
        mock.stop()
