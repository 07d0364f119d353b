"""Recurring gifts through the fund service's RPC interface, on both databases: a donor's
plan of three months, its first month's pledge made at once, the second made by the timer on
its day (once, however often the timer looks), both confirmed like any pledge; then the plan
cancelled, so the third month is never made; the donor's annual receipt sums the two."""
from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_hook

from services.fund import pledges
from shared.actors import public_actor
from shared.clock import now_utc
from shared.errors import Forbidden, InvalidInput
from tests.service.test_pledges import a_donor
from tests.support import STAFF1

MONTHLY = 5_000


def plan_pledge(fund, actor, months=3, **extra):
    return fund.rpc.create_pledge({"fund_code": "GENERAL", "amount_fen": MONTHLY,
                                   "channel": "wechat", "recurring": {"months": months},
                                   **extra}, None, actor)


def timer_looks(fund, monkeypatch, days_later: int) -> None:
    moment = now_utc() + timedelta(days=days_later)
    monkeypatch.setattr(pledges, "now_utc", lambda: moment)
    with entrypoint_hook(fund.container, "make_recurring_pledges") as look:
        look()


def test_a_plan_with_two_months_confirmed_and_the_third_cancelled(fund, monkeypatch):
    fund.ensure_fund()
    donor_id, donor = a_donor(fund)
    first = plan_pledge(fund, donor)
    plan_id = first["recurring_plan_id"]
    assert (first["month"], first["status"], first["donor_id"]) == (1, "pending", donor_id)
    fund.rpc.confirm_pledge(first["id"], {"channel_txn_id": "wx-m1"}, STAFF1)

    timer_looks(fund, monkeypatch, 1)  # not due yet
    assert fund.rpc.get_recurring(plan_id, donor)["months_made"] == 1
    for _ in range(2):  # the same day looked at twice: one pledge
        timer_looks(fund, monkeypatch, 32)
    plan = fund.rpc.get_recurring(plan_id, donor)
    assert [(p["month"], p["status"]) for p in plan["pledges"]] == [(1, "confirmed"),
                                                                     (2, "pending")]
    second = plan["pledges"][1]
    assert second["pay_reference"] != first["pay_reference"]
    assert second["amount_fen"] == MONTHLY
    fund.rpc.confirm_pledge(second["id"], {"channel_txn_id": "wx-m2"}, STAFF1)

    cancelled = fund.rpc.cancel_recurring(plan_id, donor)
    assert (cancelled["status"], cancelled["next_month_on"]) == ("cancelled", None)
    assert [h["to_status"] for h in cancelled["history"]] == ["active", "cancelled"]
    timer_looks(fund, monkeypatch, 95)
    plan = fund.rpc.get_recurring(plan_id, STAFF1)
    assert (plan["months_made"], plan["confirmed_fen"]) == (2, 2 * MONTHLY)
    assert fund.rpc.list_pledges({}, donor)["total"] == 2

    receipt = fund.rpc.annual_receipt(donor_id, {}, donor)
    assert receipt["total_fen"] == 2 * MONTHLY and len(receipt["receipts"]) == 2


def test_a_plan_of_one_month_is_complete_at_once_and_bad_plans_are_refused(fund):
    fund.ensure_fund()
    _, donor = a_donor(fund)
    once = plan_pledge(fund, donor, months=1)
    assert fund.rpc.get_recurring(once["recurring_plan_id"], donor)["status"] == "completed"
    for months in (0, 61, "3"):
        with pytest.raises(InvalidInput) as refused:
            plan_pledge(fund, donor, months=months)
        assert list(refused.value.fields) == ["recurring.months"]
    with pytest.raises(Forbidden):  # the public pledge once; a plan needs a login
        plan_pledge(fund, public_actor(), donor={"kind": "person", "name": "李四"})
    _, other = a_donor(fund, name="钱七", phone="13900000010")
    for call in (fund.rpc.get_recurring, fund.rpc.cancel_recurring):
        with pytest.raises(Forbidden):
            call(once["recurring_plan_id"], other)
    staffs = plan_pledge(fund, STAFF1, months=12, donor={"kind": "person", "name": "孙八"})
    assert fund.rpc.get_recurring(staffs["recurring_plan_id"], STAFF1)["months"] == 12
