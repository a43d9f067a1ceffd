"""Write the Kubernetes base (deploy/k8s/base/) from one table of components.

    python deploy/k8s/generate.py          # rewrite base/
    python deploy/k8s/generate.py --check  # exit 1 if base/ differs (CI runs this)

Every service the platform has (``services/<name>/service.py``) gets a Deployment, a Service
for its metrics, a HorizontalPodAutoscaler on CPU, a PodDisruptionBudget, an init container
that waits for its migrations, and its own Secrets (database role, broker user), with the
defaults below. A new service therefore needs no entry at all; an entry in ``COMPONENTS``
only changes its sizing or adds ports. Requests and limits come from measured figures
(docs/operations.md, "Capacity per replica").
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BASE = HERE / "base"
sys.path.insert(0, str(ROOT))

from sbcommon.config import DEFAULT_MAX_WORKERS, MAX_WORKERS, platform_services  # noqa: E402

IMAGE = "switchboard"  # overlays set the registry and tag (kustomize `images`)
METRICS_PORT = 9100
PART_OF = "switchboard"


@dataclass
class Component:
    """One Deployment. ``cpu``/``memory``: (request, limit); replicas: (min, max) of the HPA."""

    name: str  # the process name: a service, "gateway" or "provisioning-files"
    command: list[str]
    cpu: tuple[str, str] = ("100m", "1")
    memory: tuple[str, str] = ("192Mi", "384Mi")
    replicas: tuple[int, int] = (2, 6)
    cpu_target: int = 70
    ports: list[dict[str, Any]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    databases: list[str] = field(default_factory=list)  # services whose database it uses
    secrets: list[str] = field(default_factory=list)  # extra Secrets loaded as environment
    consumes_events: bool = True  # has an event queue (KEDA can scale it on depth)

    @property
    def k8s_name(self) -> str:
        return self.name.replace("_", "-")


def nameko(module: str) -> list[str]:
    return ["nameko", "run", "--config", "deploy/config/nameko.yml", module]


# Sizing measured on the development machine (docs/operations.md): resident memory after
# warm-up and CPU at the throughput of one replica, with head-room; the gateway and
# routing_policy answer the PBX and so keep three replicas at least.
COMPONENTS: dict[str, dict[str, Any]] = {
    "accounts": {"cpu": ("200m", "1"), "memory": ("160Mi", "320Mi"), "replicas": (2, 6)},
    "numbering": {"cpu": ("150m", "1"), "memory": ("256Mi", "512Mi"), "replicas": (2, 4)},
    "routing_policy": {
        "cpu": ("250m", "1"), "memory": ("192Mi", "512Mi"), "replicas": (3, 10),
        # the PBX's own door (SB_PBX_HTTP_ADDRESS), served from memory by every replica
        "ports": [{"name": "pbx-http", "containerPort": 8010}],
        "env": {"SB_PBX_HTTP_ADDRESS": "0.0.0.0:8010"},
    },
    "provisioning": {"cpu": ("100m", "500m"), "memory": ("160Mi", "320Mi"),
                     "replicas": (2, 4), "secrets": ["switchboard-provisioning-keys"]},
    "notifications": {"cpu": ("200m", "2"), "memory": ("384Mi", "1Gi"), "replicas": (2, 4),
                      "secrets": ["switchboard-smtp"], "env": {"SB_PDF_WORKERS": "2"}},
    "gateway": {
        "command": nameko("gateway.service"), "cpu": ("250m", "1"),
        "memory": ("160Mi", "320Mi"), "replicas": (3, 12), "databases": [],
        "consumes_events": False,
        "ports": [{"name": "http", "containerPort": 8000}],
        "env": {"SB_HTTP_ADDRESS": "0.0.0.0:8000", "SB_TRUST_PROXY": "true"},
    },
    "provisioning-files": {
        "command": ["python", "-m", "services.provisioning.fileserver"],
        "cpu": ("100m", "1"), "memory": ("128Mi", "256Mi"), "replicas": (2, 6),
        "databases": ["provisioning"], "consumes_events": False,
        "secrets": ["switchboard-provisioning-keys"],
        "ports": [{"name": "ftp", "containerPort": 2121}, {"name": "http-files",
                                                            "containerPort": 8021}]
        + [{"name": f"ftp-pasv-{p}", "containerPort": p} for p in range(30000, 30010)],
        "env": {"PROVISIONING_FTP_PASSIVE_PORTS": "30000-30009"},
    },
}


def handles_events(service: str) -> bool:
    """Whether the service consumes events through ``sbcommon.consumer`` (its queue
    ``evt-<service>`` is what KEDA can scale it on)."""
    return "@handles(" in (ROOT / "services" / service / "service.py").read_text()


def components() -> list[Component]:
    names = [*platform_services(), "gateway", "provisioning-files"]
    out = []
    for name in names:
        spec = {"command": nameko(f"services.{name}.service"), "databases": [name],
                **COMPONENTS.get(name, {})}
        if name in platform_services():
            spec.setdefault("consumes_events", handles_events(name))
        out.append(Component(name=name, **spec))
    return out


def labels(c: Component) -> dict[str, str]:
    return {"app.kubernetes.io/name": c.k8s_name, "app.kubernetes.io/part-of": PART_OF}


def secret_env(c: Component) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = []
    for service in c.databases:
        env.append({"name": f"{service.upper()}_DATABASE_URL", "valueFrom": {"secretKeyRef": {
            "name": f"switchboard-{service.replace('_', '-')}-db", "key": "DATABASE_URL"}}})
    env.append({"name": "AMQP_URI", "valueFrom": {"secretKeyRef": {
        "name": f"switchboard-{c.k8s_name}-amqp", "key": "AMQP_URI"}}})
    env.append({"name": "SB_SECRET_KEY", "valueFrom": {"secretKeyRef": {
        "name": "switchboard-app", "key": "SB_SECRET_KEY"}}})
    return env


def container(c: Component) -> dict[str, Any]:
    workers = MAX_WORKERS.get(c.name, DEFAULT_MAX_WORKERS)
    # event queues replicated over the broker's nodes (sbcommon.consumer.queue_arguments)
    plain = {"SB_LOG_FORMAT": "json", "SB_METRICS_PORT": str(METRICS_PORT),
             "SB_EVENT_QUEUE_TYPE": "quorum",
             "SB_MAX_WORKERS": str(workers), "XDG_CACHE_HOME": "/tmp/cache",  # noqa: S108  (the pod's own emptyDir)
             **c.env}
    env = [{"name": "SB_REPLICA", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    env += [{"name": k, "value": v} for k, v in sorted(plain.items())]
    env += secret_env(c)
    probe = {"httpGet": {"path": "/livez", "port": "metrics"}}
    spec: dict[str, Any] = {
        "name": c.k8s_name,
        "image": IMAGE,
        "command": c.command,
        "env": env,
        "ports": [{"name": "metrics", "containerPort": METRICS_PORT}, *c.ports],
        # started: the process serves; ready: caches loaded, database and broker answer
        "startupProbe": {**probe, "periodSeconds": 2, "failureThreshold": 60},
        "livenessProbe": {**probe, "periodSeconds": 10, "timeoutSeconds": 3,
                          "failureThreshold": 3},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "metrics"},
                           "periodSeconds": 5, "timeoutSeconds": 3, "failureThreshold": 2},
        "resources": {"requests": {"cpu": c.cpu[0], "memory": c.memory[0]},
                      "limits": {"cpu": c.cpu[1], "memory": c.memory[1]}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        # the root file system is read-only: scratch space is the pod's own emptyDir
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"},  # noqa: S108
                         {"name": "var", "mountPath": "/app/var"}],
    }
    if c.secrets:
        spec["envFrom"] = [{"secretRef": {"name": s}} for s in c.secrets]
    if c.name == "gateway":  # let the Service stop sending before the process stops
        spec["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    return spec


def wait_for_migrations(c: Component) -> dict[str, Any]:
    return {
        "name": "wait-for-migrations",
        "image": IMAGE,
        "command": ["python", "-m", "sbcommon.migrate", "--wait", *c.databases],
        "env": [e for e in secret_env(c) if e["name"].endswith("_DATABASE_URL")],
        "resources": {"requests": {"cpu": "20m", "memory": "96Mi"},
                      "limits": {"cpu": "500m", "memory": "192Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
    }


def deployment(c: Component) -> dict[str, Any]:
    pod: dict[str, Any] = {
        "serviceAccountName": "switchboard",
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": 999, "runAsGroup": 999,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "terminationGracePeriodSeconds": 30,
        "containers": [container(c)],
        "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "var", "emptyDir": {}}],
        # replicas on different nodes when there are several
        "topologySpreadConstraints": [{
            "maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": labels(c)}}],
    }
    if c.databases:
        pod["initContainers"] = [wait_for_migrations(c)]
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": c.k8s_name, "labels": labels(c)},
        "spec": {
            "replicas": c.replicas[0],
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": labels(c)},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": labels(c)}, "spec": pod},
        },
    }


def metrics_service(c: Component) -> dict[str, Any]:
    ports = [{"name": "metrics", "port": METRICS_PORT, "targetPort": "metrics"}]
    if c.name == "gateway":
        ports.insert(0, {"name": "http", "port": 80, "targetPort": "http"})
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": c.k8s_name, "labels": labels(c)},
            "spec": {"selector": labels(c), "ports": ports}}


def hpa(c: Component) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": c.k8s_name, "labels": labels(c)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                               "name": c.k8s_name},
            "minReplicas": c.replicas[0], "maxReplicas": c.replicas[1],
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": c.cpu_target}}}],
            # scale up at once, down slowly: a PBX burst should not meet a cold replica
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
        },
    }


def pdb(c: Component) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": c.k8s_name, "labels": labels(c)},
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(c)}}}


def pbx_service() -> dict[str, Any]:
    """The PBX's address: routing_policy's own HTTP door on every replica."""
    selector = {"app.kubernetes.io/name": "routing-policy", "app.kubernetes.io/part-of": PART_OF}
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "pbx", "labels": {"app.kubernetes.io/part-of": PART_OF}},
            "spec": {"selector": selector,
                     "ports": [{"name": "http", "port": 80, "targetPort": "pbx-http"}]}}


def ftp_service() -> dict[str, Any]:
    """FTP with its passive ports, and HTTP, for the phones. One client stays on one pod
    (passive FTP opens a second connection that must reach the same server), and the
    client's address is kept (the per-address login blocklist)."""
    selector = {"app.kubernetes.io/name": "provisioning-files",
                "app.kubernetes.io/part-of": PART_OF}
    ports = [{"name": "ftp", "port": 21, "targetPort": "ftp"},
             {"name": "http", "port": 80, "targetPort": "http-files"}]
    ports += [{"name": f"ftp-pasv-{p}", "port": p, "targetPort": p}
              for p in range(30000, 30010)]
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "phones", "labels": {"app.kubernetes.io/part-of": PART_OF}},
            "spec": {"type": "LoadBalancer", "externalTrafficPolicy": "Local",
                     "sessionAffinity": "ClientIP", "selector": selector, "ports": ports}}


