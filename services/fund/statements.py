"""A fund's statement for a period of local dates, straight from the ledger: its cash,
the money its projects hold included (goods given in kind are not cash)."""
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.fund import ledger
from services.fund.domain import fund_account, project_account
from services.fund.models import LedgerLine, LedgerTransaction
from shared.clock import iso, start_of_local_day


def statement(session: Session, association: str, code: str, start: date, end: date) -> dict:
    fund = ledger.find_fund(session, association, code)
    begin, stop = start_of_local_day(start), start_of_local_day(end + timedelta(days=1))
    cash = or_(LedgerLine.account == fund_account(code),
               LedgerLine.account.startswith(project_account(code, ""), autoescape=True))
    # One line per transaction: money moved between the fund and its projects nets out.
    lines = (select(LedgerTransaction.posted_at, LedgerTransaction.kind, LedgerTransaction.memo,
                    func.sum(LedgerLine.amount_fen))
             .join(LedgerLine.transaction)
             .where(LedgerTransaction.association_code == association, cash)
             .group_by(LedgerTransaction.id, LedgerTransaction.posted_at,
                       LedgerTransaction.kind, LedgerTransaction.memo))
    # Credit-normal accounts: a fund's balance is minus the sum of its lines.
    opening = -int(session.scalar(select(func.coalesce(func.sum(LedgerLine.amount_fen), 0))
                               .join(LedgerLine.transaction)
                               .where(LedgerTransaction.association_code == association, cash,
                                      LedgerTransaction.posted_at < begin)))
    balance, rows, total_in, total_out = opening, [], 0, 0
    period = lines.where(LedgerTransaction.posted_at >= begin, LedgerTransaction.posted_at < stop)
    for posted_at, kind, memo, amount in session.execute(
            period.order_by(LedgerTransaction.posted_at, LedgerTransaction.id)):
        if not amount:
            continue
        amount = int(amount)  # PostgreSQL sums as a Decimal
        money_in, money_out = max(-amount, 0), max(amount, 0)
        balance += money_in - money_out
        total_in, total_out = total_in + money_in, total_out + money_out
        rows.append({"posted_at": iso(posted_at), "kind": kind, "memo": memo,
                     "in_fen": money_in, "out_fen": money_out, "balance_fen": balance})
    return {"fund_code": fund.code, "from": start.isoformat(), "to": end.isoformat(),
            "opening_balance_fen": opening, "closing_balance_fen": balance,
            "total_in_fen": total_in, "total_out_fen": total_out, "lines": rows}
