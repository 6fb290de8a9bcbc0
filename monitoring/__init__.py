"""Monitoring for peakload runs and CEB platforms (Prometheus, Alertmanager, Grafana, runbooks)."""
