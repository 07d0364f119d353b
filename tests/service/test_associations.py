"""Service tests of the association's own people: grassroots associations placed under the
county's, members (one person once, masked), pairing members with families (one member per
family), member days, and the figures this service owns for the dashboards."""
import json

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.family_data import resident
from tests.service.test_families import AUDITOR, COORDINATOR, DONOR, ELSEWHERE
from tests.support import ADMIN, STAFF1

TOWN = "341181100"
OTHER_TOWN = "341181101"
VILLAGE = "341181100001"
OTHER_VILLAGE = "341181100002"


def set_up(families) -> None:
    for code, name, parent in ((TOWN, "秦栏镇计生协会", "341181"),
                               (OTHER_TOWN, "铜城镇计生协会", "341181"),
                               (VILLAGE, "东庄村计生协会", TOWN),
                               (OTHER_VILLAGE, "西庄村计生协会", TOWN)):
        families.rpc.create_association({"code": code, "name": name, "parent_code": parent},
                                        ADMIN)


def member(n: int, code: str = VILLAGE) -> dict:
    return {"name": f"会员{n}", "id_number": resident(700 + n), "phone": f"1385550{n:04d}",
            "grassroots_code": code}


def test_townships_sit_under_the_county_and_villages_under_their_township(families):
    set_up(families)
    listed = families.rpc.list_associations(AUDITOR)
    assert [(a["code"], a["level"], a["parent_code"]) for a in listed["items"]] == [
        ("341181", "county", "341100"), (TOWN, "township", "341181"),
        (VILLAGE, "village", TOWN), (OTHER_VILLAGE, "village", TOWN),
        (OTHER_TOWN, "township", "341181")]
    assert listed["total"] == 5


@pytest.mark.parametrize("body, field", [
    ({"code": "341182100", "parent_code": "341182"}, "code"),  # another county
    ({"code": "341181100003", "parent_code": "341181"}, "parent_code"),  # skips its town
    ({"code": "341181102001", "parent_code": "341181102"}, "parent_code"),  # no such town
    ({"code": "341181100", "parent_code": "341181100"}, "parent_code"),
    ({"code": "341182", "parent_code": "341100"}, "code"),  # a county: set up from above
    ({"code": "3411811", "parent_code": "341181"}, "code"),
    ({"code": "34118110x", "parent_code": "341181"}, "code"),
    ({"code": 341181100, "parent_code": "341181"}, "code"),
    ({"name": "  "}, "name"),
])
def test_an_association_out_of_place_is_refused_by_field(families, body, field):
    set_up(families)
    with pytest.raises(InvalidInput) as refused:
        families.rpc.create_association(
            {"code": "341181100009", "name": "新村", "parent_code": TOWN, **body}, ADMIN)
    assert field in refused.value.fields, refused.value.fields


def test_an_association_is_set_up_once_and_by_an_admin_only(families):
    set_up(families)
    with pytest.raises(Conflict) as twice:
        families.rpc.create_association({"code": TOWN, "name": "再来",
                                         "parent_code": "341181"}, ADMIN)
    assert twice.value.code == "association_exists"
    with pytest.raises(Forbidden):
        families.rpc.create_association({"code": "341181109", "name": "x",
                                         "parent_code": "341181"}, STAFF1)


def test_a_member_joins_an_association_once_and_is_shown_masked(families):
    set_up(families)
    added = families.rpc.add_member(member(1), STAFF1)
    assert added["member_no"] == f"M-341181-{added['id']:05d}"
    assert (added["grassroots_code"], added["families"]) == (VILLAGE, [])
    assert added["phone"] == "138****0001"
    text = json.dumps([added, families.rpc.get_member(added["id"], AUDITOR),
                       families.rpc.list_members({}, COORDINATOR)])
    assert resident(701) not in text and "13855500001" not in text

    with pytest.raises(Conflict) as again:
        families.rpc.add_member({**member(1), "grassroots_code": TOWN}, STAFF1)
    assert again.value.code == "already_member"
    assert added["member_no"] in again.value.fields["id_number"][0]


