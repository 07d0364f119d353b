"""Service tests: the real FamiliesService in a nameko container, on a vhost of its own on the
machine's RabbitMQ, over a freshly migrated database (SQLite and PostgreSQL in turn).
Tests talk to it only by RPC, listen on its event exchange as any consumer would, and read
its database only to show what the answers must not (full identity numbers, outbox rows)."""
import json
from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import delete, select

from services.families.models import OUTBOX, FamilyMember, TimelineEntry
from shared.actors import sign
from shared.clock import local_date, now_utc
from shared.contracts.events import build_envelope
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.identity import mask_id_number
from tests.family_data import VILLAGE, family, member, resident
from tests.support import STAFF1, STAFF2, EventTap, publish_raw, wait_until

COORDINATOR = sign({"username": "coordinator1", "role": "coordinator"})
AUDITOR = sign({"username": "auditor1", "role": "auditor"})
DONOR = sign({"username": "donor1", "role": "donor", "donor_id": 1})
VOLUNTEER = sign({"username": "volunteer1", "role": "volunteer", "volunteer_id": 1})
ELSEWHERE = sign({"username": "staff9", "role": "staff", "association_code": "341182"})


def full_numbers_in(answer, *people: int) -> list[str]:
    text = json.dumps(answer, ensure_ascii=False)
    return [resident(n) for n in people if resident(n) in text]


# 1. Registering, and what every answer shows

def test_a_family_is_registered_numbered_and_shown_masked(families):
    registered = families.register(1, 2, 3)

    assert registered["family_no"] == "F-341181-0001"
    assert registered["category"] == "only_child" and registered["village_code"] == VILLAGE
    assert [(m["name"], m["relation"]) for m in registered["members"]] == \
        [("成员1", "head"), ("成员2", "spouse"), ("成员3", "child")]
    assert [m["id_number"] for m in registered["members"]] == \
        [mask_id_number(resident(n)) for n in (1, 2, 3)]
    assert registered["members"][1]["phone"] == "139****0002"
    assert registered["members"][0]["phone"] is None
    assert registered["created_at"] and registered["updated_at"] is None
    assert families.register(4)["family_no"] == "F-341181-0002"

    for answer in (registered, families.rpc.get_family(registered["id"], STAFF1),
                   families.rpc.list_families({}, COORDINATOR),
                   families.rpc.update_family(registered["id"], {"address": "新地址"}, STAFF1)):
        assert full_numbers_in(answer, 1, 2, 3) == []
        assert "13905500002" not in json.dumps(answer)
    with families.session() as session:  # stored whole, for the one-family rule
        stored = set(session.scalars(select(FamilyMember.id_number)))
    assert {resident(n) for n in (1, 2, 3)} <= stored


def test_an_identity_number_typed_into_the_address_is_masked_too(families):
    registered = families.register(1, address=f"龙岗村，联系人证件 {resident(9)}")
    assert resident(9) not in registered["address"]
    assert mask_id_number(resident(9)) in registered["address"]


# 2. Bad input, by field

def test_bad_fields_are_named(families):
    body = {"category": "rich", "address": "  ", "village_code": "3411",
            "members": [{"name": "王一", "id_number": "34118119750401001",
                         "relation": "boss", "phone": "12345"}], "extra": 1}
    with pytest.raises(InvalidInput) as refused:
        families.rpc.register_family(body, STAFF1)
    assert set(refused.value.fields) == {"category", "address", "village_code", "extra",
                                         "members.0.id_number", "members.0.relation",
                                         "members.0.phone"}
    with pytest.raises(InvalidInput) as refused:
        families.rpc.register_family({**family(1), "members": []}, STAFF1)
    assert set(refused.value.fields) == {"members"}
    assert families.rpc.list_families({}, STAFF1)["total"] == 0


def test_the_same_person_twice_in_one_body_is_refused_on_that_member(families):
    body = family(1, 2)
    body["members"].append(member(2, "child"))
    with pytest.raises(InvalidInput) as refused:
        families.rpc.register_family(body, STAFF1)
    assert refused.value.code == "invalid_members"
    assert refused.value.fields == {
        "members.2.id_number": ["This person is listed twice in the family."]}


