"""Interface tests of the gateway: real HTTP to the GatewayService with its three RPC proxies
replaced.

What is real here: the gateway's own code (routes, role checks, body and query schemas,
problem documents, correlation ids), its HTTP server on a free port, its login table (a
freshly migrated SQLite file), the bearer tokens and the signed actors, and the container's
connection to a vhost of its own on the machine's RabbitMQ. What is replaced: the `fund`,
`insurance` and `volunteers` proxies are MagicMocks (nameko's `replace_dependencies`), so no
other service runs; each test says what the service answers and checks what it was asked."""
import re
import time
import uuid
from dataclasses import dataclass
from unittest.mock import MagicMock

import jwt
import pytest
import requests
from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.exceptions import RemoteError, UnknownService
from nameko.testing.services import replace_dependencies
from sqlalchemy import update
from sqlalchemy.orm import Session

from deploy.processes import free_port
from services.gateway.auth import hash_password
from services.gateway.models import User
from services.gateway.service import GatewayService
from shared.actors import load_actor
from shared.db import make_engine
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.support import assert_problem

TOKEN_SECRET = uuid.uuid4().hex
PASSWORD = "correct horse battery staple"
ASSOCIATION = "341181"
# username: (role, donor_id, volunteer_id)
USERS = {"staff1": ("staff", None, None), "donor1": ("donor", 7, None),
         "coord1": ("coordinator", None, None), "admin1": ("admin", None, None)}
DISBURSEMENT = {"fund_code": "GENERAL", "category": "poverty_relief", "amount_fen": 1200,
                "purpose": "Medical aid",
                "payee": {"name": "Li Hua"}}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass
class Gateway:
    base: str
    fund: MagicMock
    insurance: MagicMock
    volunteers: MagicMock
    database_url: str

    def login(self, username: str) -> str:
        response = requests.post(f"{self.base}/api/v1/auth/token",
                                 json={"username": username, "password": PASSWORD}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def request(self, method: str, path: str, user: str | None = None,
                headers: dict | None = None, **kwargs) -> requests.Response:
        headers = dict(headers or {})
        if user is not None:
            headers["Authorization"] = f"Bearer {self.login(user)}"
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=10,
                                **kwargs)

    def no_service_called(self) -> bool:
        return not (self.fund.mock_calls or self.insurance.mock_calls
                    or self.volunteers.mock_calls)


def add_users(url: str, users: dict = USERS) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            for username, (role, donor_id, volunteer_id) in users.items():
                session.add(User(username=username, password_hash=hash_password(PASSWORD),
                                 role=role, association_code=ASSOCIATION, donor_id=donor_id,
                                 volunteer_id=volunteer_id, active=True))
    finally:
        engine.dispose()


