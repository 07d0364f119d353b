"""The docker-compose file and the Kubernetes manifests, checked by the real tools (no
container engine or cluster runs here) and for what the design asks of them."""
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from shared.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
SECRETS = {"POSTGRES_PASSWORD": "p", "RABBITMQ_PASSWORD": "r", "TOKEN_SECRET": "t",
           "SERVICE_KEY": "s"}


def compose(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(["docker-compose", "-f", str(DEPLOY / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, env={**clean, **env}, timeout=60)


def manifests() -> list[dict]:
    return [doc for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_the_compose_file_is_valid_and_runs_every_service_twice():
    done = compose(SECRETS)
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert {"rabbitmq", "postgres", "migrate", "fund", "insurance", "volunteers",
            "gateway"} <= set(services)
    assert all(services[s]["deploy"]["replicas"] == 2 for s in ("fund", "insurance",
                                                                "volunteers"))


def test_the_compose_file_has_no_default_passwords():
    done = compose({})
    assert done.returncode != 0
    assert "set " in done.stderr and "PASSWORD" in done.stderr


def test_the_kubernetes_manifests_pass_the_schema_validator():
    files = [str(p) for p in sorted((DEPLOY / "k8s").glob("*.yaml"))]
    done = subprocess.run([str(Path(sys.executable).with_name("kubernetes-validate")), *files],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("passed") + done.stderr.count("passed") >= 15


def test_the_cluster_shape_the_design_asks_for():
    docs = manifests()
    by_name = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    for service in ("fund", "insurance", "volunteers"):
        assert by_name[("Deployment", service)]["spec"]["replicas"] >= 2
    for name in ("fund", "insurance", "volunteers", "gateway"):
        [container] = by_name[("Deployment", name)]["spec"]["template"]["spec"]["containers"]
        # Every process signs or checks actors with the same key.
        assert "SERVICE_KEY" in {variable["name"] for variable in container["env"]}, name
    gateway = by_name[("Deployment", "gateway")]["spec"]["template"]["spec"]["containers"][0]
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert by_name[("StatefulSet", "rabbitmq")]["spec"]["replicas"] == 3
    definitions = json.loads(by_name[("ConfigMap", "rabbitmq-config")]["data"]
                             ["definitions.json"])
    assert definitions["vhosts"][0]["metadata"]["default_queue_type"] == "quorum"
    secret_keys = set(by_name[("Secret", "phf-secrets")]["stringData"])
    assert set(SECRETS) <= secret_keys
    for doc in docs:
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                for variable in container.get("env", []):
                    if "PASSWORD" in variable["name"] or variable["name"] in SECRETS:
                        assert "valueFrom" in variable, (doc["metadata"]["name"], variable)
