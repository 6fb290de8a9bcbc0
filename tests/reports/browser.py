"""Headless Chromium (Debian's `chromium`) for report tests: the DOM after scripts ran, and the
browser console."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


@dataclass(frozen=True)
class Rendered:
    dom: str
    console_errors: list[str]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`; .ci/run installs it)")
    return path


def _run(page: Path, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="peakload-chromium-") as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=120)


def render(page: Path) -> Rendered:
    """Load `page` offline in headless Chromium; its final DOM and any console errors."""
    done = _run(page, "--dump-dom")
    errors = [line for line in done.stderr.splitlines()
              if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
    return Rendered(done.stdout, errors)


def screenshot(page: Path, png: Path, width: int = 1100, height: int = 4200) -> Path:
    """A picture of `page` as a person sees it in a window of that size."""
    _run(page, "--hide-scrollbars", f"--window-size={width},{height}", f"--screenshot={png.resolve()}")
    return png
