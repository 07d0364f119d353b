"""Policies from a spreadsheet, through the insurance service's RPC interface (a batch of
rows as the gateway sends it), the fund running beside it for the products' funds, on both
databases: a dry run writes nothing and tells what a real run would do; a real run enrols
as typed by hand (same events, the premium asked of its funds); the same rows again change
nothing; a cell against the rules, an unknown product or an enrolment the rules refuse is
its row's error, the other rows enrolled."""
from datetime import date, timedelta

import pytest

from shared.errors import Forbidden, InvalidInput
from shared.identity import make_resident_id
from tests.insurance_data import ACCIDENT, TODAY, enrolment, person
from tests.service.test_families import AUDITOR, COORDINATOR, DONOR
from tests.support import ADMIN, STAFF1, STAFF2, EventTap

START = (TODAY - timedelta(days=100)).isoformat()
# A premium half from the county's premium fund, half from the family (recorded by hand).
PREMIUM = {**ACCIDENT, "code": "PREMIUM", "premium_fen": 8_000, "premium_shares": [
    {"payer": "government", "share_pct": 50, "fund_code": "PREMIUMS"},
    {"payer": "family", "share_pct": 50}]}


def prepare(saga, *products):
    for code in ("PAYOUT", "PREMIUMS"):
        saga.fund.ensure_fund({"code": code, "name": code.title(), "restricted": True}, ADMIN)
    for product in products or (ACCIDENT,):
        saga.insurance.ensure_product(product, ADMIN)


def policy(row, n, **cells):
    return {"row": row, "cells": {
        "product_code": "ACCIDENT", "name": f"参保人{n}", "id_number": person(n)["id_number"],
        "phone": None, "start_date": START, "family_category": "only_child",
        "family_code": None, **cells}}


def rows():
    return [policy(2, 1), policy(3, 2, phone="13905500002", family_code="F-341181-0002"),
            policy(4, 3)]


def send(saga, rows, dry_run=False, actor=STAFF1):
    return saga.insurance.import_policies({"dry_run": dry_run, "rows": rows}, actor)


def outcomes(answer):
    return {outcome["row"]: outcome["outcome"] for outcome in answer["outcomes"]}


def errors(answer):
    return {(error["row"], error["column"]): error["code"] for error in answer["errors"]}


def listed(saga):
    return saga.insurance.list_policies({}, STAFF1)


def test_a_dry_run_tells_what_would_happen_and_writes_nothing(saga):
    prepare(saga)
    tap = EventTap(saga.config["AMQP_URI"], "insurance.events")
    try:
        answer = send(saga, rows() + [policy(5, 1)], dry_run=True)
        events = tap.drain(settle=1.0)
    finally:
        tap.close()

    assert outcomes(answer) == {2: "created", 3: "created", 4: "created", 5: "unchanged"}
    assert answer["errors"] == []
    assert listed(saga)["total"] == 0
    assert events == []


def test_policies_are_enrolled_once_as_by_hand_and_the_same_rows_again_change_nothing(saga):
    prepare(saga)
    tap = EventTap(saga.config["AMQP_URI"], "insurance.events")
    try:
        first = send(saga, rows())
        imported = tap.take(3)
        again = send(saga, rows())
        late = tap.drain(settle=1.5)
        by_hand = saga.insurance.enrol(enrolment(4), STAFF2)
        typed = tap.take(1)
    finally:
        tap.close()

    assert outcomes(first) == {2: "created", 3: "created", 4: "created"}
    assert set(outcomes(again).values()) == {"unchanged"} and again["errors"] == []
    assert late == []
    policies = {p["insured"]["name"]: p for p in listed(saga)["items"]}
    assert len(policies) == 4
    second = policies["参保人2"]
    assert (second["status"], second["start_date"], second["family_category"],
            second["family_code"]) == ("active", START, "only_child", "F-341181-0002")
    assert second["end_date"] == by_hand["end_date"]
    kinds = {e["body"]["event_type"] for e in imported + typed}
    assert kinds == {"insurance.policy_enrolled"}
    assert sorted(e["body"]["data"]["policy_no"] for e in imported) == sorted(
        p["policy_no"] for name, p in policies.items() if name != "参保人4")
    assert set(imported[0]["body"]["data"]) == set(typed[0]["body"]["data"])


