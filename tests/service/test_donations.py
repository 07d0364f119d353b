"""Donations through the fund service's RPC interface, on both databases."""
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import func, select, text

from services.fund.models import Donation, Donor, LedgerLine, LedgerTransaction
from shared.clock import local_today
from shared.db import make_engine
from shared.errors import Conflict, InvalidInput
from shared.migrate import alembic_config
from tests.support import STAFF1, STAFF2, EventTap

PERSON = {"kind": "person", "name": "张三", "id_number": "11010519491231002X",
          "phone": "13812345678"}


def donation(amount=10_000, fund_code="GENERAL", donor=PERSON, channel="bank"):
    return {"fund_code": fund_code, "amount_fen": amount, "channel": channel, "donor": donor}


def assert_ledger_balanced(fund):
    with fund.session() as session:
        sums = session.execute(select(LedgerLine.transaction_id, func.sum(LedgerLine.amount_fen))
                               .group_by(LedgerLine.transaction_id)).all()
        assert sums and all(total == 0 for _, total in sums)
        assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == len(sums)


def test_a_donation_is_recorded_with_a_receipt_and_moves_the_balance(fund):
    fund.ensure_fund()
    answer = fund.rpc.record_donation(donation(12_345), None, STAFF1)
    assert answer["amount_fen"] == 12_345 and answer["fund_code"] == "GENERAL"
    assert answer["receipt_no"].startswith("341181-") and answer["receipt_no"].endswith("000001")
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == 12_345
    assert_ledger_balanced(fund)


def test_receipt_numbers_are_gap_free_even_when_a_donation_fails(fund):
    fund.ensure_fund()
    first = fund.rpc.record_donation(donation(), None, STAFF1)
    with pytest.raises(InvalidInput):
        fund.rpc.record_donation(donation(fund_code="NO_SUCH_FUND"), None, STAFF1)
    second = fund.rpc.record_donation(donation(), None, STAFF1)
    numbers = [int(d["receipt_no"].rsplit("-", 1)[1]) for d in (first, second)]
    assert numbers == [1, 2]


def test_the_same_key_and_body_return_the_first_answer_and_record_nothing_new(fund):
    fund.ensure_fund()
    first = fund.rpc.record_donation(donation(), "key-1", STAFF1)
    again = fund.rpc.record_donation(donation(), "key-1", STAFF1)
    assert again == first
    assert fund.rpc.list_donations({}, STAFF1)["total"] == 1
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == 10_000


def test_the_same_key_with_another_body_is_a_conflict(fund):
    fund.ensure_fund()
    fund.rpc.record_donation(donation(), "key-1", STAFF1)
    with pytest.raises(Conflict) as refused:
        fund.rpc.record_donation(donation(amount=99), "key-1", STAFF1)
    assert refused.value.code == "idempotency_key_reused"
    assert fund.rpc.list_donations({}, STAFF1)["total"] == 1


def test_concurrent_retries_with_one_key_record_one_donation(fund):
    fund.ensure_fund()
    calls = [fund.rpc.record_donation.call_async(donation(), "same", STAFF1) for _ in range(10)]
    answers = [call.result() for call in calls]
    assert len({a["id"] for a in answers}) == 1
    assert fund.rpc.list_donations({}, STAFF1)["total"] == 1
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == 10_000


def test_a_donor_is_found_again_rather_than_duplicated(fund):
    fund.ensure_fund()
    by_id = fund.rpc.record_donation(donation(), None, STAFF1)
    by_phone = fund.rpc.record_donation(
        donation(donor={"kind": "person", "name": "张三", "phone": "+86 138-1234-5678"}),
        None, STAFF2)
    company = {"kind": "company", "name": "某公司", "credit_code": "91350100M000100Y43"}
    c1 = fund.rpc.record_donation(donation(donor=company), None, STAFF1)
    c2 = fund.rpc.record_donation(donation(donor={**company, "name": "某公司（新名）"}), None,
                                  STAFF1)
    assert by_id["donor_id"] == by_phone["donor_id"]
    assert c1["donor_id"] == c2["donor_id"] != by_id["donor_id"]
    with fund.session() as session:
        assert session.scalar(select(func.count()).select_from(Donor)) == 2


def test_a_refund_is_a_reversing_entry_and_nothing_is_deleted(fund):
    fund.ensure_fund()
    given = fund.rpc.record_donation(donation(5_000), None, STAFF1)
    refunded = fund.rpc.refund_donation(given["id"], {"reason": "recorded twice"}, STAFF2)
    assert refunded["status"] == "refunded"
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == 0
    with pytest.raises(Conflict):
        fund.rpc.refund_donation(given["id"], {"reason": "again"}, STAFF2)
    with fund.session() as session:
        assert session.scalar(select(func.count()).select_from(Donation)) == 1
        assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == 2
    assert_ledger_balanced(fund)


def test_money_already_paid_out_cannot_be_refunded(fund):
    fund.ensure_fund("SHANGEN")
    given = fund.rpc.record_donation(donation(5_000, "SHANGEN"), None, STAFF1)
    paid = fund.rpc.request_disbursement({"fund_code": "SHANGEN", "amount_fen": 4_000,
                                          "purpose": "aid", "category": "poverty_relief",
                                          "payee": {"name": "李四"}}, STAFF1)
    fund.rpc.approve_disbursement(paid["id"], STAFF2)
    with pytest.raises(Conflict) as refused:
        fund.rpc.refund_donation(given["id"], {"reason": "donor asked"}, STAFF2)
    assert refused.value.code == "insufficient_funds"
    assert refused.value.message == "Fund SHANGEN holds ¥10.00; ¥50.00 cannot be paid."
    assert fund.rpc.get_fund("SHANGEN", STAFF1)["balance_fen"] == 1_000


