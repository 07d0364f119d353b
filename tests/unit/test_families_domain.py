"""The family register's rules, without a broker or a database."""
from datetime import date

import pytest

from services.families import domain
from services.families.domain import Member
from shared.errors import Conflict, InvalidInput
from shared.identity import make_resident_id


def person(n: int, relation: str = "child", name: str | None = None) -> Member:
    return Member(name or f"成员{n}", make_resident_id("341181", date(1970, 1, 1), n), relation)


def test_a_head_and_different_people_make_a_family():
    domain.check_members([person(1, "head"), person(2, "spouse"), person(3, "child")])


def test_a_family_without_a_head_is_refused_on_members():
    with pytest.raises(InvalidInput) as refused:
        domain.check_members([person(1, "spouse"), person(2, "child")])
    assert refused.value.code == "invalid_members"
    assert list(refused.value.fields) == ["members"]


def test_a_second_head_is_refused_on_that_member():
    with pytest.raises(InvalidInput) as refused:
        domain.check_members([person(1, "head"), person(2, "child"), person(3, "head")])
    assert refused.value.fields == {"members.2.relation": ["Another member is already the head."]}


def test_the_same_person_twice_is_refused_on_the_second_listing():
    twice = person(1, "child", name="另一个名字")
    with pytest.raises(InvalidInput) as refused:
        domain.check_members([person(1, "head"), person(2), twice])
    assert refused.value.fields == {
        "members.2.id_number": ["This person is listed twice in the family."]}


def test_every_fault_is_named_at_once():
    with pytest.raises(InvalidInput) as refused:
        domain.check_members([person(1), person(1)])
    assert set(refused.value.fields) == {"members", "members.1.id_number"}


def test_a_person_in_another_family_is_a_conflict_naming_that_family():
    members = [person(1, "head"), person(2), person(3)]
    elsewhere = {members[1].id_number: "F-341181-0007", members[2].id_number: "F-341181-0002"}
    with pytest.raises(Conflict) as refused:
        domain.check_not_elsewhere(members, elsewhere)
    assert refused.value.code == "already_in_family"
    assert "F-341181-0002, F-341181-0007" in refused.value.message
    assert refused.value.fields == {"members.1.id_number": ["Already in family F-341181-0007."],
                                    "members.2.id_number": ["Already in family F-341181-0002."]}
    # The message names families, never the person's identity number.
    assert members[1].id_number not in refused.value.message


def test_nobody_elsewhere_is_no_conflict():
    domain.check_not_elsewhere([person(1, "head")], {})


def test_family_numbers_are_readable_and_per_association():
    assert domain.family_no("341181", 1) == "F-341181-0001"
    assert domain.family_no("341182", 12345) == "F-341182-12345"


def _listed(**fields) -> dict:
    return {"category": "only_child", "address": "铜城镇龙岗村1号", "village_code": "341181100001",
            "members": [person(1, "head"), person(2)], **fields}


def test_a_change_names_only_the_fields_that_differ():
    current = _listed()
    assert domain.changes(current, {"address": "铜城镇龙岗村2号", "category": "only_child"}) == \
        ["address"]
    assert domain.changes(current, {}) == []
    assert domain.changes(current, {"village_code": "341181100002", "category": "other"}) == \
        ["category", "village_code"]


def test_the_same_members_in_another_order_are_no_change():
    current = _listed()
    assert domain.changes(current, {"members": [person(2), person(1, "head")]}) == []
    assert domain.changes(current, {"members": [person(1, "head"), person(2, "other")]}) == \
        ["members"]
    assert domain.changes(current, {"members": [person(1, "head")]}) == ["members"]


def test_members_replaced_keep_those_who_stay():
    present = [person(1).id_number, person(2).id_number, person(3).id_number]
    wanted = [person(1, "head", name="改名"), person(3), person(4)]
    plan = domain.replace(present, wanted)
    assert plan.kept == {wanted[0].id_number: wanted[0], wanted[1].id_number: wanted[1]}
    assert plan.added == [wanted[2]]
    assert plan.removed == [person(2).id_number]


def test_members_are_read_from_the_listed_bodies():
    [member] = domain.members_of([{"name": "王一", "id_number": person(1).id_number,
                                   "relation": "head"}])
    assert member == Member("王一", person(1).id_number, "head", None)


# Care plans: which days to ask visits for

DAY = date(2027, 3, 1)


@pytest.mark.parametrize("next_due, every, lead, asked, then", [
    (DAY, 30, 0, [DAY], 30),  # due today, nothing ahead
    (DAY, 30, 7, [DAY], 30),
    (DAY, 3, 7, [DAY, DAY.replace(day=4), DAY.replace(day=7)], 9),  # ahead within the lead
    (DAY.replace(day=9), 3, 7, [], 8),  # not within the lead yet
    (DAY.replace(day=8), 3, 7, [DAY.replace(day=8)], 10),  # the lead's last day
])
def test_days_due_today_and_within_the_lead_are_asked_for(next_due, every, lead, asked, then):
    days, following = domain.visit_days(next_due, every, DAY, lead)
    assert days == asked
    assert (following - DAY).days == then


def test_days_missed_are_asked_for_once_then_the_plan_moves_on_from_today():
    start = date(2027, 2, 1)  # 28 days before DAY; every 7: Feb 8, 15, 22, Mar 1 missed
    days, following = domain.visit_days(start, 7, DAY, 0)
    assert days == [start]
    assert following == date(2027, 3, 8)  # the plan's own rhythm, past today


def test_a_visit_day_is_never_asked_for_twice_across_passes():
    asked = []
    next_due = date(2027, 2, 20)
    for offset in range(40):  # one pass a day, lead 5
        today = date.fromordinal(DAY.toordinal() + offset)
        days, next_due = domain.visit_days(next_due, 4, today, 5)
        asked += days
    assert len(asked) == len(set(asked))
    gaps = {(b - a).days for a, b in zip(asked[1:], asked[2:], strict=False)}
    assert gaps == {4}


# Grassroots associations: placement and ranking

@pytest.mark.parametrize("code, parent, known, field", [
    ("341182100", "341182", set(), "code"),
    ("341181100001", "341181", {"341181100"}, "parent_code"),
    ("341181100001", "341181100", set(), "parent_code"),
    ("341181100", "341181100", set(), "parent_code"),
])
def test_an_association_sits_directly_under_an_existing_parent(code, parent, known, field):
    with pytest.raises(InvalidInput) as refused:
        domain.check_placement(code, parent, "341181", known)
    assert list(refused.value.fields) == [field]


def test_townships_under_the_county_and_villages_under_a_known_township_are_placed():
    domain.check_placement("341181100", "341181", "341181", set())
    domain.check_placement("341181100001", "341181100", "341181", {"341181100"})
    assert [domain.level_of(c) for c in ("341181", "341181100", "341181100001")] == \
        ["county", "township", "village"]


def test_a_ranking_puts_the_highest_first_and_ties_share_a_rank():
    rows = [{"code": "3", "members": 5}, {"code": "1", "members": 7},
            {"code": "2", "members": 5}, {"code": "4", "members": 0}]
    assert [(r["code"], r["rank"]) for r in domain.ranked(rows, "members")] == [
        ("1", 1), ("2", 2), ("3", 2), ("4", 4)]