@pytest.fixture
def gateway(container_factory, rabbit_config, sqlite_url, monkeypatch):
    monkeypatch.setenv("TOKEN_SECRET", TOKEN_SECRET)
    url = sqlite_url("gateway")
    add_users(url)
    port = free_port()
    container = container_factory(GatewayService, {
        **rabbit_config, "DATABASE_URLS": {"gateway": url},
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"})
    fund, insurance, volunteers = replace_dependencies(container, "fund", "insurance",
                                                       "volunteers")
    container.start()
    yield Gateway(f"http://127.0.0.1:{port}", fund, insurance, volunteers, url)


# --- 1. the signed actor reaches the service ---------------------------------------------
def test_a_staff_request_reaches_the_fund_with_a_signed_actor(gateway):
    answer = {"items": [{"code": "GENERAL", "name": "General", "restricted": False,
                         "balance_fen": 123456}], "total": 1, "limit": 5, "offset": 0}
    gateway.fund.list_funds.return_value = answer

    response = gateway.request("GET", "/api/v1/funds?limit=5", user="staff1")

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == answer
    gateway.fund.list_funds.assert_called_once()
    actor, query = gateway.fund.list_funds.call_args.args
    verified = load_actor(actor)  # raises Forbidden unless the gateway signed it
    assert verified["username"] == "staff1" and verified["role"] == "staff"
    assert verified["association_code"] == ASSOCIATION
    assert query == {"limit": "5"}
    with pytest.raises(Forbidden):  # the signature covers the role: no promoting oneself
        load_actor({**actor, "role": "admin"})


def test_a_donor_actor_carries_the_donor_id_from_the_login(gateway):
    gateway.fund.list_donations.return_value = {"items": [], "total": 0}

    response = gateway.request("GET", "/api/v1/donations", user="donor1")

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "total": 0}
    query, actor = gateway.fund.list_donations.call_args.args
    verified = load_actor(actor)
    assert (verified["username"], verified["role"], verified["donor_id"]) == \
        ("donor1", "donor", 7)
    assert query == {}


def test_a_created_thing_gets_the_routes_status_and_the_raw_body(gateway):
    created = {"id": 3, "status": "requested", **DISBURSEMENT}
    gateway.fund.request_disbursement.return_value = created

    response = gateway.request("POST", "/api/v1/disbursements", user="staff1",
                               json=DISBURSEMENT)

    assert response.status_code == 201, response.text
    assert response.json() == created
    body, actor = gateway.fund.request_disbursement.call_args.args
    assert body == DISBURSEMENT
    assert load_actor(actor)["username"] == "staff1"


# --- 2. roles the route does not admit --------------------------------------------------
@pytest.mark.parametrize("user, method, path, body", [
    ("donor1", "GET", "/api/v1/disbursements", None),
    ("donor1", "POST", "/api/v1/disbursements", DISBURSEMENT),
    ("staff1", "POST", "/api/v1/funds", {"code": "NEW", "name": "New", "restricted": False}),
    ("staff1", "GET", "/api/v1/volunteers", None),
    ("coord1", "GET", "/api/v1/insurance/claims", None),
], ids=["donor-lists-disbursements", "donor-requests-disbursement", "staff-opens-fund",
        "staff-lists-volunteers", "coordinator-lists-claims"])
def test_a_role_the_route_does_not_admit_gets_403_and_no_call(gateway, user, method, path,
                                                             body):
    response = gateway.request(method, path, user=user, json=body)

    problem = assert_problem(response, 403, "role_not_allowed")
    assert USERS[user][0] in problem["detail"]
    assert gateway.no_service_called()


def test_the_admitted_role_passes_the_same_check(gateway):
    gateway.fund.ensure_fund.return_value = {"code": "NEW", "name": "New",
                                             "restricted": False, "balance_fen": 0}
    new = {"code": "NEW", "name": "New", "restricted": False}

    response = gateway.request("POST", "/api/v1/funds", user="admin1", json=new)

    assert response.status_code == 201, response.text
    body, actor = gateway.fund.ensure_fund.call_args.args
    assert body == new and load_actor(actor)["role"] == "admin"


# --- 3. no token or a bad one -----------------------------------------------------------
def forged(secret: str = TOKEN_SECRET, **claims) -> str:
    base = {"sub": "staff1", "role": "admin", "exp": int(time.time()) + 600}
    return jwt.encode({**base, **claims}, secret, algorithm="HS256")


@pytest.mark.parametrize("authorization", [
    None,
    "Bearer",
    "Bearer not.a.token",
    "Basic c3RhZmYxOnBhc3N3b3Jk",
    "Bearer " + forged(secret=uuid.uuid4().hex),
    "Bearer " + forged(exp=int(time.time()) - 10),
    "Bearer " + jwt.encode({"sub": "staff1", "exp": int(time.time()) + 600}, TOKEN_SECRET,
                           algorithm="HS256"),
], ids=["none", "empty-bearer", "garbage", "basic", "other-secret", "expired", "no-role"])
def test_without_a_valid_token_401_and_no_call(gateway, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}

    response = gateway.request("GET", "/api/v1/funds", headers=headers)

    assert_problem(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert gateway.no_service_called()


def deactivate(url: str, username: str) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            session.execute(update(User).where(User.username == username).values(active=False))
    finally:
        engine.dispose()


def test_a_signed_token_of_a_user_not_in_the_table_gets_401_and_no_call(gateway):
    response = gateway.request("GET", "/api/v1/funds",
                               headers={"Authorization": "Bearer " + forged(sub="ghost")})

    assert_problem(response, 401, "not_authenticated")
    assert gateway.no_service_called()


def test_a_token_issued_before_deactivation_is_refused_by_api_and_pages(gateway):
    token = gateway.login("staff1")
    deactivate(gateway.database_url, "staff1")

    api = requests.get(f"{gateway.base}/api/v1/funds", timeout=10,
                       headers={"Authorization": f"Bearer {token}"})
    page = requests.get(f"{gateway.base}/staff", cookies={"phf_session": token}, timeout=10,
                        allow_redirects=False)

    assert_problem(api, 401, "not_authenticated")
    assert page.status_code == 303 and page.headers["Location"] == "/login?next=/staff"
    assert gateway.no_service_called()


def test_a_bad_token_is_refused_before_the_body_is_read(gateway):
    response = gateway.request("POST", "/api/v1/disbursements",
                               headers={"Authorization": "Bearer nonsense"}, data="{not json")

    assert_problem(response, 401, "not_authenticated")
    assert gateway.no_service_called()


def test_a_wrong_password_gets_no_token(gateway):
    response = requests.post(f"{gateway.base}/api/v1/auth/token",
                             json={"username": "staff1", "password": "wrong"}, timeout=10)

    problem = assert_problem(response, 401, "not_authenticated")
    assert "access_token" not in problem


# --- 4. the services' domain errors -----------------------------------------------------
@pytest.mark.parametrize("error, status", [
    (Conflict("The fund holds less than the amount.", "insufficient_funds",
              {"amount_fen": ["The GENERAL fund holds 100 fen."]}), 409),
    (NotFound("No fund GENERAL.", "fund_not_found"), 404),
    (InvalidInput("Some fields are invalid.", "unknown_fund",
                  {"fund_code": ["No such fund."]}), 422),
    (Forbidden("You may not approve your own request.", "four_eyes"), 403),
], ids=["conflict", "not-found", "invalid-input", "forbidden"])
def test_a_domain_error_from_the_fund_becomes_its_status(gateway, error, status):
    gateway.fund.request_disbursement.side_effect = error

    response = gateway.request("POST", "/api/v1/disbursements", user="staff1",
                               json=DISBURSEMENT)

    problem = assert_problem(response, status, error.code)
    assert problem["detail"] == error.message
    assert problem["errors"] == error.fields
    gateway.fund.request_disbursement.assert_called_once()


def test_a_domain_error_from_insurance_and_volunteers_too(gateway):
    gateway.insurance.get_policy.side_effect = NotFound("No policy P-1.", "policy_not_found")
    gateway.volunteers.get_shift.side_effect = Conflict("Full.", "shift_full",
                                                        {"shift_id": ["No place left."]})

    policy = gateway.request("GET", "/api/v1/insurance/policies/P-1", user="staff1")
    shift = gateway.request("GET", "/api/v1/shifts/4", user="coord1")

    assert assert_problem(policy, 404, "policy_not_found")["detail"] == "No policy P-1."
    assert assert_problem(shift, 409, "shift_full")["errors"] == {
        "shift_id": ["No place left."]}
    assert gateway.insurance.get_policy.call_args.args[0] == "P-1"
    assert gateway.volunteers.get_shift.call_args.args[0] == 4


# --- 5. bad bodies, queries and ids never reach a service -------------------------------
@pytest.mark.parametrize("data", [
    "{not json",
    "[1, 2]",
    '"a string"',
    "",
], ids=["invalid-json", "array", "string", "empty"])
def test_a_body_that_is_not_a_json_object_gets_400(gateway, data):
    response = gateway.request("POST", "/api/v1/disbursements", user="staff1", data=data,
                               headers={"Content-Type": "application/json"})

    problem = assert_problem(response, 400, "bad_request")
    assert list(problem["errors"]) == ["_body"]
    assert gateway.no_service_called()


@pytest.mark.parametrize("change, field", [
    ({"amount_fen": "12"}, "amount_fen"),
    ({"amount_fen": 12.5}, "amount_fen"),
    ({"amount_fen": 0}, "amount_fen"),
    ({"fund_code": "general"}, "fund_code"),
    ({"purpose": "   "}, "purpose"),
    ({"payee": {}}, "payee.name"),
    ({"surprise": True}, "surprise"),
], ids=["string-amount", "float-amount", "zero-amount", "bad-fund-code", "blank-purpose",
        "payee-without-name", "unknown-field"])
def test_a_body_failing_the_schema_gets_422_naming_the_field(gateway, change, field):
    response = gateway.request("POST", "/api/v1/disbursements", user="staff1",
                               json={**DISBURSEMENT, **change})

    problem = assert_problem(response, 422, "invalid_input")
    assert field in problem["errors"], problem["errors"]
    assert gateway.no_service_called()


def test_a_missing_field_is_named(gateway):
    body = {key: value for key, value in DISBURSEMENT.items() if key != "purpose"}

    response = gateway.request("POST", "/api/v1/disbursements", user="staff1", json=body)

    assert list(assert_problem(response, 422, "invalid_input")["errors"]) == ["purpose"]
    assert gateway.no_service_called()


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=x", "limit"),
                                          ("offset=-1", "offset")])
