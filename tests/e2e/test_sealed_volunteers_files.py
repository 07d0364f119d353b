"""Personal data typed through the API is in no file of the volunteers database: a
volunteer's and an applicant's identity numbers and phones, and the address of a family the
volunteers service keeps for care visits, are found in neither the database nor its
write-ahead log, while the API still finds people by their identity numbers (one volunteer,
one pending application each) and shows them masked."""
import sqlite3
import time
from datetime import date
from pathlib import Path

from tests.e2e.test_sealed_files import VILLAGE
from tests.family_data import resident
from tests.volunteer_data import volunteer

ADDRESS = "天长市铜城镇志愿村9号"
BORN = date(1967, 7, 7)  # nobody else's people here were born that day
APPLICANT = {"name": "密封丙", "id_number": resident(973, BORN), "phone": "13905509733",
             "skills": ["general"]}


def volunteers_db(system) -> Path:
    return Path(system.env["PHF_VAR_DIR"]) / "volunteers.db"


def stored_bytes(system) -> bytes:
    database = volunteers_db(system)
    return b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))


def wait_for_home(system, family_id: int, timeout: float = 30) -> None:
    """Until the volunteers service has kept the family's home (from families' event)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(volunteers_db(system)) as connection:
            if connection.execute("SELECT count(*) FROM family_homes WHERE family_id = ?",
                                  (family_id,)).fetchone()[0]:
                return
        time.sleep(0.2)
    raise AssertionError("the family's home never arrived")


def test_volunteers_applicants_and_homes_personal_data_is_nowhere_in_clear(anonymous,
                                                                             running_system):
    coordinator = anonymous.login("coordinator1")
    body = {**volunteer(974), "id_number": resident(974, BORN)}
    made = coordinator.call("POST", "/api/v1/volunteers", body)
    assert made.status_code == 201, made.text
    again = coordinator.call("POST", "/api/v1/volunteers", body)
    assert (again.status_code, again.json()["code"]) == (409, "already_registered")
    shown = coordinator.call("GET", f"/api/v1/volunteers/{made.json()['id']}").json()
    assert shown["phone"] == body["phone"][:3] + "****" + body["phone"][-4:]

    applied = anonymous.call("POST", "/api/v1/public/volunteer-applications", APPLICANT)
    assert applied.status_code == 201, applied.text
    twice = anonymous.call("POST", "/api/v1/public/volunteer-applications", APPLICANT)
    assert (twice.status_code, twice.json()["code"]) == (409, "already_applied")
    as_volunteer = anonymous.call("POST", "/api/v1/public/volunteer-applications",
                                  {**APPLICANT, "id_number": body["id_number"]})
    assert (as_volunteer.status_code, as_volunteer.json()["code"]) == \
        (409, "already_registered")

    staff = anonymous.login("staff1")
    family = staff.call("POST", "/api/v1/families", {
        "category": "only_child", "address": ADDRESS, "village_code": VILLAGE,
        "members": [{"name": "密封丁", "id_number": resident(975, BORN), "relation": "head"}]})
    assert family.status_code == 201, family.text
    wait_for_home(running_system, family.json()["id"])

    stored = stored_bytes(running_system)
    for secret in (body["id_number"], body["phone"], APPLICANT["id_number"],
                   APPLICANT["phone"], ADDRESS):
        assert secret.encode() not in stored, secret
