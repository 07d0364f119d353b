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
    # Ready on its own database and broker: one service down takes no gateway out.
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/readyz"
    _rabbitmq_is_a_cluster_of_three(by_name)
    secret_keys = set(by_name[("Secret", "phf-secrets")]["stringData"])
    assert set(SECRETS) <= secret_keys
    _each_service_has_its_own_database_role(by_name)
    postgres = by_name[("StatefulSet", "postgres")]["spec"]
    assert {c["name"] for c in postgres["template"]["spec"]["containers"]} == {"postgres",
                                                                                 "backups"}
    assert {t["metadata"]["name"] for t in postgres["volumeClaimTemplates"]} == {"data"}
    repository = {v["name"]: v for v in postgres["template"]["spec"]["volumes"]}["repository"]
    assert repository["persistentVolumeClaim"]["claimName"] == "pgbackrest-repository"
    restore = by_name[("Job", "postgres-restore")]["spec"]["template"]["spec"]
    assert restore["containers"][0]["command"] == ["phf-restore"]
    assert {v["persistentVolumeClaim"]["claimName"] for v in restore["volumes"]} == {
        "data-postgres-0", "pgbackrest-repository"}
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
        return {v["name"]: v.get("value") or v["valueFrom"].get("secretKeyRef") or
                v["valueFrom"] for v in container["env"]}

    for name in DATABASES:
        env = env_of("Deployment", name)
        assert database_urls(env) == {  # through PgBouncer
            name: f"postgresql://{name}:$({name.upper()}_DB_PASSWORD)@pgbouncer:6432/{name}"}
        assert env[f"{name.upper()}_DB_PASSWORD"] == {"name": f"phf-db-{name}",
                                                      "key": "password"}
        assert "POSTGRES_PASSWORD" not in env, name
        assert ("Secret", f"phf-db-{name}") in by_name
    migrate = database_urls(env_of("Job", "migrate"))
    assert set(migrate) == set(DATABASES)
    assert all("@postgres:5432/" in url for url in migrate.values())  # DDL: a session
    assert set(ROLE_PASSWORDS) <= set(env_of("StatefulSet", "postgres"))
    # PgBouncer holds each role's password, to accept and make its logins; nothing else.
    assert {key for key in env_of("Deployment", "pgbouncer") if "PASSWORD" in key} == \
        set(ROLE_PASSWORDS)


def deployments(docs: list[dict]) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}


def test_every_deployment_has_a_disruption_budget_and_all_but_pgbouncer_an_autoscaler():
    docs = manifests()
    budgets = {d["spec"]["selector"]["matchLabels"]["app"]: d["spec"] for d in docs
               if d["kind"] == "PodDisruptionBudget"}
    scalers = {d["spec"]["scaleTargetRef"]["name"]: d["spec"] for d in docs
               if d["kind"] == "HorizontalPodAutoscaler"}
    for name, deployment in deployments(docs).items():
        assert budgets[name] == {"maxUnavailable": 1,
                                 "selector": {"matchLabels": {"app": name}}}, name
        assert deployment["spec"]["template"]["metadata"]["labels"]["app"] == name
        # A rolling update adds a pod before it takes one away.
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, name
        if name == "pgbouncer":
            assert name not in scalers  # PostgreSQL's connections are sized for two
            continue
        scaler = scalers[name]
        assert scaler["scaleTargetRef"]["kind"] == "Deployment"
        # The Deployment starts at the autoscaler's minimum, which survives a pod lost.
        assert 2 <= scaler["minReplicas"] == deployment["spec"]["replicas"] \
            < scaler["maxReplicas"], name
        [metric] = scaler["metrics"]
        assert metric["resource"]["name"] == "cpu"
        # Utilization is of the request: every container asks for CPU.
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["resources"]["requests"]["cpu"], name
    assert budgets["postgres"]["maxUnavailable"] == 1


def test_each_service_is_ready_on_what_it_needs_alone():
    for name, deployment in deployments(manifests()).items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        probe = container["readinessProbe"]
        if name in ("fund", "insurance", "volunteers", "families", "notifications"):
            assert probe["exec"]["command"] == ["python", "-m", "deploy.probe", name]
        elif name == "gateway":
            assert probe["httpGet"]["path"] == "/readyz"
            assert container["livenessProbe"]["tcpSocket"]["port"] == "http"
        else:
            assert probe["tcpSocket"]["port"] == "pgbouncer"


def test_postgres_fails_over_under_patroni_behind_pgbouncer():
    docs = manifests()
    by_name = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    postgres = by_name[("StatefulSet", "postgres")]["spec"]
    assert postgres["replicas"] == 3
    [database] = [c for c in postgres["template"]["spec"]["containers"]
                  if c["name"] == "postgres"]
    assert database["command"] == ["patroni", "/etc/patroni.yml"]
    env = {v["name"]: v.get("value") for v in database["env"]}
    assert env["PATRONI_SCOPE"] == "postgres" and env["PATRONI_KUBERNETES_USE_ENDPOINTS"] == \
        "true"
    assert database["readinessProbe"]["httpGet"]["path"] == "/readiness"
    # The Service PgBouncer reaches is Patroni's to point at the primary: no selector.
    assert "selector" not in by_name[("Service", "postgres")]["spec"]
    assert by_name[("RoleBinding", "patroni")]["subjects"][0]["name"] == \
        postgres["template"]["spec"]["serviceAccountName"]
    patroni = yaml.safe_load((DEPLOY / "postgres" / "patroni.yml").read_text())
    dcs = patroni["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] is True
    assert "archive-push" in dcs["postgresql"]["parameters"]["archive_command"]
    assert patroni["bootstrap"]["post_bootstrap"].endswith("post-bootstrap.sh")
    assert "post-bootstrap.sh" in (DEPLOY / "postgres" / "Dockerfile").read_text()
    _pgbouncer_fits_postgres(by_name, dcs["postgresql"]["parameters"]["max_connections"])


def _pgbouncer_fits_postgres(by_name: dict, max_connections: int) -> None:
    ini = by_name[("ConfigMap", "pgbouncer-config")]["data"]["pgbouncer.ini"]
    settings = dict(line.split(" = ", 1) for line in ini.splitlines() if " = " in line
                    and not line.startswith(";"))
    assert settings["pool_mode"] == "transaction"
    databases = [line.split(" = ")[0] for line in ini.split("[pgbouncer]")[0].splitlines()
                 if " = host=postgres " in line]
    assert sorted(databases) == sorted(DATABASES)
    bouncers = by_name[("Deployment", "pgbouncer")]["spec"]["replicas"]
    per_database = int(settings["max_db_connections"])
    # Every PgBouncer pod's server connections, with room for replication, backups and ops.
    assert bouncers * len(DATABASES) * per_database <= max_connections - 50
    # Every service process's pool at its fullest, at the autoscalers' largest.
    config = by_name[("ConfigMap", "phf-config")]["data"]
    per_process = int(config["DB_POOL_SIZE"]) + int(config["DB_MAX_OVERFLOW"])
    assert int(config["DB_POOL_SIZE"]) >= int(config["MAX_WORKERS"])  # a worker never waits
    processes = sum(d["spec"]["maxReplicas"] for (kind, _), d in by_name.items()
                    if kind == "HorizontalPodAutoscaler")
    assert processes * per_process <= int(settings["max_client_conn"])
