"""Volunteers from a spreadsheet, through the volunteers service's RPC interface (a batch of
rows as the gateway sends it), on both databases: a dry run writes nothing and tells what a
real run would do; a real run registers volunteers as by hand (same events); the same rows
again change nothing; a row that differs from a volunteer already registered is reported on
the columns that differ and changes nothing; bad rows are reported, the others written."""
import pytest

from shared.actors import sign
from shared.errors import Forbidden, InvalidInput
from tests.service.test_volunteers_service import DONOR
from tests.support import STAFF1, EventTap
from tests.volunteer_data import COORDINATOR, as_volunteer, volunteer

COUNTY = "341181"
VILLAGE = "341181100001"
ELSEWHERE = "341182100001"


def row(number, n, **cells):
    typed = volunteer(n)
    return {"row": number, "cells": {
        "name": typed["name"], "id_number": typed["id_number"], "phone": typed["phone"],
        "skills": "general", "availability": None, "grassroots_code": None, **cells}}


def rows():
    return [row(2, 1), row(3, 2, skills="general,legal_aid", availability="周末上午"),
            row(4, 3, grassroots_code=VILLAGE)]


def send(volunteers, rows, dry_run=False, actor=COORDINATOR):
    return volunteers.rpc.import_volunteers({"dry_run": dry_run, "rows": rows}, actor)


def outcomes(answer):
    return {outcome["row"]: outcome["outcome"] for outcome in answer["outcomes"]}


def errors(answer):
    return {(error["row"], error["column"]): error["code"] for error in answer["errors"]}


def registered(volunteers, actor=COORDINATOR):
    """The register as the list shows it: each volunteer by name."""
    return {v["name"]: v for v in volunteers.rpc.list_volunteers({}, actor)["items"]}


def test_a_dry_run_tells_what_would_happen_and_writes_nothing(volunteers):
    answer = send(volunteers, rows(), dry_run=True)

    assert outcomes(answer) == {2: "created", 3: "created", 4: "created"}
    assert answer["errors"] == []
    assert volunteers.rpc.list_volunteers({}, COORDINATOR)["total"] == 0


def test_volunteers_are_registered_once_as_by_hand_and_the_same_rows_again_change_nothing(
        volunteers):
    tap = EventTap(volunteers.config["AMQP_URI"], "volunteers.events")
    try:
        volunteers.rpc.register(volunteer(9), COORDINATOR)
        first = send(volunteers, rows())
        again = send(volunteers, rows())
        events = tap.drain(settle=1.5)
    finally:
        tap.close()

    assert outcomes(first) == {2: "created", 3: "created", 4: "created"}
    assert set(outcomes(again).values()) == {"unchanged"}
    assert again["errors"] == []
    assert [e["body"]["event_type"] for e in events] == ["volunteers.volunteer_registered"] * 4
    by_hand, *imported = [e["body"]["data"] for e in events]
    assert [set(data) for data in imported] == [set(by_hand)] * 3
    assert [(data["name"], data["skills"]) for data in imported] == [
        ("志愿者1", ["general"]), ("志愿者2", ["general", "legal_aid"]), ("志愿者3", ["general"])]
    held = registered(volunteers)
    assert sorted(s["code"] for s in held["志愿者2"]["skills"]) == ["general", "legal_aid"]
    assert held["志愿者2"]["availability"] == "周末上午"
    assert held["志愿者1"]["grassroots_code"] == COUNTY
    assert held["志愿者3"]["grassroots_code"] == VILLAGE
    assert {v["status"] for v in held.values()} == {"active"}


def test_a_volunteer_registered_by_hand_is_found_by_identity_number_certificates_kept(
        volunteers):
    typed = volunteer(1)
    typed["skills"] = [{"code": "legal_aid", "certificate_no": "LAW-7"}, "general"]
    volunteer_id = volunteers.rpc.register(typed, COORDINATOR)["id"]

    answer = send(volunteers, [row(2, 1, skills="general, legal_aid")])

    assert outcomes(answer) == {2: "unchanged"}
    kept = volunteers.rpc.get_volunteer(volunteer_id, COORDINATOR)
    assert {s["code"]: s["certificate_no"] for s in kept["skills"]} == \
        {"legal_aid": "LAW-7", "general": None}


