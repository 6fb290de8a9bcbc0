"""CI's capacity gate: the mock platform's intake ceiling must not fall, measured so that machine
noise does not flake it.

    .venv/bin/python benchmarks/capacity_gate.py [--baseline baselines/ci-capacity.json]

Absolute messages/s swing with whatever else the CI machine runs, so the gate compares the ratio
of the intake ceiling to the ceiling of the same server stack answering a trivial POST, both
measured in this run (see benchmarks/intake.py); it exits 1 when that ratio falls below the
committed baseline ratio by more than the baseline's tolerance, 0 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.httpload import closed_loop  # noqa: E402
from benchmarks.intake import GENERATOR_CORE, messages, server  # noqa: E402


def measure(seconds: float, connections: int = 32) -> tuple[float, float]:
    """(intake messages/s, hello requests/s), each server on core 0, the load from core 1."""
    os.sched_setaffinity(0, {GENERATOR_CORE})
    bodies = messages(int(seconds * 6000), "CI")
    with tempfile.TemporaryDirectory(prefix="peakload-capacity-") as tmp:
        folder = Path(tmp)
        hello_port = folder / "hello.port"
        with server([sys.executable, str(ROOT / "benchmarks" / "hello_app.py"), str(hello_port)],
                    hello_port) as (port, _):
            hello = asyncio.run(closed_loop(port, bodies, connections, seconds, repeat=True)).ok_per_s
        mock_port = folder / "mock.port"
        with server([sys.executable, "-m", "peakload", "mock", "--port", "0", "--port-file", str(mock_port),
                     "--db", str(folder / "mock.db"), "--queue-size", "100000"], mock_port) as (port, _):
            intake = asyncio.run(closed_loop(port, bodies, connections, seconds)).ok_per_s
    return intake, hello


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, default=ROOT / "baselines" / "ci-capacity.json")
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
    intake, hello = measure(args.seconds)
    ratio = intake / hello
    floor = baseline["ratio"] * (1 - baseline["tolerance"])
    verdict = "pass" if ratio >= floor else "regressed"
    print(f"intake {intake:,.0f} messages/s, hello {hello:,.0f} requests/s: ratio {ratio:.3f} "
          f"(baseline {baseline['ratio']:.3f}, floor {floor:.3f}): {verdict}")
    sys.exit(0 if verdict == "pass" else 1)


if __name__ == "__main__":
    main()
