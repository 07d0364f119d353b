"""Service tests: the real VolunteersService in a nameko container, on a vhost of its own on
the machine's RabbitMQ, over a freshly migrated database (SQLite and PostgreSQL in turn).
Tests talk to it only by RPC and by events published on the other services' exchanges, and
read its database where an answer does not show what must be checked."""

import pytest
from sqlalchemy import select

from services.volunteers.models import SignupHistory
from shared.actors import sign
from shared.contracts.events import build_envelope
from shared.errors import Conflict, Forbidden
from tests.support import EventTap
from tests.volunteer_data import COORDINATOR, as_volunteer, shift

DONOR = sign({"username": "donor1", "role": "donor", "donor_id": 1})


def claim_approved(claim_id=7, care_visit=True, **extra) -> dict:
    return build_envelope("insurance.claim_approved", {
        "association_code": "341181", "claim_id": claim_id, "claim_no": f"CL-{claim_id}",
        "policy_no": "P-1", "product_code": "ONLY_CHILD_ACCIDENT",
        "amount_approved_fen": 3_000, "payout_fund_code": "INSURANCE_PAYOUT",
        "insured_name": "赵六", "insured_id_number_masked": "3411**********1234",
        "care_visit": care_visit, "approved_by": "staff2", **extra}, "claim-correlation")


def disbursement_paid(disbursement_id=11, fund_code="SPECIAL_FAMILY", version=None,
                      **extra) -> dict:
    return build_envelope("fund.disbursement_paid", {
        "association_code": "341181", "disbursement_id": disbursement_id,
        "fund_code": fund_code, "amount_fen": 50_000, "reference": "钱家",
        "paid_at": "2027-05-01T10:00:00+08:00", **extra}, "fund-correlation", version)


def deliver_claim(volunteers, envelope):
    return volunteers.deliver("on_claim_approved", "insurance.events", "claim_approved",
                              envelope)


def deliver_paid(volunteers, envelope):
    return volunteers.deliver("on_disbursement_paid", "fund.events", "disbursement_paid",
                              envelope)


# 1. Capacity and waitlist

def test_a_full_shift_waitlists_and_a_cancellation_promotes_the_first_waiting(volunteers):
    shift_id = volunteers.rpc.create_shift(shift(volunteers.activity(), capacity=2),
                                           COORDINATOR)["id"]
    first, second, third = (volunteers.register(n) for n in (1, 2, 3))

    answers = [volunteers.rpc.sign_up(shift_id, {"volunteer_id": v}, COORDINATOR)
               for v in (first, second, third)]
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted"]
    assert [a["volunteer_id"] for a in answers] == [first, second, third]
    assert [(h["from_status"], h["to_status"]) for h in answers[2]["history"]] == \
        [(None, "waitlisted")]
    assert answers[2]["history"][0]["actor"] == "coordinator1"

    seen = volunteers.rpc.get_shift(shift_id, COORDINATOR)
    assert [p["volunteer_id"] for p in seen["confirmed"]] == [first, second]
    assert [p["volunteer_id"] for p in seen["waitlisted"]] == [third]

    cancelled = volunteers.rpc.cancel_signup(shift_id, first, as_volunteer(first))
    assert cancelled["status"] == "cancelled"
    assert len(cancelled["promoted_signups"]) == 1

    seen = volunteers.rpc.get_shift(shift_id, COORDINATOR)
    assert [p["volunteer_id"] for p in seen["confirmed"]] == [second, third]
    assert seen["waitlisted"] == []

    with volunteers.session() as session:
        history = session.scalars(select(SignupHistory).where(
            SignupHistory.signup_id == cancelled["promoted_signups"][0])
            .order_by(SignupHistory.id)).all()
        steps = [(h.from_status, h.to_status, h.actor) for h in history]
    assert steps == [(None, "waitlisted", "coordinator1"),
                     ("waitlisted", "confirmed", f"vol{first}")]


# 2. Act-as-self and roles