@pytest.mark.parametrize("change, field", [
    ({"grassroots_code": "341181100077"}, "grassroots_code"),  # no such association
    ({"grassroots_code": "abc"}, "grassroots_code"),
    ({"id_number": "341181197504010000"}, "id_number"),
    ({"phone": "12345"}, "phone"), ({"name": ""}, "name"), ({"phone": None}, "phone"),
])
def test_a_bad_member_is_refused_by_field(families, change, field):
    set_up(families)
    with pytest.raises(InvalidInput) as refused:
        families.rpc.add_member({**member(2), **change}, STAFF1)
    assert field in refused.value.fields


def test_members_are_listed_by_association_a_township_taking_in_its_villages(families):
    set_up(families)
    for n, code in ((3, VILLAGE), (4, OTHER_VILLAGE), (5, TOWN), (6, OTHER_TOWN), (7, "341181")):
        families.rpc.add_member(member(n, code), STAFF1)

    def codes(query):
        return [m["grassroots_code"] for m in families.rpc.list_members(query, STAFF1)["items"]]

    assert codes({"grassroots_code": TOWN}) == [VILLAGE, OTHER_VILLAGE, TOWN]
    assert codes({"grassroots_code": VILLAGE}) == [VILLAGE]
    assert len(codes({"grassroots_code": "341181"})) == 5
    with pytest.raises(Forbidden):
        families.rpc.list_members({}, DONOR)
    assert families.rpc.list_members({}, ELSEWHERE)["total"] == 0


def test_a_family_keeps_in_touch_with_one_member(families):
    set_up(families)
    keeper = families.rpc.add_member(member(8), STAFF1)
    other = families.rpc.add_member(member(9), STAFF1)
    family_id = families.register(801)["id"]

    paired = families.rpc.pair_family(keeper["id"], {"family_id": family_id}, STAFF1)
    assert paired["new"] is True
    assert [f["family_id"] for f in paired["member"]["families"]] == [family_id]
    again = families.rpc.pair_family(keeper["id"], {"family_id": family_id}, STAFF1)
    assert (again["new"], again["member"]["families"]) == (False, paired["member"]["families"])
    with pytest.raises(Conflict) as taken:
        families.rpc.pair_family(other["id"], {"family_id": family_id}, STAFF1)
    assert taken.value.code == "family_paired"
    assert keeper["member_no"] in taken.value.fields["family_id"][0]
    with pytest.raises(NotFound):
        families.rpc.pair_family(keeper["id"], {"family_id": 999_999}, STAFF1)
    with pytest.raises(NotFound):
        families.rpc.pair_family(999_999, {"family_id": family_id}, STAFF1)
    with pytest.raises(NotFound):
        families.rpc.pair_family(keeper["id"], {"family_id": family_id}, ELSEWHERE)
    with pytest.raises(Forbidden):
        families.rpc.pair_family(keeper["id"], {"family_id": family_id}, COORDINATOR)


def test_a_member_day_counts_only_the_associations_members(families):
    set_up(families)
    here = families.rpc.add_member(member(10, VILLAGE), STAFF1)
    there = families.rpc.add_member(member(11, OTHER_TOWN), STAFF1)
    day = {"title": "5·29会员日", "held_on": "2026-05-29", "member_ids": [here["id"]]}

    held = families.rpc.hold_member_day(TOWN, day, COORDINATOR)
    assert (held["grassroots_code"], held["member_ids"]) == (TOWN, [here["id"]])
    with pytest.raises(InvalidInput) as refused:
        families.rpc.hold_member_day(TOWN, {**day, "member_ids": [here["id"], there["id"]]},
                                     COORDINATOR)
    assert list(refused.value.fields) == ["member_ids.1"]
    with pytest.raises(NotFound):
        families.rpc.hold_member_day("341181199", day, COORDINATOR)
    assert [d["id"] for d in families.rpc.list_member_days("341181", {}, AUDITOR)["items"]] \
        == [held["id"]]
    assert families.rpc.list_member_days(OTHER_TOWN, {}, AUDITOR)["total"] == 0


@pytest.mark.parametrize("code", ["341181199", "x", "3411811000011", "", "341181\x00"])
def test_figures_of_an_association_there_is_not_are_not_found(families, code):
    with pytest.raises(NotFound):
        families.rpc.dashboard(code, STAFF1)
    with pytest.raises(NotFound):
        families.rpc.ranking(code, {}, STAFF1)