def test_a_row_that_differs_from_the_register_is_reported_and_changes_nothing(volunteers):
    tap = EventTap(volunteers.config["AMQP_URI"], "volunteers.events")
    try:
        send(volunteers, rows())
        tap.take(3)  # the first import's own, however late the relay sends them
        changed = rows()
        changed[0]["cells"]["phone"] = "13900000099"
        changed[0]["cells"]["skills"] = "general,social_work"
        changed[1]["cells"]["availability"] = None
        changed.append(row(5, 4))
        answer = send(volunteers, changed)
        events = tap.drain(settle=1.5)
    finally:
        tap.close()

    assert outcomes(answer) == {4: "unchanged", 5: "created"}
    assert errors(answer) == {(2, "phone"): "already_registered",
                              (2, "skills"): "already_registered",
                              (3, "availability"): "already_registered"}
    held = registered(volunteers)
    volunteer_id = held["志愿者1"]["id"]
    assert {e["message"] for e in answer["errors"] if e["row"] == 2} == {
        f"Volunteer {volunteer_id} is registered with a different value; an import adds "
        "volunteers, it does not change them."}
    assert held["志愿者1"]["phone"].endswith("0001")
    assert [s["code"] for s in held["志愿者1"]["skills"]] == ["general"]
    assert held["志愿者2"]["availability"] == "周末上午"
    assert [e["body"]["data"]["name"] for e in events] == ["志愿者4"]


def test_bad_cells_are_reported_by_column_and_the_other_rows_written(volunteers):
    bad = [row(2, 1, id_number="341181198001010000"), row(3, 2, phone="12345"),
           row(4, 3, skills="general,cooking,legal_aid,juggling"), row(5, 4, skills=" , "),
           row(6, 5, grassroots_code="3411811"), row(7, 6)]
    del bad[5]["cells"]["name"]

    answer = send(volunteers, [*bad, row(8, 7)])

    assert outcomes(answer) == {8: "created"}
    assert errors(answer) == {(2, "id_number"): "invalid_value", (3, "phone"): "invalid_value",
                              (4, "skills"): "invalid_value", (5, "skills"): "invalid_value",
                              (6, "grassroots_code"): "invalid_value",
                              (7, "name"): "invalid_value"}
    (unknown,) = [e["message"] for e in answer["errors"] if e["row"] == 4]
    assert unknown.startswith("Unknown skill: cooking, juggling. Must be one of: ")
    assert list(registered(volunteers)) == ["志愿者7"]


def test_a_refusal_of_the_service_names_its_row_and_column(volunteers):
    answer = send(volunteers, [row(2, 1, grassroots_code=ELSEWHERE), row(3, 2)])

    assert outcomes(answer) == {3: "created"}
    assert errors(answer) == {(2, "grassroots_code"): "grassroots_outside"}


def test_people_are_matched_within_the_association_only(volunteers):
    other = sign({"username": "coordinator9", "role": "coordinator",
                  "association_code": "341182"})
    send(volunteers, rows())

    answer = send(volunteers, [row(2, 1)], actor=other)

    assert outcomes(answer) == {2: "created"}
    assert list(registered(volunteers, other)) == ["志愿者1"]
    assert registered(volunteers, other)["志愿者1"]["grassroots_code"] == "341182"


@pytest.mark.parametrize("actor", [STAFF1, DONOR, as_volunteer(1)])
def test_only_coordinators_import_volunteers(volunteers, actor):
    with pytest.raises(Forbidden):
        send(volunteers, rows(), actor=actor)
    assert volunteers.rpc.list_volunteers({}, COORDINATOR)["total"] == 0


def test_a_batch_is_checked_at_the_boundary(volunteers):
    with pytest.raises(InvalidInput) as refused:
        volunteers.rpc.import_volunteers({"dry_run": True, "rows": []}, COORDINATOR)
    assert "rows" in refused.value.fields