def test_the_service_makes_a_volunteer_act_and_read_only_as_themself(volunteers):
    shift_id = volunteers.rpc.create_shift(shift(volunteers.activity()), COORDINATOR)["id"]
    me = volunteers.register(1)
    other = volunteers.register(2)

    with pytest.raises(Forbidden) as refused:
        volunteers.rpc.sign_up(shift_id, {"volunteer_id": other}, as_volunteer(me))
    assert refused.value.code == "not_yourself"
    assert volunteers.rpc.get_shift(shift_id, COORDINATOR)["confirmed"] == []

    with pytest.raises(Forbidden) as refused:
        volunteers.rpc.get_volunteer(other, as_volunteer(me))
    assert refused.value.code == "not_yourself"

    # As themself, the same calls are allowed.
    assert volunteers.rpc.sign_up(shift_id, {"volunteer_id": me},
                                  as_volunteer(me))["status"] == "confirmed"
    assert volunteers.rpc.get_volunteer(me, as_volunteer(me))["id"] == me


def test_roles_and_signatures_are_checked_by_the_service(volunteers):
    activity_id = volunteers.activity()

    with pytest.raises(Forbidden) as refused:
        volunteers.rpc.create_shift(shift(activity_id), DONOR)
    assert refused.value.code == "role_not_allowed"

    with pytest.raises(Forbidden) as refused:
        volunteers.rpc.create_shift(shift(activity_id),
                                    {"username": "coordinator1", "role": "coordinator"})
    assert refused.value.code == "unsigned_actor"

    assert volunteers.rpc.list_shifts({}, COORDINATOR)["total"] == 0


# 3. Claim approved → care visit

def test_an_approved_claim_asking_for_a_visit_opens_one_however_often_it_arrives(volunteers):
    event = claim_approved()
    for _ in range(3):
        deliver_claim(volunteers, event)  # the same event, redelivered
    # The same claim again under a new event id still opens no second visit.
    deliver_claim(volunteers, {**claim_approved(), "event_id": "7b0c2a4e-0000-4000-8000-"
                                                               "000000000001"})

    visits = volunteers.visits()
    assert visits["total"] == 1
    [visit] = visits["items"]
    assert visit["status"] == "open"
    assert visit["family_name"] == "赵六"
    assert visit["required_skills"] == ["social_work"]
    assert "CL-7" in visit["reason"]
    assert visit["history"][0]["to_status"] == "open"
    assert visit["history"][0]["from_status"] is None
    assert len(visit["history"]) == 1


def test_an_approved_claim_without_a_care_visit_opens_none(volunteers):
    deliver_claim(volunteers, claim_approved(claim_id=8, care_visit=False))
    assert volunteers.visits() == {"items": [], "total": 0}


# 4. Disbursement paid → assistance visit

def test_a_special_family_disbursement_opens_a_visit(volunteers):
    deliver_paid(volunteers, disbursement_paid(11, "SPECIAL_FAMILY"))
    visits = volunteers.visits()
    assert visits["total"] == 1
    assert visits["items"][0]["family_name"] == "钱家"
    assert visits["items"][0]["history"][0]["to_status"] == "open"


def test_a_general_fund_disbursement_opens_no_visit(volunteers):
    deliver_paid(volunteers, disbursement_paid(12, "GENERAL"))
    assert volunteers.visits()["total"] == 0


def test_a_premium_the_special_family_fund_pays_opens_no_visit(volunteers):
    premium = disbursement_paid(13, "SPECIAL_FAMILY")
    premium["data"]["source_key"] = "premium:341181:17:government"
    deliver_paid(volunteers, premium)
    assert volunteers.visits()["total"] == 0


def test_what_a_payment_was_for_decides_its_visit_not_the_fund_that_made_it(volunteers):
    for number, fund_code, category in ((14, "SHANGEN", "special_family_assistance"),
                                        (15, "SPECIAL_FAMILY", "elderly_care"),
                                        (16, "SPECIAL_FAMILY", "insurance_premium")):
        deliver_paid(volunteers, disbursement_paid(number, fund_code, category=category))
    [visit] = volunteers.visits()["items"]
    assert visit["reason"] == "Special-family assistance paid (disbursement 14)"