def test_a_bad_query_gets_422_naming_the_parameter(gateway, query, field):
    response = gateway.request("GET", f"/api/v1/funds?{query}", user="staff1")

    assert field in assert_problem(response, 422, "invalid_input")["errors"]
    assert gateway.no_service_called()


def test_an_id_past_32_bits_is_not_found_without_a_call(gateway):
    response = gateway.request("GET", f"/api/v1/disbursements/{2**31}", user="staff1")

    assert_problem(response, 404, "not_found")
    assert gateway.no_service_called()


# --- 6. correlation ids -----------------------------------------------------------------
def test_the_clients_correlation_id_comes_back(gateway):
    gateway.fund.list_funds.return_value = {"items": []}

    ok = gateway.request("GET", "/api/v1/funds", user="staff1",
                         headers={"X-Correlation-ID": "client-abc-123"})
    refused = gateway.request("GET", "/api/v1/funds",
                              headers={"X-Correlation-ID": "client-def-456"})

    assert ok.status_code == 200 and ok.headers["X-Correlation-ID"] == "client-abc-123"
    assert refused.headers["X-Correlation-ID"] == "client-def-456"
    assert assert_problem(refused, 401, "not_authenticated")["correlation_id"] == \
        "client-def-456"


def test_without_one_each_response_gets_a_fresh_correlation_id(gateway):
    gateway.fund.list_funds.return_value = {"items": []}

    first = gateway.request("GET", "/api/v1/funds", user="staff1")
    second = gateway.request("GET", "/api/v1/funds", user="staff1")

    ids = [first.headers["X-Correlation-ID"], second.headers["X-Correlation-ID"]]
    assert all(UUID.match(value) for value in ids), ids
    assert ids[0] != ids[1]


