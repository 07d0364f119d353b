"""Hostile and careless input over HTTP, against the real processes: every bad input a 4xx
naming its field, nothing half-written, no identifier leaked, a logout that sticks."""
import os
import stat
import uuid
from datetime import date

import pytest
import requests

from shared.identity import make_resident_id
from tests.support import assert_problem

COMPANY = {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}


@pytest.fixture
def admin(anonymous):
    return anonymous.login("admin")


@pytest.fixture
def staff(anonymous):
    return anonymous.login("staff1")


def test_a_body_that_is_not_declared_json_is_a_415(staff):
    response = requests.post(staff.base + "/api/v1/donations", timeout=30,
                             data='{"fund_code": "GENERAL"}',
                             headers={"Authorization": f"Bearer {staff.token}",
                                      "Content-Type": "text/plain"})
    assert_problem(response, 415, "unsupported_media_type")


def test_every_answer_carries_the_security_headers(staff):
    for response in (staff.call("GET", "/api/v1/me"), staff.call("GET", "/api/v1/nowhere"),
                     requests.get(staff.base + "/login", timeout=30)):
        headers = response.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


def test_a_logged_out_token_is_refused_and_other_tokens_of_the_user_are_not(anonymous):
    first = anonymous.login("staff2")
    second = anonymous.login("staff2")
    assert first.call("GET", "/api/v1/me").status_code == 200
    assert first.call("POST", "/api/v1/auth/logout").status_code == 204
    assert_problem(first.call("GET", "/api/v1/me"), 401, "not_authenticated")
    assert_problem(first.call("POST", "/api/v1/auth/logout"), 401, "not_authenticated")
    assert second.call("GET", "/api/v1/me").status_code == 200


@pytest.mark.parametrize(("changes", "field"), [
    ({"min_age": 5.5}, "min_age"),
    ({"per_year_cap_fen": 40_000}, "per_year_cap_fen"),
    ({"waiting_days": "3"}, "waiting_days"),
    ({"term_days": 3650.5}, "term_days"),
    ({"payout_fund_code": "NO_SUCH_FUND"}, "payout_fund_code"),
    ({"payout_fund_code": "GENERAL_CARE"}, "payout_fund_code"),  # pays no claims
])
def test_a_product_that_could_not_work_is_refused_by_field(admin, changes, field):
    admin.call("POST", "/api/v1/funds", {"code": "GENERAL_CARE", "name": "Care only",
                                         "restricted": False,
                                         "allowed_categories": ["elderly_care"]})
    code = "H" + uuid.uuid4().hex[:6].upper()
    product = {"code": code, "name": "险", "payout_fund_code": "INSURANCE_PAYOUT",
               "per_claim_cap_fen": 50_000, "per_year_cap_fen": 100_000, "waiting_days": 0,
               "term_days": 365, **changes}
    body = assert_problem(admin.call("POST", "/api/v1/insurance/products", product), 422)
    assert field in body["errors"], body
    codes = [p["code"] for p in admin.call("GET", "/api/v1/insurance/products?limit=500")
             .json()["items"]]
    assert code not in codes  # nothing half-written


def _born_2000(n: int) -> str:
    return make_resident_id("341181", date(2000, 3, 1), 500 + n)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/insurance/policies", {"product_code": "ONLY_CHILD_ACCIDENT",
                                    "start_date": "9999-12-31",
                                    "insured": {"name": "某", "id_number": _born_2000(1)}},
     "start_date"),
    ("/api/v1/insurance/policies", {"product_code": "ONLY_CHILD_ACCIDENT",
                                    "start_date": "1999-01-01",
                                    "insured": {"name": "某", "id_number": _born_2000(2)}},
     "start_date"),
    ("/api/v1/insurance/claims", {"policy_no": "P-1", "amount_claimed_fen": 100,
                                  "incident_date": "0001-01-01", "description": "x"},
     "incident_date"),
])
def test_dates_past_the_edges_are_422_on_their_field(staff, path, body, field):
    response = staff.call("POST", path, body)
    assert field in assert_problem(response, 422)["errors"], response.text


@pytest.mark.parametrize("amount", ["9e999999", "-9e999999", "1e-999", "NaN", "Infinity",
                                    "12.5", "1" + "0" * 40, "true", '"100"'])
