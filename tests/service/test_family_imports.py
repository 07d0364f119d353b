"""Families from a spreadsheet, through the families service's RPC interface (a batch of
rows as the gateway sends it), on both databases: a dry run writes nothing and tells what a
real run would do; a real run registers households as typed by hand (same events); the same
rows again change nothing; a changed row updates its family; bad rows and the rest of their
household are reported, other households unaffected."""
import pytest

from shared.errors import Forbidden, InvalidInput
from tests.family_data import VILLAGE, resident
from tests.service.test_families import COORDINATOR, DONOR
from tests.support import STAFF1, EventTap


def person(row, household, n, relation="head", **cells):
    return {"row": row, "cells": {
        "household_no": household, "category": "only_child", "address": "龙岗村12号",
        "village_code": VILLAGE, "name": f"成员{n}", "id_number": resident(n),
        "relation": relation, "phone": None, **cells}}


def rows():
    """Two households: H1 (rows 2, 3, 5: not next to each other) and H2 (row 4)."""
    return [person(2, "H1", 1), person(3, "H1", 2, "spouse", phone="13905500002"),
            person(4, "H2", 3), person(5, "H1", 4, "child")]


def send(families, rows, dry_run=False, actor=STAFF1):
    return families.rpc.import_families({"dry_run": dry_run, "rows": rows}, actor)


def outcomes(answer):
    return {outcome["row"]: outcome["outcome"] for outcome in answer["outcomes"]}


def test_a_dry_run_tells_what_would_happen_and_writes_nothing(families):
    answer = send(families, rows(), dry_run=True)

    assert outcomes(answer) == {2: "created", 3: "created", 4: "created", 5: "created"}
    assert answer["errors"] == []
    assert families.rpc.list_families({}, STAFF1)["total"] == 0


def test_households_are_registered_once_and_the_same_rows_again_change_nothing(families):
    tap = EventTap(families.config["AMQP_URI"], "families.events")
    try:
        send(families, rows())
        again = send(families, rows())
        events = tap.drain(settle=1.5)
    finally:
        tap.close()

    listed = families.rpc.list_families({}, STAFF1)
    assert listed["total"] == 2
    sizes = sorted(len(family["members"]) for family in listed["items"])
    assert sizes == [1, 3]
    assert set(outcomes(again).values()) == {"unchanged"}
    assert [e["body"]["event_type"] for e in events] == ["families.family_registered"] * 2
    assert events[0]["body"]["data"]["registered_by"] == "staff1"


def test_a_changed_row_updates_its_family(families):
    send(families, rows())
    changed = rows()
    changed[0]["cells"]["address"] = "龙岗村15号"
    changed[1]["cells"]["address"] = "龙岗村15号"
    changed[3]["cells"]["address"] = "龙岗村15号"

    answer = send(families, changed)

    assert outcomes(answer) == {2: "updated", 3: "updated", 4: "unchanged", 5: "updated"}
    addresses = {f["address"] for f in families.rpc.list_families({}, STAFF1)["items"]}
    assert addresses == {"龙岗村15号", "龙岗村12号"}


def test_a_bad_row_holds_back_its_household_only(families):
    bad = rows()
    bad[1]["cells"]["phone"] = "12345"  # H1's second person
    bad.append(person(6, "H3", 5, relation="cousin"))

    answer = send(families, bad)

    assert outcomes(answer) == {4: "created"}
    by_row = {(e["row"], e["column"]): e["code"] for e in answer["errors"]}
    assert by_row == {(3, "phone"): "invalid_value", (2, None): "group_in_error",
                      (5, None): "group_in_error", (6, "relation"): "invalid_value"}
    assert families.rpc.list_families({}, STAFF1)["total"] == 1


def test_household_rules_name_the_row_at_fault(families):
    send(families, [person(2, "OLD7", 7), person(3, "OLD8", 8)])
    clash = [person(2, "H1", 7), person(3, "H1", 8, "child"),  # two families made one
             person(4, "H2", 2, "child"),  # no head
             person(5, "H4", 3), person(6, "H4", 4, "child", address="别处")]

    answer = send(families, clash)

    by_row = {e["row"]: (e["column"], e["code"]) for e in answer["errors"]}
    assert by_row[3] == ("id_number", "already_in_family")
    assert by_row[2] == (None, "group_in_error")
    assert by_row[4][1] == "invalid_members"
    assert by_row[6] == ("address", "invalid_members")
    assert by_row[5] == (None, "group_in_error")
    assert outcomes(answer) == {}


def test_a_household_found_by_one_of_its_people_takes_in_the_others(families):
    send(families, [person(2, "OLD", 7)])

    answer = send(families, [person(2, "H1", 7), person(3, "H1", 1, "child")])

    assert outcomes(answer) == {2: "updated", 3: "updated"}
    (family,) = families.rpc.list_families({}, STAFF1)["items"]
    assert len(family["members"]) == 2


@pytest.mark.parametrize("actor", [COORDINATOR, DONOR])
def test_only_staff_import_families(families, actor):
    with pytest.raises(Forbidden):
        send(families, rows(), actor=actor)


def test_a_batch_is_checked_at_the_boundary(families):
    with pytest.raises(InvalidInput) as refused:
        families.rpc.import_families({"dry_run": True, "rows": []}, STAFF1)
    assert "rows" in refused.value.fields


def test_households_registered_together_announce_and_number_as_one_typed_by_hand(families):
    tap = EventTap(families.config["AMQP_URI"], "families.events")
    try:
        by_hand = families.register(11, 12)
        send(families, [person(2, "A", 13), person(3, "A", 14, "spouse", phone="13905500014"),
                        person(4, "B", 15)])
        events = tap.drain(settle=1.5)
    finally:
        tap.close()

    typed, *imported = [e["body"]["data"] for e in events]
    assert typed["family_id"] == by_hand["id"] and len(imported) == 2
    numbers = [typed["family_no"]] + [data["family_no"] for data in imported]
    assert [int(number.rsplit("-", 1)[1]) for number in numbers] == [1, 2, 3]
    for data in imported:
        assert set(data) == set(typed)
        assert all(set(m) == set(typed["members"][0]) for m in data["members"])
    listed = {f["id"]: f for f in families.rpc.list_families({}, STAFF1)["items"]}
    first = listed[imported[0]["family_id"]]
    assert [m["id"] for m in first["members"]] == [m["member_id"]
                                                   for m in imported[0]["members"]]
    assert [m["name"] for m in first["members"]] == ["成员13", "成员14"]
    assert first["members"][1]["phone"] != "13905500014"  # masked, and sealed as by hand


def test_one_person_in_two_new_households_is_refused_in_the_second_only(families):
    answer = send(families, [person(2, "A", 21), person(3, "A", 22, "spouse"),
                             person(4, "B", 23), person(5, "B", 22, "child"),
                             person(6, "C", 24)])

    assert outcomes(answer) == {2: "created", 3: "created", 6: "created"}
    assert {e["row"] for e in answer["errors"]} == {4, 5}, answer["errors"]
    assert families.rpc.list_families({}, STAFF1)["total"] == 2
