"""Pages and their timeline, and the escalation rule, as plain data and pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Route(str, Enum):
    """The Alertmanager route a notification came by (the webhook's `?route=`)."""

    PAGE_PROMOTION = "page-promotion"
    PAGE = "page"
    TICKET = "ticket"
    LOAD_TEST = "load-test"


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
    fingerprint: str


class WebhookNotification(BaseModel):
    """An Alertmanager webhook body (version 4)."""

    model_config = ConfigDict(extra="ignore")

    status: str
    alerts: list[WebhookAlert]


@dataclass(frozen=True, slots=True)
class Page:
    """A page's life: when it came, was acknowledged, escalated and resolved (epoch seconds)."""

    fingerprint: str
    alertname: str
    severity: str
    route: Route
    paged_at: float
    acked_at: float | None = None
    acked_by: str | None = None
    escalated_at: float | None = None
    resolved_at: float | None = None

    def as_json(self) -> dict[str, object]:
        return {"fingerprint": self.fingerprint, "alertname": self.alertname,
                "severity": self.severity, "route": self.route.value, "pagedAt": self.paged_at,
                "ackedAt": self.acked_at, "ackedBy": self.acked_by,
                "escalatedAt": self.escalated_at, "resolvedAt": self.resolved_at}


def due_for_escalation(page: Page, targets: ResponseTargets, now: float) -> bool:
    """A page escalates once: when still open, unacknowledged, past its route's ack target."""
    target = targets.ack_s.get(page.route)
    return (target is not None and page.acked_at is None and page.resolved_at is None
            and page.escalated_at is None and now - page.paged_at >= target)
