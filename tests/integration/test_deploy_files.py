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
           "SERVICE_KEY": "s", "PGBACKREST_REPO1_CIPHER_PASS": "c"}
DATABASES = ("fund", "insurance", "volunteers", "families", "notifications", "gateway")
ROLE_PASSWORDS = {f"{name.upper()}_DB_PASSWORD": f"pw-{name}" for name in DATABASES}


def compose(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS | ROLE_PASSWORDS}
    return subprocess.run(["docker-compose", "-f", str(DEPLOY / "docker-compose.yml"), "config"],
                          capture_output=True, text=True, env={**clean, **env}, timeout=60)


def manifests() -> list[dict]:
    return [doc for path in sorted((DEPLOY / "k8s").glob("**/*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def database_urls(env: dict) -> dict[str, str]:
    """The database each `*_DATABASE_URL` names, by service, with the user it connects as."""
    return {name.removesuffix("_DATABASE_URL").lower(): value
            for name, value in env.items() if name.endswith("_DATABASE_URL")}


def test_the_compose_file_is_valid_and_runs_every_service_twice():
    done = compose(SECRETS | ROLE_PASSWORDS)
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
    without_one = compose(SECRETS | ROLE_PASSWORDS | {"FAMILIES_DB_PASSWORD": ""})
    assert without_one.returncode != 0
    assert "set FAMILIES_DB_PASSWORD" in without_one.stderr


def test_postgres_archives_its_wal_to_a_repository_of_its_own_and_is_backed_up():
    services = yaml.safe_load(compose(SECRETS | ROLE_PASSWORDS).stdout)["services"]
    repository = "pgbackrest-repo:/var/lib/pgbackrest:rw"
    assert repository in services["postgres"]["volumes"]
    assert services["backups"]["volumes"] == services["postgres"]["volumes"]
    assert services["backups"]["command"] == ["phf-backups"]
    for name in ("postgres", "backups"):
        assert services[name]["environment"]["PGBACKREST_REPO1_CIPHER_PASS"] == "c"


def test_each_service_connects_as_its_own_role_to_its_own_database_alone():
    services = yaml.safe_load(compose(SECRETS | ROLE_PASSWORDS).stdout)["services"]
    for name in DATABASES:
        assert database_urls(services[name]["environment"]) == {
            name: f"postgresql://{name}:pw-{name}@postgres:5432/{name}"}, name
    assert set(database_urls(services["migrate"]["environment"])) == set(DATABASES)
    # PostgreSQL makes each role with its password; the superuser's is no service's.
    assert ROLE_PASSWORDS.items() <= services["postgres"]["environment"].items()
    for name in ("migrate", *DATABASES):
        assert "POSTGRES_PASSWORD" not in services[name]["environment"], name


def test_the_kubernetes_manifests_pass_the_schema_validator():
    files = [str(p) for p in sorted((DEPLOY / "k8s").glob("**/*.yaml"))]
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
    _rabbitmq_is_a_cluster_of_three(by_name)
    secret_keys = set(by_name[("Secret", "phf-secrets")]["stringData"])
    assert set(SECRETS) <= secret_keys
    _each_service_has_its_own_database_role(by_name)
    postgres = by_name[("StatefulSet", "postgres")]["spec"]
    assert {c["name"] for c in postgres["template"]["spec"]["containers"]} == {"postgres",
                                                                                 "backups"}
    assert {t["metadata"]["name"] for t in postgres["volumeClaimTemplates"]} == {"data",
                                                                                 "repository"}
    restore = by_name[("Job", "postgres-restore")]["spec"]["template"]["spec"]
    assert restore["containers"][0]["command"] == ["phf-restore"]
    for doc in docs:
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                for variable in container.get("env", []):
                    if "PASSWORD" in variable["name"] or variable["name"] in SECRETS:
                        assert "valueFrom" in variable, (doc["metadata"]["name"], variable)


def _rabbitmq_is_a_cluster_of_three(by_name: dict) -> None:
    rabbitmq = by_name[("StatefulSet", "rabbitmq")]["spec"]
    assert rabbitmq["replicas"] == 3
    assert rabbitmq["podManagementPolicy"] == "Parallel"
    config = by_name[("ConfigMap", "rabbitmq-config")]["data"]
    settings = dict(line.split(" = ", 1) for line in config["rabbitmq.conf"].splitlines()
                    if " = " in line)
    # The 3.10+ key and value; queue_master_locator is the older one it replaces.
    assert settings["queue_leader_locator"] == "balanced"
    assert "queue_master_locator" not in settings
    assert settings["cluster_formation.peer_discovery_backend"] == "rabbit_peer_discovery_k8s"
    assert "rabbitmq_peer_discovery_k8s" in config["enabled_plugins"]
    assert by_name[("Service", "rabbitmq-nodes")]["spec"]["publishNotReadyAddresses"] is True
    definitions = json.loads(config["definitions.json"])
    assert definitions["vhosts"][0]["metadata"]["default_queue_type"] == "quorum"
    budget = by_name[("PodDisruptionBudget", "rabbitmq")]["spec"]
    assert budget["maxUnavailable"] == 1  # two of three: every quorum queue keeps a majority
    assert budget["selector"] == rabbitmq["selector"]
    # Every client names every node, and fails over between them.
    for doc in by_name.values():
        if doc["kind"] in ("Deployment", "Job"):
            for container in doc["spec"]["template"]["spec"]["containers"]:
                for variable in container.get("env", []):
                    if variable["name"] == "AMQP_URI":
                        nodes = variable["value"].split(";")
                        assert [n.split("@")[1].split(".")[0] for n in nodes] == [
                            "rabbitmq-0", "rabbitmq-1", "rabbitmq-2"], doc["metadata"]["name"]


def _each_service_has_its_own_database_role(by_name: dict) -> None:
    def env_of(kind: str, name: str) -> dict:
        container = by_name[(kind, name)]["spec"]["template"]["spec"]["containers"][0]
        return {v["name"]: v.get("value") or v["valueFrom"]["secretKeyRef"]
                for v in container["env"]}

    for name in DATABASES:
        env = env_of("Deployment", name)
        assert database_urls(env) == {
            name: f"postgresql://{name}:$({name.upper()}_DB_PASSWORD)@postgres:5432/{name}"}
        assert env[f"{name.upper()}_DB_PASSWORD"] == {"name": f"phf-db-{name}",
                                                      "key": "password"}
        assert "POSTGRES_PASSWORD" not in env, name
        assert ("Secret", f"phf-db-{name}") in by_name
    assert set(database_urls(env_of("Job", "migrate"))) == set(DATABASES)
    assert set(ROLE_PASSWORDS) <= set(env_of("StatefulSet", "postgres"))
