"""Recurring gifts: a plan of a pledge a month. The plan is made with its first month's
pledge; the timer makes each later month's on its day, once (the plan row is locked and a
month is unique to its plan), catching up on months it was away for; cancelling stops the
months not yet made."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.fund.domain import RECURRING, month_on
from services.fund.models import Pledge, RecurringPlan
from shared import rows
from shared.actors import PUBLIC
from shared.clock import local_date
from shared.errors import Forbidden, NotFound
from shared.paging import Page


def start(session: Session, first: Pledge, months: int, actor: dict) -> RecurringPlan:
    """The plan whose first month is the pledge `first`, just made."""
    if actor["role"] == PUBLIC:
        raise Forbidden("Log in as a donor to give every month.", "recurring_needs_login")
    plan = RecurringPlan(
        association_code=first.association_code, donor_id=first.donor_id, fund=first.fund,
        project=first.project, amount_fen=first.amount_fen, channel=first.channel,
        anonymous=first.anonymous, grassroots_code=first.grassroots_code, months=months,
        months_made=0, started_on=local_date(first.created_at), created_by=actor["username"])
    RECURRING.start(plan, "active", actor["username"], f"{months} months")
    session.add(plan)
    session.flush()
    made(plan, first, actor["username"])
    return plan


def made(plan: RecurringPlan, pledge: Pledge, by: str) -> None:
    """`pledge` is the plan's next month."""
    plan.months_made += 1
    pledge.recurring_plan_id = plan.id  # at once: the pledge's view is made before a flush
    pledge.month = plan.months_made
    plan.pledges.append(pledge)
    if plan.months_made == plan.months:
        plan.next_month_on = None
        RECURRING.move(plan, "completed", by, f"month {plan.months} made")
    else:
        plan.next_month_on = month_on(plan.started_on, plan.months_made + 1)


def due(session: Session, today: date) -> list[RecurringPlan]:
    """Active plans whose next month is due, locked."""
    return list(session.scalars(select(RecurringPlan).where(
        RecurringPlan.status == "active", RecurringPlan.next_month_on <= today)
        .order_by(RecurringPlan.id).with_for_update()))


def cancel(session: Session, association: str, plan_id: int, actor: dict) -> RecurringPlan:
    plan = get(session, association, plan_id, actor, lock=True)
    RECURRING.move(plan, "cancelled", actor["username"],
                   f"cancelled after {plan.months_made} of {plan.months} months")
    plan.next_month_on = None
    return plan


def get(session: Session, association: str, plan_id: int, actor: dict,
        lock: bool = False) -> RecurringPlan:
    try:
        plan = rows.one(session, RecurringPlan, association, plan_id, lock)
    except NotFound:
        raise NotFound(f"No recurring plan {plan_id}.", "recurring_plan_not_found") from None
    if actor["role"] == "donor" and actor.get("donor_id") != plan.donor_id:
        raise Forbidden("This plan is not yours.", "not_your_plan")
    return plan


def listing(session: Session, association: str, query: dict,
            actor: dict) -> Page[RecurringPlan]:
    found = select(RecurringPlan).where(RecurringPlan.association_code == association)
    if actor["role"] == "donor":
        found = found.where(RecurringPlan.donor_id == (actor.get("donor_id") or 0))
    if query.get("status"):
        found = found.where(RecurringPlan.status == query["status"])
    return rows.page(session, found, [RecurringPlan.id.desc()], query)
