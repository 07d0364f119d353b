"""Premiums, product versions and bulk enrolment through the gateway, over HTTP only, on the
running system with its demo data: a product with a premium shared by a fund and the
family, its policies waiting for the shares, staff recording the family's, claims flagged
meanwhile, and a village's families enrolled from the register once."""
import time
import uuid
from datetime import timedelta

from tests.e2e.test_insurance_over_http import give
from tests.family_data import family
from tests.insurance_data import TODAY, claim, person
from tests.support import assert_problem

TIMEOUT = 30
PREMIUM = 12_000  # 75% from the fund, 25% from the family


def premium_product(admin, **changes) -> tuple[dict, str]:
    tag = uuid.uuid4().hex[:6].upper()
    fund = f"PREM_{tag}"
    created = admin.call("POST", "/api/v1/funds", {"code": fund, "name": "Premiums",
                                                   "restricted": True})
    assert created.status_code == 201, created.text
    give(admin, fund, 100_000)
    body = {"code": "P" + tag, "name": "家庭保费险", "payout_fund_code": fund,
            "per_claim_cap_fen": 50_000, "per_year_cap_fen": 100_000, "waiting_days": 0,
            "term_days": 365, "premium_fen": PREMIUM, "premium_shares": [
                {"payer": "government", "share_pct": 75, "fund_code": fund},
                {"payer": "family", "share_pct": 25}], **changes}
    return body, fund


def define(admin, body) -> dict:
    response = admin.call("POST", "/api/v1/insurance/products", body)
    assert response.status_code == 201, response.text
    return response.json()


def enrol(staff, product, n) -> dict:
    response = staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "insured": person(n),
        "start_date": (TODAY - timedelta(days=10)).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()


def share_paid_by_fund(staff, policy_no) -> dict:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = staff.call("GET", f"/api/v1/insurance/policies/{policy_no}").json()
        if found["shares"][0]["status"] == "paid":
            return found
        time.sleep(0.2)
    raise AssertionError(f"the fund's share of {policy_no} is {found['shares'][0]}")


def test_a_product_is_versioned_and_its_premium_shares_are_checked(anonymous):
    admin = anonymous.login("admin")
    body, fund = premium_product(admin)
    first = define(admin, body)
    assert (first["version"], first["premium_fen"]) == (1, PREMIUM)
    assert first["premium_shares"] == [
        {"payer": "government", "share_pct": 75, "fund_code": fund},
        {"payer": "family", "share_pct": 25, "fund_code": None}]
    assert define(admin, body)["version"] == 1
    assert define(admin, {**body, "waiting_days": 30})["version"] == 2

    for shares, field in [
            ([{"payer": "family", "share_pct": 50}], "premium_shares"),
            ([{"payer": "family", "share_pct": 100, "fund_code": "NO_SUCH_FUND"}],
             "premium_shares.0.fund_code"),
            ([{"payer": "neighbour", "share_pct": 100}], "premium_shares.0.payer")]:
        refused = admin.call("POST", "/api/v1/insurance/products",
                             {**body, "premium_shares": shares})
        assert list(assert_problem(refused, 422)["errors"]) == [field]


def test_the_family_pays_its_share_by_hand_and_the_policy_comes_in_force(anonymous):
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    body, fund = premium_product(admin)
    define(admin, body)
    policy = enrol(staff1, body["code"], 801)
    assert policy["status"] == "pending_payment"
    assert [(s["payer"], s["amount_fen"], s["status"]) for s in policy["shares"]] == [
        ("government", 9_000, "due"), ("family", 3_000, "due")]

    flagged = staff1.call("POST", "/api/v1/insurance/claims", claim(policy["policy_no"]))
    assert flagged.status_code == 201, flagged.text
    assert [f["code"] for f in flagged.json()["flags"]] == ["premium_unpaid"]

    waiting = share_paid_by_fund(staff1, policy["policy_no"])
    assert waiting["status"] == "pending_payment"
    payments = f"/api/v1/insurance/policies/{policy['id']}/payments"
    for wrong, field in [({"payer": "family", "amount_fen": 2_999}, "amount_fen"),
                         ({"payer": "department", "amount_fen": 3_000}, "payer"),
                         ({"payer": "government", "amount_fen": 9_000}, "payer"),
                         ({"payer": "family"}, "amount_fen")]:
        assert list(assert_problem(staff1.call("POST", payments, wrong), 422)["errors"]) == \
            [field]
    recorded = staff1.call("POST", payments, {"payer": "family", "amount_fen": 3_000})
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["status"] == "active"
    paid = staff2.call("GET", f"/api/v1/insurance/policies/{policy['policy_no']}").json()
    assert paid["history"][-1]["to_status"] == "active"
    assert [s["status"] for s in paid["shares"]] == ["paid", "paid"]
    assert_problem(staff2.call("POST", payments, {"payer": "family", "amount_fen": 3_000}),
                   409, "share_already_paid")
    assert_problem(anonymous.login("donor1").call(
        "POST", payments, {"payer": "family", "amount_fen": 3_000}), 403)
    assert_problem(staff1.call("POST", "/api/v1/insurance/policies/2147483000/payments",
                               {"payer": "family", "amount_fen": 3_000}), 404)
    approved = staff2.call("POST", f"/api/v1/insurance/claims/{flagged.json()['id']}/approve",
                           {"amount_approved_fen": 1_000})
    assert approved.status_code == 200, approved.text
    balance = staff1.call("GET", f"/api/v1/funds/{fund}").json()["balance_fen"]
    assert balance <= 100_000 - 9_000


def test_a_village_is_enrolled_from_the_register_once(anonymous):
    admin = anonymous.login("admin")
    staff = anonymous.login("staff1")
    village = "3411811" + uuid.uuid4().hex[:5].translate(str.maketrans("abcdef", "123456"))
    for people, category in (((811, 812), "only_child"), ((813,), "two_daughters")):
        registered = staff.call("POST", "/api/v1/families",
                                family(*people, category=category, village=village))
        assert registered.status_code == 201, registered.text
    body, _ = premium_product(admin, premium_fen=0, premium_shares=[],
                              categories=["only_child"])
    define(admin, body)
    bulk = {"product_code": body["code"], "village_code": village,
            "start_date": TODAY.isoformat()}

    first = staff.call("POST", "/api/v1/insurance/policies/bulk", bulk)
    assert first.status_code == 200, first.text
    assert first.json()["enrolled"] == 2
    assert [s["reason"] for s in first.json()["skipped"]] == ["ineligible_category"]
    for policy_no in first.json()["policy_nos"]:
        one = staff.call("GET", f"/api/v1/insurance/policies/{policy_no}").json()
        assert one["status"] == "active" and one["family_id"] is not None
        assert "*" in one["insured"]["id_number"]

    again = staff.call("POST", "/api/v1/insurance/policies/bulk", bulk).json()
    assert again["enrolled"] == 0
    assert [s["reason"] for s in again["skipped"]] == [
        "already_insured", "already_insured", "ineligible_category"]

    assert list(assert_problem(staff.call("POST", "/api/v1/insurance/policies/bulk",
                                          {**bulk, "village_code": "12"}), 422)["errors"]) \
        == ["village_code"]
    assert_problem(anonymous.login("auditor1").call("POST", "/api/v1/insurance/policies/bulk",
                                                   bulk), 403)


def test_the_new_endpoints_are_documented(anonymous):
    paths = anonymous.call("GET", "/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/insurance/policies/bulk"]
    assert "post" in paths["/api/v1/insurance/policies/{policy_id}/payments"]
