"""Whatever a client sends, the answer is never a 5xx and always what the OpenAPI document
says: schemathesis generates requests (valid and invalid) from the served document and sends
them to the real system with a token of every role an operation admits, and checks each
response against the document. Every operation must be reached (get past the role check) by
some request."""
import json

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from services.gateway.openapi import openapi_path
from services.gateway.routes import ROUTES
from services.gateway.service import GatewayService  # noqa: F401 (its methods define ROUTES)
from tests.payment_channel import signed_headers

OWN_SYSTEM = True  # its calls deactivate the demo logins others use

EXAMPLES_PER_ROLE = 12
USERS = {"admin": "admin", "staff": "staff1", "coordinator": "coordinator1",
         "volunteer": "volunteer1", "donor": "donor1"}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _roles_by_operation() -> dict:
    return {(r.method, openapi_path(r.path)): r.roles for r in ROUTES}


def test_every_operation_answers_as_documented_for_every_role(running_system):
    def log_in(role):
        return requests.post(running_system.url + "/api/v1/auth/token",
                             json={"username": USERS[role], "password": f"{USERS[role]}-demo"},
                             timeout=10).json()["access_token"]

    tokens = {role: log_in(role) for role in USERS}
    roles_of = _roles_by_operation()
    schema = schemathesis.openapi.from_url(running_system.url + "/api/v1/openapi.json")
    reached = {}
    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)
        roles = roles_of[(operation.method.upper(), operation.path)]
        for role in ([None] if roles is None else [r for r in roles if r in tokens]):
            # Logging out revokes the token: that operation gets one of its own each time.
            if role and operation.label == LOGOUT:
                statuses = _fuzz(operation, lambda role=role: log_in(role))
            else:
                statuses = _fuzz(operation, lambda role=role: tokens.get(role))
            if any(s not in (401, 403) for s in statuses):
                reached[operation.label] = role
    assert len(operations) >= 45
    assert sorted(set(operations) - set(reached)) == []


def _signed_as_a_payment_channel(case) -> dict:
    """What a payment channel adds: its signature over the timestamp and the raw body."""
    if case.body is None or not isinstance(case.body, dict):
        return {}
    raw = json.dumps(case.body, allow_nan=False).encode()  # as requests sends json=
    return signed_headers(raw)


SIGNERS = {"POST /api/v1/payments/notify": _signed_as_a_payment_channel}
LOGOUT = "POST /api/v1/auth/logout"


def _fuzz(operation, token_of) -> list[int]:
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    statuses: list[int] = []
    signer = SIGNERS.get(operation.label)

    @given(case=st.one_of(*(operation.as_strategy(generation_mode=m) for m in modes)))
    @settings(max_examples=EXAMPLES_PER_ROLE, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def send(case):
        if signer is not None:
            case.headers = {**(case.headers or {}), **signer(case)}
        token = token_of()
        response = case.call(headers={"Authorization": f"Bearer {token}"} if token else {})
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    send()
    return statuses
