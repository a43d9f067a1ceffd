"""Render a kustomization without kustomize: the subset of kustomize that deploy/k8s uses.

    python deploy/k8s/render.py deploy/k8s/overlays/production > production.yaml

``kubectl kustomize`` (or ``kustomize build``) is the reference; this renderer exists so CI
can render and validate the overlays where no kustomize binary can be installed, and a test
checks both give the same objects whenever kubectl is there. Supported: ``resources`` (files
and directories), ``namespace``, ``images``, ``generatorOptions`` (``labels``,
``disableNameSuffixHash: true`` only), ``secretGenerator`` / ``configMapGenerator``
(``literals``, ``files``) and ``patches`` (strategic merge, inline or by ``path``, with or
without a ``target`` of kind and name, ``$patch: delete``). Anything else is refused rather
than ignored.
"""

from __future__ import annotations

import base64
import copy
import sys
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]
KNOWN_KEYS = {"apiVersion", "kind", "resources", "namespace", "images", "generatorOptions",
              "secretGenerator", "configMapGenerator", "patches"}
# Lists that a strategic merge patch merges item by item, by this key (as Kubernetes does).
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name",
              "volumes": "name", "volumeMounts": "mountPath", "ports": "containerPort",
              "envFrom": None}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding",
                  "CustomResourceDefinition", "PriorityClass", "StorageClass"}


class Unsupported(ValueError):
    pass


def render(directory: Path) -> list[Obj]:
    directory = Path(directory)
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(spec) - KNOWN_KEYS
    if unknown:
        raise Unsupported(f"{directory}: kustomization keys not supported here: {unknown}")
    objects: list[Obj] = []
    for entry in spec.get("resources", []):
        path = directory / entry
        if path.is_dir():
            objects.extend(render(path))
        else:
            objects.extend(o for o in yaml.safe_load_all(path.read_text()) if o)
    options = spec.get("generatorOptions", {})
    if set(options) - {"disableNameSuffixHash", "labels"} or \
            options.get("disableNameSuffixHash") is False:
        raise Unsupported(f"{directory}: generatorOptions {options}")
    if (spec.get("secretGenerator") or spec.get("configMapGenerator")) and \
            not options.get("disableNameSuffixHash"):
        raise Unsupported(f"{directory}: generators need disableNameSuffixHash: true here")
    for generator in spec.get("configMapGenerator", []):
        objects.append(_generated("ConfigMap", generator, directory, options))
    for generator in spec.get("secretGenerator", []):
        objects.append(_generated("Secret", generator, directory, options))
    for patch in spec.get("patches", []):
        objects = _apply_patch(objects, patch, directory)
    for image in spec.get("images", []):
        _set_image(objects, image)
    if "namespace" in spec:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = spec["namespace"]
    return objects


def _generated(kind: str, generator: Obj, directory: Path, options: Obj) -> Obj:
    if set(generator) - {"name", "literals", "files"}:
        raise Unsupported(f"{kind} generator keys: {set(generator)}")
    data: dict[str, str] = {}
    for literal in generator.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    for item in generator.get("files", []):
        key, sep, path = item.partition("=")
        path = path if sep else key
        key = key if sep else Path(path).name
        data[key] = (directory / path).read_text()
    obj: Obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": generator["name"]}}
    if options.get("labels"):
        obj["metadata"]["labels"] = dict(options["labels"])
    if kind == "Secret":
        obj["type"] = "Opaque"
        obj["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    else:
        obj["data"] = data
    return obj


def _apply_patch(objects: list[Obj], entry: Obj, directory: Path) -> list[Obj]:
    if set(entry) - {"patch", "path", "target"}:
        raise Unsupported(f"patch keys: {set(entry)}")
    text = entry["patch"] if "patch" in entry else (directory / entry["path"]).read_text()
    patch = yaml.safe_load(text)
    target = entry.get("target") or {"kind": patch["kind"],
                                     "name": patch["metadata"]["name"]}
    if set(target) - {"kind", "name"}:
        raise Unsupported(f"patch target keys: {set(target)}")
    matched = [o for o in objects if o["kind"] == target.get("kind", o["kind"])
               and o["metadata"]["name"] == target.get("name", o["metadata"]["name"])]
    if not matched:
        raise ValueError(f"{directory}: the patch matches nothing: {target}")
    if patch.get("$patch") == "delete":
        return [o for o in objects if not any(o is m for m in matched)]
    body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind")}
    body.get("metadata", {}).pop("name", None)
    for obj in matched:
        merged = merge(obj, body)
        obj.clear()
        obj.update(merged)
    return objects


def merge(base: Any, patch: Any, key: str | None = None) -> Any:
    """A strategic merge: maps merge key by key, known lists merge item by item."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for k, v in patch.items():
            out[k] = merge(out[k], v, k) if k in out else copy.deepcopy(v)
        return out
    if isinstance(base, list) and isinstance(patch, list) and MERGE_KEYS.get(key or ""):
        field = MERGE_KEYS[key or ""]
        out = copy.deepcopy(base)
        added = []
        for item in patch:
            same = next((i for i, b in enumerate(out) if b.get(field) == item.get(field)), None)
            if same is None:
                added.append(copy.deepcopy(item))
            else:
                out[same] = merge(out[same], item)
        return added + out  # as kustomize orders them: the patch's new items first
    return copy.deepcopy(patch)


def _set_image(objects: list[Obj], image: Obj) -> None:
    for obj in objects:
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []) + pod.get("initContainers", []):
            name, _, tag = container["image"].partition(":")
            if name != image["name"]:
                continue
            name = image.get("newName", name)
            tag = image.get("newTag", tag)
            container["image"] = f"{name}:{tag}" if tag else name


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.exit("usage: python deploy/k8s/render.py DIRECTORY")
    sys.stdout.write(yaml.safe_dump_all(render(Path(argv[0])), sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
