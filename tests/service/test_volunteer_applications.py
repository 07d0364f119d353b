"""Service tests of applications to volunteer: the real VolunteersService in a nameko
container on its own vhost of the machine's RabbitMQ, over a freshly migrated database
(SQLite and PostgreSQL in turn). Tests speak to it only by RPC, as the gateway does, and
read its database where an answer does not show what must be checked."""
from datetime import date

import pytest
from sqlalchemy import func, select

from services.volunteers.models import Application, Volunteer
from shared.actors import public_actor, sign
from shared.crypto import blind
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.identity import make_resident_id
from tests.volunteer_data import COORDINATOR, volunteer

PUBLIC = public_actor()
COORDINATOR2 = sign({"username": "coordinator2", "role": "coordinator"})


def applicant(n: int, skills=("general",), **extra) -> dict:
    return {"name": f"申请人{n}", "id_number": make_resident_id("341181", date(1985, 6, 1), n),
            "phone": f"137{n:08d}", "skills": list(skills), **extra}


def test_an_approved_application_becomes_a_volunteer_with_its_certificates(volunteers):
    rpc = volunteers.rpc
    body = applicant(1, skills=["general", {"code": "legal_aid"}], certificates=[
        {"skill": "legal_aid", "certificate_no": "LA-2027-9", "expires_on": "2030-06-30"}])
    made = rpc.submit_application(body, PUBLIC)
    assert made["status"] == "pending" and made["volunteer_id"] is None
    assert made["id_number"] == "3411**********" + body["id_number"][-4:]
    assert made["phone"] == "137****0001"
    assert made["skills"] == [
        {"code": "general", "certificate_no": None, "expires_on": None},
        {"code": "legal_aid", "certificate_no": "LA-2027-9", "expires_on": "2030-06-30"}]
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in made["history"]] == \
        [(None, "pending", "public")]

    approved = rpc.approve_application(made["id"], COORDINATOR)
    application = approved["application"]
    assert approved["phone"] == body["phone"]  # the gateway's default username
    assert application["status"] == "approved"
    assert application["decided_by"] == "coordinator1" and application["decided_at"]
    assert application["history"][-1]["from_status"] == "pending"
    assert application["history"][-1]["reason"] == \
        f"registered as volunteer {application['volunteer_id']}"

    person = rpc.get_volunteer(application["volunteer_id"], COORDINATOR)
    assert person["name"] == "申请人1" and person["status"] == "active"
    assert {s["code"]: s["certificate_no"] for s in person["skills"]} == \
        {"general": None, "legal_aid": "LA-2027-9"}

    # Approving again (a retry) answers the same volunteer and registers nobody else.
    again = rpc.approve_application(made["id"], COORDINATOR2)
    assert again["application"]["volunteer_id"] == application["volunteer_id"]
    assert again["application"]["decided_by"] == "coordinator1"
    assert rpc.list_volunteers({}, COORDINATOR)["total"] == 1


def test_a_declined_application_keeps_who_declined_it_and_why(volunteers):
    rpc = volunteers.rpc
    made = rpc.submit_application(applicant(2), PUBLIC)
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(InvalidInput) as refused:
            rpc.decline_application(made["id"], {"reason": reason}, COORDINATOR)
        assert "reason" in refused.value.fields

    declined = rpc.decline_application(made["id"], {"reason": "暂不需要法律援助"},
                                       COORDINATOR)
    assert declined["status"] == "declined"
    assert declined["decline_reason"] == "暂不需要法律援助"
    assert declined["decided_by"] == "coordinator1"
    assert [(h["from_status"], h["to_status"], h["actor"], h["reason"])
            for h in declined["history"]][-1] == \
        ("pending", "declined", "coordinator1", "暂不需要法律援助")
    assert rpc.get_application(made["id"], COORDINATOR) == declined

    with pytest.raises(Conflict) as refused:
        rpc.approve_application(made["id"], COORDINATOR)
    assert refused.value.code == "illegal_transition"
    assert rpc.list_volunteers({}, COORDINATOR)["total"] == 0


