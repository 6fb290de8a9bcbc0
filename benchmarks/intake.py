"""Benchmark: sustained durable intake of realistic CEB documents vs the same stack saying hello.

    .venv/bin/python benchmarks/intake.py [--seconds 10] [--connections 32]

The server (mock platform, SQLite, durable 202) runs pinned to core 0 and this load generator to
core 1. In one run it measures the intake ceiling, the ceiling of the same server stack answering a
trivial POST (the baseline), the floor of any durable intake on that stack (`floor_app.py`: parse,
commit, answer; none of the platform's work), and p99 latency at 80% of the intake ceiling (open
loop, latency from the intended send time). From the three ceilings it prints the CPU a message
costs the platform's own work, and what the goal's ratio would leave for it. The last line is
machine-readable:

    intake_msgs_per_s=<x> hello_req_per_s=<y> ratio=<x/y>
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.httpload import LoadResult, closed_loop, open_loop, post  # noqa: E402
from ceb.codec import message_from_tree, parse_xml, render_message  # noqa: E402
from locustfiles.parcels import ParcelFactory  # noqa: E402

SERVER_CORE, GENERATOR_CORE = 0, 1
GOAL_RATIO = 0.30  # issue #4's goal for intake / hello


def messages(count: int, namespace: str) -> list[bytes]:
    """`count` distinct, valid CEB messages (each parcel's four documents) as raw requests."""
    factory = ParcelFactory(seed=1, namespace=namespace)
    now = dt.datetime(2018, 11, 11, 0, 5)
    out: list[bytes] = []
    while len(out) < count:
        for message in factory.make(now).messages(factory.parties, factory.guid).values():
            out.append(post("/ceb/messages", render_message(message)))
    return out[:count]


def typed_read_us(requests: list[bytes], count: int = 20_000) -> float:
    """CPU µs to read one parsed message into typed documents (the checks' input): work the
    platform cannot skip and the floor does not do."""
    trees = [parse_xml(request.partition(b"\r\n\r\n")[2]) for request in requests[:count]]
    started = time.process_time()
    for tree in trees:
        message_from_tree(tree)
    return (time.process_time() - started) / len(trees) * 1e6


@contextlib.contextmanager
def server(command: list[str], port_file: Path) -> Iterator[tuple[int, psutil.Process]]:
    """Run a server pinned to the server core; yield its port and process."""
    process = subprocess.Popen(["taskset", "-c", str(SERVER_CORE), *command],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {command}")
            time.sleep(0.05)
        time.sleep(0.5)  # let the lifespan finish opening storage
        yield int(port_file.read_text()), psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def measured(label: str, result: LoadResult) -> None:
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(result.statuses.items()))
    print(f"{label}: {result.ok_per_s:,.0f} ok/s over {result.seconds:.1f} s "
          f"(p50 {result.percentile_ms(0.5):.1f} ms, p99 {result.percentile_ms(0.99):.1f} ms; {statuses})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--max-messages", type=int, default=80_000)
    args = parser.parse_args()
    if os.cpu_count() < 2:
        sys.exit("needs two cores: one for the server, one for the generator")
    os.sched_setaffinity(0, {GENERATOR_CORE})
    print(f"rendering {args.max_messages:,} CEB messages ...", flush=True)
    bodies = messages(args.max_messages, "BM")
    typed_us = typed_read_us(bodies)
    with tempfile.TemporaryDirectory(prefix="peakload-bench-") as tmp:
        folder = Path(tmp)
        hello_port_file = folder / "hello.port"
        with server([sys.executable, str(ROOT / "benchmarks" / "hello_app.py"), str(hello_port_file)],
                    hello_port_file) as (port, process):
            process.cpu_percent()
            hello = asyncio.run(closed_loop(port, bodies, args.connections, args.seconds, repeat=True))
            cpu = process.cpu_percent()
            measured("hello (same stack, trivial POST)", hello)
            print(f"  server CPU {cpu:.0f}% of one core")
        intake_port_file = folder / "mock.port"
        mock = [sys.executable, "-m", "peakload", "mock", "--port", "0", "--port-file",
                str(intake_port_file), "--db", str(folder / "mock.db"), "--queue-size", "100000"]
        with server(mock, intake_port_file) as (port, process):
            process.cpu_percent()
            half = len(bodies) // 2
            intake = asyncio.run(closed_loop(port, bodies[:half], args.connections, args.seconds))
            cpu = process.cpu_percent()
            measured("intake (durable 202, SQLite)", intake)
            print(f"  server CPU {cpu:.0f}% of one core")
            rate = 0.8 * intake.ok_per_s
            at_80 = asyncio.run(open_loop(port, bodies[half:], rate, args.connections, args.seconds))
            measured(f"intake at 80% ({rate:,.0f}/s, open loop)", at_80)
        # Last: its writes (hundreds of MB) would slow the disk for whatever ran next.
        floor_port_file = folder / "floor.port"
        with server([sys.executable, str(ROOT / "benchmarks" / "floor_app.py"), str(floor_port_file),
                     str(folder / "floor.db")], floor_port_file) as (port, process):
            process.cpu_percent()
            floor = asyncio.run(closed_loop(port, bodies, args.connections, args.seconds))
            cpu = process.cpu_percent()
            measured("floor (parse, durable 202, nothing else)", floor)
            print(f"  server CPU {cpu:.0f}% of one core")
    x, y = intake.ok_per_s, hello.ok_per_s
    own_work_us = 1e6 / x - 1e6 / floor.ok_per_s
    left_us = 1e6 / (GOAL_RATIO * y) - 1e6 / floor.ok_per_s
    print(f"the platform's own work: {own_work_us:.0f} µs a message (intake's time less the floor's); "
          f"a ratio of {GOAL_RATIO} would leave it {left_us:.0f} µs; reading a message into typed "
          f"documents alone takes {typed_us:.0f} µs")
    print(f"floor_msgs_per_s={floor.ok_per_s:.0f} floor_ratio={floor.ok_per_s / y:.3f}")
    print(f"p99_at_80pct_ms={at_80.percentile_ms(0.99):.1f}")
    print(f"intake_msgs_per_s={x:.0f} hello_req_per_s={y:.0f} ratio={x / y:.3f}")


if __name__ == "__main__":
    main()
