"""A recurring plan's months made by many timers at once on PostgreSQL (replicas looking at
the same moment): each month due is made once, with one pledge and one pay reference."""
from datetime import timedelta

import eventlet
from eventlet import tpool

from services.fund import pledges
from shared.clock import now_utc
from tests.service.test_pledges import a_donor
from tests.service.test_recurring_gifts import plan_pledge

TIMERS = 10


def test_ten_timers_at_once_make_each_month_due_once(fund_on_postgres, monkeypatch):
    fund = fund_on_postgres
    fund.ensure_fund()
    _, donor = a_donor(fund)
    plan_id = plan_pledge(fund, donor, months=4)["recurring_plan_id"]
    moment = now_utc() + timedelta(days=65)  # months 2 and 3 are due
    monkeypatch.setattr(pledges, "now_utc", lambda: moment)

    def look(_):
        # In a thread of its own (a green thread would wait on the database in turn).
        return tpool.execute(_look, fund)
    list(eventlet.GreenPool(TIMERS).imap(look, range(TIMERS)))  # a timer's failure raises

    plan = fund.rpc.get_recurring(plan_id, donor)
    assert [p["month"] for p in plan["pledges"]] == [1, 2, 3]
    assert len({p["pay_reference"] for p in plan["pledges"]}) == 3
    assert (plan["months_made"], plan["status"]) == (3, "active")
    assert fund.rpc.list_pledges({}, donor)["total"] == 3


def _look(fund) -> None:
    """What the timer does: one transaction making the months due."""
    with fund.session() as session, session.begin():
        pledges.make_months_due(session)
