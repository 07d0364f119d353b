"""What volunteers, families and applicants hear of: a place on a shift taken, waitlisted or
moved up into, the shift moved or called off; a care visit assigned, changed or called off
(to its team and the family's head, the village named and never the address); an
application decided. Each event names them with their phones sealed. The volunteers service
over real RabbitMQ (SQLite and PostgreSQL in turn), its events read as the broker carries
them."""
import pytest

from shared.errors import Conflict, InvalidInput
from shared.recipients import seal_contact
from tests.service.test_volunteer_applications import PUBLIC, applicant
from tests.service.test_volunteers_service import (
    announce,
    claim_approved,
    deliver_claim,
    family_announced,
)
from tests.support import EventTap, heard, of_type
from tests.volunteer_data import COORDINATOR, shift

HEAD_PHONE = "13905501111"
ADDRESS = "天长市秦栏镇胡桥村3号"


def phone(n: int) -> str:
    return f"139{n:08d}"  # as tests.volunteer_data registers them


def said(volunteers, act) -> list[dict]:
    tap = EventTap(volunteers.config["AMQP_URI"], "volunteers.events")
    try:
        act()
        return tap.drain()
    finally:
        tap.close()


def told(event: dict) -> list[tuple]:
    """(person, phone) of each recipient, every phone sealed on the wire."""
    people = heard(event, HEAD_PHONE, *(phone(n) for n in range(1, 10)))
    return [(person, contact) for person, _, contact, _ in people]


def test_a_place_taken_waitlisted_and_moved_up_into_tells_the_volunteer(volunteers):
    shift_id = volunteers.rpc.create_shift(shift(volunteers.activity(), capacity=1),
                                           COORDINATOR)["id"]
    first, second = volunteers.register(1), volunteers.register(2)

    def sign_up_then_cancel():
        for v in (first, second):
            volunteers.rpc.sign_up(shift_id, {"volunteer_id": v}, COORDINATOR)
        volunteers.rpc.cancel_signup(shift_id, first, COORDINATOR)
    events = said(volunteers, sign_up_then_cancel)

    signed = of_type(events, "volunteers.shift_signed_up")
    assert [(e["body"]["version"], e["body"]["data"]["status"], told(e)) for e in signed] == [
        (2, "confirmed", [(f"volunteer:{first}", phone(1))]),
        (2, "waitlisted", [(f"volunteer:{second}", phone(2))])]
    [promoted] = of_type(events, "volunteers.shift_promoted")
    assert told(promoted) == [(f"volunteer:{second}", phone(2))]
    data = promoted["body"]["data"]
    assert (data["title"], data["starts_at"], data["place"]) == (
        "义诊", "2027-05-29T01:00:00+00:00", None)


def test_a_shift_moved_or_called_off_tells_everyone_booked_and_takes_nobody_after(volunteers):
    shift_id = volunteers.rpc.create_shift(shift(volunteers.activity(), capacity=1),
                                           COORDINATOR)["id"]
    booked = [volunteers.register(n) for n in (1, 2)]
    for v in booked:
        volunteers.rpc.sign_up(shift_id, {"volunteer_id": v}, COORDINATOR)
    everyone = [(f"volunteer:{v}", phone(n)) for n, v in enumerate(booked, start=1)]

    def move_then_call_off():
        volunteers.rpc.change_shift(shift_id, {"starts_at": "2027-05-29T10:00:00+08:00",
                                               "place": "村卫生室"}, COORDINATOR)
        volunteers.rpc.change_shift(shift_id, {"place": "村卫生室"}, COORDINATOR)  # no change
        return volunteers.rpc.cancel_shift(shift_id, {"reason": "暴雨"}, COORDINATOR)
    answer = {}
    events = said(volunteers, lambda: answer.update(move_then_call_off()))

    [changed] = of_type(events, "volunteers.shift_changed")
    assert changed["body"]["data"]["changed"] == ["starts_at", "place"]
    assert changed["body"]["data"]["starts_at"] == "2027-05-29T02:00:00+00:00"
    assert told(changed) == everyone
    [cancelled] = of_type(events, "volunteers.shift_cancelled")
    assert (cancelled["body"]["data"]["reason"], told(cancelled)) == ("暴雨", everyone)
    assert (answer["status"], answer["cancel_reason"]) == ("cancelled", "暴雨")
    assert answer["confirmed"] == answer["waitlisted"] == []
    late = volunteers.register(3)
    with pytest.raises(Conflict) as refused:
        volunteers.rpc.sign_up(shift_id, {"volunteer_id": late}, COORDINATOR)
    assert refused.value.code == "shift_cancelled"


