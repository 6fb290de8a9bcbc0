"""Checks that a monitoring stack can see and page, asked of the services' own APIs.

A stack whose processes answer `/-/ready` can still be blind: rule files that did not load, a
scrape target that is down, an Alertmanager running some other config, nobody at the webhook's
end. `verify` asks Prometheus (`/api/v1/rules`, `/api/v1/targets`, `/api/v1/alertmanagers`),
Alertmanager (`/api/v2/status`) and the on-call receiver (`/pages`) until every check holds or the
deadline passes; then it names every check that still fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

from monitoring.rehearsal import ALERTMANAGER_TIMINGS, parse_duration

_POLL_S = 0.5
_TARGETS_TIMEOUT_S = 10.0  # plus two scrape intervals: two or three scrapes decide a target

Say = Callable[[str], None]  # takes progress lines for a person


class ChecksFailed(RuntimeError):
    """A running stack fails a check; the message names every failure."""


@dataclass(frozen=True, slots=True)
class Expectations:
    """What a healthy stack holds: the rendered rules and routing, the scrape targets it was given,
    and where its services listen."""

    rule_groups: frozenset[tuple[str, str]]  # (file, group)
    alerts: frozenset[str]
    targets: frozenset[tuple[str, str]]  # (job, instance)
    routing: dict  # Alertmanager's config, reduced by `routing_essentials`
    scrape_interval_s: float
    prometheus_url: str
    alertmanager_url: str
    oncall_url: str


def expectations(rule_files: tuple[Path, ...], targets: dict[str, tuple[str, ...]], alertmanager: Path,
                 scrape_interval_s: float, urls: tuple[str, str, str]) -> Expectations:
    """What `verify` will ask for, read from the rendered files."""
    groups, alerts = set(), set()
    for path in rule_files:
        for group in yaml.safe_load(path.read_text())["groups"]:
            groups.add((str(path), group["name"]))
            alerts |= {rule["alert"] for rule in group["rules"] if "alert" in rule}
    return Expectations(frozenset(groups), frozenset(alerts),
                        frozenset((job, t) for job, ts in targets.items() for t in ts),
                        routing_essentials(yaml.safe_load(alertmanager.read_text())),
                        scrape_interval_s, *urls)


def routing_essentials(config: dict) -> dict:
    """What decides who is paged when: every route's receiver, matchers, continue flag and timings
    (in seconds), and every receiver's webhooks. Alertmanager reports its config with defaults
    filled in and durations rewritten, so whole files do not compare."""
    def route(r: dict) -> dict:
        return {"receiver": r.get("receiver"), "matchers": r.get("matchers", []),
                "continue": r.get("continue", False),
                **{k: parse_duration(r[k]) for k in ALERTMANAGER_TIMINGS if k in r},
                "routes": [route(child) for child in r.get("routes", [])]}
    return {"route": route(config["route"]),
            "receivers": {r["name"]: sorted(w["url"] for w in r.get("webhook_configs", []))
                          for r in config.get("receivers", [])}}


def rule_problems(groups: list[dict], expected: Expectations) -> list[str]:
    """What is missing or broken in Prometheus' answer to /api/v1/rules."""
    loaded = {(g["file"], g["name"]) for g in groups}
    alerts = {r["name"] for g in groups for r in g["rules"] if r["type"] == "alerting"}
    problems = [f"rule group {name} of {file} is not loaded" for file, name in sorted(expected.rule_groups - loaded)]
    if missing := sorted(expected.alerts - alerts):
        problems.append(f"alerts not loaded: {', '.join(missing)}")
    problems += [f"rule {r['name']} fails: {r.get('lastError', '?')}"
                 for g in groups for r in g["rules"] if r.get("health") == "err"]
    return problems


def target_problems(active: list[dict], expected: Expectations) -> list[str]:
    """Given scrape targets that Prometheus does not scrape, or scrapes without success."""
    health = {(t["labels"].get("job"), t["labels"].get("instance")): t for t in active}
    problems = []
    for job, instance in sorted(expected.targets):
        target = health.get((job, instance))
        if target is None:
            problems.append(f"{job} target {instance} is not scraped")
        elif target["health"] != "up":
            reason = target.get("lastError") or "not scraped yet"
            problems.append(f"{job} target {instance} is {target['health']}: {reason}")
    return problems


def _get(url: str) -> dict:
    response = httpx.get(url, timeout=5.0, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


def _problems(expected: Expectations) -> dict[str, list[str]]:
    """Every check's failures now, by check."""
    found: dict[str, list[str]] = {}
    prometheus, alertmanager = expected.prometheus_url, expected.alertmanager_url
    checks: dict[str, Callable[[], list[str]]] = {
        "rules": lambda: rule_problems(_get(f"{prometheus}/api/v1/rules")["data"]["groups"], expected),
        "targets": lambda: target_problems(_get(f"{prometheus}/api/v1/targets?state=active")["data"]
                                           ["activeTargets"], expected),
        "alerting": lambda: [] if any(a["url"].startswith(alertmanager) for a in _get(
            f"{prometheus}/api/v1/alertmanagers")["data"]["activeAlertmanagers"])
            else [f"Prometheus does not send alerts to {alertmanager}"],
        "routing": lambda: [] if routing_essentials(yaml.safe_load(_get(
            f"{alertmanager}/api/v2/status")["config"]["original"])) == expected.routing
            else ["Alertmanager does not run the rendered routing"],
        "oncall": lambda: [] if isinstance(_get(f"{expected.oncall_url}/pages").get("pages"), list)
            else [f"the on-call receiver at {expected.oncall_url} does not list its pages"],
    }
    for name, check in checks.items():
        try:
            found[name] = check()
        except (httpx.HTTPError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
            found[name] = [f"{name} check failed: {type(exc).__name__}: {exc}"]
    return found


def verify(expected: Expectations, say: Say = lambda _line: None) -> tuple[str, ...]:
    """Wait until every check holds (targets get their first scrapes); what was checked, one line
    each. Raises ChecksFailed naming every failure at the deadline."""
    deadline = time.monotonic() + _TARGETS_TIMEOUT_S + 2 * expected.scrape_interval_s
    said = False
    while any((problems := _problems(expected)).values()):
        if time.monotonic() > deadline:
            raise ChecksFailed("; ".join(p for found in problems.values() for p in found))
        if not said and not any(found for check, found in problems.items() if check != "targets"):
            say(f"waiting up to {deadline - time.monotonic():.0f} s for the first scrapes of "
                f"{len(expected.targets)} target(s)")
            said = True
        time.sleep(_POLL_S)
    targets = ", ".join(f"{job} {instance}" for job, instance in sorted(expected.targets)) or "none given"
    return (f"{len(expected.rule_groups)} rule groups, {len(expected.alerts)} alerts loaded",
            f"scrape targets up: {targets}",
            "Alertmanager runs the rendered routing; Prometheus sends it alerts",
            f"on-call receiver answers at {expected.oncall_url}")
