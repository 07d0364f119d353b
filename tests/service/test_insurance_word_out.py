"""What the insured hear of: each step of their claims, their premium shares due and paid,
and their cover ending soon, each event naming them with their phone sealed. The fund and
insurance services together on real RabbitMQ (SQLite and PostgreSQL in turn); events read
as the broker carries them."""
from datetime import timedelta

from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_container

from services.insurance.service import InsuranceService
from tests.insurance_data import ACCIDENT, TODAY, claim, enrolment, person
from tests.service.test_claims import prepare, status_becomes
from tests.support import ADMIN, STAFF1, STAFF2, EventTap, heard, of_type, wait_until

PHONE = "13905501234"
FAMILY_SHARE = {**ACCIDENT, "code": "FAMILY_SHARE", "premium_fen": 10_000, "premium_shares": [
    {"payer": "government", "share_pct": 60, "fund_code": "PAYOUT"},
    {"payer": "family", "share_pct": 40}]}


def insured(n: int, **extra) -> dict:
    return enrolment(n, insured={**person(n), "phone": PHONE}, **extra)


def tapped(saga, act) -> list[dict]:
    tap = EventTap(saga.config["AMQP_URI"], "insurance.events")
    try:
        act()
        return tap.drain()
    finally:
        tap.close()


def test_each_step_of_a_claim_tells_the_insured_with_their_phone_sealed(saga):
    prepare(saga)
    policy = saga.insurance.enrol(insured(7), STAFF1)
    paid = saga.insurance.submit_claim(claim(policy["policy_no"]), STAFF1)
    refused = saga.insurance.submit_claim(claim(policy["policy_no"], days_ago=20), STAFF1)

    def steps():
        saga.insurance.approve_claim(paid["id"], {"amount_approved_fen": 4_000}, STAFF2)
        saga.insurance.reject_claim(refused["id"], {"reason": "not covered"}, STAFF2)
        status_becomes(saga, paid["id"], "paid")
    events = tapped(saga, steps)

    person_key = f"insured:{policy['id']}"
    told = sorted((e["body"]["event_type"], e["body"]["version"], heard(e, PHONE))
                  for e in events)
    assert told == [(kind, version, [(person_key, "参保人7", PHONE, None)]) for kind, version in (
        ("insurance.claim_approved", 4), ("insurance.claim_paid", 3),
        ("insurance.claim_rejected", 3))]
    assert of_type(events, "insurance.claim_approved")[0]["body"]["data"][
        "amount_approved_fen"] == 4_000
    assert of_type(events, "insurance.claim_rejected")[0]["body"]["data"]["reason"] == \
        "not covered"


def test_the_claim_registered_tells_the_insured_and_one_without_a_phone_still_hears(saga):
    prepare(saga)
    policy = saga.insurance.enrol(enrolment(8), STAFF1)
    events = tapped(saga, lambda: saga.insurance.submit_claim(claim(policy["policy_no"]),
                                                              STAFF1))
    [submitted] = of_type(events, "insurance.claim_submitted")
    assert submitted["body"]["version"] == 3
    assert heard(submitted) == [(f"insured:{policy['id']}", "参保人8", None, None)]


def test_every_share_due_and_paid_is_told_and_only_a_fund_share_opens_a_disbursement(saga):
    prepare(saga)
    saga.insurance.ensure_product(FAMILY_SHARE, ADMIN)

    def enrolled_and_paid():
        policy = saga.insurance.enrol(insured(9, product_code="FAMILY_SHARE"), STAFF1)
        wait_until(lambda: {s["payer"]: s["status"] for s in saga.insurance.get_policy(
            policy["policy_no"], STAFF1)["shares"]}["government"] == "paid")
        saga.insurance.record_premium_payment(policy["id"], {"payer": "family",
                                                             "amount_fen": 4_000}, STAFF1)
    events = tapped(saga, enrolled_and_paid)

    dues = of_type(events, "insurance.premium_due")
    assert [(e["body"]["version"], e["body"]["data"]["payer"], e["body"]["data"]["fund_code"],
             e["body"]["data"]["amount_fen"]) for e in dues] == [
        (2, "government", "PAYOUT", 6_000), (2, "family", None, 4_000)]
    paids = of_type(events, "insurance.premium_paid")
    assert [(e["body"]["data"]["payer"], e["body"]["data"]["in_force"]) for e in paids] == [
        ("government", False), ("family", True)]
    person_key = f"insured:{dues[0]['body']['data']['policy_id']}"
    assert {heard(e, PHONE)[0] for e in dues + paids} == {(person_key, "参保人9", PHONE, None)}
    premiums = [d for d in saga.fund.list_disbursements({}, STAFF1)["items"]
                if d["category"] == "insurance_premium"]
    assert [d["amount_fen"] for d in premiums] == [6_000]  # none for the family's share


def test_a_policy_ending_within_30_days_is_told_once(saga):
    prepare(saga)
    ending = saga.insurance.enrol(insured(10, start_date=(TODAY - timedelta(days=350))
                                          .isoformat()), STAFF1)
    saga.insurance.enrol(insured(11), STAFF1)  # ends in 265 days
    assert ending["end_date"] == (TODAY + timedelta(days=14)).isoformat()
    container = get_container(saga.runner, InsuranceService)

    def look_twice():  # as its hourly timer does
        for _ in range(2):
            with entrypoint_hook(container, "tell_policies_ending") as look:
                look()
    events = tapped(saga, look_twice)
    [told] = of_type(events, "insurance.policy_ending")
    assert told["body"]["data"]["policy_no"] == ending["policy_no"]
    assert told["body"]["data"]["end_date"] == ending["end_date"]
    assert heard(told, PHONE) == [(f"insured:{ending['id']}", "参保人10", PHONE, None)]