def test_a_shift_is_not_moved_to_end_before_it_starts(volunteers):
    shift_id = volunteers.rpc.create_shift(shift(volunteers.activity()), COORDINATOR)["id"]
    with pytest.raises(InvalidInput) as refused:
        volunteers.rpc.change_shift(shift_id, {"ends_at": "2027-05-29T08:00:00+08:00"},
                                    COORDINATOR)
    assert set(refused.value.fields) == {"ends_at"}
    with pytest.raises(InvalidInput) as refused:
        volunteers.rpc.change_shift(shift_id, {"starts_at": "2020-05-29T08:00:00+08:00"},
                                    COORDINATOR)
    assert set(refused.value.fields) == {"starts_at"}


def test_a_visit_assigned_changed_and_called_off_tells_its_team_and_the_familys_head(
        volunteers):
    head = {"person": "family:31", "name": "李秀英", "phone": seal_contact(HEAD_PHONE, "phone"),
            "email": None, "language": None}
    registered = family_announced(registered_by="staff1")
    announce(volunteers, {**registered, "data": {**registered["data"], "head": head}})
    deliver_claim(volunteers, claim_approved(claim_id=41, family_id=31,
                                             care_visit_skills=["general"]))
    [visit] = volunteers.visits()["items"]
    first, second = volunteers.register(1), volunteers.register(2)

    def assign_change_call_off():
        volunteers.rpc.assign(visit["id"], {"volunteer_ids": [first]}, COORDINATOR)
        volunteers.rpc.change_visit(visit["id"], {"volunteer_ids": [second]}, COORDINATOR)
        volunteers.rpc.cancel_visit(visit["id"], {"reason": "家中无人"}, COORDINATOR)
    events = said(volunteers, assign_change_call_off)

    family = ("family:31", HEAD_PHONE)
    [assigned] = of_type(events, "volunteers.visit_assigned")
    assert told(assigned) == [(f"volunteer:{first}", phone(1)), family]
    [changed] = of_type(events, "volunteers.visit_changed")
    assert changed["body"]["data"]["changed"] == ["volunteer_ids"]
    assert told(changed) == [(f"volunteer:{first}", phone(1)),
                             (f"volunteer:{second}", phone(2)), family]  # the one taken off too
    [cancelled] = of_type(events, "volunteers.visit_cancelled")
    assert told(cancelled) == [(f"volunteer:{second}", phone(2)), family]
    for event in (assigned, changed, cancelled):
        data = event["body"]["data"]
        assert (data["village_code"], data["starts_at"]) == (
            "341181101001", visit["starts_at"][:10] + "T01:00:00+00:00")  # 09:00 there
        assert ADDRESS not in str(event["body"])
    final = volunteers.visits()["items"][0]
    assert final["status"] == "cancelled" and final["history"][-1]["reason"] == "家中无人"


def test_an_application_decided_tells_the_applicant(volunteers):
    approved, declined = (volunteers.rpc.submit_application(applicant(n), PUBLIC)["id"]
                          for n in (5, 6))

    def decide():
        volunteers.rpc.approve_application(approved, COORDINATOR)
        volunteers.rpc.decline_application(declined, {"reason": "年龄不符"}, COORDINATOR)
    events = said(volunteers, decide)

    decisions = of_type(events, "volunteers.application_decided")
    assert [(e["body"]["data"]["decision"], e["body"]["data"]["reason"],
             heard(e, applicant(n)["phone"])) for e, n in zip(decisions, (5, 6), strict=True)] == [
        ("approved", None, [(f"applicant:{approved}", "申请人5", applicant(5)["phone"], None)]),
        ("declined", "年龄不符",
         [(f"applicant:{declined}", "申请人6", applicant(6)["phone"], None)])]
    assert decisions[0]["body"]["data"]["volunteer_id"] is not None
