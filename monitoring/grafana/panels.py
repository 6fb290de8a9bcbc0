"""The few panel shapes peakload's dashboards use, so each dashboard reads as a list of questions
(what is the rate, is it over its alert threshold) rather than builder boilerplate."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_foundation_sdk.builders import dashboard, stat, table, timeseries
from grafana_foundation_sdk.builders.common import GraphThresholdsStyleConfig
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.models.common import GraphTresholdsStyleMode  # sic, upstream's name
from grafana_foundation_sdk.models.dashboard import (DataSourceRef, Threshold, ThresholdsMode,
                                                      VariableOption)

DATASOURCE_VARIABLE = "datasource"
DATASOURCE_UID = "peakload-prometheus"
DATASOURCE_NAME = "peakload Prometheus"
# Every panel asks the data source the dashboard's variable points at, so one set of dashboards
# serves a rehearsal stack and a production Prometheus alike.
DATASOURCE = DataSourceRef(type_val="prometheus", uid=f"${{{DATASOURCE_VARIABLE}}}")


@dataclass(frozen=True, slots=True)
class Query:
    """One PromQL expression of a panel, with its legend."""

    expr: str
    legend: str = ""
    instant: bool = False

    def build(self, ref_id: str) -> Dataquery:
        query = Dataquery().expr(self.expr).ref_id(ref_id).datasource(DATASOURCE)
        if self.legend:
            query = query.legend_format(self.legend)
        return query.instant() if self.instant else query.range()


def _targets(queries: tuple[Query, ...]) -> list[Dataquery]:
    return [q.build(chr(ord("A") + i)) for i, q in enumerate(queries)]


def _thresholds(alert_at: float | None) -> dashboard.ThresholdsConfig:
    steps = [Threshold(value=None, color="green")]
    if alert_at is not None:
        steps.append(Threshold(value=alert_at, color="red"))
    return dashboard.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps(steps)


def datasource_variable() -> dashboard.DatasourceVariable:
    """The Prometheus data source picker, defaulting to the one `peakload grafana push` creates."""
    return (dashboard.DatasourceVariable(DATASOURCE_VARIABLE).label("Prometheus").type("prometheus")
            .current(VariableOption(selected=True, text=DATASOURCE_NAME, value=DATASOURCE_UID)))


def graph(title: str, description: str, *queries: Query, unit: str = "short",
          alert_at: float | None = None, width: int = 12) -> timeseries.Panel:
    """A time series panel; `alert_at` draws the alert rule's threshold as a red line."""
    panel = (timeseries.Panel().title(title).description(description).datasource(DATASOURCE)
             .targets(_targets(queries)).unit(unit).thresholds(_thresholds(alert_at))
             .span(width).height(8))
    if alert_at is not None:
        panel = panel.thresholds_style(GraphThresholdsStyleConfig().mode(GraphTresholdsStyleMode.LINE))
    return panel


def single(title: str, description: str, query: Query, unit: str = "short",
           alert_at: float | None = None, width: int = 6) -> stat.Panel:
    """A single-value (stat) panel, red past `alert_at`."""
    return (stat.Panel().title(title).description(description).datasource(DATASOURCE)
            .targets(_targets((query,))).unit(unit).thresholds(_thresholds(alert_at))
            .span(width).height(4))


def listing(title: str, description: str, query: Query, width: int = 24) -> table.Panel:
    """A table of an instant query's series (e.g. the alerts firing now)."""
    return (table.Panel().title(title).description(description).datasource(DATASOURCE)
            .targets(_targets((query,))).span(width).height(8))
