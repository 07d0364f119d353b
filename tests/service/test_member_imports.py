"""Members from a spreadsheet, through the families service's RPC interface (a batch of rows
as the gateway sends it), on both databases: a dry run writes nothing and tells what a real
run would do; a real run adds members and pairs them with their families as by hand (no
event, as by hand); the same rows again change nothing; a new family number pairs an existing
member; a row giving a member other details is refused by column, since a member is never
changed; bad rows are reported by column, other rows written."""
import pytest

from shared.errors import Forbidden, InvalidInput
from tests.family_data import resident
from tests.service.test_associations import OTHER_VILLAGE, TOWN, VILLAGE, set_up
from tests.service.test_families import COORDINATOR, DONOR, ELSEWHERE
from tests.support import STAFF1, EventTap


def member(row, n, **cells):
    return {"row": row, "cells": {
        "name": f"会员{n}", "id_number": resident(900 + n), "phone": f"1385551{n:04d}",
        "grassroots_code": VILLAGE, "family_no": None, **cells}}


def send(families, rows, dry_run=False, actor=STAFF1):
    return families.rpc.import_members({"dry_run": dry_run, "rows": rows}, actor)


def outcomes(answer):
    return {outcome["row"]: outcome["outcome"] for outcome in answer["outcomes"]}


def errors(answer):
    return {(e["row"], e["column"]): e["code"] for e in answer["errors"]}


def listed(families, actor=STAFF1):
    """Each member's name, association and family numbers."""
    return {m["name"]: (m["grassroots_code"], [f["family_no"] for f in m["families"]])
            for m in families.rpc.list_members({}, actor)["items"]}


@pytest.fixture
def family_nos(families):
    set_up(families)
    return [families.register(n)["family_no"] for n in (901, 902)]


def test_a_dry_run_tells_what_would_happen_and_writes_nothing(families, family_nos):
    rows = [member(2, 1, family_no=family_nos[0]), member(3, 2)]

    answer = send(families, rows, dry_run=True)

    assert (outcomes(answer), answer["errors"]) == ({2: "created", 3: "created"}, [])
    assert listed(families) == {}
    assert send(families, rows)["outcomes"] == answer["outcomes"]


def test_members_join_and_pair_once_and_the_same_rows_again_change_nothing(families,
                                                                        family_nos):
    rows = [member(2, 1, family_no=family_nos[0]), member(3, 2, grassroots_code=TOWN),
            member(4, 3, family_no=family_nos[1])]
    tap = EventTap(families.config["AMQP_URI"], "families.events")
    try:
        first = send(families, rows)
        again = send(families, rows)
        families.register(903)  # the tap hears what the service publishes
        events = tap.drain(settle=1.5)
    finally:
        tap.close()

    assert outcomes(first) == {2: "created", 3: "created", 4: "created"}
    assert outcomes(again) == {2: "unchanged", 3: "unchanged", 4: "unchanged"}
    assert listed(families) == {"会员1": (VILLAGE, [family_nos[0]]), "会员2": (TOWN, []),
                                "会员3": (VILLAGE, [family_nos[1]])}
    # Joining and pairing publish nothing by hand either: only the family registered.
    assert [e["body"]["event_type"] for e in events] == ["families.family_registered"]


def test_a_new_family_number_pairs_an_existing_member(families, family_nos):
    send(families, [member(2, 1)])

    answer = send(families, [member(2, 1, family_no=family_nos[0])])
    blank_again = send(families, [member(2, 1)])

    assert outcomes(answer) == {2: "updated"}
    assert outcomes(blank_again) == {2: "unchanged"}  # a blank family number unpairs none
    assert listed(families) == {"会员1": (VILLAGE, [family_nos[0]])}


def test_a_member_is_matched_within_the_association_only(families, family_nos):
    send(families, [member(2, 1)])

    answer = send(families, [member(2, 1, grassroots_code="341182")], actor=ELSEWHERE)

    assert outcomes(answer) == {2: "created"}
    assert listed(families, ELSEWHERE) == {"会员1": ("341182", [])}


def test_a_row_giving_a_member_other_details_changes_nothing(families, family_nos):
    send(families, [member(2, 1), member(3, 2)])

    answer = send(families, [member(2, 1, phone="13900000001",
                                    grassroots_code=OTHER_VILLAGE, family_no=family_nos[0]),
                             member(3, 2, name="会员二"), member(4, 3)])

    assert errors(answer) == {(2, "phone"): "member_differs",
                              (2, "grassroots_code"): "member_differs",
                              (3, "name"): "member_differs"}
    number = families.rpc.list_members({}, STAFF1)["items"][0]["member_no"]
    assert number in answer["errors"][0]["message"]
    assert outcomes(answer) == {4: "created"}
    assert listed(families) == {"会员1": (VILLAGE, []), "会员2": (VILLAGE, []),
                                "会员3": (VILLAGE, [])}


@pytest.mark.parametrize("cells, column", [
    ({"id_number": "341181197504010000"}, "id_number"),
    ({"phone": "12345"}, "phone"), ({"phone": None}, "phone"), ({"name": " "}, "name"),
    ({"grassroots_code": "abc"}, "grassroots_code"), ({"family_no": "F" * 31}, "family_no"),
])
def test_a_bad_cell_is_its_rows_error_by_column_other_rows_written(families, family_nos,
                                                                   cells, column):
    answer = send(families, [member(2, 1), member(3, 2, **cells)])

    assert errors(answer) == {(3, column): "invalid_value"}
    assert outcomes(answer) == {2: "created"}
    assert list(listed(families)) == ["会员1"]


def test_refusals_of_the_hand_path_name_the_row_and_its_column(families, family_nos):
    send(families, [member(2, 1, family_no=family_nos[0])])

    answer = send(families, [
        member(2, 2, grassroots_code="341181100077"),  # no such association
        member(3, 3, family_no="F-341181-9999"),  # no such family
        member(4, 4, family_no=family_nos[0]),  # kept by member 1
        member(5, 5, family_no=family_nos[1])])

    assert errors(answer) == {(2, "grassroots_code"): "invalid_input",
                              (3, "family_no"): "family_not_found",
                              (4, "family_no"): "family_paired"}
    kept_by = families.rpc.list_members({}, STAFF1)["items"][0]["member_no"]
    assert kept_by in answer["errors"][2]["message"]
    assert outcomes(answer) == {5: "created"}
    assert listed(families) == {"会员1": (VILLAGE, [family_nos[0]]),
                                "会员5": (VILLAGE, [family_nos[1]])}


@pytest.mark.parametrize("actor", [COORDINATOR, DONOR])
def test_only_those_who_keep_members_import_them(families, actor):
    with pytest.raises(Forbidden):
        send(families, [member(2, 1)], actor=actor)


def test_a_batch_is_checked_at_the_boundary(families):
    with pytest.raises(InvalidInput) as refused:
        families.rpc.import_members({"dry_run": True, "rows": []}, STAFF1)
    assert "rows" in refused.value.fields
