"""The fund through the gateway, over HTTP only, with the demo data loaded."""
import uuid

import pytest

PERSON = {"kind": "person", "name": "陈明", "id_number": "11010519491231002X"}


def gift(amount=1_000, fund="GENERAL", donor=PERSON):
    return {"fund_code": fund, "amount_fen": amount, "channel": "wechat", "donor": donor}


def balance(client, code):
    return client.call("GET", f"/api/v1/funds/{code}").json()["balance_fen"]


def test_health_and_the_openapi_document(anonymous):
    health = anonymous.call("GET", "/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "services": {
        "gateway": "ok", "fund": "ok", "insurance": "ok", "volunteers": "ok", "families": "ok",
        "notifications": "ok"}}
    document = anonymous.call("GET", "/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    donation = document["paths"]["/api/v1/donations"]["post"]
    schema = donation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema.rsplit("/", 1)[1] in document["components"]["schemas"]
    assert "amount_fen" in document["components"]["schemas"]["DonorDonationIn"]["properties"]


def test_the_demo_funds_are_there(anonymous):
    staff = anonymous.login("staff1")
    funds = staff.call("GET", "/api/v1/funds").json()
    demo = {"GENERAL": False, "SPECIAL_FAMILY": True, "INSURANCE_PAYOUT": True,
            "SHANGEN": True}
    listed = {f["code"]: f["restricted"] for f in funds["items"]}
    assert {code: listed.get(code) for code in demo} == demo  # others' funds may be there
    assert funds["total"] == len(listed) >= len(demo)


def test_a_retry_with_the_same_key_gets_the_first_answer(anonymous):
    staff = anonymous.login("staff1")
    before = balance(staff, "GENERAL")
    key = {"Idempotency-Key": str(uuid.uuid4()), "X-Correlation-ID": "retry-check"}
    first = staff.call("POST", "/api/v1/donations", gift(1_234), key)
    assert first.status_code == 201, first.text
    assert first.headers["X-Correlation-ID"] == "retry-check"
    retry = staff.call("POST", "/api/v1/donations", gift(1_234), key)
    assert (retry.status_code, retry.json()) == (201, first.json())
    other = staff.call("POST", "/api/v1/donations", gift(9_999), key)
    assert other.status_code == 409
    assert other.headers["Content-Type"] == "application/problem+json"
    assert balance(staff, "GENERAL") == before + 1_234


@pytest.mark.parametrize("body, field", [
    ({}, "fund_code"),
    ({**gift(), "amount_fen": 10.5}, "amount_fen"),
    ({**gift(), "amount_fen": -1}, "amount_fen"),
    ({**gift(), "amount_fen": "100"}, "amount_fen"),
    ({**gift(), "channel": "gold"}, "channel"),
    ({**gift(), "fund_code": "NOPE"}, "fund_code"),
    (gift(donor={"kind": "person", "name": "x", "id_number": "110105194912310021"}),
     "donor.id_number"),
    (gift(donor={"kind": "person", "name": "x", "phone": "12345"}), "donor.phone"),
    ({**gift(), "surprise": 1}, "surprise"),
])
def test_bad_input_is_a_422_naming_the_field(anonymous, body, field):
    staff = anonymous.login("staff1")
    response = staff.call("POST", "/api/v1/donations", body)
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_a_body_that_is_not_json_is_a_400(anonymous):
    staff = anonymous.login("staff1")
    response = staff.call("POST", "/api/v1/donations", data="{not json",
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "_body" in response.json()["errors"]


def test_tokens_are_required_and_checked(anonymous):
    assert anonymous.call("GET", "/api/v1/funds").status_code == 401
    forged = anonymous.call("GET", "/api/v1/funds", headers={"Authorization": "Bearer x.y.z"})
    assert forged.status_code == 401
    wrong = anonymous.call("POST", "/api/v1/auth/token",
                           {"username": "staff1", "password": "guess"})
    assert wrong.status_code == 401


def test_four_eyes_over_http(anonymous):
    staff1 = anonymous.login("staff1")
    staff2 = anonymous.login("staff2")
    before = balance(staff1, "GENERAL")
    asked = staff1.call("POST", "/api/v1/disbursements", {
        "fund_code": "GENERAL", "category": "child_care", "amount_fen": 800, "purpose": "助学",
        "payee": {"name": "刘洋", "id_number": "11010519491231002X"}})
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    assert asked.json()["payee"]["id_number"] == "1101**********002X"
    own = staff1.call("POST", f"/api/v1/disbursements/{asked.json()['id']}/approve")
    assert (own.status_code, own.json()["code"]) == (403, "four_eyes")
    paid = staff2.call("POST", f"/api/v1/disbursements/{asked.json()['id']}/approve")
    assert paid.json()["status"] == "paid"
    assert balance(staff1, "GENERAL") == before - 800
    too_much = staff1.call("POST", "/api/v1/disbursements", {
        "fund_code": "GENERAL", "category": "poverty_relief", "amount_fen": 10**12,
        "purpose": "x", "payee": {"name": "y"}})
    refused = staff2.call("POST", f"/api/v1/disbursements/{too_much.json()['id']}/approve")
    assert (refused.json()["status"], refused.json()["reason"]) == ("rejected",
                                                                    "insufficient_funds")


def test_a_donor_gives_as_themself_and_sees_only_their_own(anonymous):
    donor = anonymous.login("donor1")
    staff = anonymous.login("staff1")
    me = donor.call("GET", "/api/v1/me").json()
    direct = donor.call("POST", "/api/v1/donations",
                        {"fund_code": "SHANGEN", "amount_fen": 500, "channel": "alipay"})
    assert (direct.status_code, direct.json()["code"]) == (403, "use_pledges")
    pledged = donor.call("POST", "/api/v1/pledges",
                         {"fund_code": "SHANGEN", "amount_fen": 500, "channel": "alipay"})
    assert pledged.status_code == 201, pledged.text
    assert pledged.json()["donor_id"] == me["donor_id"]
    confirmed = staff.call("POST", f"/api/v1/pledges/{pledged.json()['id']}/confirm",
                           {"channel_txn_id": f"alipay-{pledged.json()['id']}"})
    assert confirmed.json()["donation"]["donor_id"] == me["donor_id"], confirmed.text
    mine = donor.call("GET", "/api/v1/donations").json()
    assert mine["total"] >= 1 and {d["donor_id"] for d in mine["items"]} == {me["donor_id"]}
    someone_else = staff.call("POST", "/api/v1/donations", gift(300)).json()
    assert donor.call("GET", f"/api/v1/donations/{someone_else['id']}").status_code == 403
    assert donor.call("POST", "/api/v1/disbursements", {}).status_code == 403


def test_identity_numbers_are_masked_and_only_an_admin_may_reveal_one(anonymous):
    staff = anonymous.login("staff1")
    admin = anonymous.login("admin")
    given = staff.call("POST", "/api/v1/donations", gift(100)).json()
    donor = staff.call("GET", f"/api/v1/donors/{given['donor_id']}").json()
    assert donor["id_number"] == "1101**********002X"
    why = {"reason": "receipt query from the donor"}
    assert staff.call("GET", f"/api/v1/donors/{given['donor_id']}/identity",
                      params=why).status_code == 403
    revealed = admin.call("GET", f"/api/v1/donors/{given['donor_id']}/identity",
                          params=why).json()
    assert revealed["id_number"] == "11010519491231002X"


def test_a_statement_for_a_period(anonymous):
    staff = anonymous.login("staff1")
    statement = staff.call("GET", "/api/v1/funds/INSURANCE_PAYOUT/statement",
                           params={"from": "2000-01-01", "to": "2099-12-31"})
    assert statement.status_code == 200
    body = statement.json()
    assert body["closing_balance_fen"] == balance(staff, "INSURANCE_PAYOUT")
    assert body["total_in_fen"] - body["total_out_fen"] == body["closing_balance_fen"]
    backwards = staff.call("GET", "/api/v1/funds/GENERAL/statement",
                           params={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 422 and "to" in backwards.json()["errors"]


def test_unknown_paths_and_ids_are_problem_documents(anonymous):
    staff = anonymous.login("staff1")
    assert staff.call("GET", "/api/v1/donations/999999").status_code == 404
    assert staff.call("GET", "/api/v1/donations/99999999999999999999999").status_code == 404
    assert staff.call("POST", "/api/v1/disbursements/99999999999999999999/approve"
                      ).status_code == 404
    missing = anonymous.call("GET", "/api/v1/nowhere")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"


def test_refunding_money_already_spent_is_a_409_not_a_500(anonymous):
    admin, staff1, staff2 = (anonymous.login(u) for u in ("admin", "staff1", "staff2"))
    admin.call("POST", "/api/v1/funds", {"code": "REFUND_TEST", "name": "x", "restricted": False})
    given = staff1.call("POST", "/api/v1/donations", gift(1_000, fund="REFUND_TEST")).json()
    spent = staff1.call("POST", "/api/v1/disbursements", {
        "fund_code": "REFUND_TEST", "category": "poverty_relief", "amount_fen": 900,
        "purpose": "x", "payee": {"name": "y"}})
    staff2.call("POST", f"/api/v1/disbursements/{spent.json()['id']}/approve")
    refused = staff2.call("POST", f"/api/v1/donations/{given['id']}/refund", {"reason": "asked"})
    assert (refused.status_code, refused.json()["code"]) == (409, "insufficient_funds")