def test_a_long_correlation_id_is_cut_to_100_characters(gateway):
    response = gateway.request("GET", "/api/v1/funds", headers={"X-Correlation-ID": "x" * 300})

    assert response.headers["X-Correlation-ID"] == "x" * 100


# --- 7. unexpected failures -------------------------------------------------------------
SECRET_TEXT = "password=hunter2 host=db-internal-7"


@pytest.mark.parametrize("failure, detail", [
    (RuntimeError(SECRET_TEXT), "Something went wrong on our side"),
    (KeyError(SECRET_TEXT), "Something went wrong on our side"),
    (RemoteError("ZeroDivisionError", SECRET_TEXT), "A service failed"),
], ids=["runtime-error", "key-error", "remote-error"])
def test_an_unexpected_failure_is_a_500_that_leaks_nothing(gateway, failure, detail):
    gateway.fund.list_funds.side_effect = failure

    response = gateway.request("GET", "/api/v1/funds", user="staff1")

    problem = assert_problem(response, 500, "internal_error")
    assert problem["detail"].startswith(detail)
    assert problem["errors"] == {}
    for leak in ("hunter2", "db-internal-7", type(failure).__name__, "Traceback"):
        assert leak not in response.text
    gateway.fund.list_funds.assert_called_once()


def test_a_service_nobody_serves_is_a_503(gateway):
    gateway.fund.list_funds.side_effect = UnknownService("fund")

    response = gateway.request("GET", "/api/v1/funds", user="staff1")

    assert_problem(response, 503, "unavailable")


def test_a_broker_that_is_away_is_a_503_on_the_api_and_the_pages(gateway):
    away = KombuOperationalError("[Errno 111] ECONNREFUSED")
    gateway.fund.list_funds.side_effect = away
    assert_problem(gateway.request("GET", "/api/v1/funds", user="staff1"), 503, "unavailable")
    gateway.fund.public_funds.side_effect = away
    assert gateway.request("GET", "/public/341181").status_code == 503


# --- hostile bodies: a clear 4xx naming the field, and the service never asked ----------

@pytest.mark.parametrize(("text", "path"), [
    ('{"fund_code": "GENERAL", "purpose": "a\\u0000b"}', "purpose"),
    ('{"payee": {"name": "\\ud800"}}', "payee.name"),
    ('{"payee": {"name": ["ok", "\\udfff"]}}', "payee.name.1"),
    ('{"\\u0000": 1}', "\\x00"),
])
def test_nul_and_lone_surrogates_are_refused_by_field(gateway, text, path):
    response = gateway.request("POST", "/api/v1/disbursements", user="staff1", data=text,
                               headers={"Content-Type": "application/json"})
    body = assert_problem(response, 422, "invalid_input")
    assert path.encode().decode("unicode_escape") in body["errors"] or path in body["errors"]
    gateway.fund.request_disbursement.assert_not_called()


def test_invalid_utf8_and_deep_nesting_are_bad_requests(gateway):
    for data in (b'{"purpose": "\xff\xfe"}', ("[" * 100_000 + "]" * 100_000).encode()):
        response = gateway.request("POST", "/api/v1/disbursements", user="staff1", data=data,
                                   headers={"Content-Type": "application/json"})
        assert_problem(response, 400, "bad_request")
    gateway.fund.request_disbursement.assert_not_called()


def test_a_body_over_the_limit_is_refused_before_it_is_read(gateway):
    huge = b'{"purpose": "' + b"x" * (1024 * 1024 + 1) + b'"}'
    response = gateway.request("POST", "/api/v1/disbursements", user="staff1", data=huge,
                               headers={"Content-Type": "application/json",
                                        "X-Correlation-ID": "big-1"})
    body = assert_problem(response, 413, "body_too_large")
    assert body["correlation_id"] == "big-1"
    gateway.fund.request_disbursement.assert_not_called()


def test_a_method_the_path_does_not_take_is_405_with_allow(gateway):
    response = gateway.request("PUT", "/api/v1/funds", user="staff1", json={})
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
