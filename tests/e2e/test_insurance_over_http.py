"""Insurance through the gateway, over HTTP only: enrol, claim, approve, and the fund pays."""
import time
import uuid
from datetime import timedelta

from tests.insurance_data import TODAY, claim, person

TIMEOUT = 30


def wait_for_status(client, claim_id, status):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = client.call("GET", f"/api/v1/insurance/claims/{claim_id}").json()
        if found["status"] == status:
            return found
        time.sleep(0.2)
    raise AssertionError(f"claim {claim_id} is {found['status']}, not {status}")


def new_product(admin, fund_code, money=0):
    """A product paying from a fund of its own, so the test knows every movement."""
    code = "T" + uuid.uuid4().hex[:8].upper()
    assert admin.call("POST", "/api/v1/funds", {"code": fund_code + code, "name": "Test payouts",
                                                "restricted": True}).status_code == 201
    product = {"code": code, "name": "测试险", "payout_fund_code": fund_code + code,
               "per_claim_cap_fen": 50_000, "per_year_cap_fen": 100_000, "waiting_days": 0,
               "term_days": 365}
    assert admin.call("POST", "/api/v1/insurance/products", product).status_code == 201
    if money:
        give(admin, fund_code + code, money)
    return code, fund_code + code


def give(client, fund_code, amount):
    response = client.call("POST", "/api/v1/donations", {
        "fund_code": fund_code, "amount_fen": amount, "channel": "bank",
        "donor": {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}})
    assert response.status_code == 201, response.text


def enrol_and_claim(staff, product, n, amount=12_000):
    policy = staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "insured": person(n),
        "start_date": (TODAY - timedelta(days=100)).isoformat()})
    assert policy.status_code == 201, policy.text
    submitted = staff.call("POST", "/api/v1/insurance/claims",
                           claim(policy.json()["policy_no"], amount))
    assert submitted.status_code == 201, submitted.text
    return submitted.json()


def balance(client, code):
    return client.call("GET", f"/api/v1/funds/{code}").json()["balance_fen"]


def test_enrol_claim_approve_and_see_it_paid(anonymous):
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    product, fund = new_product(admin, "PAY", money=100_000)
    submitted = enrol_and_claim(staff1, product, 101)
    assert (submitted["status"], submitted["flags"]) == ("submitted", [])
    approved = staff2.call("POST", f"/api/v1/insurance/claims/{submitted['id']}/approve",
                           {"amount_approved_fen": 11_500})
    assert approved.status_code == 200, approved.text
    paid = wait_for_status(staff1, submitted["id"], "paid")
    assert paid["payout"]["amount_fen"] == 11_500
    assert [h["to_status"] for h in paid["history"]] == ["submitted", "approved", "paid"]
    assert balance(staff1, fund) == 100_000 - 11_500


def test_a_claim_waits_for_an_empty_fund_and_is_paid_when_money_arrives(anonymous):
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    product, fund = new_product(admin, "EMPTY")
    submitted = enrol_and_claim(staff1, product, 102)
    staff2.call("POST", f"/api/v1/insurance/claims/{submitted['id']}/approve",
                {"amount_approved_fen": 12_000})
    waiting = wait_for_status(staff1, submitted["id"], "approved_awaiting_funds")
    assert waiting["payout"]["status"] == "waiting_for_funds"
    give(staff1, fund, 20_000)
    wait_for_status(staff1, submitted["id"], "paid")
    assert balance(staff1, fund) == 8_000


def test_claims_are_for_staff_and_bad_claims_name_the_field(anonymous):
    donor = anonymous.login("donor1")
    staff = anonymous.login("staff1")
    assert donor.call("GET", "/api/v1/insurance/claims").status_code == 403
    bad = staff.call("POST", "/api/v1/insurance/claims",
                     {"policy_no": "nope", "incident_date": "2026-02-30",
                      "amount_claimed_fen": 0, "description": ""})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"incident_date", "amount_claimed_fen", "description"}
    unknown = staff.call("POST", "/api/v1/insurance/claims", claim("PL-nope"))
    assert (unknown.status_code, list(unknown.json()["errors"])) == (422, ["policy_no"])


def test_the_demo_products_and_review_queue(anonymous):
    staff = anonymous.login("staff1")
    products = staff.call("GET", "/api/v1/insurance/products").json()["items"]
    assert {"ONLY_CHILD_ACCIDENT", "STERILISATION_COMPLICATION",
            "SPECIAL_FAMILY_COMPREHENSIVE"} <= {p["code"] for p in products}
    flagged = staff.call("GET", "/api/v1/insurance/claims", params={"status": "flagged"}).json()
    assert any(f["code"] == "over_per_claim_cap" for c in flagged["items"] for f in c["flags"])
    assert all("*" in c["insured"]["id_number"] for c in flagged["items"])


def test_an_incident_the_policy_cannot_cover_is_refused_on_its_date(anonymous):
    admin, staff = anonymous.login("admin"), anonymous.login("staff1")
    product, _ = new_product(admin, "DATES")
    ended = staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "insured": person(103),
        "start_date": (TODAY - timedelta(days=400)).isoformat()}).json()
    assert ended["policy_no"].startswith(f"PL-341181-{TODAY.year}-")  # registered this year
    for days_ago in (-1, 10):  # in the future; after the cover ended
        refused = staff.call("POST", "/api/v1/insurance/claims",
                             claim(ended["policy_no"], days_ago=days_ago))
        assert (refused.status_code, list(refused.json()["errors"])) == (422, ["incident_date"])
    old = staff.call("POST", "/api/v1/insurance/claims", claim(ended["policy_no"], days_ago=390))
    assert old.json()["claim_no"].startswith(f"CL-341181-{TODAY.year}-")


def test_a_village_is_renewed_once_and_again_is_a_409_naming_each_policy(anonymous):
    admin, staff = anonymous.login("admin"), anonymous.login("staff1")
    product, _ = new_product(admin, "RENEW")
    village = "341181100209"
    numbers = [staff.call("POST", "/api/v1/insurance/policies", {
        "product_code": product, "insured": person(n), "village_code": village,
        "start_date": (TODAY - timedelta(days=350)).isoformat()}).json()["policy_no"]
        for n in (104, 105)]
    listed = staff.call("GET", f"/api/v1/insurance/renewals?product_code={product}"
                               f"&village_code={village}")
    assert listed.status_code == 200, listed.text
    assert [p["policy_no"] for p in listed.json()["items"]] == numbers
    body = {"village_code": village, "product_code": product}
    renewed = staff.call("POST", "/api/v1/insurance/renewals", body)
    assert (renewed.status_code, renewed.json()["renewed"]) == (200, 2)
    again = staff.call("POST", "/api/v1/insurance/renewals", body)
    assert (again.status_code, again.json()["code"], sorted(again.json()["errors"])) == \
        (409, "renewal_refused", numbers)
    assert {r["outcome"] for r in again.json()["results"]} == {"already_renewed"}
    assert again.headers["Content-Type"] == "application/problem+json"
    bad = staff.call("POST", "/api/v1/insurance/renewals", {"product_code": product})
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["policy_nos"])
    donor = anonymous.login("donor1")
    assert donor.call("POST", "/api/v1/insurance/renewals", body).status_code == 403