def test_one_pending_application_per_identity_number(volunteers):
    rpc = volunteers.rpc
    first = rpc.submit_application(applicant(3), PUBLIC)
    with pytest.raises(Conflict) as refused:
        rpc.submit_application({**applicant(3), "name": "别名"}, PUBLIC)
    assert refused.value.code == "already_applied"
    assert list(refused.value.fields) == ["id_number"]

    # Once decided, the person may apply again.
    rpc.decline_application(first["id"], {"reason": "资料不全"}, COORDINATOR)
    assert rpc.submit_application(applicant(3), PUBLIC)["status"] == "pending"


def test_a_person_already_volunteering_is_refused_and_nothing_is_half_written(volunteers):
    rpc = volunteers.rpc
    session = volunteers.session
    rpc.register(volunteer(4), COORDINATOR)
    with pytest.raises(Conflict) as refused:
        rpc.submit_application({**applicant(4), "id_number": volunteer(4)["id_number"]},
                               PUBLIC)
    assert refused.value.code == "already_registered"
    assert list(refused.value.fields) == ["id_number"]

    # Registered by a coordinator while the application waited: approving it is refused
    # and leaves it pending, with no second volunteer.
    made = rpc.submit_application(applicant(5), PUBLIC)
    rpc.register({**volunteer(5), "id_number": applicant(5)["id_number"]}, COORDINATOR)
    with pytest.raises(Conflict) as refused:
        rpc.approve_application(made["id"], COORDINATOR)
    assert refused.value.code == "already_registered"
    assert rpc.get_application(made["id"], COORDINATOR)["status"] == "pending"
    with session() as db:
        assert db.scalar(select(func.count()).select_from(Volunteer).where(
            Volunteer.id_index == blind(applicant(5)["id_number"], "id_number"))) == 1
        assert db.scalar(select(Application.volunteer_id).where(
            Application.id == made["id"])) is None


@pytest.mark.parametrize(("change", "field"), [
    ({"id_number": "341181198506010001"}, "id_number"),  # wrong check digit
    ({"phone": "12345"}, "phone"),
    ({"name": "  "}, "name"),
    ({"skills": []}, "skills"),
    ({"skills": ["juggling"]}, "skills.0.code"),
    ({"certificates": [{"skill": "legal_aid", "certificate_no": "LA-1"}]},
     "certificates.0.skill"),
    ({"certificates": [{"skill": "general", "certificate_no": ""}]},
     "certificates.0.certificate_no"),
    ({"certificates": [{"skill": "general", "certificate_no": "G-1",
                        "expires_on": "2030-02-30"}]}, "certificates.0.expires_on"),
    ({"age": 30}, "age"),
])
def test_every_bad_field_is_refused_by_name(volunteers, change, field):
    rpc = volunteers.rpc
    with pytest.raises(InvalidInput) as refused:
        rpc.submit_application({**applicant(6), **change}, PUBLIC)
    assert field in refused.value.fields
    assert rpc.list_applications({}, COORDINATOR)["total"] == 0


def test_coordinators_read_the_oldest_waiting_first_and_others_may_not(volunteers):
    rpc = volunteers.rpc
    ids = [rpc.submit_application(applicant(n), PUBLIC)["id"] for n in (7, 8, 9)]
    rpc.decline_application(ids[1], {"reason": "重复"}, COORDINATOR)

    pending = rpc.list_applications({"status": "pending"}, COORDINATOR)
    assert [a["id"] for a in pending["items"]] == [ids[0], ids[2]]
    assert pending["total"] == 2
    page = rpc.list_applications({"limit": "1", "offset": "1"}, COORDINATOR)
    assert [a["id"] for a in page["items"]] == [ids[1]] and page["total"] == 3
    with pytest.raises(InvalidInput) as refused:
        rpc.list_applications({"status": "maybe"}, COORDINATOR)
    assert "status" in refused.value.fields

    volunteer_actor = sign({"username": "vol1", "role": "volunteer", "volunteer_id": 1})
    for call in (lambda: rpc.list_applications({}, volunteer_actor),
                 lambda: rpc.get_application(ids[0], PUBLIC),
                 lambda: rpc.approve_application(ids[0], volunteer_actor),
                 lambda: rpc.decline_application(ids[0], {"reason": "不"}, PUBLIC)):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(Forbidden) as refused:
        rpc.submit_application(applicant(10), {"username": "public", "role": "public"})
    assert refused.value.code == "unsigned_actor"
