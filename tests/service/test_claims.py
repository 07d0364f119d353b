"""Claims from registration to payout, the fund and insurance services running together
on real RabbitMQ (SQLite and PostgreSQL in turn)."""
from datetime import timedelta

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput
from tests.insurance_data import ACCIDENT, TODAY, claim, enrolment, person
from tests.support import ADMIN, STAFF1, STAFF2, EventTap, wait_until

GIVER = {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}


def prepare(saga, money=100_000):
    saga.fund.ensure_fund({"code": "PAYOUT", "name": "Payouts", "restricted": True}, ADMIN)
    if money:
        give(saga, money)
    saga.insurance.ensure_product(ACCIDENT, ADMIN)


def give(saga, amount):
    saga.fund.record_donation({"fund_code": "PAYOUT", "amount_fen": amount, "channel": "bank",
                               "donor": GIVER}, None, STAFF1)


def registered(saga, n=1, amount=5_000, **extra):
    policy = saga.insurance.enrol(enrolment(n, **extra), STAFF1)
    return saga.insurance.submit_claim(claim(policy["policy_no"], amount), STAFF1)


def status_becomes(saga, claim_id, status, timeout=15):
    return wait_until(lambda: (lambda c: c if c["status"] == status else None)(
        saga.insurance.get_claim(claim_id, STAFF1)), timeout=timeout)


def test_an_approved_claim_is_paid_from_the_fund(saga):
    prepare(saga)
    submitted = registered(saga)
    assert (submitted["status"], submitted["flags"]) == ("submitted", [])
    approved = saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 4_000},
                                            STAFF2)
    assert approved["status"] == "approved"
    paid = status_becomes(saga, submitted["id"], "paid")
    assert paid["payout"]["status"] == "paid" and paid["payout"]["amount_fen"] == 4_000
    assert [h["to_status"] for h in paid["history"]] == ["submitted", "approved", "paid"]
    assert saga.fund.get_fund("PAYOUT", STAFF1)["balance_fen"] == 96_000


def test_a_claim_waits_for_funds_and_is_paid_when_a_donation_arrives(saga):
    prepare(saga, money=0)
    submitted = registered(saga)
    saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 5_000}, STAFF2)
    waiting = status_becomes(saga, submitted["id"], "approved_awaiting_funds")
    assert waiting["payout"]["status"] == "waiting_for_funds"
    give(saga, 6_000)
    status_becomes(saga, submitted["id"], "paid")
    assert saga.fund.get_fund("PAYOUT", STAFF1)["balance_fen"] == 1_000


def test_whoever_registered_a_claim_cannot_approve_it(saga):
    prepare(saga)
    submitted = registered(saga)
    with pytest.raises(Forbidden) as refused:
        saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 100}, STAFF1)
    assert refused.value.code == "four_eyes"


def test_approval_is_refused_above_the_claim_or_the_caps(saga):
    prepare(saga)
    submitted = registered(saga, amount=25_000)
    assert [f["code"] for f in submitted["flags"]] == ["over_per_claim_cap"]
    assert submitted["status"] == "flagged"
    with pytest.raises(InvalidInput) as too_much:
        saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 25_001}, STAFF2)
    assert "amount_approved_fen" in too_much.value.fields
    with pytest.raises(Conflict) as over_cap:
        saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 25_000}, STAFF2)
    assert "over_per_claim_cap" in over_cap.value.fields
    within = saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 20_000},
                                          STAFF2)
    assert within["amount_approved_fen"] == 20_000


def test_the_yearly_cap_counts_earlier_approvals(saga):
    prepare(saga)
    first = registered(saga, amount=20_000)
    saga.insurance.approve_claim(first["id"], {"amount_approved_fen": 20_000}, STAFF2)
    policy_no = first["policy_no"]
    second = saga.insurance.submit_claim(claim(policy_no, 15_000, days_ago=5), STAFF1)
    assert [f["code"] for f in second["flags"]] == ["over_per_year_cap"]
    with pytest.raises(Conflict):
        saga.insurance.approve_claim(second["id"], {"amount_approved_fen": 15_000}, STAFF2)
    saga.insurance.approve_claim(second["id"], {"amount_approved_fen": 10_000}, STAFF2)


def test_a_second_claim_for_the_same_incident_is_flagged_as_a_duplicate(saga):
    prepare(saga)
    first = registered(saga)
    again = saga.insurance.submit_claim(claim(first["policy_no"]), STAFF1)
    assert again["flags"] == [{"code": "probable_duplicate", "claim_id": first["id"],
                               "message": f"Same person, product and incident date as claim "
                                          f"{first['id']}."}]


def test_a_claim_inside_the_waiting_period_is_flagged_and_cannot_be_approved(saga):
    prepare(saga)
    policy = saga.insurance.enrol(enrolment(), STAFF1)  # began 100 days ago; waits 30
    early = saga.insurance.submit_claim(claim(policy["policy_no"], days_ago=95), STAFF1)
    assert [f["code"] for f in early["flags"]] == ["waiting_period"]
    with pytest.raises(Conflict) as refused:
        saga.insurance.approve_claim(early["id"], {"amount_approved_fen": 100}, STAFF2)
    assert "waiting_period" in refused.value.fields


def test_a_rejected_claim_keeps_its_reason_and_cannot_be_approved(saga):
    prepare(saga)
    submitted = registered(saga)
    rejected = saga.insurance.reject_claim(submitted["id"], {"reason": "no receipt"}, STAFF2)
    assert rejected["history"][-1]["reason"] == "no receipt"
    with pytest.raises(Conflict) as refused:
        saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 100}, STAFF2)
    assert refused.value.code == "illegal_transition"


