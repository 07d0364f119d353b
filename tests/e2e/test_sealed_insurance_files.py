"""Insurance's personal data typed through the API is in no file of its database: an
insured person's identity number and phone, a claim's description and its payee's account
number are found in neither the insurance database nor its write-ahead log, while the API
still finds the policy by identity number, keeps one active policy per person and product,
and shows the claim (its account masked)."""
from datetime import date, timedelta
from pathlib import Path

from shared.identity import make_resident_id
from tests.e2e.test_insurance_over_http import new_product
from tests.insurance_data import TODAY

PERSON = make_resident_id("341181", date(1966, 7, 7), 973)  # no other test's person
PHONE = "13905509733"
DESCRIPTION = "密封病情：左股骨颈骨折，住院十二天"
ACCOUNT = "6222029733000097331"


def stored_bytes(system) -> bytes:
    var = Path(system.env["PHF_VAR_DIR"])
    return b"".join(path.read_bytes() for path in var.glob("insurance.db*"))


def test_a_policys_and_a_claims_personal_data_is_nowhere_in_clear(anonymous, running_system):
    admin, staff = anonymous.login("admin"), anonymous.login("staff1")
    product, _ = new_product(admin, "SEAL")
    enrolment = {"product_code": product, "start_date": (TODAY - timedelta(days=100)).isoformat(),
                 "insured": {"name": "密封丙", "id_number": PERSON, "phone": PHONE}}
    policy = staff.call("POST", "/api/v1/insurance/policies", enrolment)
    assert policy.status_code == 201, policy.text
    submitted = staff.call("POST", "/api/v1/insurance/claims", {
        "policy_no": policy.json()["policy_no"], "amount_claimed_fen": 9_000,
        "description": DESCRIPTION, "incident_date": (TODAY - timedelta(days=5)).isoformat(),
        "payee": {"bank": "中国工商银行天长支行", "account_no": ACCOUNT}})
    assert submitted.status_code == 201, submitted.text

    again = staff.call("POST", "/api/v1/insurance/policies", enrolment)
    assert again.status_code == 409 and again.json()["code"] == "already_insured"
    found = staff.call("GET", "/api/v1/insurance/policies", params={"id_number": PERSON})
    assert [p["policy_no"] for p in found.json()["items"]] == [policy.json()["policy_no"]]
    shown = staff.call("GET", f"/api/v1/insurance/claims/{submitted.json()['id']}").json()
    assert shown["description"] == DESCRIPTION
    assert ACCOUNT not in shown["payee"]["account_no"]

    stored = stored_bytes(running_system)
    for secret in (PERSON, PHONE, DESCRIPTION, ACCOUNT):
        assert secret.encode() not in stored, secret