def migrate_job() -> dict[str, Any]:
    services = platform_services()
    every = Component(name="migrate", command=[], databases=services)
    env = [e for e in secret_env(every) if e["name"].endswith("_DATABASE_URL")]
    meta = {"name": "migrate", "labels": {"app.kubernetes.io/name": "migrate",
                                          "app.kubernetes.io/part-of": PART_OF}}
    return {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
        "spec": {
            "backoffLimit": 6,
            "ttlSecondsAfterFinished": 3600,
            "template": {"metadata": {"labels": meta["labels"]}, "spec": {
                "restartPolicy": "OnFailure",
                "serviceAccountName": "switchboard",
                "automountServiceAccountToken": False,
                "securityContext": {"runAsNonRoot": True, "runAsUser": 999,
                                    "runAsGroup": 999},
                "containers": [{
                    "name": "migrate", "image": IMAGE,
                    "command": ["python", "-m", "sbcommon.migrate", *services],
                    "env": env,
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                  "limits": {"cpu": "1", "memory": "256Mi"}},
                    "securityContext": {"allowPrivilegeEscalation": False,
                                        "readOnlyRootFilesystem": True,
                                        "capabilities": {"drop": ["ALL"]}},
                }],
            }},
        },
    }


def service_account() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "switchboard", "labels": {"app.kubernetes.io/part-of": PART_OF}},
            "automountServiceAccountToken": False}