def test_a_family_needs_exactly_one_head(families):
    no_head = {**family(1), "members": [member(1, "spouse"), member(2, "child")]}
    with pytest.raises(InvalidInput) as refused:
        families.rpc.register_family(no_head, STAFF1)
    assert set(refused.value.fields) == {"members"}
    two_heads = {**family(1), "members": [member(1, "head"), member(2, "head")]}
    with pytest.raises(InvalidInput) as refused:
        families.rpc.register_family(two_heads, STAFF1)
    assert set(refused.value.fields) == {"members.1.relation"}
    assert families.rpc.list_families({}, STAFF1)["total"] == 0


# 3. One person, one family

def test_a_person_already_in_a_family_cannot_be_registered_in_another(families):
    first = families.register(1, 2)

    with pytest.raises(Conflict) as refused:
        families.register(5, 2)
    assert refused.value.code == "already_in_family"
    assert first["family_no"] in refused.value.message
    assert refused.value.fields == {
        "members.1.id_number": [f"Already in family {first['family_no']}."]}
    assert resident(2) not in refused.value.message
    assert families.rpc.list_families({}, STAFF1)["total"] == 1
    # The refused registration took no family number and left no one behind.
    assert families.register(5)["family_no"] == "F-341181-0002"


def test_adding_a_person_of_another_family_is_refused_and_changes_nothing(families):
    first = families.register(1, 2)
    second = families.register(3)
    with pytest.raises(Conflict) as refused:
        families.rpc.update_family(second["id"], {"address": "改了",
                                                  "members": [member(3, "head"), member(2)]},
                                   STAFF1)
    assert refused.value.code == "already_in_family"
    assert first["family_no"] in refused.value.message
    assert families.rpc.get_family(second["id"], STAFF1) == second


def test_once_removed_a_person_may_join_another_family(families):
    first = families.register(1, 2)
    second = families.register(3)
    families.rpc.update_family(first["id"], {"members": [member(1, "head")]}, STAFF1)
    moved = families.rpc.update_family(second["id"], {"members": [member(3, "head"),
                                                                  member(2, "spouse")]}, STAFF2)
    assert [m["id_number"] for m in moved["members"]] == [mask_id_number(resident(n))
                                                          for n in (3, 2)]
    assert moved["updated_at"] is not None


def test_the_same_person_twice_in_an_update_is_refused_on_that_member(families):
    registered = families.register(1)
    with pytest.raises(InvalidInput) as refused:
        families.rpc.update_family(registered["id"], {"members": [
            member(1, "head"), member(2), member(2, "other")]}, STAFF1)
    assert set(refused.value.fields) == {"members.2.id_number"}


# 4. Changing a family

def test_an_update_changes_the_fields_given_and_keeps_members_who_stay(families):
    registered = families.register(1, 2, 3)
    ids = {m["name"]: m["id"] for m in registered["members"]}

    changed = families.rpc.update_family(registered["id"], {
        "category": "special_bereaved", "village_code": "341181101002",
        "members": [{**member(1, "head"), "name": "户主改名"}, member(3, "child"),
                    member(4, "other", "13905504444")]}, STAFF2)

    assert changed["category"] == "special_bereaved"
    assert changed["village_code"] == "341181101002"
    assert changed["address"] == registered["address"]  # not given, not changed
    assert [(m["name"], m["relation"]) for m in changed["members"]] == \
        [("户主改名", "head"), ("成员3", "child"), ("成员4", "other")]
    assert changed["members"][0]["id"] == ids["成员1"]  # the same person, the same member
    assert changed["members"][1]["id"] == ids["成员3"]
    assert changed["members"][2]["phone"] == "139****4444"
    assert families.rpc.get_family(registered["id"], COORDINATOR) == changed


def test_an_unknown_family_is_not_found(families):
    for call in (lambda: families.rpc.get_family(999, STAFF1),
                 lambda: families.rpc.update_family(999, {"address": "x"}, STAFF1)):
        with pytest.raises(NotFound) as refused:
            call()
        assert refused.value.code == "family_not_found"


