"""Premiums, product versions and bulk enrolment: the fund, insurance and families services
running together on real RabbitMQ (SQLite and PostgreSQL in turn), talking only by RPC and
events. Redelivery is made by publishing again, by hand, the very events the services sent
(and copies of them under new event ids), as a broker would after a lost ack."""
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.utils import get_container, get_extension
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from services.families.service import FamiliesService
from services.fund.models import Disbursement
from services.fund.service import FundService
from services.insurance.service import InsuranceService
from shared.actors import sign
from shared.clock import local_today
from shared.db import Database
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.identity import make_resident_id
from tests.insurance_data import ACCIDENT, claim, enrolment
from tests.support import ADMIN, STAFF1, STAFF2, EventTap, publish_raw, wait_until

GIVER = {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}
AUDITOR = sign({"username": "auditor1", "role": "auditor"})
PREMIUM = 10_000
# Half from the county's premium fund, a third from the society's fund, the rest by hand.
SHARED = {**ACCIDENT, "code": "SHARED", "premium_fen": PREMIUM, "premium_shares": [
    {"payer": "government", "share_pct": 50, "fund_code": "PREMIUMS"},
    {"payer": "society", "share_pct": 30, "fund_code": "SOCIETY"},
    {"payer": "family", "share_pct": 20}]}
FAMILY_PAYS = {**ACCIDENT, "code": "FAMILY_PAYS", "premium_fen": 3_000, "premium_shares": [
    {"payer": "family", "share_pct": 70}, {"payer": "department", "share_pct": 30}]}
BY_FUNDS = {**ACCIDENT, "code": "BY_FUNDS", "premium_fen": 999, "premium_shares": [
    {"payer": "government", "share_pct": 67, "fund_code": "PREMIUMS"},
    {"payer": "society", "share_pct": 33, "fund_code": "SOCIETY"}]}


@dataclass
class Running:
    fund: object
    insurance: object
    families: object
    config: dict
    runner: object

    def session(self, service) -> Session:
        return Session(get_extension(get_container(self.runner, service), Database).engine)

    def handled(self, service, consumer: str, event_id: str) -> bool:
        """The consumer's inbox has the event: its transaction committed."""
        with self.session(service) as session:
            return bool(session.execute(text(
                "SELECT 1 FROM processed_events WHERE consumer = :c AND event_id = :e"),
                {"c": consumer, "e": event_id}).first())

    def disbursements_of(self, policy_id: int) -> dict[str, int]:
        """How many disbursements the fund opened for each share of the policy."""
        with self.session(FundService) as session:
            rows = session.execute(select(Disbursement.source_key, func.count())
                                   .where(Disbursement.source_key.like(f"premium:%:{policy_id}:%"))
                                   .group_by(Disbursement.source_key)).all()
        return {key.rsplit(":", 1)[1]: count for key, count in rows}


@pytest.fixture
def running(database_url, runner_factory, rabbit_config):
    config = {**rabbit_config, "max_workers": 20,
              "DATABASE_URLS": {name: database_url(name)
                                for name in ("fund", "insurance", "families")}}
    runner = runner_factory(config, FundService, InsuranceService, FamiliesService)
    runner.start()
    with ClusterRpcProxy(config) as rpc:
        yield Running(rpc.fund, rpc.insurance, rpc.families, config, runner)


def prepare(running, money=100_000, *products):
    for code in ("PAYOUT", "PREMIUMS", "SOCIETY"):
        running.fund.ensure_fund({"code": code, "name": code.title(), "restricted": True},
                                 ADMIN)
        if money:
            give(running, code, money)
    for product in products or (SHARED,):
        running.insurance.ensure_product(product, ADMIN)


def give(running, fund_code, amount):
    running.fund.record_donation({"fund_code": fund_code, "amount_fen": amount,
                                  "channel": "bank", "donor": GIVER}, None, STAFF1)


def enrol(running, n=1, product="SHARED", **extra):
    return running.insurance.enrol(enrolment(n, product_code=product, **extra), STAFF1)


def policy_of(running, policy_no):
    return running.insurance.get_policy(policy_no, STAFF1)


def shares_become(running, policy_no, wanted: dict, timeout=15):
    """Waits until the shares named in `wanted` ({payer: status}) have those statuses."""
    def now():
        policy = policy_of(running, policy_no)
        statuses = {s["payer"]: s["status"] for s in policy["shares"]}
        return policy if all(statuses[p] == s for p, s in wanted.items()) else None
    return wait_until(now, timeout=timeout)