def _literal(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


yaml.SafeDumper.add_representer(str, _literal)

HEADER = "# Generated by deploy/k8s/generate.py from its COMPONENTS table: edit that, not this.\n"


def dump(objects: list[dict[str, Any]]) -> str:
    return HEADER + "---\n".join(yaml.safe_dump(o, sort_keys=False, width=100)
                                 for o in objects)


KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
QUEUE_DEPTH_PER_REPLICA = 200  # events waiting per replica before KEDA adds one


def scaled_object(c: Component) -> dict[str, Any]:
    """KEDA: scale an event consumer on its queue's depth (evt-<service>), and on CPU."""
    return {
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "metadata": {"name": c.k8s_name, "labels": labels(c)},
        "spec": {
            "scaleTargetRef": {"name": c.k8s_name},
            "minReplicaCount": c.replicas[0], "maxReplicaCount": c.replicas[1],
            "advanced": {"horizontalPodAutoscalerConfig": {"behavior": {
                "scaleDown": {"stabilizationWindowSeconds": 300}}}},
            "triggers": [
                {"type": "rabbitmq", "authenticationRef": {"name": "switchboard-rabbitmq"},
                 "metadata": {"protocol": "amqp", "mode": "QueueLength",
                              "queueName": f"evt-{c.name}",
                              "value": str(QUEUE_DEPTH_PER_REPLICA)}},
                {"type": "cpu", "metricType": "Utilization",
                 "metadata": {"value": str(c.cpu_target)}},
            ],
        },
    }


def keda_files(consumers: list[Component]) -> dict[str, str]:
    auth = {"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "switchboard-rabbitmq"},
            "spec": {"secretTargetRef": [{"parameter": "host", "name": "switchboard-keda-rabbitmq",
                                          "key": "host"}]}}
    # KEDA makes its own HPA for each ScaledObject: the CPU-only ones go.
    deletes = [{"patch": yaml.safe_dump({"$patch": "delete", "apiVersion": "autoscaling/v2",
                                         "kind": "HorizontalPodAutoscaler",
                                         "metadata": {"name": c.k8s_name}}, sort_keys=False)}
               for c in consumers]
    kustomization = {**KUSTOMIZATION, "resources": ["../production", "scaledobjects.yaml"],
                     "patches": deletes}
    return {"overlays/keda/scaledobjects.yaml": dump([auth, *map(scaled_object, consumers)]),
            "overlays/keda/kustomization.yaml": HEADER + "# The production overlay with event "
            "consumers scaled by KEDA on their queue's depth\n# (secret switchboard-keda-rabbitmq, "
            "key host: an amqp:// URI allowed to read queue depths).\n"
            + yaml.safe_dump(kustomization, sort_keys=False)}


def files() -> dict[str, str]:
    """Every generated file, by its path under deploy/k8s/."""
    base = {"common.yaml": dump([service_account(), migrate_job(), pbx_service(),
                                 ftp_service()])}
    for c in components():
        base[f"{c.k8s_name}.yaml"] = dump([deployment(c), metrics_service(c), hpa(c), pdb(c)])
    kustomization = {**KUSTOMIZATION, "resources": sorted(base)}
    base["kustomization.yaml"] = HEADER + yaml.safe_dump(kustomization, sort_keys=False)
    out = {f"base/{name}": text for name, text in base.items()}
    out.update(keda_files([c for c in components() if c.consumes_events]))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if base/ is not current")
    args = parser.parse_args(argv)
    wanted = files()
    present = {str(p.relative_to(HERE)) for p in BASE.glob("*.yaml")}
    if args.check:
        stale = []
        for name, text in wanted.items():
            path = HERE / name
            current = path.read_text() if path.exists() else ""
            if current != text:
                stale.append(name)
                sys.stdout.writelines(difflib.unified_diff(
                    current.splitlines(True), text.splitlines(True), name,
                    f"generated {name}", n=1))
        extra = sorted(present - set(wanted))
        if stale or extra:
            print(f"deploy/k8s is stale ({', '.join(stale + extra)}): "
                  "run python deploy/k8s/generate.py")
            return 1
        return 0
    for old in present - set(wanted):
        (HERE / old).unlink()
    for name, text in wanted.items():
        (HERE / name).parent.mkdir(parents=True, exist_ok=True)
        (HERE / name).write_text(text)
    print(f"wrote {len(wanted)} files in {HERE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