def test_another_associations_families_are_out_of_sight(families):
    mine = families.register(1)
    theirs = families.register(2, actor=ELSEWHERE, village="341182100001")
    assert theirs["family_no"] == "F-341182-0001"  # each association numbers its own
    with pytest.raises(NotFound):
        families.rpc.get_family(theirs["id"], STAFF1)
    with pytest.raises(NotFound):
        families.rpc.update_family(mine["id"], {"address": "x"}, ELSEWHERE)
    assert [f["id"] for f in families.rpc.list_families({}, STAFF1)["items"]] == [mine["id"]]


def test_a_family_lives_in_a_village_of_the_county_registering_it(families):
    for village in ("341182100001", "110101001001"):
        with pytest.raises(InvalidInput) as refused:
            families.register(1, village=village)
        assert list(refused.value.fields) == ["village_code"], village
    made = families.register(1)
    with pytest.raises(InvalidInput) as refused:
        families.rpc.update_family(made["id"], {"village_code": "341182100001"}, STAFF1)
    assert list(refused.value.fields) == ["village_code"]
    assert families.rpc.get_family(made["id"], STAFF1)["village_code"] == "341181100001"


# 5. Searching

def test_families_are_found_by_category_and_village_a_page_at_a_time(families):
    made = [families.register(1, category="only_child", village="341181100001"),
            families.register(2, category="special_bereaved", village="341181100001"),
            families.register(3, category="special_bereaved", village="341181100002"),
            families.register(4, category="special_disabled", village="341181101001"),
            families.register(5, category="two_daughters", village="341181101001")]
    ids = [f["id"] for f in made]

    def found(**query):
        answer = families.rpc.list_families(query, COORDINATOR)
        return [f["id"] for f in answer["items"]], answer["total"]

    assert found() == (ids, 5)
    assert found(category="special_bereaved") == (ids[1:3], 2)
    assert found(village_code="341181100001") == (ids[:2], 2)
    assert found(village_code="341181100") == (ids[:3], 3)  # the township's villages
    assert found(category="special_bereaved", village_code="341181100002") == ([ids[2]], 1)
    assert found(category="other") == ([], 0)
    assert found(limit="2") == (ids[:2], 5)
    assert found(limit="2", offset="2") == (ids[2:4], 5)
    assert found(limit=2, offset=4) == (ids[4:], 5)


def test_bad_search_terms_are_named(families):
    with pytest.raises(InvalidInput) as refused:
        families.rpc.list_families({"category": "rich", "village_code": "34x", "limit": "0",
                                    "offset": "-1"}, STAFF1)
    assert set(refused.value.fields) == {"category", "village_code", "limit", "offset"}


# 6. Who may do what

def test_staff_register_and_change_others_only_read_or_nothing(families):
    registered = families.register(1, actor=sign({"username": "admin", "role": "admin"}))
    for reader in (STAFF1, COORDINATOR, AUDITOR):
        assert families.rpc.get_family(registered["id"], reader)["id"] == registered["id"]
        assert families.rpc.list_families({}, reader)["total"] == 1
    for writer in (COORDINATOR, AUDITOR, DONOR, VOLUNTEER):
        with pytest.raises(Forbidden) as refused:
            families.rpc.register_family(family(2), writer)
        assert refused.value.code == "role_not_allowed"
        with pytest.raises(Forbidden):
            families.rpc.update_family(registered["id"], {"address": "x"}, writer)
    for outsider in (DONOR, VOLUNTEER):
        with pytest.raises(Forbidden):
            families.rpc.get_family(registered["id"], outsider)
        with pytest.raises(Forbidden):
            families.rpc.list_families({}, outsider)
    with pytest.raises(Forbidden) as refused:
        families.rpc.register_family(family(2), {"username": "staff1", "role": "staff"})
    assert refused.value.code == "unsigned_actor"
    assert families.rpc.list_families({}, STAFF1)["total"] == 1


# 7. Events, through the outbox