def test_an_event_from_before_payments_said_what_for_is_judged_by_its_fund(volunteers):
    deliver_paid(volunteers, disbursement_paid(17, "SPECIAL_FAMILY", version=2))
    deliver_paid(volunteers, disbursement_paid(18, "SHANGEN", version=2))
    assert [v["reason"] for v in volunteers.visits()["items"]] == [
        "Special-family assistance paid (disbursement 17)"]


# 4b. A family's care plan → its visit

def visit_due(family_id=21, due_on="2027-06-01") -> dict:
    return build_envelope("families.visit_due", {
        "association_code": "341181", "family_id": family_id, "family_no": "F-341181-0021",
        "family_name": "孙七", "address": "天长市铜城镇龙岗村8号", "skills": ["social_work"],
        "due_on": due_on}, "care-correlation")


def test_a_visit_due_opens_one_visit_with_the_familys_name_and_address(volunteers):
    tap = EventTap(volunteers.config["AMQP_URI"], "volunteers.events", "visit_requested")
    try:
        event = visit_due()
        for again in (event, event, {**visit_due(), "event_id": "7b0c2a4e-0000-4000-8000-"
                                                                "000000000002"}):
            volunteers.deliver("on_visit_due", "families.events", "visit_due", again)
        requested = tap.drain(settle=1.5)
    finally:
        tap.close()

    [visit] = volunteers.visits()["items"]
    assert (visit["family_id"], visit["family_name"], visit["address"]) == \
        (21, "孙七", "天长市铜城镇龙岗村8号")
    assert visit["required_skills"] == ["social_work"]
    assert visit["starts_at"].startswith("2027-06-01T09:00")
    assert [m["body"]["data"]["family_id"] for m in requested] == [21]
    assert requested[0]["body"]["version"] == 2
    # Another day of the same plan is another visit.
    volunteers.deliver("on_visit_due", "families.events", "visit_due",
                       visit_due(due_on="2027-07-01"))
    assert volunteers.visits()["total"] == 2


def test_a_visit_opened_by_a_familys_claim_names_the_family(volunteers):
    deliver_claim(volunteers, claim_approved(claim_id=9, family_id=21))
    [visit] = volunteers.visits()["items"]
    assert visit["family_id"] == 21 and visit["address"] is None


def family_announced(event_type="family_registered", family_id=31, address="天长市秦栏镇胡桥村3号",
                     head="李秀英", **extra) -> dict:
    return build_envelope(f"families.{event_type}", {
        "association_code": "341181", "family_id": family_id, "family_no": "F-341181-0031",
        "category": "special_bereaved", "village_code": "341181101001", "address": address,
        "members": [{"member_id": 1, "name": head, "relation": "head",
                     "id_number_masked": "3411**********0042"}], **extra}, "family-correlation")


def announce(volunteers, envelope):
    name = envelope["event_type"].partition(".")[2]
    return volunteers.deliver(f"on_{name}", "families.events", name, envelope)


def test_a_visit_for_a_known_family_shows_its_head_and_address_whatever_opened_it(volunteers):
    announce(volunteers, family_announced(registered_by="staff1"))
    deliver_claim(volunteers, claim_approved(claim_id=41, family_id=31))
    deliver_paid(volunteers, {**disbursement_paid(42), "data": {
        **disbursement_paid(42)["data"], "family_id": 31}})
    visits = volunteers.visits()["items"]
    assert [(v["family_name"], v["address"]) for v in visits] == \
        [("李秀英", "天长市秦栏镇胡桥村3号")] * 2


def test_a_family_that_moves_moves_its_visits_not_done_and_an_old_word_changes_nothing(
        volunteers):
    deliver_claim(volunteers, claim_approved(claim_id=43, family_id=32))  # not known yet
    assert volunteers.visits()["items"][0]["address"] is None
    announce(volunteers, family_announced(family_id=32, registered_by="staff1"))
    assert volunteers.visits()["items"][0]["address"] == "天长市秦栏镇胡桥村3号"
    moved = family_announced("family_updated", family_id=32, address="天长市秦栏镇新街9号",
                             changed=["address"], updated_by="staff2")
    stale = {**family_announced("family_updated", family_id=32, address="旧地址",
                                changed=["address"], updated_by="staff2"),
             "occurred_at": "2020-01-01T00:00:00+00:00"}
    announce(volunteers, moved)
    announce(volunteers, stale)
    [visit] = volunteers.visits()["items"]
    assert (visit["family_name"], visit["address"]) == ("李秀英", "天长市秦栏镇新街9号")


