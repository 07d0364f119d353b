"""Personal data typed through the API is in no database file of the service that keeps
it in clear: a family's identity numbers, phones and address, and a member's, are found in
neither the families database nor its write-ahead log, while the API still finds and shows
them (masked) and keeps one person to one family."""
from datetime import date
from pathlib import Path

from tests.family_data import resident

VILLAGE = "341181001001"
ADDRESS = "天长市铜城镇密封村8号"
BORN = date(1966, 6, 6)  # nobody else's people here were born that day


def stored_bytes(system) -> bytes:
    var = Path(system.env["PHF_VAR_DIR"])
    return b"".join(path.read_bytes() for path in var.glob("families.db*"))


def test_a_familys_and_a_members_personal_data_is_nowhere_in_clear(anonymous, running_system):
    staff = anonymous.login("staff1")
    people = [resident(n, BORN) for n in (971, 972)]
    family = staff.call("POST", "/api/v1/families", {
        "category": "only_child", "address": ADDRESS, "village_code": VILLAGE,
        "members": [{"name": "密封甲", "id_number": people[0], "relation": "head",
                     "phone": "13905509711"}]})
    assert family.status_code == 201, family.text
    member = staff.call("POST", "/api/v1/members", {
        "name": "密封乙", "id_number": people[1], "phone": "13905509722",
        "grassroots_code": "341181"})
    assert member.status_code == 201, member.text

    again = staff.call("POST", "/api/v1/families", {
        "category": "other", "address": "别处", "village_code": VILLAGE,
        "members": [{"name": "密封甲", "id_number": people[0], "relation": "head"}]})
    assert again.status_code == 409 and again.json()["code"] == "already_in_family"
    shown = staff.call("GET", f"/api/v1/families/{family.json()['id']}").json()
    assert shown["address"] == ADDRESS and shown["members"][0]["phone"] == "139****9711"

    stored = stored_bytes(running_system)
    for secret in (*people, "13905509711", "13905509722", ADDRESS):
        assert secret.encode() not in stored, secret
