"""End to end: the real processes (`nameko run` for every service and the gateway, as the
run command starts them) on a vhost of their own and throwaway SQLite files; the tests
speak only HTTP to the gateway, as any client would."""
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
# modules that test them.
LOOSE_LIMITS = {"PUBLIC_POSTS_PER_MINUTE": "100000", "LOGIN_FAILURES_PER_ADDRESS": "100000",
                "PUBLIC_LOOKUPS_PER_MINUTE": "100000"}


@pytest.fixture(scope="module")
def running_system(vhost_pipeline, request, tmp_path_factory):
    """The whole system as the run command starts it; a module may ask for more replicas
    of each service with `REPLICAS = 2` at its top, and settings with `ENV = {...}`."""
    var = tmp_path_factory.mktemp("var")
    amqp = request.config.getoption("RABBIT_AMQP_URI").rstrip("/")
    replicas = getattr(request.module, "REPLICAS", 1)
    with vhost_pipeline.get() as vhost:
        uri = f"{amqp}/{vhost}"
        system = System(port=free_port(), log_dir=var / "logs", replicas=replicas,
                        env={"AMQP_URI": uri, "PHF_VAR_DIR": str(var),
                             **LOOSE_LIMITS, **getattr(request.module, "ENV", {})})
        system.migrate()
        system.start()
        try:
            system.wait_healthy()
            seed({"AMQP_URI": uri,
                  "DATABASE_URLS": {"gateway": f"sqlite:///{var / 'gateway.db'}"}})
            yield system
        finally:
            system.stop()


@pytest.fixture
def anonymous(running_system):
    return Client(running_system.url)
