"""Renewal and lapse: the fund and insurance services together on real RabbitMQ (SQLite and
PostgreSQL in turn); the premium saga pays a renewal's fund share as an enrolment's."""
from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_container, get_extension
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.insurance.service import InsuranceService
from shared.db import Database
from shared.errors import Conflict, InvalidInput
from tests.insurance_data import ACCIDENT, TODAY, claim, enrolment
from tests.support import ADMIN, STAFF1, STAFF2, EventTap, wait_until

RENEWING = {**ACCIDENT, "code": "RENEWING", "premium_fen": 10_000, "premium_shares": [
    {"payer": "government", "share_pct": 60, "fund_code": "PREMIUMS"},
    {"payer": "family", "share_pct": 40}]}
VILLAGE, OTHER_VILLAGE = "341181100201", "341181100202"
GIVER = {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}


def prepare(saga, *products):
    for code in ("PAYOUT", "PREMIUMS"):
        saga.fund.ensure_fund({"code": code, "name": code.title(), "restricted": True}, ADMIN)
        saga.fund.record_donation({"fund_code": code, "amount_fen": 100_000, "channel": "bank",
                                   "donor": GIVER}, None, STAFF1)
    for product in products or (ACCIDENT,):
        saga.insurance.ensure_product(product, ADMIN)


def ending_in(saga, n, days, product="ACCIDENT", **extra):
    """A policy whose year ends `days` from today (in the past if negative)."""
    start = TODAY + timedelta(days=days) - timedelta(days=364)
    return saga.insurance.enrol(enrolment(n, start=start, product_code=product, **extra), STAFF1)


def outcomes(answer):
    return [(r["policy_no"], r["outcome"]) for r in answer["results"]]


def share_status(policy):
    return {s["payer"]: s["status"] for s in policy["shares"]}


def test_a_policy_is_renewed_on_the_newest_terms_and_the_saga_pays_the_fund_share(saga):
    prepare(saga, RENEWING)
    old = ending_in(saga, 1, 20, "RENEWING")
    saga.insurance.record_premium_payment(old["id"], {"payer": "family", "amount_fen": 4_000},
                                          STAFF1)
    saga.insurance.ensure_product({**RENEWING, "premium_fen": 12_000}, ADMIN)  # version 2
    [due] = saga.insurance.renewals_due({"product_code": "RENEWING"}, STAFF1)["items"]
    assert (due["policy_no"], due["product_version"], due["premium_fen"], due["renewal"]) == \
        (old["policy_no"], 2, 12_000, None)
    assert due["next_start_date"] == (TODAY + timedelta(days=21)).isoformat()
    assert [(s["payer"], s["amount_fen"]) for s in due["shares"]] == [("government", 7_200),
                                                                      ("family", 4_800)]
    tap = EventTap(saga.config["AMQP_URI"], "insurance.events", "premium_due")
    try:
        answer = saga.insurance.renew({"policy_nos": [old["policy_no"]]}, STAFF1)
        due_events = tap.take(2, timeout=5)
    finally:
        tap.close()
    [(_, outcome)] = outcomes(answer)
    renewal_no = answer["results"][0]["renewal_policy_no"]
    assert (answer["renewed"], outcome) == (1, "renewed")
    assert sorted(e["body"]["data"]["payer"] for e in due_events) == ["family", "government"]
    renewal = wait_until(lambda: (lambda p: p if share_status(p)["government"] == "paid"
                                  else None)(saga.insurance.get_policy(renewal_no, STAFF1)))
    assert (renewal["renews_policy_no"], renewal["product_version"], renewal["status"],
            renewal["start_date"]) == (old["policy_no"], 2, "pending_payment",
                                       due["next_start_date"])
    assert share_status(renewal) == {"government": "paid", "family": "due"}
    [listed] = saga.insurance.renewals_due({"product_code": "RENEWING"}, STAFF1)["items"]
    assert (listed["renewal"]["policy_no"], listed["renewal"]["unpaid_fen"]) == \
        (renewal_no, 4_800)
    again = saga.insurance.renew({"policy_nos": [old["policy_no"]]}, STAFF2)
    assert (again["renewed"], again["results"][0]["outcome"],
            again["results"][0]["renewal_policy_no"]) == (0, "already_renewed", renewal_no)
    assert saga.insurance.list_policies({"product_code": "RENEWING"}, STAFF1)["total"] == 2