def test_one_active_policy_per_person_and_product(saga):
    prepare(saga)
    saga.insurance.enrol(enrolment(7), STAFF1)
    with pytest.raises(Conflict) as refused:
        saga.insurance.enrol(enrolment(7), STAFF2)
    assert refused.value.code == "already_insured"


def test_an_ineligible_person_is_not_enrolled(saga):
    prepare(saga)
    with pytest.raises(InvalidInput) as refused:
        saga.insurance.enrol(enrolment(8, family_category="special_family"), STAFF1)
    assert set(refused.value.fields) == {"family_category"}
    assert saga.insurance.list_policies({}, STAFF1)["total"] == 0


def test_the_yearly_cap_allows_exactly_what_is_left(saga):
    prepare(saga)
    first = registered(saga, amount=10_000)
    policy_no = first["policy_no"]
    saga.insurance.approve_claim(first["id"], {"amount_approved_fen": 10_000}, STAFF2)
    second = saga.insurance.submit_claim(claim(policy_no, 10_000, days_ago=6), STAFF1)
    saga.insurance.approve_claim(second["id"], {"amount_approved_fen": 10_000}, STAFF2)
    third = saga.insurance.submit_claim(claim(policy_no, 10_000, days_ago=4), STAFF1)
    assert third["flags"] == []  # 30 000 of 30 000: at the cap, not over it
    fourth = saga.insurance.submit_claim(claim(policy_no, 1, days_ago=3), STAFF1)
    assert [f["code"] for f in fourth["flags"]] == []  # the third is not approved yet
    saga.insurance.approve_claim(third["id"], {"amount_approved_fen": 10_000}, STAFF2)
    with pytest.raises(Conflict) as refused:
        saga.insurance.approve_claim(fourth["id"], {"amount_approved_fen": 1}, STAFF2)
    assert "over_per_year_cap" in refused.value.fields


def test_a_cancelled_policy_covers_nothing_and_frees_the_person_to_enrol_again(saga):
    prepare(saga)
    policy = saga.insurance.enrol(enrolment(9), STAFF1)
    cancelled = saga.insurance.cancel_policy(policy["policy_no"], {"reason": "moved away"},
                                             STAFF2)
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "moved away")
    late = saga.insurance.submit_claim(claim(policy["policy_no"]), STAFF1)
    assert [f["code"] for f in late["flags"]] == ["policy_not_active"]
    with pytest.raises(Conflict):
        saga.insurance.cancel_policy(policy["policy_no"], {"reason": "again"}, STAFF2)
    assert saga.insurance.enrol(enrolment(9), STAFF1)["status"] == "active"


def test_a_policy_for_a_family_makes_its_claims_and_their_payout_the_familys(saga):
    prepare(saga)
    tap = EventTap(saga.config["AMQP_URI"], "insurance.events")
    try:
        policy = saga.insurance.enrol(enrolment(7, family_id=5), STAFF1)
        submitted = saga.insurance.submit_claim(claim(policy["policy_no"]), STAFF1)
        saga.insurance.approve_claim(submitted["id"], {"amount_approved_fen": 4_000}, STAFF2)
        paid = status_becomes(saga, submitted["id"], "paid")
        events = tap.take(4)
    finally:
        tap.close()
    assert policy["family_id"] == 5 and paid["family_id"] == 5
    assert [(e["body"]["event_type"], e["body"]["version"], e["body"]["data"]["family_id"])
            for e in events] == [("insurance.policy_enrolled", 2, 5),
                                 ("insurance.claim_submitted", 3, 5),
                                 ("insurance.claim_approved", 4, 5),
                                 ("insurance.claim_paid", 3, 5)]
    payout = saga.fund.get_disbursement(paid["payout"]["disbursement_id"], STAFF1)
    assert payout["family_id"] == 5
    assert saga.insurance.enrol(enrolment(8), STAFF1)["family_id"] is None


@pytest.mark.parametrize("family_id", [0, -1, "5", 5.5, True])
def test_a_bad_family_id_is_refused(saga, family_id):
    prepare(saga, money=0)
    with pytest.raises(InvalidInput) as refused:
        saga.insurance.enrol(enrolment(9, family_id=family_id), STAFF1)
    assert set(refused.value.fields) == {"family_id"}


def test_incident_dates_outside_the_cover_in_the_future_or_before_birth_are_refused(saga):
    prepare(saga, money=0)
    policy = saga.insurance.enrol(enrolment(1), STAFF1)
    born = TODAY - timedelta(days=50)
    baby = saga.insurance.enrol(enrolment(2, start=born, insured=person(2, born=born)), STAFF1)
    for policy_no, days_ago, says in ((policy["policy_no"], -1, "future"),
                                      (policy["policy_no"], 101, "cover"),
                                      (baby["policy_no"], 60, "born")):
        with pytest.raises(InvalidInput) as refused:
            saga.insurance.submit_claim(claim(policy_no, days_ago=days_ago), STAFF1)
        assert set(refused.value.fields) == {"incident_date"}
        assert says in refused.value.fields["incident_date"][0]
    assert saga.insurance.list_claims({}, STAFF1)["total"] == 0


def test_claim_and_policy_numbers_carry_the_year_they_were_registered(saga):
    prepare(saga, money=0)
    start = TODAY.replace(year=TODAY.year - 1, month=1, day=1)
    policy = saga.insurance.enrol(enrolment(1, start=start), STAFF1)
    old = saga.insurance.submit_claim({**claim(policy["policy_no"]), "incident_date":
                                       start.replace(month=3).isoformat()}, STAFF1)
    assert policy["policy_no"].startswith(f"PL-341181-{TODAY.year}-")
    assert old["claim_no"].startswith(f"CL-341181-{TODAY.year}-")