def test_each_change_is_published_once_with_masked_identity_numbers(families):
    tap = EventTap(families.config["AMQP_URI"], "families.events")
    try:
        registered = families.register(1, 2)
        families.rpc.update_family(registered["id"], {"address": registered["address"]},
                                   STAFF1)  # the same: no change, no event
        families.rpc.update_family(registered["id"], {"category": "special_disabled",
                                                      "members": [member(1, "head")]}, STAFF2)
        events = tap.drain(settle=1.5)
    finally:
        tap.close()

    assert [e["body"]["event_type"] for e in events] == ["families.family_registered",
                                                         "families.family_updated"]
    first, second = (e["body"] for e in events)
    assert first["data"]["family_no"] == registered["family_no"]
    assert first["data"]["family_id"] == registered["id"]
    assert first["data"]["registered_by"] == "staff1"
    assert first["data"]["address"] == registered["address"]
    assert first["data"]["members"] == [
        {"member_id": m["id"], "name": m["name"], "relation": m["relation"],
         "id_number_masked": mask_id_number(resident(n))}
        for m, n in zip(registered["members"], (1, 2), strict=True)]
    assert second["data"]["changed"] == ["category", "members"]
    assert second["data"]["category"] == "special_disabled"
    assert [m["relation"] for m in second["data"]["members"]] == ["head"]
    assert second["data"]["updated_by"] == "staff2"
    assert {e["body"]["correlation_id"] for e in events} == {"test-correlation"}
    assert full_numbers_in([e["body"] for e in events], 1, 2) == []

    def all_sent():
        with families.session() as session:
            sent = session.execute(select(OUTBOX.c.event_type, OUTBOX.c.published)).all()
        return sent if all(published for _, published in sent) else None
    assert len(wait_until(all_sent)) == 2


# 5. The timeline (一户一档), built from the other services' events that name the family

def _event(event_type: str, family_id, version=None, **data) -> dict:
    return build_envelope(event_type, {"association_code": "341181", "family_id": family_id,
                                       **data}, "timeline-correlation", version=version)


def _family_story(family_id: int) -> list[tuple[str, str, dict]]:
    """(handler, routing key, envelope): a policy, its claim paid, an assistance payout and
    a visit, each naming the family."""
    claim = {"claim_id": 1, "claim_no": "CL-1", "policy_no": "PL-1",
             "product_code": "ONLY_CHILD_ACCIDENT"}
    disbursement = {"fund_code": "SPECIAL_FAMILY", "amount_fen": 50_000, "reference": None,
                    "family_id": family_id}
    events = [
        ("insurance", "policy_enrolled", _event(
            "insurance.policy_enrolled", family_id, policy_id=1, policy_no="PL-1",
            product_code="ONLY_CHILD_ACCIDENT", insured_name="成员1",
            insured_id_number_masked="3411**********0011", start_date="2026-01-01",
            end_date="2026-12-31")),
        ("insurance", "claim_submitted", _event(
            "insurance.claim_submitted", family_id, **claim, incident_date="2026-03-01",
            amount_claimed_fen=300_000, flags=[])),
        ("insurance", "claim_approved", _event(
            "insurance.claim_approved", family_id, **claim, amount_approved_fen=300_000,
            payout_fund_code="INSURANCE_PAYOUT", insured_name="成员1",
            insured_id_number_masked="3411**********0011", approved_by="staff2")),
        # The claim's own payout: shown as the claim paid, not twice.
        ("fund", "disbursement_paid", build_envelope("fund.disbursement_paid", {
            **disbursement, "association_code": "341181", "disbursement_id": 8,
            "source_key": "claim:341181:1", "paid_at": "2026-03-02T10:00:00+08:00"}, "c")),
        ("insurance", "claim_paid", _event(
            "insurance.claim_paid", family_id, **claim, amount_paid_fen=300_000,
            disbursement_id=8)),
        ("fund", "disbursement_requested", build_envelope("fund.disbursement_requested", {
            **disbursement, "association_code": "341181", "disbursement_id": 9,
            "purpose": "帮扶", "payee_name": "成员1", "payee_id_number_masked": None,
            "requested_by": "staff1"}, "c")),
        ("fund", "disbursement_paid", build_envelope("fund.disbursement_paid", {
            **disbursement, "association_code": "341181", "disbursement_id": 9,
            "paid_at": "2026-03-05T10:00:00+08:00"}, "c")),
        ("volunteers", "visit_requested", _event(
            "volunteers.visit_requested", family_id, visit_id=4, required_skills=["general"],
            trigger_event_id="x")),
        ("volunteers", "visit_completed", _event(
            "volunteers.visit_completed", family_id, visit_id=4, volunteer_ids=[1],
            minutes=90)),
    ]
    return [(f"on_{key}", f"{source}.events", key, envelope)
            for source, key, envelope in events]


