"""Recurring gifts over HTTP only, on the running system with its demo data: a donor starts a
monthly plan with a pledge, sees it among their plans, the first month is confirmed like any
pledge and counts on the annual receipt, and the donor cancels the rest; months outside 1–60
are refused on `recurring.months`, and only the donor, staff and auditors see a plan."""
import uuid

from tests.support import assert_problem

GIFT = {"fund_code": "SHANGEN", "amount_fen": 1_200, "channel": "wechat"}


def test_a_donor_starts_a_monthly_plan_and_cancels_it(anonymous):
    donor, staff = anonymous.login("donor1"), anonymous.login("staff1")
    me = donor.call("GET", "/api/v1/me").json()
    before = donor.call("GET", f"/api/v1/donors/{me['donor_id']}/annual-receipt").json()
    first = donor.call("POST", "/api/v1/pledges", {**GIFT, "recurring": {"months": 12}})
    assert first.status_code == 201, first.text
    plan_id, month = first.json()["recurring_plan_id"], first.json()["month"]
    assert plan_id and month == 1
    assert plan_id in [p["id"] for p in donor.call("GET", "/api/v1/recurring").json()["items"]]
    confirmed = staff.call("POST", f"/api/v1/pledges/{first.json()['id']}/confirm",
                           {"channel_txn_id": f"wx-{uuid.uuid4().hex}"})
    assert confirmed.status_code == 200, confirmed.text

    cancelled = donor.call("POST", f"/api/v1/recurring/{plan_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    plan = cancelled.json()
    assert (plan["status"], plan["months"], plan["months_made"], plan["confirmed_fen"]) == (
        "cancelled", 12, 1, 1_200)
    assert plan["next_month_on"] is None
    assert_problem(donor.call("POST", f"/api/v1/recurring/{plan_id}/cancel"), 409)
    after = donor.call("GET", f"/api/v1/donors/{me['donor_id']}/annual-receipt").json()
    assert after["total_fen"] == before["total_fen"] + 1_200

    assert anonymous.login("auditor1").call("GET", f"/api/v1/recurring/{plan_id}").json()[
        "pledges"][0]["status"] == "confirmed"
    assert_problem(anonymous.login("coordinator1").call("GET", f"/api/v1/recurring/{plan_id}"),
                   403)
    assert_problem(donor.call("GET", "/api/v1/recurring/2147483000"), 404,
                   "recurring_plan_not_found")


def test_months_outside_1_to_60_are_refused_and_the_public_cannot_start_a_plan(anonymous):
    donor = anonymous.login("donor1")
    for months in (0, 61, None):
        refused = donor.call("POST", "/api/v1/pledges", {**GIFT, "recurring": {"months": months}})
        assert list(assert_problem(refused, 422)["errors"]) == ["recurring.months"]
    public = anonymous.call("POST", "/api/v1/pledges", {
        **GIFT, "recurring": {"months": 3}, "donor": {"kind": "person", "name": "路人"}})
    assert_problem(public, 403, "recurring_needs_login")