def test_a_village_is_renewed_and_each_policy_refused_is_named(saga):
    prepare(saga)
    here = [ending_in(saga, n, 10, village_code=VILLAGE) for n in (1, 2, 3)]
    there = ending_in(saga, 4, 10, village_code=OTHER_VILLAGE)
    later = ending_in(saga, 5, 200, village_code=VILLAGE)  # outside the window
    saga.insurance.cancel_policy(here[2]["policy_no"], {"reason": "moved away"}, STAFF2)
    village = saga.insurance.renew({"village_code": VILLAGE, "product_code": "ACCIDENT"},
                                   STAFF1)
    assert outcomes(village) == [(here[0]["policy_no"], "renewed"),
                                 (here[1]["policy_no"], "renewed")]
    chosen = saga.insurance.renew({"policy_nos": [
        here[2]["policy_no"], "PL-341181-2026-999999", here[0]["policy_no"],
        there["policy_no"]]}, STAFF1)
    assert outcomes(chosen) == [(here[2]["policy_no"], "not_renewable"),
                                ("PL-341181-2026-999999", "policy_not_found"),
                                (here[0]["policy_no"], "already_renewed"),
                                (there["policy_no"], "renewed")]
    renewal = saga.insurance.get_policy(chosen["results"][3]["renewal_policy_no"], STAFF1)
    assert (renewal["status"], renewal["village_code"], renewal["renews_policy_no"]) == \
        ("active", OTHER_VILLAGE, there["policy_no"])
    assert later["policy_no"] not in str(saga.insurance.renewals_due(
        {"product_code": "ACCIDENT", "village_code": VILLAGE}, STAFF1))


def test_a_stale_product_version_and_bad_requests_are_refused_by_name(saga):
    prepare(saga)
    policy = ending_in(saga, 1, 10)
    saga.insurance.ensure_product({**ACCIDENT, "waiting_days": 10}, ADMIN)  # version 2
    with pytest.raises(Conflict) as stale:
        saga.insurance.renew({"policy_nos": [policy["policy_no"]], "product_version": 1},
                             STAFF1)
    assert list(stale.value.fields) == ["product_version"]
    for body, field in (({}, "policy_nos"), ({"village_code": VILLAGE}, "product_code"),
                        ({"policy_nos": []}, "policy_nos"),
                        ({"policy_nos": ["x"], "village_code": VILLAGE,
                          "product_code": "ACCIDENT"}, "village_code")):
        with pytest.raises(InvalidInput) as refused:
            saga.insurance.renew(body, STAFF1)
        assert field in refused.value.fields, body
    with pytest.raises(InvalidInput) as unknown:
        saga.insurance.renewals_due({"product_code": "NOPE"}, STAFF1)
    assert list(unknown.value.fields) == ["product_code"]
    assert saga.insurance.get_policy(policy["policy_no"], STAFF1)["status"] == "active"


def test_a_policy_ended_unrenewed_lapses_and_a_renewal_keeps_cover_without_waiting(saga):
    prepare(saga)
    unrenewed = ending_in(saga, 1, -30)
    renewed = ending_in(saga, 2, -6)
    answer = saga.insurance.renew({"policy_nos": [renewed["policy_no"]]}, STAFF1)
    renewal_no = answer["results"][0]["renewal_policy_no"]
    # Shown as the closing will make them, before it has looked.
    assert [saga.insurance.get_policy(p["policy_no"], STAFF1)["status"]
            for p in (unrenewed, renewed)] == ["lapsed", "expired"]
    with entrypoint_hook(get_container(saga.runner, InsuranceService),
                         "close_ended_policies") as close:
        close()
    lapsed = saga.insurance.get_policy(unrenewed["policy_no"], STAFF1)
    assert (lapsed["status"], lapsed["history"][-1]["reason"]) == \
        ("lapsed", f"ended {unrenewed['end_date']} unrenewed")
    assert saga.insurance.get_policy(renewed["policy_no"], STAFF1)["status"] == "expired"
    assert saga.insurance.get_policy(renewal_no, STAFF1)["status"] == "active"
    # Day 3 of the renewal is inside a new policy's waiting period, not a renewal's.
    fresh = saga.insurance.submit_claim(claim(renewal_no, days_ago=2), STAFF1)
    assert [f["code"] for f in fresh["flags"]] == []
    late = saga.insurance.renew({"policy_nos": [unrenewed["policy_no"]]}, STAFF1)
    assert outcomes(late) == [(unrenewed["policy_no"], "not_renewable")]


def test_a_person_insured_twice_meanwhile_is_named_and_the_others_still_renew(saga):
    prepare(saga)
    first = ending_in(saga, 1, 10)
    # As if the one-policy key had been handed on by a renewal racing this one.
    with Session(get_extension(get_container(saga.runner, InsuranceService),
                               Database).engine) as session, session.begin():
        session.execute(text("UPDATE policies SET active_key = NULL WHERE policy_no = :n"),
                        {"n": first["policy_no"]})
    second = ending_in(saga, 1, 12)  # the same person
    other = ending_in(saga, 2, 10)
    answer = saga.insurance.renew({"policy_nos": [first["policy_no"], second["policy_no"],
                                                  other["policy_no"]]}, STAFF1)
    # The first would take the key the second holds; the second hands its own on.
    assert outcomes(answer) == [(first["policy_no"], "already_insured"),
                                (second["policy_no"], "renewed"),
                                (other["policy_no"], "renewed")]
    assert saga.insurance.list_policies({}, STAFF1)["total"] == 5
