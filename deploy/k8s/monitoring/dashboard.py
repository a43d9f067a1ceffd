"""Write grafana-dashboard.json (the Switchboard dashboard) from the panel list below.

    python deploy/k8s/monitoring/dashboard.py          # rewrite it
    python deploy/k8s/monitoring/dashboard.py --check  # exit 1 if it is stale

Every query uses only series that sbcommon.metrics declares (a test checks the names).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "grafana-dashboard.json"

# (title, unit, [(legend, PromQL)])
PANELS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("PBX decisions per second", "reqps", [
        ("{{outcome}} ({{level}})",
         "sum by (outcome, level) (rate(switchboard_authorize_decisions_total[1m]))")]),
    ("Gateway requests per second by status", "reqps", [
        ("{{status}}",
         "sum by (status) (rate(switchboard_http_request_duration_seconds_count[1m]))")]),
    ("Gateway p95 latency, 10 slowest routes", "s", [
        ("{{method}} {{route}}",
         "topk(10, histogram_quantile(0.95, sum by (le, method, route) "
         "(rate(switchboard_http_request_duration_seconds_bucket[5m]))))")]),
    ("RPC p99 latency by service", "s", [
        ("{{service}}",
         "histogram_quantile(0.99, sum by (le, service) "
         "(rate(switchboard_rpc_duration_seconds_bucket[5m])))")]),
    ("Errors per second by service and type", "ops", [
        ("{{service}} {{kind}} {{error}}",
         "sum by (service, kind, error) (rate(switchboard_errors_total[5m]))")]),
    ("Outbox backlog (events not yet published)", "short", [
        ("{{service}}", "max by (service) (switchboard_outbox_backlog)")]),
    ("Oldest event waiting in the outbox", "s", [
        ("{{service}}", "max by (service) (switchboard_outbox_oldest_age_seconds)")]),
    ("Event lag p95 (commit to handler)", "s", [
        ("{{service}}",
         "histogram_quantile(0.95, sum by (le, service) "
         "(rate(switchboard_event_lag_seconds_bucket[5m])))")]),
    ("Event retries per second and parked dead letters", "short", [
        ("retries {{service}}", "sum by (service) (rate(switchboard_event_retries_total[5m]))"),
        ("parked {{service}}", "max by (service) (switchboard_event_dead_letters_parked)")]),
    ("Imports, phone downloads and mails per minute", "short", [
        ("imports {{outcome}}",
         "sum by (outcome) (rate(switchboard_number_imports_total[5m])) * 60"),
        ("downloads {{protocol}} {{outcome}}",
         "sum by (protocol, outcome) (rate(switchboard_provisioning_downloads_total[5m])) * 60"),
        ("mail {{outcome}}", "sum by (outcome) (rate(switchboard_mails_total[5m])) * 60")]),
    ("Replicas serving", "short", [
        ("{{service}}", "count by (service) (switchboard_process_info)")]),
    ("CPU per replica (cores)", "short", [
        ("{{service}} {{replica}}",
         "rate(process_cpu_seconds_total[1m]) * on (instance) group_left (service, replica) "
         "switchboard_process_info")]),
    ("Memory per replica", "bytes", [
        ("{{service}} {{replica}}",
         "process_resident_memory_bytes * on (instance) group_left (service, replica) "
         "switchboard_process_info")]),
]


def dashboard() -> dict:
    panels = []
    for index, (title, unit, targets) in enumerate(PANELS):
        panels.append({
            "id": index + 1, "type": "timeseries", "title": title,
            "datasource": {"type": "prometheus", "uid": "${datasource}"},
            "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
            "targets": [{"refId": chr(65 + i), "expr": expr, "legendFormat": legend}
                        for i, (legend, expr) in enumerate(targets)],
        })
    return {
        "uid": "switchboard-overview", "title": "Switchboard", "tags": ["switchboard"],
        "schemaVersion": 39, "version": 1, "editable": True, "refresh": "30s",
        "time": {"from": "now-3h", "to": "now"},
        "templating": {"list": [{"name": "datasource", "type": "datasource",
                                 "query": "prometheus", "label": "Prometheus"}]},
        "panels": panels,
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2) + "\n"


if __name__ == "__main__":
    text = render()
    if sys.argv[1:] == ["--check"]:
        sys.exit(0 if OUT.exists() and OUT.read_text() == text else
                 "grafana-dashboard.json is stale: run deploy/k8s/monitoring/dashboard.py")
    OUT.write_text(text)
    print(f"wrote {OUT.name}")
