"""The monitoring configs for a stack on loopback, optionally time-compressed for drills.

A drill at compression 10 runs the real alert rules and routing with every duration divided by
ten: rule windows (`[5m]` -> `[30s]`), `for:` clauses, evaluation and scrape intervals, and
Alertmanager's group and repeat timings. Thresholds and expressions stay as written, so what fires
in a compressed drill is what fires in production, ten times sooner (as scenarios compress the
festival's clock). Pure functions over the parsed YAML; the stack writes the results to disk.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_RANGE = re.compile(r"\[(\d+(?:ms|s|m|h|d|w|y))+(:\d+(?:ms|s|m|h|d|w|y)*)?\]")
ALERTMANAGER_TIMINGS = ("group_wait", "group_interval", "repeat_interval")


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as `1h30m` or `500ms`."""
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a Prometheus duration: {text!r}")
    return sum(int(n) * _UNITS[u] for n, u in parts)


def format_duration(seconds: float) -> str:
    """The shortest exact Prometheus duration for `seconds`, at millisecond resolution (>= 1ms)."""
    ms = max(1, round(seconds * 1000))
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def scale_duration(text: str, compression: float) -> str:
    """A duration divided by the compression factor."""
    return format_duration(parse_duration(text) / compression)


def scale_ranges(promql: str, compression: float) -> str:
    """Every range selector (`[5m]`) of an expression divided by the compression factor."""
    if compression == 1:
        return promql
    def scaled(match: re.Match) -> str:
        inner = match.group(0)[1:-1]
        window, _, step = inner.partition(":")
        out = scale_duration(window, compression)
        return f"[{out}:{scale_duration(step, compression) if step else ''}]" if ":" in inner else f"[{out}]"
    return _RANGE.sub(scaled, promql)


def compress_rules(rules: dict, compression: float) -> dict:
    """A rules file (recording or alerting) with its windows and `for:` clauses compressed."""
    out = copy.deepcopy(rules)
    if compression == 1:
        return out
    for group in out["groups"]:
        if "interval" in group:
            group["interval"] = scale_duration(group["interval"], compression)
        for rule in group["rules"]:
            rule["expr"] = scale_ranges(rule["expr"], compression)
            if "for" in rule:
                rule["for"] = scale_duration(rule["for"], compression)
    return out


def compress_routing(config: dict, compression: float) -> dict:
    """An Alertmanager config with its group and repeat timings and resolve timeout compressed."""
    out = copy.deepcopy(config)
    if compression == 1:
        return out

    def walk(route: dict) -> None:
        for key in ALERTMANAGER_TIMINGS:
            if key in route:
                route[key] = scale_duration(route[key], compression)
        for child in route.get("routes", []):
            walk(child)

    walk(out["route"])
    if "resolve_timeout" in out.get("global", {}):
        out["global"]["resolve_timeout"] = scale_duration(out["global"]["resolve_timeout"], compression)
    return out


@dataclass(frozen=True, slots=True)
class ScrapeTargets:
    """The loopback endpoints Prometheus scrapes: platforms, and generators that stay up (a run's
    generators announce themselves through file-based discovery while they run)."""

    platform: tuple[str, ...] = ("127.0.0.1:8080",)
    generator: tuple[str, ...] = ()


def prometheus_config(base: dict, targets: ScrapeTargets, rule_files: list[str],
                      compression: float, generator_files: str | None = None,
                      min_interval_s: float = 1.0) -> dict:
    """The Prometheus config for a stack: `base` with these targets and rule files, its generator
    discovery reading `generator_files` (a glob), its scrape and evaluation intervals compressed
    (but never under `min_interval_s`)."""
    out = copy.deepcopy(base)
    for key in ("scrape_interval", "evaluation_interval"):
        seconds = max(min_interval_s, parse_duration(out["global"][key]) / compression)
        out["global"][key] = format_duration(seconds)
    out["rule_files"] = rule_files
    jobs = {"ceb-platform": targets.platform, "peakload-generator": targets.generator}
    for job in out["scrape_configs"]:
        if jobs.get(job["job_name"]):
            job["static_configs"] = [{"targets": list(jobs[job["job_name"]])}]
        if generator_files is not None and job["job_name"] == "peakload-generator":
            for discovery in job.get("file_sd_configs", []):
                discovery["files"] = [generator_files]
    return out
