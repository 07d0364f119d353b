"""Service tests: the real FamiliesService in a nameko container, on a vhost of its own on the
machine's RabbitMQ, over a freshly migrated database (SQLite and PostgreSQL in turn).
Tests talk to it only by RPC, listen on its event exchange as any consumer would, and read
its database only to show what the answers must not (full identity numbers, outbox rows)."""
import json
from dataclasses import dataclass

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.utils import get_extension
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.families.models import OUTBOX, FamilyMember
from services.families.service import FamiliesService
from shared.actors import sign
from shared.db import Database
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.identity import mask_id_number
from tests.family_data import VILLAGE, family, member, resident
from tests.support import STAFF1, STAFF2, EventTap, wait_until

COORDINATOR = sign({"username": "coordinator1", "role": "coordinator"})
AUDITOR = sign({"username": "auditor1", "role": "auditor"})
DONOR = sign({"username": "donor1", "role": "donor", "donor_id": 1})
VOLUNTEER = sign({"username": "volunteer1", "role": "volunteer", "volunteer_id": 1})
ELSEWHERE = sign({"username": "staff9", "role": "staff", "association_code": "341182"})


@dataclass
class RunningFamilies:
    rpc: object
    config: dict
    container: object

    def session(self) -> Session:
        return Session(get_extension(self.container, Database).engine)

    def register(self, *people: int, actor=STAFF1, **options) -> dict:
        return self.rpc.register_family(family(*people, **options), actor)


@pytest.fixture
def families(database_url, container_factory, rabbit_config):
    config = {**rabbit_config, "max_workers": 20,
              "DATABASE_URLS": {"families": database_url("families")}}
    container = container_factory(FamiliesService, config)
    container.start()
    with ClusterRpcProxy(config, context_data={"correlation_id": "test-correlation"}) as rpc:
        yield RunningFamilies(rpc.families, config, container)


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
    first, second = families.register(1, 2), families.register(3)
    with pytest.raises(Conflict) as refused:
        families.rpc.update_family(second["id"], {"address": "改了",
                                                  "members": [member(3, "head"), member(2)]},
                                   STAFF1)
    assert refused.value.code == "already_in_family"
    assert first["family_no"] in refused.value.message
    assert families.rpc.get_family(second["id"], STAFF1) == second


def test_once_removed_a_person_may_join_another_family(families):
    first, second = families.register(1, 2), families.register(3)
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
    theirs = families.register(2, actor=ELSEWHERE)
    assert theirs["family_no"] == "F-341182-0001"  # each association numbers its own
    with pytest.raises(NotFound):
        families.rpc.get_family(theirs["id"], STAFF1)
    with pytest.raises(NotFound):
        families.rpc.update_family(mine["id"], {"address": "x"}, ELSEWHERE)
    assert [f["id"] for f in families.rpc.list_families({}, STAFF1)["items"]] == [mine["id"]]


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
    assert first["data"]["members"] == [
        {"member_id": m["id"], "name": m["name"], "relation": m["relation"],
         "id_number_masked": mask_id_number(resident(n))}
        for m, n in zip(registered["members"], (1, 2))]
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