def test_the_list_is_narrowed_by_fund_status_and_the_local_day_recorded(fund):
    fund.ensure_fund()
    fund.ensure_fund("SHANGEN")
    general = fund.rpc.record_donation(donation(1_000), None, STAFF1)
    shangen = fund.rpc.record_donation(donation(2_000, "SHANGEN"), None, STAFF1)
    fund.rpc.refund_donation(general["id"], {"reason": "recorded twice"}, STAFF2)

    def ids(**query):
        return [d["id"] for d in fund.rpc.list_donations(query, STAFF1)["items"]]
    today = local_today()
    assert ids(fund_code="SHANGEN") == [shangen["id"]]
    assert ids(fund_code="NO_SUCH_FUND") == []
    assert ids(status="refunded") == [general["id"]]
    assert ids(**{"from": today.isoformat(), "to": today.isoformat()}) == [shangen["id"],
                                                                          general["id"]]
    assert ids(to=(today - timedelta(days=1)).isoformat()) == []
    assert ids(**{"from": (today + timedelta(days=1)).isoformat()}) == []
    with pytest.raises(InvalidInput) as refused:
        fund.rpc.list_donations({"from": today.isoformat(),
                                 "to": (today - timedelta(days=1)).isoformat()}, STAFF1)
    assert set(refused.value.fields) == {"to"}


def test_bad_input_names_every_field_and_writes_nothing(fund):
    fund.ensure_fund()
    with pytest.raises(InvalidInput) as refused:
        fund.rpc.record_donation({"fund_code": "GENERAL", "amount_fen": -5, "channel": "gold",
                                  "donor": {"kind": "person", "name": "x",
                                            "id_number": "110105194912310021"}}, "k", STAFF1)
    assert set(refused.value.fields) == {"amount_fen", "channel", "donor.id_number"}
    assert fund.rpc.list_donations({}, STAFF1)["total"] == 0


def test_recording_a_donation_publishes_its_event_with_the_correlation_id(fund):
    tap = EventTap(fund.config["AMQP_URI"], "fund.events", "donation_recorded")
    try:
        fund.ensure_fund()
        given = fund.rpc.record_donation(donation(777), None, STAFF1)
        [event] = tap.take(1)
    finally:
        tap.close()
    envelope = event["body"]
    assert envelope["event_type"] == "fund.donation_recorded"
    assert envelope["correlation_id"] == "test-correlation"
    assert envelope["data"]["donation_id"] == given["id"]
    assert envelope["data"]["amount_fen"] == 777
    assert "11010519491231002X" not in str(envelope)


def test_donations_refunded_before_the_history_table_get_their_refund_in_it(tmp_path):
    """Migration 0009 writes each earlier refund's history entry from the donation's row."""
    config = alembic_config("fund", f"sqlite:///{tmp_path / 'fund.db'}")
    command.upgrade(config, "0008")
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        for statement in (
                "INSERT INTO funds VALUES (1, '341181', 'GENERAL', 'g', 0, 0, 0, '[]')",
                "INSERT INTO donors (id, association_code, kind, name, created_at) "
                "VALUES (1, '341181', 'person', '张三', '2026-01-01 00:00:00')",
                "INSERT INTO ledger_transactions VALUES (1, '341181', 'donation', 'gift', "
                "'2026-01-01 00:00:00'), (2, '341181', 'refund', 'back', '2026-02-01 00:00:00')",
                "INSERT INTO donations (id, association_code, receipt_no, fund_id, donor_id, "
                "amount_fen, channel, anonymous, status, recorded_by, ledger_transaction_id, "
                "refund_transaction_id, refund_reason, refunded_by, grassroots_code, recorded_at)"
                " VALUES (1, '341181', 'R1', 1, 1, 100, 'cash', 0, 'refunded', 'staff1', 1, 2, "
                "'捐错了', 'staff2', '341181', '2026-01-01 00:00:00'), (2, '341181', 'R2', 1, 1, "
                "100, 'cash', 0, 'recorded', 'staff1', 1, NULL, NULL, NULL, '341181', "
                "'2026-01-01 00:00:00')"):
            connection.execute(text(statement))
    command.upgrade(config, "head")
    with engine.begin() as connection:
        kept = connection.execute(text(
            "SELECT donation_id, at, actor, from_status, to_status, reason "
            "FROM donation_history")).all()
    engine.dispose()
    assert [tuple(row) for row in kept] == [
        (1, "2026-02-01 00:00:00", "staff2", "recorded", "refunded", "捐错了")]


def test_the_donors_named_are_listed_in_one_call(fund):
    fund.ensure_fund()
    given = [fund.rpc.record_donation(donation(donor={"kind": "person", "name": name}), None,
                                      STAFF1)["donor_id"] for name in ("张三", "李四", "王五")]
    named = fund.rpc.list_donors({"ids": [given[0], given[2]]}, STAFF1)
    assert (named["total"], [d["id"] for d in named["items"]]) == (2, [given[2], given[0]])
    assert [d["name"] for d in named["items"]] == ["王五", "张三"]
    with pytest.raises(InvalidInput) as refused:
        fund.rpc.list_donors({"ids": ["x"]}, STAFF1)
    assert refused.value.fields == {"ids.0": ["Must be a whole number."]}
