"""An incident drill's timeline, as the report shows it: when the fault went on, when the alert
went pending and fired, when the on-call receiver got the page, when the fault was cleared and
when the alert and the page resolved. Times are wall seconds after the fault's onset; a drill
compressed N times stands for N times as long in production, which is what the budget is in."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DrillTimeline(BaseModel):
    """One drill: the fault, the alert it should raise, and what happened when."""

    model_config = ConfigDict(frozen=True)

    fault: str
    alert: str
    compression: float
    budget_s: float  # the runbook's detection budget, production seconds
    onset_at: float  # epoch seconds
    quiet_before: bool  # the alert was not already firing when the fault went on
    pending_s: float | None = None
    fired_s: float | None = None
    paged_s: float | None = None
    cleared_s: float | None = None
    resolved_s: float | None = None  # Prometheus stopped firing
    page_resolved_s: float | None = None  # the receiver recorded the resolution

    def production_s(self, wall_s: float | None) -> float | None:
        """What a wall-clock interval of this drill stands for in production."""
        return None if wall_s is None else wall_s * self.compression

    @property
    def passed(self) -> bool:
        """Paged within the runbook's budget, and not by an alert that was already firing."""
        paged = self.production_s(self.paged_s)
        return self.quiet_before and paged is not None and paged <= self.budget_s

    @property
    def verdict_reason(self) -> str:
        """One line for the report's reasons."""
        if not self.quiet_before:
            return f"drill: {self.alert} was already firing before the fault; nothing was measured"
        paged = self.production_s(self.paged_s)
        if paged is None:
            return f"drill: {self.alert} never paged within {self.budget_s / 60:g} min (the runbook's budget)"
        within = "within" if paged <= self.budget_s else "OVER"
        return (f"drill: {self.fault} paged {self.alert} after {paged:.0f} s, {within} the runbook's "
                f"{self.budget_s / 60:g} min budget")

    def steps(self) -> list[tuple[str, float | None]]:
        """The timeline's steps in order, wall seconds after the onset (None: did not happen)."""
        return [("fault on", 0.0), ("alert pending", self.pending_s), ("alert firing", self.fired_s),
                ("page received", self.paged_s), ("fault cleared", self.cleared_s),
                ("alert resolved", self.resolved_s), ("page resolved", self.page_resolved_s)]