def pay(running, policy, payer, amount=None, actor=STAFF1):
    share = next(s for s in policy["shares"] if s["payer"] == payer)
    return running.insurance.record_premium_payment(
        policy["id"], {"payer": payer, "amount_fen": amount or share["amount_fen"]}, actor)


# 1. A policy with a premium waits for every share -------------------------------------------

def test_a_policy_is_active_only_once_every_share_is_paid(running):
    prepare(running)
    tap = EventTap(running.config["AMQP_URI"], "insurance.events", "policy_enrolled")
    try:
        policy = enrol(running, family_id=4)
        assert (policy["status"], policy["premium_fen"], policy["product_version"]) == \
            ("pending_payment", PREMIUM, 1)
        assert [(s["payer"], s["share_pct"], s["amount_fen"], s["fund_code"], s["status"])
                for s in policy["shares"]] == [
            ("government", 50, 5_000, "PREMIUMS", "due"),
            ("society", 30, 3_000, "SOCIETY", "due"),
            ("family", 20, 2_000, None, "due")]
        paid = shares_become(running, policy["policy_no"], {"government": "paid",
                                                            "society": "paid"})
        assert paid["status"] == "pending_payment"  # the family's share is still due
        assert tap.take(1, timeout=1) == []
        active = pay(running, paid, "family")
        enrolled = tap.take(2, timeout=5)
    finally:
        tap.close()
    assert active["status"] == "active"
    assert {s["status"] for s in active["shares"]} == {"paid"}
    assert [h["to_status"] for h in active["history"]] == ["pending_payment", "active"]
    assert [(e["body"]["data"]["policy_no"], e["body"]["data"]["family_id"])
            for e in enrolled] == [(policy["policy_no"], 4)]  # once, when it came in force
    assert running.fund.get_fund("PREMIUMS", STAFF1)["balance_fen"] == 100_000 - 5_000
    assert running.fund.get_fund("SOCIETY", STAFF1)["balance_fen"] == 100_000 - 3_000


def test_a_product_without_a_premium_is_active_at_once(running):
    prepare(running, 0, ACCIDENT)
    policy = enrol(running, product="ACCIDENT")
    assert (policy["status"], policy["premium_fen"], policy["shares"]) == ("active", 0, [])


def test_a_share_waits_for_an_empty_fund_and_is_paid_when_money_arrives(running):
    prepare(running, 0, BY_FUNDS)
    give(running, "SOCIETY", 10_000)
    policy = enrol(running, product="BY_FUNDS")
    assert [s["amount_fen"] for s in policy["shares"]] == [669, 330]  # 669.33 and 329.67
    waiting = shares_become(running, policy["policy_no"], {"government": "awaiting_funds",
                                                           "society": "paid"})
    assert waiting["status"] == "pending_payment"
    give(running, "PREMIUMS", 1_000)
    active = shares_become(running, policy["policy_no"], {"government": "paid"})
    assert active["status"] == "active"
    assert running.fund.get_fund("PREMIUMS", STAFF1)["balance_fen"] == 1_000 - 669


# 2. The saga pays each share exactly once, however often its events come ---------------------

def test_each_share_is_paid_once_under_redelivery_of_both_events(running):
    prepare(running, 100_000, BY_FUNDS)
    due_tap = EventTap(running.config["AMQP_URI"], "insurance.events", "premium_due")
    paid_tap = EventTap(running.config["AMQP_URI"], "fund.events", "disbursement_paid")
    try:
        policy = enrol(running, product="BY_FUNDS")
        shares_become(running, policy["policy_no"], {"government": "paid", "society": "paid"})
        dues = due_tap.take(2)
        paids = paid_tap.take(2)
    finally:
        due_tap.close()
        paid_tap.close()
    assert sorted(e["body"]["data"]["share_key"] for e in dues) == [
        f"premium:341181:{policy['id']}:government", f"premium:341181:{policy['id']}:society"]
    again = redeliver(running, "insurance.events", "premium_due", dues) + \
        redeliver(running, "fund.events", "disbursement_paid", paids)
    for service, consumer, event_id in again:
        wait_until(lambda s=service, c=consumer, e=event_id: running.handled(s, c, e))

    assert running.disbursements_of(policy["id"]) == {"government": 1, "society": 1}
    assert running.fund.get_fund("PREMIUMS", STAFF1)["balance_fen"] == 100_000 - 669
    assert running.fund.get_fund("SOCIETY", STAFF1)["balance_fen"] == 100_000 - 330
    final = policy_of(running, policy["policy_no"])
    assert [h["to_status"] for h in final["history"]] == ["pending_payment", "active"]
    payments = running.insurance.list_policies({}, STAFF1)["items"][0]["shares"]
    assert {s["payer"]: s["disbursement_id"] is not None for s in payments} == \
        {"government": True, "society": True}