def _deliver(families, handler: str, exchange: str, key: str, envelope: dict) -> None:
    with entrypoint_waiter(families.container, handler, timeout=10) as result:
        publish_raw(families.config["AMQP_URI"], exchange, key, json.dumps(envelope).encode())
    result.get()


STORY = ["policy_enrolled", "claim_submitted", "claim_approved", "claim_paid",
         "disbursement_requested", "disbursement_paid", "visit_requested", "visit_completed"]


def test_the_timeline_shows_what_named_the_family_once_each_in_order(families):
    family_id = families.register(201)["id"]
    other = families.register(202)["id"]
    story = _family_story(family_id)
    for delivery in story:
        _deliver(families, *delivery)
    _deliver(families, *story[3][:3], story[3][3])  # redelivered: nothing new
    # Events naming no family, or another, or of the first version, stay off this one.
    _deliver(families, "on_claim_paid", "insurance.events", "claim_paid", _event(
        "insurance.claim_paid", other, claim_id=2, claim_no="CL-2", policy_no="PL-2",
        product_code="X", amount_paid_fen=1, disbursement_id=3))
    _deliver(families, "on_visit_completed", "volunteers.events", "visit_completed",
             build_envelope("volunteers.visit_completed", {
                 "association_code": "341181", "visit_id": 5, "volunteer_ids": [1],
                 "minutes": 30}, "c", version=1))

    timeline = families.rpc.timeline(family_id, {}, COORDINATOR)

    assert timeline["total"] == len(STORY)
    assert [e["kind"] for e in timeline["items"]] == STORY
    summaries = {e["kind"]: e["summary"] for e in timeline["items"]}
    assert summaries["claim_paid"] == "claim CL-1 paid ¥3,000.00"
    assert summaries["disbursement_paid"] == "disbursement 9 paid ¥500.00"
    assert summaries["visit_completed"] == "visit 4 completed (90 minutes)"
    assert [e["ref"] for e in timeline["items"]][:2] == ["PL-1", "CL-1"]
    assert timeline["items"][-1]["ref"] == "visit:4"
    assert families.rpc.timeline(other, {}, STAFF1)["total"] == 1
    assert families.rpc.timeline(family_id, {"limit": "2", "offset": "2"}, STAFF1)["items"] \
        == timeline["items"][2:4]


def test_the_timeline_rebuilt_from_the_kept_events_is_the_timeline_built_live(families):
    family_id = families.register(203)["id"]
    for delivery in _family_story(family_id):
        _deliver(families, *delivery)
    live = families.rpc.timeline(family_id, {}, STAFF1)
    with families.session() as session:  # the read model lost: only the kept events remain
        session.execute(delete(TimelineEntry))
        session.commit()
    assert families.rpc.timeline(family_id, {}, STAFF1)["total"] == 0

    assert families.rpc.rebuild_timeline(family_id, STAFF1) == {"entries": len(STORY)}
    assert families.rpc.timeline(family_id, {}, STAFF1) == live
    families.rpc.rebuild_timeline(family_id, STAFF1)  # again: the same
    assert families.rpc.timeline(family_id, {}, STAFF1) == live


def test_a_timeline_is_read_by_family_readers_of_its_association_only(families):
    family_id = families.register(204)["id"]
    with pytest.raises(NotFound):
        families.rpc.timeline(family_id, {}, ELSEWHERE)
    with pytest.raises(Forbidden):
        families.rpc.timeline(family_id, {}, VOLUNTEER)
    with pytest.raises(Forbidden):
        families.rpc.rebuild_timeline(family_id, COORDINATOR)
    with pytest.raises(NotFound):
        families.rpc.timeline(999_999, {}, STAFF1)


# 6. Care plans: a visit asked for every so many days

