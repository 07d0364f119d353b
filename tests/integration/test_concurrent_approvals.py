"""50 approvals racing for one restricted fund: the fund row lock decides, none overdraws."""
from sqlalchemy import func, select

from services.fund.models import LedgerLine
from tests.support import STAFF1, STAFF2


def test_fifty_concurrent_approvals_pay_exactly_what_the_fund_holds(fund_on_postgres):
    fund = fund_on_postgres
    fund.ensure_fund("SHANGEN")
    fund.rpc.record_donation({"fund_code": "SHANGEN", "amount_fen": 10_000, "channel": "bank",
                              "donor": {"kind": "person", "name": "捐赠人"}}, None, STAFF1)
    requests = [fund.rpc.request_disbursement(
        {"fund_code": "SHANGEN", "amount_fen": 1_000, "purpose": f"aid {n}",
         "category": "poverty_relief",
         "payee": {"name": "李四"}}, STAFF1) for n in range(50)]

    calls = [fund.rpc.approve_disbursement.call_async(r["id"], STAFF2) for r in requests]
    outcomes = [call.result() for call in calls]

    statuses = [o["status"] for o in outcomes]
    assert statuses.count("paid") == 10
    assert statuses.count("rejected") == 40
    assert {o["reason"] for o in outcomes if o["status"] == "rejected"} == {"insufficient_funds"}
    assert fund.rpc.get_fund("SHANGEN", STAFF1)["balance_fen"] == 0
    with fund.session() as session:
        fund_lines = session.scalar(select(func.sum(LedgerLine.amount_fen))
                                    .where(LedgerLine.account == "fund:SHANGEN"))
        assert fund_lines == 0  # 10 000 in, 10 × 1 000 out
