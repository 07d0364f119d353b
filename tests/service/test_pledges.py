"""Pledges through the fund service's RPC interface, on both databases: a pledge is a
promise until the money is confirmed (by staff, by the payment channel's notification or by
a bank-statement line), and then it is a donation exactly once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.fund.models import Donation, Pledge, ReceiptSeries
from services.fund.pledges import expire_due
from shared.actors import public_actor, sign, system_actor
from shared.clock import now_utc
from shared.errors import Conflict, Forbidden, InvalidInput
from tests.support import STAFF1, STAFF2

CHANNEL = system_actor("payment-channel")
GIVER = {"kind": "person", "name": "李四", "phone": "13800000001"}


def pledge(fund, amount=10_000, actor=STAFF1, channel="wechat", **extra):
    body = {"fund_code": "GENERAL", "amount_fen": amount, "channel": channel, **extra}
    if actor["role"] != "donor":
        body["donor"] = GIVER
    return fund.rpc.create_pledge(body, None, actor)


def notice(given, txn="wx-1", amount=None):
    return {"pledge_no": given["pledge_no"], "channel_txn_id": txn,
            "amount_fen": given["amount_fen"] if amount is None else amount}


def balance(fund) -> int:
    return fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"]


def donations_and_receipts(fund) -> tuple[int, int]:
    """Donation rows, and receipt numbers taken (over every year's series)."""
    with fund.session() as session:
        donations = session.scalar(select(func.count()).select_from(Donation))
        receipts = session.scalar(select(func.coalesce(func.sum(ReceiptSeries.last_no), 0)))
    return donations, receipts


def a_donor(fund, name="赵六", phone="13900000009"):
    made = fund.rpc.ensure_donor({"kind": "person", "name": name, "phone": phone}, STAFF1)
    return made["id"], sign({"username": f"donor{made['id']}", "role": "donor",
                             "donor_id": made["id"]})


def test_a_pending_pledge_changes_no_balance_and_has_no_donation_or_receipt(fund):
    fund.ensure_fund()
    given = pledge(fund, 12_345, actor=public_actor())
    assert given["status"] == "pending" and given["amount_fen"] == 12_345
    assert given["pay_reference"] and given["pledge_no"] and given["donation"] is None
    assert given["expires_at"] > given["created_at"]
    assert balance(fund) == 0
    assert donations_and_receipts(fund) == (0, 0)
    assert fund.rpc.list_pledges({"status": "pending"}, STAFF1)["total"] == 1


def test_staff_confirm_once_and_the_same_confirm_again_answers_the_same(fund):
    fund.ensure_fund()
    given = pledge(fund, 12_345)
    confirmed = fund.rpc.confirm_pledge(given["id"], {"channel_txn_id": "wx-1"}, STAFF2)
    assert confirmed["status"] == "confirmed" and confirmed["channel_txn_id"] == "wx-1"
    assert confirmed["donation"]["amount_fen"] == 12_345
    assert confirmed["donation"]["receipt_no"].endswith("-000001")
    assert balance(fund) == 12_345
    assert donations_and_receipts(fund) == (1, 1)

    again = fund.rpc.confirm_pledge(given["id"], {"channel_txn_id": "wx-1"}, STAFF2)
    assert again == confirmed
    assert balance(fund) == 12_345
    assert donations_and_receipts(fund) == (1, 1)

    with pytest.raises(Conflict) as refused:
        fund.rpc.confirm_pledge(given["id"], {"channel_txn_id": "wx-2"}, STAFF1)
    assert refused.value.code == "illegal_transition"
    assert balance(fund) == 12_345
    assert donations_and_receipts(fund) == (1, 1)


def test_one_payment_cannot_confirm_two_pledges(fund):
    fund.ensure_fund()
    first = pledge(fund, 10_000)
    second = pledge(fund, 10_000)
    fund.rpc.confirm_pledge(first["id"], {"channel_txn_id": "wx-1"}, STAFF1)
    with pytest.raises(Conflict) as refused:
        fund.rpc.confirm_pledge(second["id"], {"channel_txn_id": "wx-1"}, STAFF1)
    assert refused.value.code == "payment_used"
    assert fund.rpc.get_pledge(second["id"], STAFF1)["status"] == "pending"
    with pytest.raises(Conflict) as notified:
        fund.rpc.payment_notified(notice(second, "wx-1"), CHANNEL)
    assert notified.value.code == "payment_used"
    assert balance(fund) == 10_000
    assert donations_and_receipts(fund) == (1, 1)


def test_a_notification_with_the_right_amount_confirms_once(fund):
    fund.ensure_fund()
    given = pledge(fund, 8_800, channel="alipay")
    first = fund.rpc.payment_notified(notice(given, "ali-7"), CHANNEL)
    assert first["status"] == "confirmed" and first["donation"]["amount_fen"] == 8_800
    assert first["history"][-1]["actor"] == "channel:alipay"
    again = fund.rpc.payment_notified(notice(given, "ali-7"), CHANNEL)
    assert again == first
    assert fund.rpc.get_pledge(given["id"], STAFF1)["donation"]["id"] == first["donation"]["id"]
    assert balance(fund) == 8_800
    assert donations_and_receipts(fund) == (1, 1)


def test_a_wrong_amount_flags_the_pledge_and_staff_may_then_confirm_it(fund):
    fund.ensure_fund()
    given = pledge(fund, 10_000)
    with pytest.raises(Conflict) as refused:
        fund.rpc.payment_notified(notice(given, "wx-5", amount=9_999), CHANNEL)
    assert refused.value.code == "amount_mismatch"
    assert "amount_fen" in refused.value.fields

    flagged = fund.rpc.get_pledge(given["id"], STAFF1)
    assert flagged["status"] == "flagged" and flagged["donation"] is None
    why = flagged["history"][-1]
    assert (why["from_status"], why["to_status"]) == ("pending", "flagged")
    assert "¥99.99" in why["reason"] and "¥100.00" in why["reason"] and "wx-5" in why["reason"]
    assert balance(fund) == 0
    assert donations_and_receipts(fund) == (0, 0)

    with pytest.raises(Conflict) as repeated:  # the same wrong notice again: still refused
        fund.rpc.payment_notified(notice(given, "wx-5", amount=9_999), CHANNEL)
    assert repeated.value.code == "amount_mismatch"
    assert len(fund.rpc.get_pledge(given["id"], STAFF1)["history"]) == 2

    confirmed = fund.rpc.confirm_pledge(given["id"], {"channel_txn_id": "wx-5"}, STAFF2)
    assert confirmed["status"] == "confirmed"
    assert [h["to_status"] for h in confirmed["history"]] == ["pending", "flagged", "confirmed"]
    assert balance(fund) == 10_000
    assert donations_and_receipts(fund) == (1, 1)


def test_a_donor_cancels_their_pledge_and_it_cannot_be_confirmed_after(fund):
    fund.ensure_fund()
    donor_id, donor = a_donor(fund)
    _, other = a_donor(fund, "钱七", "13900000008")
    given = pledge(fund, 5_000, actor=donor, channel="alipay")
    assert given["donor_id"] == donor_id

    with pytest.raises(Forbidden) as not_theirs:
        fund.rpc.cancel_pledge(given["id"], other)
    assert not_theirs.value.code == "not_your_pledge"

    cancelled = fund.rpc.cancel_pledge(given["id"], donor)
    assert cancelled["status"] == "cancelled"
    assert cancelled["history"][-1]["actor"] == donor["username"]
    with pytest.raises(Conflict) as refused:
        fund.rpc.confirm_pledge(given["id"], {"channel_txn_id": "ali-1"}, STAFF1)
    assert refused.value.code == "illegal_transition"
    with pytest.raises(Conflict):
        fund.rpc.payment_notified(notice(given, "ali-1"), CHANNEL)
    assert fund.rpc.get_pledge(given["id"], STAFF1)["status"] == "cancelled"
    assert balance(fund) == 0
    assert donations_and_receipts(fund) == (0, 0)


def test_a_donor_reads_only_their_own_pledges(fund):
    fund.ensure_fund()
    mine_id, me = a_donor(fund)
    _, other = a_donor(fund, "钱七", "13900000008")
    mine = pledge(fund, 1_000, actor=me)
    theirs = pledge(fund, 2_000, actor=other)
    by_staff = pledge(fund, 3_000)

    listed = fund.rpc.list_pledges({}, me)
    assert [p["id"] for p in listed["items"]] == [mine["id"]] and listed["total"] == 1
    assert {p["donor_id"] for p in listed["items"]} == {mine_id}
    assert fund.rpc.get_pledge(mine["id"], me)["id"] == mine["id"]
    for not_mine in (theirs, by_staff):
        with pytest.raises(Forbidden) as refused:
            fund.rpc.get_pledge(not_mine["id"], me)
        assert refused.value.code == "not_your_pledge"
    assert fund.rpc.list_pledges({}, STAFF1)["total"] == 3


def test_a_donor_cannot_record_a_donation_directly(fund):
    fund.ensure_fund()
    _, donor = a_donor(fund)
    with pytest.raises(Forbidden) as refused:
        fund.rpc.record_donation({"fund_code": "GENERAL", "amount_fen": 500,
                                  "channel": "alipay"}, None, donor)
    assert refused.value.code == "use_pledges"
    assert balance(fund) == 0
    assert donations_and_receipts(fund) == (0, 0)


def test_online_pledges_above_the_limit_are_refused_on_amount(fund):
    fund.ensure_fund()
    assert pledge(fund, 5_000_000)["status"] == "pending"  # the limit itself is allowed
    with pytest.raises(InvalidInput) as refused:
        pledge(fund, 5_000_001)
    assert "amount_fen" in refused.value.fields
    assert fund.rpc.list_pledges({}, STAFF1)["total"] == 1


def test_reconcile_confirms_matching_lines_once_and_lists_the_rest(fund):
    fund.ensure_fund()
    paid = pledge(fund, 10_000, channel="bank")
    short = pledge(fund, 20_000, channel="bank")
    lines = [
        {"line": 2, "reference": f"网银转账 {paid['pay_reference']} 捐款", "amount_fen": 10_000,
         "txn_id": "B-1"},
        {"line": 3, "reference": f"转账 {short['pay_reference']}", "amount_fen": 19_999,
         "txn_id": "B-2"},
        {"line": 4, "reference": "工资 PHF999999ZZZZZZ", "amount_fen": 10_000, "txn_id": "B-3"},
    ]
    report = fund.rpc.reconcile(lines, STAFF1)
    [matched] = report["matched"]
    assert (matched["line"], matched["pledge_no"]) == (2, paid["pledge_no"])
    assert matched["receipt_no"].endswith("-000001")
    assert report["already"] == []
    assert [u["line"] for u in report["unmatched"]] == [3, 4]
    assert short["pledge_no"] in report["unmatched"][0]["reason"]

    confirmed = fund.rpc.get_pledge(paid["id"], STAFF1)
    assert confirmed["status"] == "confirmed" and confirmed["channel_txn_id"] == "bank:B-1"
    assert confirmed["donation"]["receipt_no"] == matched["receipt_no"]
    assert fund.rpc.get_pledge(short["id"], STAFF1)["status"] == "pending"
    assert balance(fund) == 10_000
    assert donations_and_receipts(fund) == (1, 1)

    again = fund.rpc.reconcile(lines, STAFF1)
    assert again["matched"] == []
    assert again["already"] == [{"line": 2, "pledge_no": paid["pledge_no"]}]
    assert [u["line"] for u in again["unmatched"]] == [3, 4]
    assert balance(fund) == 10_000
    assert donations_and_receipts(fund) == (1, 1)


def test_reconcile_finds_a_pay_reference_written_into_other_text(fund):
    """Bank references are free text: the pay reference may sit against other characters
    (捐款PHF…, 附言:PHF…) or be typed in lower case; it still names the pledge."""
    fund.ensure_fund()
    glued = pledge(fund, 1_000, channel="bank")
    after_colon = pledge(fund, 2_000, channel="bank")
    lower = pledge(fund, 3_000, channel="bank")
    report = fund.rpc.reconcile([
        {"line": 2, "reference": f"捐款{glued['pay_reference']}", "amount_fen": 1_000,
         "txn_id": "B-1"},
        {"line": 3, "reference": f"附言:{after_colon['pay_reference']}", "amount_fen": 2_000,
         "txn_id": "B-2"},
        {"line": 4, "reference": f"gift {lower['pay_reference'].lower()}", "amount_fen": 3_000,
         "txn_id": "B-3"},
    ], STAFF1)
    assert report["unmatched"] == []
    assert [m["line"] for m in report["matched"]] == [2, 3, 4]
    assert balance(fund) == 6_000


def test_a_pledge_expires_and_money_notified_later_still_confirms_it(fund):
    fund.ensure_fund()
    late = pledge(fund, 7_000)
    fresh = pledge(fund, 1_000)
    with fund.session() as session:
        session.get(Pledge, late["id"]).expires_at = now_utc() - timedelta(minutes=1)
        session.commit()
    with fund.session() as session:
        expire_due(session)
        session.commit()

    expired = fund.rpc.get_pledge(late["id"], STAFF1)
    assert expired["status"] == "expired"
    assert expired["history"][-1]["actor"] == "fund"
    assert fund.rpc.get_pledge(fresh["id"], STAFF1)["status"] == "pending"
    assert balance(fund) == 0

    confirmed = fund.rpc.payment_notified(notice(late, "wx-late"), CHANNEL)
    assert confirmed["status"] == "confirmed"
    assert [h["to_status"] for h in confirmed["history"]] == ["pending", "expired", "confirmed"]
    assert balance(fund) == 7_000
    assert donations_and_receipts(fund) == (1, 1)
