"""The Kubernetes manifests (deploy/k8s): generated base up to date, every overlay rendered
(by kustomize when kubectl is installed, and by deploy/k8s/render.py always, the two agreeing),
every object valid against the Kubernetes 1.31 schemas offline (kubernetes-validate), and the
operational promises checked object by object."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from sbcommon import metrics
from sbcommon.config import platform_services
from tests.support import ROOT

K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ["dev", "production", "keda"]
K8S_VERSION = "1.31.0"
# Custom resources: no schema ships with Kubernetes; their required shape is checked here.
CRDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {"selector", "endpoints"},
    ("monitoring.coreos.com/v1", "PrometheusRule"): {"groups"},
    ("keda.sh/v1alpha1", "ScaledObject"): {"scaleTargetRef", "triggers"},
    ("keda.sh/v1alpha1", "TriggerAuthentication"): {"secretTargetRef"},
}


def _module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


render = _module("k8s_render", K8S / "render.py")
generate = _module("k8s_generate", K8S / "generate.py")
dashboard = _module("k8s_dashboard", K8S / "monitoring" / "dashboard.py")


def key(obj: dict) -> tuple[str, str]:
    return obj["kind"], obj["metadata"]["name"]


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request) -> tuple[str, list[dict]]:
    return request.param, render.render(K8S / "overlays" / request.param)


def test_the_base_and_keda_overlay_are_what_the_generator_writes():
    assert generate.main(["--check"]) == 0, "run python deploy/k8s/generate.py"
    assert dashboard.render() == (K8S / "monitoring" / "grafana-dashboard.json").read_text()


def test_every_object_is_valid_for_kubernetes_offline(overlay):
    name, objects = overlay
    assert objects
    for obj in objects:
        crd = CRDS.get((obj["apiVersion"], obj["kind"]))
        if crd is not None:
            assert crd <= set(obj["spec"]), (name, key(obj))
            continue
        try:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{name}: {key(obj)}: {exc.message} at {list(exc.path)}")


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) not installed")
def test_kustomize_renders_the_same_objects(overlay):
    name, objects = overlay
    built = subprocess.run(["kubectl", "kustomize", str(K8S / "overlays" / name)],
                           capture_output=True, text=True, timeout=60, check=True).stdout
    theirs = {key(o): _unwrapped(o) for o in yaml.safe_load_all(built) if o}
    ours = {key(o): o for o in objects}
    assert set(theirs) == set(ours)
    for k, obj in ours.items():
        assert json.dumps(obj, sort_keys=True) == json.dumps(theirs[k], sort_keys=True), k


def _unwrapped(obj: dict) -> dict:
    """kustomize wraps a long base64 value over lines; the value is the same."""
    if obj["kind"] == "Secret":
        obj["data"] = {k: v.replace("\n", "") for k, v in obj.get("data", {}).items()}
    return obj


def test_every_process_is_deployed_probed_budgeted_and_scaled(overlay):
    name, objects = overlay
    by_kind: dict[str, dict[str, dict]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
    wanted = {s.replace("_", "-") for s in platform_services()} | {"gateway",
                                                                     "provisioning-files"}
    assert set(by_kind["Deployment"]) == wanted  # a new service gets one with no entry
    scaled = set(by_kind.get("HorizontalPodAutoscaler", {}))
    scaled |= {o["spec"]["scaleTargetRef"]["name"]
               for o in by_kind.get("ScaledObject", {}).values()}
    assert scaled == wanted
    assert set(by_kind["PodDisruptionBudget"]) == wanted
    secrets = set(by_kind.get("Secret", {}))
    for deployment in by_kind["Deployment"].values():
        pod = deployment["spec"]["template"]["spec"]
        (main,) = pod["containers"]
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert main["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert {"requests", "limits"} <= set(main["resources"])
        env = {e["name"]: e for e in main["env"]}
        assert env["SB_METRICS_PORT"]["value"] == "9100" and env["SB_LOG_FORMAT"]["value"] == "json"
        refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in main["env"]
                if "secretKeyRef" in e.get("valueFrom", {})}
        refs |= {f["secretRef"]["name"] for f in main.get("envFrom", [])}
        assert any(r.endswith("-amqp") for r in refs)  # its own broker user
        if name == "dev":  # the dev overlay makes every Secret it needs
            assert refs <= secrets, refs - secrets
        if deployment["metadata"]["name"] != "gateway":  # owns or reads a database
            assert any(r.endswith("-db") for r in refs)
            assert pod["initContainers"][0]["command"][:4] == ["python", "-m",
                                                               "sbcommon.migrate", "--wait"]
    assert by_kind["Job"]["migrate"]["spec"]["template"]["spec"]["containers"][0]["command"] \
        == ["python", "-m", "sbcommon.migrate", *platform_services()]
    pbx = by_kind["Service"]["pbx"]["spec"]
    assert pbx["selector"]["app.kubernetes.io/name"] == "routing-policy"
    phones = by_kind["Service"]["phones"]["spec"]
    ports = {p["name"]: p["port"] for p in phones["ports"]}
    assert ports["ftp"] == 21 and sum(n.startswith("ftp-pasv-") for n in ports) == 10


def test_the_dashboard_and_alerts_use_only_series_the_platform_exports():
    exported = {m.name for m in metrics.REGISTRY.collect()} | {
        "switchboard_outbox_backlog", "switchboard_outbox_oldest_age_seconds",
        "switchboard_event_dead_letters_parked", "process_cpu_seconds_total",
        "process_resident_memory_bytes"}
    texts = [(K8S / "monitoring" / "grafana-dashboard.json").read_text(),
             (K8S / "monitoring" / "alerts.yaml").read_text()]
    used = set()
    for text in texts:
        used |= set(re.findall(r"\b(switchboard_[a-z_]+|process_[a-z_]+)", text))
    families = {re.sub(r"_(bucket|count|sum|total)$", "", u) for u in used}
    missing = {f for f in families if f not in exported and f + "_total" not in exported
               and not any(e.startswith(f) for e in exported)}
    assert not missing, missing
