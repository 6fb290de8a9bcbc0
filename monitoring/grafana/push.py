"""Upload the dashboards to a Grafana with grafana-client: the folder, the Prometheus data source
and the dashboards, each created or updated in place, so pushing twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from grafana_client import GrafanaApi, TokenAuth
from grafana_client.client import GrafanaClientError, GrafanaException
from niquests.exceptions import RequestException

from monitoring.grafana.dashboards import all_dashboards, as_json
from monitoring.grafana.panels import DATASOURCE_NAME, DATASOURCE_UID

FOLDER_UID = "peakload"
FOLDER_TITLE = "peakload (CEB platform)"


class PushError(RuntimeError):
    """Grafana refused or could not be reached; the message never carries the token."""


@dataclass(frozen=True, slots=True)
class PushTarget:
    """Where to push, and the Prometheus the data source should point at."""

    url: str
    token: str
    prometheus_url: str


@dataclass(frozen=True, slots=True)
class PushOutcome:
    """What the push did to each object: "created", "updated" or "unchanged"."""

    folder: str
    datasource: str
    dashboards: dict[str, str]


def _exists(get) -> dict | None:
    try:
        return get()
    except GrafanaClientError as exc:
        if exc.status_code == 404:
            return None
        raise


def _folder(api: GrafanaApi) -> str:
    found = _exists(lambda: api.folder.get_folder(FOLDER_UID))
    if found is None:
        api.folder.create_folder(FOLDER_TITLE, uid=FOLDER_UID)
        return "created"
    if found.get("title") != FOLDER_TITLE:
        api.folder.update_folder(FOLDER_UID, title=FOLDER_TITLE, overwrite=True)
        return "updated"
    return "unchanged"


def _datasource(api: GrafanaApi, prometheus_url: str) -> str:
    wanted = {"uid": DATASOURCE_UID, "name": DATASOURCE_NAME, "type": "prometheus",
              "url": prometheus_url, "access": "proxy", "isDefault": False,
              "jsonData": {"httpMethod": "POST", "timeInterval": "5s"}}
    found = _exists(lambda: api.datasource.get_datasource_by_uid(DATASOURCE_UID))
    if found is None:
        api.datasource.create_datasource(wanted)
        return "created"
    if any(found.get(key) != value for key, value in wanted.items()):
        api.datasource.update_datasource_by_uid(DATASOURCE_UID, wanted)
        return "updated"
    return "unchanged"


def _dashboard(api: GrafanaApi, model: dict) -> str:
    found = _exists(lambda: api.dashboard.get_dashboard(model["uid"]))
    if found is not None:
        current = {k: v for k, v in found["dashboard"].items() if k not in ("id", "version")}
        if current == model and found.get("meta", {}).get("folderUid") == FOLDER_UID:
            return "unchanged"
    api.dashboard.update_dashboard({"dashboard": {**model, "id": None}, "folderUid": FOLDER_UID,
                                    "overwrite": True, "message": "peakload grafana push"})
    return "created" if found is None else "updated"


def push(target: PushTarget) -> PushOutcome:
    """Create or update the folder, the data source and every dashboard."""
    api = GrafanaApi.from_url(target.url, credential=TokenAuth(target.token), timeout=10.0)
    try:
        folder = _folder(api)
        datasource = _datasource(api, target.prometheus_url)
        dashboards = {model["uid"]: _dashboard(api, model)
                      for model in (as_json(d) for d in all_dashboards())}
    except GrafanaException as exc:
        raise PushError(f"Grafana at {redacted(target.url)} answered {exc.status_code}: "
                        f"{exc.message}") from None
    except RequestException as exc:
        raise PushError(f"cannot reach Grafana at {redacted(target.url)}: {type(exc).__name__}") from None
    return PushOutcome(folder, datasource, dashboards)


def redacted(url: str) -> str:
    """The URL without the user and password it may carry, fit for a log line."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