def redeliver(running, exchange, routing_key, events) -> list[tuple]:
    """Each event again as it was (a redelivery), and once more under a new id (a copy the
    inbox cannot recognise): what each consumer must then have handled."""
    consumer = {"premium_due": (FundService, "fund.on_premium_due"),
                "disbursement_paid": (InsuranceService, "insurance.on_premium_paid")}
    service, name = consumer[routing_key]
    handled = []
    for event in events:
        copy = {**event["body"], "event_id": str(uuid.uuid4())}
        for body in (event["body"], event["body"], copy):
            publish_raw(running.config["AMQP_URI"], exchange, routing_key,
                        json.dumps(body).encode())
        handled.append((service, name, copy["event_id"]))
    return handled


# 3. Claims on a policy whose premium is unpaid ---------------------------------------------

def test_a_claim_on_a_pending_policy_is_flagged_and_approved_only_once_paid(running):
    prepare(running, 100_000, FAMILY_PAYS)
    policy = enrol(running, product="FAMILY_PAYS")
    submitted = running.insurance.submit_claim(claim(policy["policy_no"]), STAFF1)
    assert (submitted["status"], [f["code"] for f in submitted["flags"]]) == \
        ("flagged", ["premium_unpaid"])
    with pytest.raises(Conflict) as refused:
        running.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 1_000}, STAFF2)
    assert "premium_unpaid" in refused.value.fields
    pay(running, policy, "family")
    assert pay(running, policy, "department")["status"] == "active"
    approved = running.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 1_000},
                                               STAFF2)
    assert approved["status"] == "approved"


# 4. Product versions: a policy keeps the terms it was enrolled under ----------------------

def test_a_policy_keeps_its_versions_terms_and_a_new_one_gets_the_new_terms(running):
    prepare(running, 100_000, ACCIDENT)
    old = enrol(running, 1, product="ACCIDENT")
    lowered = running.insurance.ensure_product({**ACCIDENT, "per_claim_cap_fen": 10_000}, ADMIN)
    assert lowered["version"] == 2 and lowered["per_claim_cap_fen"] == 10_000
    same = running.insurance.ensure_product({**ACCIDENT, "per_claim_cap_fen": 10_000}, ADMIN)
    assert same["version"] == 2  # the same terms again are no new version
    new = enrol(running, 2, product="ACCIDENT")
    assert (old["product_version"], new["product_version"]) == (1, 2)

    on_old = running.insurance.submit_claim(claim(old["policy_no"], 15_000), STAFF1)
    on_new = running.insurance.submit_claim(claim(new["policy_no"], 15_000), STAFF1)
    assert on_old["flags"] == []  # the old cap, 20 000, still holds for it
    assert [f["code"] for f in on_new["flags"]] == ["over_per_claim_cap"]
    assert running.insurance.approve_claim(on_old["id"], {"amount_approved_fen": 15_000},
                                           STAFF2)["status"] == "approved"


def test_a_premium_added_later_is_for_new_policies_only(running):
    prepare(running, 100_000, ACCIDENT)
    old = enrol(running, 1, product="ACCIDENT")
    running.insurance.ensure_product({**FAMILY_PAYS, "code": "ACCIDENT"}, ADMIN)
    assert enrol(running, 2, product="ACCIDENT")["status"] == "pending_payment"
    assert policy_of(running, old["policy_no"])["status"] == "active"


# 5. What a product's premium must be ------------------------------------------------------

@pytest.mark.parametrize("shares", [
    [{"payer": "government", "share_pct": 50, "fund_code": "PREMIUMS"},
     {"payer": "family", "share_pct": 40}],
    [{"payer": "family", "share_pct": 60}, {"payer": "family", "share_pct": 40}],
    []])
