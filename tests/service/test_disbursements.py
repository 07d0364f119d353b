"""Disbursements: four eyes, paid or rejected, never overdrawn."""
import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.support import STAFF1, STAFF2, EventTap

DONOR = {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}


def give(fund, amount, code="SHANGEN"):
    fund.rpc.record_donation({"fund_code": code, "amount_fen": amount, "channel": "bank",
                              "donor": DONOR}, None, STAFF1)


def ask(fund, amount, code="SHANGEN", by=STAFF1):
    return fund.rpc.request_disbursement({"fund_code": code, "amount_fen": amount,
                                          "category": "poverty_relief", "purpose": "慰问",
                                          "payee": {"name": "李四"}}, by)


def test_a_request_approved_by_another_user_is_paid(fund):
    fund.ensure_fund("SHANGEN")
    give(fund, 10_000)
    requested = ask(fund, 4_000)
    assert requested["status"] == "requested"
    paid = fund.rpc.approve_disbursement(requested["id"], STAFF2)
    assert (paid["status"], paid["decided_by"]) == ("paid", "staff2")
    assert fund.rpc.get_fund("SHANGEN", STAFF1)["balance_fen"] == 6_000


def test_nobody_approves_their_own_request(fund):
    fund.ensure_fund("SHANGEN")
    give(fund, 10_000)
    requested = ask(fund, 4_000)
    with pytest.raises(Forbidden) as refused:
        fund.rpc.approve_disbursement(requested["id"], STAFF1)
    assert refused.value.code == "four_eyes"
    assert fund.rpc.get_disbursement(requested["id"], STAFF1)["status"] == "requested"
    assert fund.rpc.get_fund("SHANGEN", STAFF1)["balance_fen"] == 10_000


def test_a_request_the_fund_cannot_cover_is_rejected_with_the_reason(fund):
    fund.ensure_fund("SHANGEN")
    give(fund, 1_000)
    requested = ask(fund, 1_001)
    rejected = fund.rpc.approve_disbursement(requested["id"], STAFF2)
    assert (rejected["status"], rejected["reason"]) == ("rejected", "insufficient_funds")
    assert fund.rpc.get_fund("SHANGEN", STAFF1)["balance_fen"] == 1_000


def test_a_decided_request_cannot_be_decided_again(fund):
    fund.ensure_fund("SHANGEN")
    give(fund, 10_000)
    requested = ask(fund, 1_000)
    fund.rpc.reject_disbursement(requested["id"], {"reason": "duplicate request"}, STAFF2)
    with pytest.raises(Conflict):
        fund.rpc.approve_disbursement(requested["id"], STAFF2)
    assert fund.rpc.get_disbursement(requested["id"], STAFF1)["reason"] == "duplicate request"


def test_an_unknown_disbursement_is_not_found(fund):
    with pytest.raises(NotFound):
        fund.rpc.approve_disbursement(999, STAFF2)


def test_the_statement_shows_money_in_and_out_for_the_period(fund):
    fund.ensure_fund("SHANGEN")
    give(fund, 10_000)
    fund.rpc.approve_disbursement(ask(fund, 2_500)["id"], STAFF2)
    statement = fund.rpc.statement("SHANGEN", {"from": "2000-01-01", "to": "2099-12-31"},
                                   STAFF1)
    assert (statement["total_in_fen"], statement["total_out_fen"]) == (10_000, 2_500)
    assert [line["balance_fen"] for line in statement["lines"]] == [10_000, 7_500]
    empty = fund.rpc.statement("SHANGEN", {"from": "2000-01-01", "to": "2000-12-31"}, STAFF1)
    assert (empty["opening_balance_fen"], empty["lines"]) == (0, [])


def test_paying_publishes_requested_approved_and_paid_events(fund):
    tap = EventTap(fund.config["AMQP_URI"], "fund.events")
    try:
        fund.ensure_fund("SHANGEN")
        give(fund, 10_000)
        fund.rpc.approve_disbursement(ask(fund, 3_000)["id"], STAFF2)
        events = [e for e in tap.take(4) if "disbursement" in e["body"]["event_type"]]
    finally:
        tap.close()
    assert [e["body"]["event_type"] for e in events] == [
        "fund.disbursement_requested", "fund.disbursement_approved", "fund.disbursement_paid"]
    assert {e["body"]["data"]["amount_fen"] for e in events} == {3_000}
    assert events[-1]["body"]["data"]["category"] == "poverty_relief"  # what it was for


def test_a_request_for_a_family_names_it_in_its_answer_and_its_events(fund):
    tap = EventTap(fund.config["AMQP_URI"], "fund.events")
    try:
        fund.ensure_fund("SHANGEN")
        give(fund, 10_000)
        requested = fund.rpc.request_disbursement({
            "fund_code": "SHANGEN", "amount_fen": 3_000, "category": "poverty_relief",
            "purpose": "慰问", "payee": {"name": "李四"}, "family_id": 12}, STAFF1)
        paid = fund.rpc.approve_disbursement(requested["id"], STAFF2)
        events = [e["body"] for e in tap.take(4) if "disbursement" in e["body"]["event_type"]]
    finally:
        tap.close()
    assert requested["family_id"] == paid["family_id"] == 12
    assert [(e["version"], e["data"]["family_id"]) for e in events] == [(2, 12), (2, 12),
                                                                        (3, 12)]
    assert ask(fund, 1_000)["family_id"] is None


@pytest.mark.parametrize("family_id", [0, "12", 12.5])
def test_a_bad_family_id_is_refused_on_a_request(fund, family_id):
    fund.ensure_fund("SHANGEN")
    with pytest.raises(InvalidInput) as refused:
        fund.rpc.request_disbursement({
            "fund_code": "SHANGEN", "amount_fen": 3_000, "category": "poverty_relief",
            "purpose": "慰问", "payee": {"name": "李四"}, "family_id": family_id}, STAFF1)
    assert set(refused.value.fields) == {"family_id"}
