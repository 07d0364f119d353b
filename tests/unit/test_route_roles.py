"""Every API route lets through exactly the roles that the service it calls accepts: the
gateway's coarse check and the service's own may not drift apart (a role the gateway lets
in only to be refused by the service, or one the service would serve that the gateway
turns away).

What is real: each route's own handler and each service's own entrypoint. What is
replaced: the RPC proxies by a recorder (which service method a route calls, with which
arguments), and the services' `load_actor` by one that notes the roles the entrypoint asks
for and stops there, so no database or broker is needed."""
import contextlib
import re
import sys
from types import SimpleNamespace
from unittest.mock import MagicMock, patch

import pytest
from nameko.testing.services import worker_factory
from werkzeug.test import EnvironBuilder

from services.families.service import FamiliesService
from services.fund.service import FundService
from services.gateway import calendar_tokens
from services.gateway.imports.registers import REGISTERS
from services.gateway.routes import ROUTES, Call, Route
from services.gateway.service import GatewayService
from services.gateway.throttle import Rate
from services.insurance.service import InsuranceService
from services.notifications.service import NotificationsService
from services.volunteers.service import VolunteersService
from shared import actors
from shared.settings import association_code

SERVICES = {"fund": FundService, "insurance": InsuranceService,
            "volunteers": VolunteersService, "families": FamiliesService,
            "notifications": NotificationsService}
# The gateway answers these itself, from its own database or its own code.
GATEWAY_OWN = {"/healthz", "/readyz", "/api/v1/openapi.json", "/api/v1/auth/token",
               "/api/v1/auth/logout", "/api/v1/auth/password", "/api/v1/me", "/api/v1/users",
               "/api/v1/users/<username>/deactivate", "/api/v1/imports/templates/<register>.xlsx",
               "/api/v1/imports/<import_id>", "/api/v1/imports/<import_id>/errors.xlsx"}
assert GatewayService  # its API modules define ROUTES


class Asked(Exception):
    def __init__(self, roles):
        super().__init__(roles)
        self.roles = roles


class Recorder:
    """Stands for the RPC proxies: notes each call and answers with an empty something."""

    def __init__(self):
        self.calls = []

    def proxy(self, service: str):
        return _Proxy(self, service)


class _Proxy:
    def __init__(self, recorder: Recorder, service: str):
        self._recorder = recorder
        self._service = service

    def __getattr__(self, method):
        def call(*args, **kwargs):
            self._recorder.calls.append((self._service, method, args, kwargs))
            return MagicMock()
        call.call_async = call  # an export asks for its pages ahead (a reply to wait on)
        return call


class Body(dict):
    """A validated body or query as a handler reads it: any field it asks for, empty."""

    def __missing__(self, key):
        return b""


def _calls_of(route: Route) -> list:
    recorder = Recorder()
    gateway = SimpleNamespace(db=MagicMock(), context=MagicMock(),
                              **{name: recorder.proxy(name) for name in SERVICES})
    path_args = {name: (1 if converter == "int" else "341181")
                 for converter, name in _parameters(route.path)}
    actor = _actor_for(route)
    query = Body(token=calendar_tokens.token_for(association_code(), 1), lang=None,
                 dry_run=True, all_or_nothing=False, limit=50, offset=0)
    request = EnvironBuilder(method=route.method, path="/",
                             headers={"Authorization": "Bearer x"}).get_request()
    call = Call(request, actor, _upload_of(route), query, "cid")
    call.raw_body = {}
    # The rates count in the gateway's database, which this stand-in has not got.
    with contextlib.suppress(Exception), patch.object(Rate, "take"):
        route.handler(gateway, call, **path_args)  # only the calls made before a failure
    return recorder.calls


def _upload_of(route: Route) -> Body:
    """An import's file: the register's headers and one row, so its rows are sent."""
    register = REGISTERS.get(route.path.rsplit("/", 1)[-1])
    if route.upload is None or register is None:
        return Body()
    headers = ",".join(column.zh for column in register.columns)
    return Body(filename="register.csv", dry_run=True, all_or_nothing=False,
                content=f"{headers}\n{','.join('1' for _ in register.columns)}\n".encode())


def _parameters(path: str) -> list[tuple[str, str]]:
    return re.findall(r"<(?:(\w+):)?(\w+)>", path)


def _actor_for(route: Route) -> dict:
    if route.roles is None or route.public:
        return actors.public_actor()
    return actors.sign({"username": "someone", "role": route.roles[0], "donor_id": 1,
                        "volunteer_id": 1})


def _roles_asked(service: str, method: str, args, kwargs, monkeypatch) -> tuple | None:
    """The roles the service's entrypoint asks `load_actor` for."""
    def asked(actor, roles=None):
        raise Asked(roles)
    for module in _modules_of(service, method):
        monkeypatch.setattr(module, "load_actor", asked)
    worker = worker_factory(SERVICES[service])
    with pytest.raises(Asked) as found:
        getattr(worker, method)(*args, **kwargs)
    return found.value.roles


def _modules_of(service: str, method: str):
    """The service's modules, and the one defining the entrypoint (shared.service for those
    every service has)."""
    prefix = f"services.{service}."
    defining = getattr(SERVICES[service], method).__module__
    return [module for name, module in list(sys.modules.items())
            if (name.startswith(prefix) or name == defining) and
            getattr(module, "load_actor", None) is actors.load_actor]


def _label(route: Route) -> str:
    return f"{route.method} {route.path}"


@pytest.mark.parametrize("route", ROUTES, ids=_label)
def test_the_gateway_lets_through_the_roles_the_service_accepts(route, monkeypatch):
    calls = _calls_of(route)
    if route.path in GATEWAY_OWN:
        assert calls == [], "a route the gateway answers itself calls a service"
        return
    assert calls, "the route calls no service"
    for service, method, args, kwargs in calls:
        accepted = _roles_asked(service, method, args, kwargs, monkeypatch)
        where = f"{service}.{method}"
        if route.roles is not None:
            assert accepted is not None, f"{where} accepts any role"
            assert set(route.roles) == set(accepted), where
        else:
            actor = next(a for a in args if isinstance(a, dict) and "signature" in a)
            assert accepted is None or actor["role"] in accepted, where

