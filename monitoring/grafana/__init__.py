"""Grafana as code: the dashboards (built with grafana-foundation-sdk) and their upload."""
