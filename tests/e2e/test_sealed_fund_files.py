"""A donor's identity number and phone and a payee's identity number typed through the API
are in no fund database file (nor its write-ahead log), while the API still finds the donor
again by identity number or phone alone and shows the numbers masked."""
from datetime import date
from pathlib import Path

from tests.family_data import resident

BORN = date(1966, 6, 8)  # nobody else's people here were born that day
PHONE = "13905509744"


def stored_bytes(system) -> bytes:
    var = Path(system.env["PHF_VAR_DIR"])
    return b"".join(path.read_bytes() for path in var.glob("fund.db*"))


def test_a_donors_and_a_payees_personal_data_is_nowhere_in_clear(anonymous, running_system):
    staff = anonymous.login("staff1")
    donor_id, payee_id = resident(981, BORN), resident(982, BORN)

    def give(donor: dict):
        given = staff.call("POST", "/api/v1/donations", {
            "fund_code": "GENERAL", "amount_fen": 5_000, "channel": "wechat",
            "donor": {"kind": "person", "name": "密封丙", **donor}})
        assert given.status_code == 201, given.text
        return given.json()["donor_id"]

    first = give({"id_number": donor_id, "phone": PHONE})
    assert give({"id_number": donor_id}) == give({"phone": PHONE}) == first
    shown = staff.call("GET", f"/api/v1/donors/{first}").json()
    assert shown["phone"] == "139****9744" and shown["id_number"].endswith(donor_id[-4:])
    paid = staff.call("POST", "/api/v1/disbursements", {
        "fund_code": "GENERAL", "category": "child_care", "amount_fen": 100,
        "purpose": "助学", "payee": {"name": "密封丁", "id_number": payee_id}})
    assert paid.status_code == 201, paid.text
    assert paid.json()["payee"]["id_number"] != payee_id

    stored = stored_bytes(running_system)
    for secret in (donor_id, payee_id, PHONE):
        assert secret.encode() not in stored, secret
