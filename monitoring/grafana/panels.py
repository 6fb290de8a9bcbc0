"""The few panel shapes peakload's dashboards use, so each dashboard reads as a list of questions
(what is the rate, is it over its alert threshold, what does its runbook say) rather than builder
boilerplate; and the dashboards' variables (data source, platform instance, runbooks)."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_foundation_sdk.builders import dashboard, stat, table, timeseries
from grafana_foundation_sdk.builders.common import GraphThresholdsStyleConfig
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.models.common import GraphThresholdsStyleMode
from grafana_foundation_sdk.models.dashboard import (DashboardLinkType, DataSourceRef, Threshold,
                                                      ThresholdsMode, VariableOption,
                                                      VariableRefresh, VariableSort)
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

DATASOURCE_VARIABLE = "datasource"
DATASOURCE_UID = "peakload-prometheus"
DATASOURCE_NAME = "peakload Prometheus"
# Every panel asks the data source the dashboard's variable points at, so one set of dashboards
# serves a rehearsal stack and a production Prometheus alike.
DATASOURCE = DataSourceRef(type_val="prometheus", uid=f"${{{DATASOURCE_VARIABLE}}}")

INSTANCE_VARIABLE = "instance"
# The matcher a platform series takes so its panel follows the instance picker.
INSTANCE = f'instance=~"${INSTANCE_VARIABLE}"'
PLATFORM_JOB = 'job="ceb-platform"'

RUNBOOKS_VARIABLE = "runbooks"
# The on-call receiver (`peakload oncall`, port 9095 in the stack) serves monitoring/runbooks at
# /runbooks/<alert>; a Grafana whose users reach it elsewhere changes this one constant variable.
RUNBOOKS_URL = "http://127.0.0.1:9095/runbooks"


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


def instance_variable() -> dashboard.QueryVariable:
    """The platform instance picker (all by default), from the instances Prometheus scrapes."""
    return (dashboard.QueryVariable(INSTANCE_VARIABLE).label("Platform instance").datasource(DATASOURCE)
            .query(f"label_values(up{{{PLATFORM_JOB}}}, instance)").refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(VariableSort.ALPHABETICAL_ASC).multi(True).include_all(True).all_value(".*")
            .current(VariableOption(selected=True, text="All", value="$__all")))


def runbooks_variable() -> dashboard.ConstantVariable:
    """Where the runbook links point (hidden: a constant, edited in the dashboard's settings)."""
    return (dashboard.ConstantVariable(RUNBOOKS_VARIABLE).value(RUNBOOKS_URL)
            .description("Base URL of the runbooks: the on-call receiver's /runbooks"))


def runbook_url(alert: str) -> str:
    """An alert's runbook, through the dashboard's runbooks variable."""
    return f"${{{RUNBOOKS_VARIABLE}}}/{alert}"


def _runbook_links(alerts: tuple[str, ...]) -> list[dashboard.DashboardLink]:
    return [dashboard.DashboardLink(f"Runbook: {alert}").type(DashboardLinkType.LINK).url(runbook_url(alert))
            .target_blank(True).tooltip(f"What to do when {alert} fires") for alert in alerts]


def graph(title: str, description: str, *queries: Query, unit: str = "short",
          alert_at: float | None = None, alerts: tuple[str, ...] = (), width: int = 12) -> timeseries.Panel:
    """A time series panel; `alert_at` draws the alert rule's threshold as a red line, and the
    panel links the runbooks of the `alerts` it shows."""
    panel = (timeseries.Panel().title(title).description(description).datasource(DATASOURCE)
             .targets(_targets(queries)).unit(unit).thresholds(_thresholds(alert_at))
             .span(width).height(8))
    if alert_at is not None:
        panel = panel.thresholds_style(GraphThresholdsStyleConfig().mode(GraphThresholdsStyleMode.LINE))
    return panel.links(_runbook_links(alerts)) if alerts else panel


def single(title: str, description: str, query: Query, unit: str = "short",
           alert_at: float | None = None, alerts: tuple[str, ...] = (), width: int = 6) -> stat.Panel:
    """A single-value (stat) panel, red past `alert_at`, linking the runbooks of its `alerts`."""
    panel = (stat.Panel().title(title).description(description).datasource(DATASOURCE)
             .targets(_targets((query,))).unit(unit).thresholds(_thresholds(alert_at))
             .span(width).height(4))
    return panel.links(_runbook_links(alerts)) if alerts else panel


def alert_listing(title: str, description: str, query: Query, width: int = 24) -> table.Panel:
    """A table of alerts (an instant query of ALERTS), one row each, its alert name linking to
    that alert's runbook."""
    link = (dashboard.DashboardLink("Runbook").type(DashboardLinkType.LINK)
            .url(runbook_url("${__data.fields.alertname}")).target_blank(True))
    targets = [target.format(PromQueryFormat.TABLE) for target in _targets((query,))]
    return (table.Panel().title(title).description(description).datasource(DATASOURCE)
            .targets(targets).data_links([link]).span(width).height(8))