def _visits_due(families, act) -> tuple[object, list[dict]]:
    tap = EventTap(families.config["AMQP_URI"], "families.events", "visit_due")
    try:
        answer = act()
        return answer, [m["body"] for m in tap.drain(settle=1.5)]
    finally:
        tap.close()


def test_a_plan_due_today_asks_for_one_visit_and_schedules_the_next(families):
    registered = families.register(211, 212, address="天长市铜城镇龙岗村8号")
    today = local_date(now_utc())
    plan = {"every_days": 30, "skills": ["social_work"], "starts_on": today.isoformat()}

    answer, due = _visits_due(families, lambda: families.rpc.set_care_plan(
        registered["id"], plan, STAFF1))

    assert answer["next_due_on"] == (today + timedelta(days=30)).isoformat()
    [event] = due
    assert event["data"] == {
        "association_code": "341181", "family_id": registered["id"],
        "family_no": registered["family_no"], "family_name": "成员211",
        "address": "天长市铜城镇龙岗村8号", "skills": ["social_work"],
        "due_on": today.isoformat()}
    # The timer's next pass finds nothing due: the day was asked for once.
    _, again = _visits_due(families, lambda: _run_timer(families))
    assert again == []


def test_a_plan_long_started_asks_once_for_the_day_missed_then_for_the_days_ahead(families):
    family_id = families.register(213)["id"]
    today = local_date(now_utc())
    start = today - timedelta(days=10)
    answer, due = _visits_due(families, lambda: families.rpc.set_care_plan(family_id, {
        "every_days": 7, "skills": ["general"], "starts_on": start.isoformat()}, STAFF1))
    # The first missed day once, then the day 14 after the start (4 days ahead: within
    # the lead days), never the day missed in between.
    assert [e["data"]["due_on"] for e in due] == [
        start.isoformat(), (start + timedelta(days=14)).isoformat()]
    assert answer["next_due_on"] == (start + timedelta(days=21)).isoformat()


def test_visits_due_within_the_lead_days_are_asked_for_ahead_and_no_further(families):
    family_id = families.register(219)["id"]
    today = local_date(now_utc())
    _, due = _visits_due(families, lambda: families.rpc.set_care_plan(family_id, {
        "every_days": 3, "skills": ["general"], "starts_on": today.isoformat()}, STAFF1))
    assert [e["data"]["due_on"] for e in due] == [
        (today + timedelta(days=n)).isoformat() for n in (0, 3, 6)]  # VISIT_LEAD_DAYS = 7
    _, again = _visits_due(families, lambda: _run_timer(families))
    assert again == []


def test_a_plan_starting_beyond_the_lead_days_asks_for_nothing(families):
    family_id = families.register(214)["id"]
    later = local_date(now_utc()) + timedelta(days=8)
    _, due = _visits_due(families, lambda: (families.rpc.set_care_plan(family_id, {
        "every_days": 1, "skills": ["general"], "starts_on": later.isoformat()}, STAFF1),
        _run_timer(families)))
    assert due == []


def _run_timer(families) -> None:
    with entrypoint_hook(families.container, "send_visits_due") as send:
        send()


@pytest.mark.parametrize("change, field", [
    ({"every_days": 0}, "every_days"), ({"every_days": 367}, "every_days"),
    ({"every_days": "7"}, "every_days"), ({"skills": ["juggling"]}, "skills.0"),
    ({"skills": []}, "skills"), ({"starts_on": "2026-02-30"}, "starts_on")])
def test_a_bad_care_plan_is_refused_by_field(families, change, field):
    family_id = families.register(215)["id"]
    plan = {"every_days": 7, "skills": ["general"], "starts_on": "2026-12-01", **change}
    with pytest.raises(InvalidInput) as refused:
        families.rpc.set_care_plan(family_id, plan, STAFF1)
    assert set(refused.value.fields) == {field}


def test_only_staff_set_care_plans_for_their_own_families(families):
    family_id = families.register(216)["id"]
    plan = {"every_days": 7, "skills": ["general"], "starts_on": "2026-12-01"}
    with pytest.raises(Forbidden):
        families.rpc.set_care_plan(family_id, plan, COORDINATOR)
    with pytest.raises(NotFound):
        families.rpc.set_care_plan(family_id, plan, ELSEWHERE)
