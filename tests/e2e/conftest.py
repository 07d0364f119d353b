"""End to end: the real processes (`nameko run` for every service and the gateway, as the
run command starts them) on a vhost of their own and throwaway SQLite files; the tests
speak only HTTP to the gateway, as any client would."""
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests

from deploy.processes import System, free_port
from deploy.seed import seed


@dataclass
class Client:
    base: str
    token: str | None = None

    def call(self, method, path, json=None, headers=None, **kwargs):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return requests.request(method, self.base + path, json=json, headers=headers,
                                timeout=30, **kwargs)

    def login(self, username, password=None) -> "Client":
        response = self.call("POST", "/api/v1/auth/token",
                             {"username": username, "password": password or f"{username}-demo"})
        assert response.status_code == 200, response.text
        return Client(self.base, response.json()["access_token"])


# Every test here speaks from 127.0.0.1: the per-address limits are lifted except in the
# modules that test them, and so is the per-account one, since many modules share logins.
LOOSE_LIMITS = {"PUBLIC_POSTS_PER_MINUTE": "100000", "LOGIN_FAILURES_PER_ADDRESS": "100000",
                "PUBLIC_LOOKUPS_PER_MINUTE": "100000", "LOGIN_FAILURES_PER_ACCOUNT": "100000"}
# SMS go out at whatever hour the tests run: quiet hours are the notification rules' own
# tests' business (a clock of their own).
ANY_HOUR = {"QUIET_HOURS": ""}


@contextmanager
def whole_system(vhost_pipeline, config, var, replicas=1, env=None):
    """The whole system as the run command starts it, with the demo data, on a vhost of its
    own and SQLite files under `var` (or the databases `env` names)."""
    amqp = config.getoption("RABBIT_AMQP_URI").rstrip("/")
    with vhost_pipeline.get() as vhost, system_on(f"{amqp}/{vhost}", var, replicas,
                                                  env) as system:
        yield system


@contextmanager
def system_on(uri: str, var, replicas=1, env=None):
    """The whole system with the demo data on the broker (or brokers) at `uri`."""
    system = System(port=free_port(), log_dir=var / "logs", replicas=replicas,
                    env={"AMQP_URI": uri, "PHF_VAR_DIR": str(var), **LOOSE_LIMITS,
                         **ANY_HOUR, **(env or {})})
    system.migrate()
    system.start()
    try:
        # Up to three test processes start systems at once on two cores (tests/parallel.py).
        system.wait_healthy(timeout=180)
        gateway = (env or {}).get("GATEWAY_DATABASE_URL", f"sqlite:///{var / 'gateway.db'}")
        seed({"AMQP_URI": uri, "DATABASE_URLS": {"gateway": gateway}})
        yield system
    finally:
        # Nothing of a throwaway system is kept: the services' graceful stop (about 3 s,
        # nameko's consumers finishing their 1 s polls) is not waited for.
        system.stop(timeout=0.5)


@pytest.fixture(scope="session")
def shared_system(vhost_pipeline, request, tmp_path_factory):
    """One system for every module content with the defaults: starting one takes longer
    than most modules' tests, so they share it and never assume it is empty."""
    with whole_system(vhost_pipeline, request.config, tmp_path_factory.mktemp("var")) as system:
        yield system


@pytest.fixture(scope="module")
def running_system(vhost_pipeline, request, tmp_path_factory):
    """The shared system, or one of the module's own when it asks for more replicas of each
    service (`REPLICAS = 2`), other settings (`ENV = {...}`), or kills processes
    (`OWN_SYSTEM = True`)."""
    module = request.module
    if not (getattr(module, "OWN_SYSTEM", False) or hasattr(module, "REPLICAS")
            or hasattr(module, "ENV")):
        yield request.getfixturevalue("shared_system")
        return
    with whole_system(vhost_pipeline, request.config, tmp_path_factory.mktemp("var"),
                      getattr(module, "REPLICAS", 1), getattr(module, "ENV", {})) as system:
        yield system


@pytest.fixture
def anonymous(running_system):
    return Client(running_system.url)