def test_a_premium_is_asked_of_its_fund_as_at_enrolment_by_hand(saga):
    prepare(saga, PREMIUM)
    tap = EventTap(saga.config["AMQP_URI"], "insurance.events", "premium_due")
    try:
        answer = send(saga, [policy(2, 1, product_code="PREMIUM")])
        dues = tap.take(1)
    finally:
        tap.close()

    assert outcomes(answer) == {2: "created"}
    (enrolled,) = listed(saga)["items"]
    assert enrolled["status"] == "pending_payment"
    assert [(s["payer"], s["amount_fen"]) for s in enrolled["shares"]] == [
        ("government", 4_000), ("family", 4_000)]
    (due,) = dues
    assert (due["body"]["data"]["policy_no"], due["body"]["data"]["fund_code"],
            due["body"]["data"]["amount_fen"]) == (enrolled["policy_no"], "PREMIUMS", 4_000)


def test_a_policy_already_held_is_unchanged_whatever_became_of_it(saga):
    prepare(saga)
    held = saga.insurance.enrol(enrolment(1, start=date.fromisoformat(START)), STAFF1)
    cancelled = saga.insurance.enrol(enrolment(2, start=date.fromisoformat(START)), STAFF1)
    saga.insurance.cancel_policy(cancelled["policy_no"], {"reason": "moved away"}, STAFF2)

    answer = send(saga, [policy(2, 1, name="参保人一", phone="13905500001"), policy(3, 2)])

    assert outcomes(answer) == {2: "unchanged", 3: "unchanged"}
    assert saga.insurance.get_policy(held["policy_no"], STAFF1)["insured"]["name"] == "参保人1"
    statuses = sorted(p["status"] for p in listed(saga)["items"])
    assert statuses == ["active", "cancelled"]


def test_a_cell_against_the_rules_is_its_rows_error_and_the_other_rows_are_enrolled(saga):
    prepare(saga)
    valid = person(5)["id_number"]
    misread = valid[:-1] + ("1" if valid[-1] == "0" else "0")  # its check digit wrong
    bad = rows() + [policy(5, 5, id_number=misread),
                    policy(6, 6, start_date="2024-02-30"),
                    policy(7, 7, family_category="only_son"),
                    policy(8, 8, product_code="accident")]
    bad[1]["cells"]["phone"] = "12345"

    answer = send(saga, bad)

    assert outcomes(answer) == {2: "created", 4: "created"}
    assert errors(answer) == {(3, "phone"): "invalid_value", (5, "id_number"): "invalid_value",
                              (6, "start_date"): "invalid_value",
                              (7, "family_category"): "invalid_value",
                              (8, "product_code"): "invalid_value"}
    assert listed(saga)["total"] == 2


def test_what_enrolment_refuses_names_the_row_and_column_at_fault(saga):
    prepare(saga)
    saga.insurance.enrol(enrolment(7), STAFF1)  # from START, a year long
    too_old = make_resident_id("341181", date(1940, 5, 1), 9)
    later = (TODAY - timedelta(days=50)).isoformat()
    clash = [policy(2, 7, start_date=later),  # overlaps the cover held
             policy(3, 8, product_code="NO_SUCH"),
             policy(4, 9, id_number=too_old),
             policy(5, 10, family_category="two_daughters"),
             policy(6, 11)]

    answer = send(saga, clash)

    assert outcomes(answer) == {6: "created"}
    assert errors(answer) == {(2, "id_number"): "already_insured",
                              (3, "product_code"): "unknown_product",
                              (4, "id_number"): "ineligible",
                              (5, "family_category"): "ineligible"}
    assert listed(saga)["total"] == 2


@pytest.mark.parametrize("actor", [COORDINATOR, AUDITOR, DONOR])
def test_only_staff_import_policies(saga, actor):
    with pytest.raises(Forbidden):
        send(saga, rows(), actor=actor)


def test_a_batch_is_checked_at_the_boundary(saga):
    with pytest.raises(InvalidInput) as refused:
        saga.insurance.import_policies({"dry_run": True, "rows": []}, STAFF1)
    assert "rows" in refused.value.fields
