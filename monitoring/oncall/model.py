"""Pages and their timeline, the escalation rule and the acknowledger's name, as plain data and
pure functions. Everything in a webhook is untrusted: it is validated here and escaped where shown."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

CHINA = ZoneInfo("Asia/Shanghai")  # the festivals and the on-call rota run on China time
# Alertmanager's fingerprints are 16 hex digits; anything URL-safe of a sane length is accepted, so
# a fingerprint can always be put in the acknowledge form's path.
FINGERPRINT = r"^[0-9A-Za-z_-]{1,64}$"
# A person's handle or name: letters of any script, digits, and . _ @ - or inner spaces.
_ACKNOWLEDGER = re.compile(r"[^\W_](?:[\w.@ -]{0,62}[\w.@-])?")


class Route(str, Enum):
    """The Alertmanager route a notification came by (the webhook's `?route=`)."""

    PAGE_PROMOTION = "page-promotion"
    PAGE = "page"
    TICKET = "ticket"
    LOAD_TEST = "load-test"


class PageStatus(str, Enum):
    """Where a page is in its life, as the on-call page groups them."""

    OPEN = "open"  # nobody has it yet
    ESCALATED = "escalated"  # nobody took it in time: the secondary was paged
    ACKNOWLEDGED = "acknowledged"  # someone has it
    RESOLVED = "resolved"  # the alert stopped firing


class ResponseTargets(BaseModel):
    """Seconds within which a page must be acknowledged before the secondary is paged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ack_s: dict[Route, float] = Field(default_factory=lambda: {
        Route.PAGE_PROMOTION: 300.0, Route.PAGE: 900.0})


class WebhookAlert(BaseModel):
    """One alert of an Alertmanager webhook notification (the fields we use)."""

    model_config = ConfigDict(extra="ignore")

    status: str
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: str = ""
    fingerprint: str = Field(pattern=FINGERPRINT)


class WebhookNotification(BaseModel):
    """An Alertmanager webhook body (version 4)."""

    model_config = ConfigDict(extra="ignore")

    status: str
    alerts: list[WebhookAlert]


def china_time(epoch_s: float | None) -> str | None:
    """ISO-8601 in China time, e.g. 2026-11-11T00:00:05+08:00."""
    if epoch_s is None:
        return None
    return dt.datetime.fromtimestamp(epoch_s, CHINA).isoformat(timespec="seconds")


def acknowledger(name: str) -> str:
    """The acknowledger's name, checked; ValueError says what a name may contain."""
    name = name.strip()
    if not _ACKNOWLEDGER.fullmatch(name):
        raise ValueError("a name is 1-64 letters, digits, spaces or . _ @ - and starts with a letter or digit")
    return name


@dataclass(frozen=True, slots=True)
class Page:
    """A page's life: when it came, was acknowledged, escalated and resolved (epoch seconds), and
    what the alert said (its summary and runbook annotation, as received)."""

    fingerprint: str
    alertname: str
    severity: str
    route: Route
    paged_at: float
    acked_at: float | None = None
    acked_by: str | None = None
    escalated_at: float | None = None
    resolved_at: float | None = None
    summary: str = ""
    runbook: str = ""

    @property
    def status(self) -> PageStatus:
        if self.resolved_at is not None:
            return PageStatus.RESOLVED
        if self.acked_at is not None:
            return PageStatus.ACKNOWLEDGED
        return PageStatus.OPEN if self.escalated_at is None else PageStatus.ESCALATED

    def as_json(self, runbook_url: str | None) -> dict[str, object]:
        """The record `GET /pages` lists: epoch seconds, and the same times in China time."""
        return {"fingerprint": self.fingerprint, "alertname": self.alertname,
                "severity": self.severity, "route": self.route.value, "status": self.status.value,
                "summary": self.summary, "runbookUrl": runbook_url,
                "pagedAt": self.paged_at, "ackedAt": self.acked_at, "ackedBy": self.acked_by,
                "escalatedAt": self.escalated_at, "resolvedAt": self.resolved_at,
                "pagedAtIso": china_time(self.paged_at), "ackedAtIso": china_time(self.acked_at),
                "escalatedAtIso": china_time(self.escalated_at),
                "resolvedAtIso": china_time(self.resolved_at)}


def due_for_escalation(page: Page, targets: ResponseTargets, now: float) -> bool:
    """A page escalates once: when still open, unacknowledged, past its route's ack target."""
    target = targets.ack_s.get(page.route)
    return (target is not None and page.acked_at is None and page.resolved_at is None
            and page.escalated_at is None and now - page.paged_at >= target)
