"""Care plans: a visit asked for every so many days, `VISIT_LEAD_DAYS` before it falls
due. Each `families.visit_due` goes out in the same transaction that moves the plan to its
next day, so each due day is asked for once (the volunteers service keeps one visit per
family and day besides)."""
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.families import domain
from services.families.models import OUTBOX, CarePlan, Family
from shared import rows
from shared.clock import local_date, now_utc
from shared.contracts.families import HEAD
from shared.outbox import record_event
from shared.settings import visit_lead_days

BATCH = 100  # plans sent per pass; the next pass takes the rest


def plan(session: Session, association: str, family_id: int, body: dict,
         actor: dict) -> CarePlan:
    """Sets (or replaces) the family's plan; a plan due today is asked for at once."""
    family = rows.one(session, Family, association, family_id, lock=True)
    care = session.get(CarePlan, family.id) or CarePlan(family_id=family.id)
    care.association_code = association
    care.every_days = body["every_days"]
    care.skills = list(body["skills"])
    care.starts_on = body["starts_on"]
    care.next_due_on = body["starts_on"]
    care.planned_by = actor["username"]
    care.planned_at = now_utc()
    session.add(care)
    session.flush()
    _send_if_due(session, family, care, local_date(now_utc()))
    return care


def send_due(session: Session, today: date | None = None) -> int:
    """Every plan with a visit due by `today` and the lead days after it: its visits asked
    for, its next day set. How many plans."""
    today = today or local_date(now_utc())
    ahead = today + timedelta(days=visit_lead_days())
    due = session.scalars(rows.locked(select(CarePlan).where(CarePlan.next_due_on <= ahead)
                                      .order_by(CarePlan.next_due_on).limit(BATCH))).all()
    for care in due:
        _send_if_due(session, session.get(Family, care.family_id), care, today)
    return len(due)


def _send_if_due(session: Session, family: Family, care: CarePlan, today: date) -> None:
    days, next_due_on = domain.visit_days(care.next_due_on, care.every_days, today,
                                          visit_lead_days())
    care.next_due_on = next_due_on
    head = next(m for m in family.members if m.relation == HEAD)
    for due_on in days:
        record_event(session, OUTBOX, "families.visit_due", {
            "association_code": family.association_code, "family_id": family.id,
            "family_no": family.family_no, "family_name": head.name,
            "address": family.address, "skills": list(care.skills), "due_on": due_on})