def test_numbers_json_allows_but_money_does_not_are_422(staff, amount):
    raw = ('{"fund_code": "GENERAL", "channel": "cash", "amount_fen": ' + amount +
           ', "donor": {"kind": "person", "name": "某"}}')
    response = requests.post(staff.base + "/api/v1/donations", data=raw, timeout=30,
                             headers={"Authorization": f"Bearer {staff.token}",
                                      "Content-Type": "application/json"})
    assert list(assert_problem(response, 422)["errors"]) == ["amount_fen"]


def test_a_shift_at_the_end_of_the_calendar_is_refused(anonymous):
    coordinator = anonymous.login("coordinator1")
    response = coordinator.call("POST", "/api/v1/shifts", {
        "activity_id": 1, "starts_at": "9999-12-31T23:00:00-05:00",
        "ends_at": "9999-12-31T23:30:00-05:00", "capacity": 1})
    assert {"starts_at", "ends_at"} <= set(assert_problem(response, 422)["errors"])


@pytest.mark.parametrize("query", ["from=2026-05-02&to=2026-05-01", "from=0001-01-01",
                                   "to=9999-12-31", "from=2026-13-01", "limit=5.5"])
def test_hours_and_ranking_refuse_periods_that_make_no_sense(anonymous, query):
    coordinator = anonymous.login("coordinator1")
    for path in ("/api/v1/volunteers/ranking", "/api/v1/volunteers/1/hours"):
        assert_problem(coordinator.call("GET", f"{path}?{query}"), 422)
    staff = anonymous.login("staff1")
    if "limit" not in query:
        assert_problem(staff.call("GET", f"/api/v1/funds/GENERAL/statement?{query}"), 422)


def test_credit_codes_and_identifiers_in_notes_are_masked(staff, admin):
    note = "王先生 11010519491231002X 电话13812345678 代码91350100M000100Y43"
    given = staff.call("POST", "/api/v1/donations", {
        "fund_code": "GENERAL", "amount_fen": 1_000, "channel": "cash", "donor": COMPANY,
        "note": note})
    assert given.status_code == 201, given.text
    shown = given.json()
    assert shown["note"] == "王先生 1101**********002X 电话138****5678 代码9135**********0Y43"
    listed = staff.call("GET", "/api/v1/donations?limit=500").text
    for secret in ("11010519491231002X", "13812345678", "91350100M000100Y43"):
        assert secret not in listed
    donor = staff.call("GET", f"/api/v1/donors/{shown['donor_id']}").json()
    assert donor["credit_code"] == "9135**********0Y43"
    revealed = admin.call("GET", f"/api/v1/donors/{shown['donor_id']}/identity",
                          params={"reason": "checking the credit code"}).json()
    assert revealed["credit_code"] == "91350100M000100Y43"


def test_databases_and_secrets_are_the_owners_alone(running_system):
    var = running_system.env["PHF_VAR_DIR"]
    files = [name for name in os.listdir(var) if name.endswith(".db") or "secret" in name
             or name.endswith("-key")]
    assert any(name.endswith(".db") for name in files), os.listdir(var)
    for name in files:
        mode = stat.S_IMODE(os.stat(os.path.join(var, name)).st_mode)
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"


@pytest.mark.parametrize("path", ["/api/v1/funds/GEN%00ERAL", "/api/v1/insurance/policies/P%00",
                                  "/api/v1/public/trace/R%00-1", "/api/v1/donations/" + "9" * 30])
def test_a_path_naming_nothing_a_person_could_type_is_a_404(staff, path):
    assert_problem(staff.call("GET", path), 404)


def test_a_query_string_with_nul_is_422_on_that_parameter(staff):
    body = assert_problem(staff.call("GET", "/api/v1/disbursements?status=paid%00"), 422)
    assert list(body["errors"]) == ["status"]


@pytest.mark.parametrize("key", ["k\x01ey", "x" * 201])
def test_an_idempotency_key_must_be_short_printable_text(staff, key):
    response = staff.call("POST", "/api/v1/donations", {
        "fund_code": "GENERAL", "amount_fen": 100, "channel": "cash", "donor": COMPANY},
        headers={"Idempotency-Key": key})
    assert "Idempotency-Key" in assert_problem(response, 422)["errors"]


def test_a_correlation_id_that_is_not_a_plain_token_is_replaced(staff):
    response = staff.call("GET", "/api/v1/me", headers={"X-Correlation-ID": "a b\x7f<c>"})
    assert response.status_code == 200
    assert response.headers["X-Correlation-ID"] != "a b\x7f<c>"
