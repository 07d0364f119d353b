"""The year's insurance reports through the gateway, over HTTP only: a product's premiums due
and paid by payer, its claims by status with the rejection's reason, its loss ratio; as JSON
and as xlsx; for staff and auditors only, and only for years 1900 to 2999."""
from datetime import timedelta

from tests.e2e.test_exports_over_http import sheet_rows
from tests.e2e.test_premiums_over_http import define, enrol, premium_product, share_paid_by_fund
from tests.insurance_data import TODAY, claim
from tests.support import assert_problem

REPORTS = "/api/v1/insurance/reports"


def of_product(report: dict, code: str) -> list[dict]:
    return [row for row in report["items"] if row["product_code"] == code]


def test_reports_sum_a_products_premiums_and_claims_of_the_year(anonymous):
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    body, _ = premium_product(admin)
    define(admin, body)
    code = body["code"]
    paid, owing = enrol(staff1, code, 901), enrol(staff1, code, 902)
    year = (TODAY - timedelta(days=10)).year  # the year the policies start (enrol's)
    for policy in (paid, owing):  # the fund pays the government's shares; one family pays
        share_paid_by_fund(staff1, policy["policy_no"])
    recorded = staff1.call("POST", f"/api/v1/insurance/policies/{paid['id']}/payments",
                           {"payer": "family", "amount_fen": 3_000})
    assert recorded.status_code == 200, recorded.text
    refused = staff1.call("POST", "/api/v1/insurance/claims", claim(paid["policy_no"]))
    assert refused.status_code == 201, refused.text
    rejected = staff2.call("POST", f"/api/v1/insurance/claims/{refused.json()['id']}/reject",
                           {"reason": "not covered"})
    assert rejected.status_code == 200, rejected.text
    auditor = anonymous.login("auditor1")

    premiums = auditor.call("GET", f"{REPORTS}/premiums?year={year}")
    assert premiums.status_code == 200, premiums.text
    assert of_product(premiums.json(), code) == [
        {"product_code": code, "payer": "family", "due_fen": 6_000, "paid_fen": 3_000},
        {"product_code": code, "payer": "government", "due_fen": 18_000, "paid_fen": 18_000}]
    claims = staff1.call("GET", f"{REPORTS}/claims?year={year}").json()  # incident: 10 days ago
    assert of_product(claims, code) == [
        {"product_code": code, "status": "rejected", "rejection_reason": "not covered",
         "claims": 1, "claimed_fen": 5_000, "approved_fen": 0}]
    ratio = staff1.call("GET", f"{REPORTS}/loss-ratio?year={year}").json()
    [row] = of_product(ratio, code)
    assert row["paid_claims_fen"] == 0 and row["ratio"] == 0.0
    assert 0 < row["earned_premium_fen"] <= 12_000 + 9_000

    rows = sheet_rows(staff1.call("GET", f"{REPORTS}/premiums?year={year}&format=xlsx&lang=en"))
    assert rows[0] == ("Product", "Payer", "Due (fen)", "Paid (fen)")
    assert (code, "family", 6_000, 3_000) in rows


def test_reports_are_for_staff_and_auditors_and_years_1900_to_2999(anonymous):
    staff = anonymous.login("staff1")
    for kind in ("premiums", "claims", "loss-ratio"):
        for who in ("coordinator1", "donor1"):
            assert_problem(anonymous.login(who).call("GET", f"{REPORTS}/{kind}?year=2025"), 403)
        for year in ("1899", "3000", "nineteen"):
            refused = staff.call("GET", f"{REPORTS}/{kind}?year={year}")
            assert list(assert_problem(refused, 422)["errors"]) == ["year"]
        assert staff.call("GET", f"{REPORTS}/{kind}?year=1900").json() == {"year": 1900,
                                                                         "items": []}
