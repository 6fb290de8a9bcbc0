"""Running the `peakload` command from tests, as a user would: a child process."""

import json
import subprocess
import sys
from pathlib import Path


def peakload(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """`peakload ARGS`, its output captured; never raises on a non-zero exit."""
    return subprocess.run([sys.executable, "-m", "peakload", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


def stalled_by_host(returncode: int, out: Path) -> bool:
    """Whether a run judged itself invalid only because the host stalled its generator: such a run
    says nothing about what a test checks (its figures carry the stall)."""
    summary = out / "summary.json"
    return returncode == 2 and summary.exists() and any(
        reason.startswith("generator stalled") for reason in json.loads(summary.read_text())["reasons"])


def trusted_run(*args: str, out: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    """`peakload run ARGS --out OUT`, once more when the run judged itself invalid because the host
    stalled its generator: such a run says nothing about what the test checks. The rerun tags its
    identifiers anew (`--id-tag` with an R added), so the target takes its messages as new, not as
    duplicates."""
    done = peakload("run", *args, "--out", str(out), timeout=timeout)
    if stalled_by_host(done.returncode, out):
        tag = args[args.index("--id-tag") + 1] if "--id-tag" in args else ""
        done = peakload("run", *args, "--id-tag", f"{tag}R", "--out", str(out), timeout=timeout)
    return done