# 5. Visit lifecycle

def test_a_visit_is_assigned_once_and_completed_once_with_hours_for_its_team(volunteers):
    deliver_claim(volunteers, claim_approved(claim_id=21))
    [visit] = volunteers.visits()["items"]
    social = [volunteers.register(n, ("social_work",)) for n in (1, 2)]
    general = volunteers.register(3, ("general",))

    with pytest.raises(Conflict) as refused:
        volunteers.rpc.assign(visit["id"], {"volunteer_ids": [social[0], general]},
                              COORDINATOR)
    assert refused.value.code == "missing_skill"
    assert volunteers.visits()["items"][0]["status"] == "open"

    assigned = volunteers.rpc.assign(visit["id"], {"volunteer_ids": social}, COORDINATOR)
    assert assigned["status"] == "assigned"
    assert assigned["volunteer_ids"] == sorted(social)
    assert [h["to_status"] for h in assigned["history"]] == ["open", "assigned"]

    with pytest.raises(Conflict) as refused:
        volunteers.rpc.assign(visit["id"], {"volunteer_ids": social}, COORDINATOR)
    assert refused.value.code == "illegal_transition"

    done = volunteers.rpc.complete(visit["id"], {"minutes": 90, "notes": "家访顺利"},
                                   COORDINATOR)
    assert done["status"] == "completed"
    assert done["minutes"] == 90
    for volunteer_id in social:
        assert volunteers.rpc.get_volunteer(volunteer_id, COORDINATOR)["minutes_total"] == 90
    assert volunteers.rpc.get_volunteer(general, COORDINATOR)["minutes_total"] == 0

    with pytest.raises(Conflict) as refused:
        volunteers.rpc.complete(visit["id"], {"minutes": 30}, COORDINATOR)
    assert refused.value.code == "illegal_transition"
    for volunteer_id in social:
        assert volunteers.rpc.get_volunteer(volunteer_id, COORDINATOR)["minutes_total"] == 90


def test_a_volunteer_without_the_needed_skill_cannot_be_assigned(volunteers):
    deliver_paid(volunteers, disbursement_paid(31))
    [visit] = volunteers.visits()["items"]
    general = volunteers.register(1, ("general",))

    with pytest.raises(Conflict) as refused:
        volunteers.rpc.assign(visit["id"], {"volunteer_ids": [general]}, COORDINATOR)
    assert refused.value.code == "missing_skill"
    [still] = volunteers.visits()["items"]
    assert still["status"] == "open"
    assert still["volunteer_ids"] == []


# 6. Pagination

def test_volunteers_are_listed_a_page_at_a_time_in_id_order(volunteers):
    ids = [volunteers.register(n) for n in range(1, 6)]
    page = volunteers.rpc.list_volunteers({"limit": 2, "offset": 2}, COORDINATOR)
    assert page["total"] == 5
    assert [v["id"] for v in page["items"]] == sorted(ids)[2:4]
    last = volunteers.rpc.list_volunteers({"limit": 2, "offset": 4}, COORDINATOR)
    assert [v["id"] for v in last["items"]] == sorted(ids)[4:]


def test_shifts_are_listed_a_page_at_a_time_in_id_order(volunteers):
    activity_id = volunteers.activity()
    ids = [volunteers.rpc.create_shift(shift(activity_id), COORDINATOR)["id"]
           for _ in range(5)]
    page = volunteers.rpc.list_shifts({"limit": 2, "offset": 2}, COORDINATOR)
    assert page["total"] == 5
    assert [s["id"] for s in page["items"]] == sorted(ids)[2:4]
    last = volunteers.rpc.list_shifts({"limit": 2, "offset": 4}, COORDINATOR)
    assert [s["id"] for s in last["items"]] == sorted(ids)[4:]