def test_shares_not_summing_to_100_are_refused_by_field(running, shares):
    prepare(running, 0, ACCIDENT)
    with pytest.raises(InvalidInput) as refused:
        running.insurance.ensure_product({**SHARED, "premium_shares": shares}, ADMIN)
    assert list(refused.value.fields) == ["premium_shares"]
    assert [p["code"] for p in running.insurance.list_products(ADMIN)["items"]] == ["ACCIDENT"]


def test_a_share_must_name_a_fund_that_pays_premiums(running):
    prepare(running, 0, ACCIDENT)
    running.fund.ensure_fund({"code": "ELDERLY", "name": "Elderly", "restricted": True,
                              "allowed_categories": ["elderly_care"]}, ADMIN)
    for fund_code in ("ELDERLY", "NOSUCH"):
        with pytest.raises(InvalidInput) as refused:
            running.insurance.ensure_product({**SHARED, "premium_shares": [
                {"payer": "family", "share_pct": 10},
                {"payer": "government", "share_pct": 90, "fund_code": fund_code}]}, ADMIN)
        assert refused.value.code == "premium_fund_unusable"
        assert list(refused.value.fields) == ["premium_shares.1.fund_code"]


# 6. Shares recorded by staff -------------------------------------------------------------

def test_payments_by_hand_are_checked(running):
    prepare(running, 0)
    policy = enrol(running)
    cases = [({"payer": "department", "amount_fen": 1}, InvalidInput, "unknown_payer", "payer"),
             ({"payer": "government", "amount_fen": 5_000}, InvalidInput, "paid_by_fund",
              "payer"),
             ({"payer": "family", "amount_fen": 1_999}, InvalidInput, "amount_not_share",
              "amount_fen"),
             ({"payer": "family", "amount_fen": 0}, InvalidInput, "invalid_input",
              "amount_fen"),
             ({"payer": "family", "amount_fen": 2_000, "note": "x"}, InvalidInput,
              "invalid_input", "note")]
    for body, error, code, field in cases:
        with pytest.raises(error) as refused:
            running.insurance.record_premium_payment(policy["id"], body, STAFF1)
        assert (refused.value.code, list(refused.value.fields)) == (code, [field])
    paid = pay(running, policy, "family")
    family = next(s for s in paid["shares"] if s["payer"] == "family")
    assert (family["status"], family["paid_by"]) == ("paid", "staff1")
    with pytest.raises(Conflict) as twice:
        pay(running, policy, "family", actor=STAFF2)
    assert twice.value.code == "share_already_paid"
    with pytest.raises(NotFound):
        running.insurance.record_premium_payment(policy["id"] + 1, {"payer": "family",
                                                                    "amount_fen": 2_000}, STAFF1)
    with pytest.raises(Forbidden):
        pay(running, policy, "family", actor=AUDITOR)


def test_a_cancelled_pending_policy_takes_no_payments(running):
    prepare(running, 0, FAMILY_PAYS)
    policy = enrol(running, product="FAMILY_PAYS")
    cancelled = running.insurance.cancel_policy(policy["policy_no"], {"reason": "moved"},
                                                STAFF2)
    assert cancelled["status"] == "cancelled"
    with pytest.raises(Conflict) as refused:
        pay(running, policy, "family")
    assert refused.value.code == "policy_not_pending"


def test_a_pending_policy_that_ended_unpaid_makes_way_for_a_new_one(running):
    prepare(running, 0, FAMILY_PAYS)
    lapsed = enrol(running, product="FAMILY_PAYS",
                   start=local_today() - timedelta(days=400))
    renewed = enrol(running, product="FAMILY_PAYS", start=local_today())
    assert renewed["status"] == "pending_payment"
    old = policy_of(running, lapsed["policy_no"])
    assert (old["status"], old["history"][-1]["reason"]) == \
        ("cancelled", f"ended {lapsed['end_date']} unpaid")


# 7. Enrolling a village's families from the register ----------------------------------------

VILLAGE = "341181100001"
NEIGHBOUR = "341181100002"


def person(n, born=date(1985, 4, 1), relation="child"):
    return {"name": f"村民{n}", "id_number": make_resident_id("341181", born, n),
            "relation": relation}


