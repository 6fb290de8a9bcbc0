"""Benchmark: peakload's open-model generator vs a plain Locust FastHttpUser, per generator core.

    .venv/bin/python benchmarks/generator.py [--seconds 10]

A fast server (the mock platform's stack answering a trivial POST) runs pinned to core 0, Locust
to core 1. In one run it measures, always in the steady state (the first seconds of every run,
while Locust starts its users, are left out):
1. the baseline: a plain FastHttpUser posting one fixed CEB message at full speed, once before
   and once after the rest (the better of the two counts: a shared host's slow moment must not
   flatter the ratio);
2. peakload's ceiling: the locustfile replaying real, distinct CEB documents through the
   scheduler. A flood far above one core shows how fast it sends once nothing is left to plan (an
   upper bound); then arrival rates from that bound down in 5% steps until one is sustained
   (what was sent in the steady state is at least 98% of what the plan meant to send in those
   seconds: a generator that cannot keep up falls behind and stays behind, while a one-second dip
   it makes up for does not count), and two halvings of the gap above it: the ceiling is the
   highest rate the open model delivers on schedule, planning included;
3. pacing at 80% of that ceiling: the intended vs achieved messages in every 10 s window;
4. signing, per core (benchmarks/signing.py): RSA-SHA1 and SM2-SM3 signatures a second, and the
   on-schedule ceiling of a run that signs every message with SM2-SM3 (searched as in 2, from
   the lower of the unsigned ceiling and the signing rate down).
The last line is machine-readable:

    peakload_req_per_s=<x> fasthttp_req_per_s=<y> ratio=<x/y> pacing_error_pct=<z> \
        rsa_signs_per_s=<a> sm2_signs_per_s=<b> signed_req_per_s=<c>
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.intake import server  # noqa: E402
from ceb.signing import SignatureAlgorithm, make_test_credentials  # noqa: E402
from reports.pacing import window_errors  # noqa: E402

GENERATOR_CORE = 1


def locust(args: list[str], folder: Path) -> None:
    command = ["taskset", "-c", str(GENERATOR_CORE), sys.executable, "-m", "locust", "--headless",
               "--only-summary", "--loglevel", "ERROR", "--exit-code-on-error", "0", *args]
    subprocess.run(command, cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=600)


def scenario_file(folder: Path, name: str, orders_per_s: float, seconds: float) -> Path:
    """A flat scenario at `orders_per_s` whose four documents go out together."""
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({
        "name": name, "baseline_orders_per_day": 50000,
        "clock": {"start": "2018-11-11T00:00:00+08:00", "duration": f"{seconds}s", "compression": 1},
        "curve": [{"kind": "hold", "duration": f"{seconds}s", "rate": orders_per_s}],
        "waves": {k: {"dist": "fixed", "min": "0s"} for k in ("payment", "waybill", "inventory_list")},
        "generator": {"concurrency": 32, "queue_limit": 1_000_000, "drain": "1s", "seed": 7},
    }))
    return path


WARMUP_S = 3  # Locust spawning its users and the first connections


def steady_rate(history_csv: Path) -> float:
    """Requests per second after the warm-up, from Locust's cumulative counts over time."""
    with open(history_csv, newline="") as f:
        rows = [(int(r["Timestamp"]), int(r["Total Request Count"])) for r in csv.DictReader(f)
                if r["Name"] == "Aggregated" and int(r["Total Request Count"]) > 0]
    start = next(i for i, (ts, _) in enumerate(rows) if ts >= rows[0][0] + WARMUP_S)
    (t0, n0), (t1, n1) = rows[start], rows[-1]
    return (n1 - n0) / (t1 - t0)


def steady_seconds(results: Path, seconds: int) -> tuple[list[int], list[int]]:
    """What the generator sent, and what its plan meant to send, in each second of the load phase
    after the warm-up."""
    data = json.loads(results.read_text())
    return (data["sent_per_second"][WARMUP_S:seconds], data["intended_per_second"][WARMUP_S:seconds])


