"""Pledges confirmed many times at once on PostgreSQL: one payment makes one donation, and
receipt numbers stay distinct and gap-free."""
from sqlalchemy import func, select

from services.fund.models import Donation
from shared.actors import system_actor
from shared.errors import Conflict
from tests.support import STAFF1, STAFF2, outcomes

CHANNEL = system_actor("payment-channel")
GIVER = {"kind": "person", "name": "孙八", "phone": "13700000001"}


def pledge(fund, amount):
    return fund.rpc.create_pledge({"fund_code": "GENERAL", "amount_fen": amount,
                                   "channel": "wechat", "donor": GIVER}, None, STAFF1)


def described(errors) -> list[str]:
    return [f"{type(e).__name__}: {getattr(e, 'code', '')} {str(e)[:120]}" for e in errors]


def donation_rows(fund) -> int:
    with fund.session() as session:
        return session.scalar(select(func.count()).select_from(Donation))


def test_one_pledge_confirmed_twenty_times_at_once_is_one_donation(fund_on_postgres):
    fund = fund_on_postgres
    fund.ensure_fund()
    given = pledge(fund, 12_345)
    calls = []
    for _ in range(10):
        calls.append(fund.rpc.confirm_pledge.call_async(
            given["id"], {"channel_txn_id": "wx-same"}, STAFF2))
        calls.append(fund.rpc.payment_notified.call_async(
            {"pledge_no": given["pledge_no"], "channel_txn_id": "wx-same",
             "amount_fen": 12_345}, CHANNEL))
    answers, errors = outcomes(calls)

    assert all(isinstance(e, Conflict) for e in errors), described(errors)
    assert answers, "no call confirmed the pledge"
    assert {a["status"] for a in answers} == {"confirmed"}
    assert len({a["donation"]["id"] for a in answers}) == 1
    assert donation_rows(fund) == 1
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == 12_345
    assert fund.rpc.get_pledge(given["id"], STAFF1)["channel_txn_id"] == "wx-same"


def test_twenty_pledges_confirmed_at_once_get_twenty_gap_free_receipts(fund_on_postgres):
    fund = fund_on_postgres
    fund.ensure_fund()
    given = [pledge(fund, 1_000 + n) for n in range(20)]
    calls = [fund.rpc.confirm_pledge.call_async(p["id"], {"channel_txn_id": f"wx-{p['id']}"},
                                                STAFF2) for p in given]
    answers, errors = outcomes(calls)

    assert errors == []
    assert {a["status"] for a in answers} == {"confirmed"}
    numbers = sorted(int(a["donation"]["receipt_no"].rsplit("-", 1)[1]) for a in answers)
    assert numbers == list(range(1, 21))
    assert donation_rows(fund) == 20
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == sum(
        1_000 + n for n in range(20))


def test_one_payment_claimed_by_several_pledges_at_once_confirms_one_of_them(
        fund_on_postgres):
    fund = fund_on_postgres
    fund.ensure_fund()
    given = [pledge(fund, 5_000) for _ in range(5)]
    calls = [fund.rpc.confirm_pledge.call_async(p["id"], {"channel_txn_id": "wx-one"}, STAFF2)
             for p in given]
    answers, errors = outcomes(calls)

    assert len(answers) == 1 and answers[0]["status"] == "confirmed"
    assert donation_rows(fund) == 1
    assert fund.rpc.get_fund("GENERAL", STAFF1)["balance_fen"] == 5_000
    # The others are told the payment was used, as one at a time they would be.
    assert all(isinstance(e, Conflict) and e.code == "payment_used" for e in errors), \
        described(errors)