def register(running, village, category, *people):
    members = [{**people[0], "relation": "head"}, *people[1:]]
    return running.families.register_family({"category": category, "address": "某村1号",
                                             "village_code": village, "members": members},
                                            STAFF1)


def test_a_village_is_enrolled_once_and_who_does_not_fit_is_named(running):
    prepare(running, 0, {**ACCIDENT, "categories": ["only_child", "special_family"]})
    only_child = register(running, VILLAGE, "only_child", person(1), person(2),
                          person(3, born=date(1950, 1, 1)))
    register(running, VILLAGE, "two_daughters", person(4))
    bereaved = register(running, NEIGHBOUR, "special_bereaved", person(5))
    insured = {k: v for k, v in person(2).items() if k != "relation"}
    running.insurance.enrol({"product_code": "ACCIDENT", "insured": insured,
                             "start_date": local_today().isoformat(),
                             "family_category": "only_child"}, STAFF1)
    body = {"product_code": "ACCIDENT", "village_code": VILLAGE,
            "start_date": (local_today() - timedelta(days=1)).isoformat()}

    first = running.insurance.enrol_village(body, STAFF1)
    assert first["enrolled"] == 1 and len(first["policy_nos"]) == 1
    assert [(s["name"], s["reason"]) for s in first["skipped"]] == [
        ("村民2", "already_insured"), ("村民3", "ineligible_age"),
        ("村民4", "ineligible_category")]
    policy = policy_of(running, first["policy_nos"][0])
    assert (policy["insured"]["name"], policy["family_id"], policy["family_code"],
            policy["family_category"]) == ("村民1", only_child["id"], only_child["family_no"],
                                           "only_child")

    again = running.insurance.enrol_village(body, STAFF1)
    assert again["enrolled"] == 0
    assert [s["reason"] for s in again["skipped"]] == [
        "already_insured", "already_insured", "ineligible_age", "ineligible_category"]

    township = running.insurance.enrol_village({**body, "village_code": VILLAGE[:9]}, STAFF1)
    assert township["enrolled"] == 1
    neighbour = policy_of(running, township["policy_nos"][0])
    assert (neighbour["family_id"], neighbour["family_category"]) == \
        (bereaved["id"], "special_family")
    assert running.insurance.list_policies({}, STAFF1)["total"] == 3


def test_bulk_enrolment_of_a_product_with_a_premium_asks_the_funds(running):
    prepare(running)
    register(running, VILLAGE, "only_child", person(11), person(12))
    enrolled = running.insurance.enrol_village({"product_code": "SHARED",
                                                "village_code": VILLAGE,
                                                "start_date": local_today().isoformat()},
                                               STAFF1)
    assert enrolled["enrolled"] == 2
    for policy_no in enrolled["policy_nos"]:
        waiting = shares_become(running, policy_no, {"government": "paid", "society": "paid"})
        assert waiting["status"] == "pending_payment"
    assert running.fund.get_fund("PREMIUMS", STAFF1)["balance_fen"] == 100_000 - 2 * 5_000


def test_bulk_enrolment_is_checked(running):
    prepare(running, 0, ACCIDENT)
    for body, field in [({"product_code": "ACCIDENT", "village_code": "34118",
                          "start_date": "2026-01-01"}, "village_code"),
                        ({"product_code": "NOSUCH", "village_code": VILLAGE,
                          "start_date": "2026-01-01"}, "product_code"),
                        ({"product_code": "ACCIDENT", "village_code": VILLAGE}, "start_date")]:
        with pytest.raises(InvalidInput) as refused:
            running.insurance.enrol_village(body, STAFF1)
        assert field in refused.value.fields
    with pytest.raises(Forbidden):
        running.insurance.enrol_village({"product_code": "ACCIDENT", "village_code": VILLAGE,
                                         "start_date": "2026-01-01"}, AUDITOR)


def test_only_staff_read_a_villages_people_with_whole_identity_numbers(running):
    register(running, VILLAGE, "only_child", person(21))
    found = running.families.insured_of_village(VILLAGE, STAFF1)["items"]
    assert found[0]["members"][0]["id_number"] == person(21)["id_number"]
    assert running.families.insured_of_village(NEIGHBOUR, STAFF1)["items"] == []
    with pytest.raises(Forbidden):
        running.families.insured_of_village(VILLAGE, AUDITOR)
    with pytest.raises(InvalidInput):
        running.families.insured_of_village("x", STAFF1)