def posts_per_s(stats_csv: Path) -> float:
    with open(stats_csv, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Type"] == "POST"]
    return sum(float(r["Requests/s"]) for r in rows)


def signing_figures() -> dict[str, float]:
    """benchmarks/signing.py's figures (its own process, pinned to the generator's core)."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "signing.py")], capture_output=True,
                          text=True, check=True, timeout=300)
    last = done.stdout.strip().splitlines()[-1]
    print(done.stdout.strip())
    return {name: float(value) for name, value in (item.split("=") for item in last.split())}


def signed_profile(folder: Path, host: str) -> Path:
    """A target profile that signs every message with a fresh SM2-SM3 test key."""
    key_file, certificate_file = make_test_credentials(folder / "keys", SignatureAlgorithm.SM2_SM3)
    path = folder / "signed.yaml"
    path.write_text(yaml.safe_dump({"name": "bench-signed", "url": host, "signing": {
        "algorithm": "sm2-sm3", "key_file": str(key_file), "certificate_file": str(certificate_file)}}))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    locustfile = ROOT / "locustfiles" / "ceb_platform.py"
    with tempfile.TemporaryDirectory(prefix="peakload-genbench-") as tmp:
        folder = Path(tmp)
        port_file = folder / "hello.port"
        with server([sys.executable, str(ROOT / "benchmarks" / "hello_app.py"), str(port_file)],
                    port_file) as (port, _):
            host = f"http://127.0.0.1:{port}"
            seconds = args.seconds + WARMUP_S

            def baseline(name: str) -> float:
                locust(["-f", str(ROOT / "benchmarks" / "fasthttp_baseline.py"), "--host", host, "-u", "32",
                        "-r", "32", "-t", f"{seconds}s", "--csv", name, "--csv-full-history"], folder)
                rate = steady_rate(folder / f"{name}_stats_history.csv")
                print(f"plain FastHttpUser, fixed body ({name}): {rate:,.0f} requests/s")
                return rate

            first_baseline = baseline("before")

            flood = scenario_file(folder, "flood", 5000, seconds)
            locust(["-f", str(locustfile), "--host", host, "--scenario", str(flood),
                    "--results-file", "flood.json", "--csv", "flood"], folder)
            drained = json.loads((folder / "flood.json").read_text())["sent_per_second"][seconds + 1:-1]
            upper = sorted(drained)[len(drained) // 2] if drained else posts_per_s(folder / "flood_stats.csv")
            print(f"peakload, flood of 20,000/s, sending what it planned: {upper:,.0f} requests/s")

            def sustained(offered: float, name: str, extra: tuple[str, ...]) -> float | None:
                """The achieved rate when `offered` is delivered on schedule, else None."""
                probe = scenario_file(folder, name, offered / 4, seconds)
                locust(["-f", str(locustfile), "--host", host, "--scenario", str(probe),
                        "--results-file", f"{name}.json", "--csv", name, *extra], folder)
                sent, intended = steady_seconds(folder / f"{name}.json", seconds)
                achieved, kept = sum(sent) / len(sent), sum(sent) / sum(intended)
                print(f"peakload scheduler{' signing' if extra else ''}, real CEB documents, offered "
                      f"{offered:,.0f}/s: {achieved:,.0f} requests/s, {kept:.1%} of the plan sent")
                return achieved if kept >= 0.98 else None

            def ceiling_below(upper: float, name: str, extra: tuple[str, ...] = ()) -> float:
                """Down in 5% steps to the first rate sustained, then two halvings of the gap to
                the step above it: the ceiling to within 1.25% of `upper`."""
                found, failed_at, passed_at = 0.0, upper, 0.0
                for step in range(8):
                    offered = upper * (1 - 0.05 * step)
                    achieved = sustained(offered, f"{name}{step}", extra)
                    if achieved is not None:
                        found, passed_at = achieved, offered
                        break
                    failed_at = offered
                if found and failed_at > passed_at:
                    for refine in range(2):
                        offered = (passed_at + failed_at) / 2
                        achieved = sustained(offered, f"{name}-refine{refine}", extra)
                        if achieved is None:
                            failed_at = offered
                        else:
                            found, passed_at = achieved, offered
                return found

            ceiling = ceiling_below(upper, "probe")
            rate = 0.8 * ceiling / 4
            paced = scenario_file(folder, "paced", rate, max(30, 3 * args.seconds))  # 10 s windows
            locust(["-f", str(locustfile), "--host", host, "--scenario", str(paced),
                    "--results-file", "paced.json", "--csv", "paced"], folder)
            paced_results = json.loads((folder / "paced.json").read_text())
            errors = window_errors(paced_results["intended_per_second"], paced_results["sent_per_second"])
            print(f"at 80% of the ceiling ({rate * 4:,.0f} requests/s): window errors "
                  + ", ".join(f"{e:.2%}" for e in errors))
            # The better of two baselines, one before and one after: a moment the host held the
            # baseline back must not flatter the ratio.
            fast = max(first_baseline, baseline("after"))
            signing = signing_figures()
            profile = ("--target-profile", str(signed_profile(folder, host)))
            signed = ceiling_below(min(ceiling, signing["sm2_messages_per_s"]), "signed", profile)
    worst = max(errors) * 100 if errors else float("nan")
    print(f"peakload_req_per_s={ceiling:.0f} fasthttp_req_per_s={fast:.0f} ratio={ceiling / fast:.3f} "
          f"pacing_error_pct={worst:.2f} rsa_signs_per_s={signing['rsa_signs_per_s']:.0f} "
          f"sm2_signs_per_s={signing['sm2_signs_per_s']:.0f} signed_req_per_s={signed:.0f}")


if __name__ == "__main__":
    main()
