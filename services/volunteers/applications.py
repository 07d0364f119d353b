"""Applications to volunteer from the public: one pending per person, decided once by a
coordinator. Approving registers the volunteer in the same transaction, so a refused
registration leaves the application pending and nothing half-written. Listed in the order
they came, the longest waiting first. Applying, each decision, and the phone handed out on
approval (the new login's name) are entries in the audit log; the applicant hears of the
decision (`volunteers.application_decided`)."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.volunteers import domain, people, recipients
from services.volunteers.models import AUDIT, OUTBOX, Application, Volunteer
from shared import audit, rows
from shared.audit_chain import Entry
from shared.clock import now_utc
from shared.crypto import blind
from shared.errors import Conflict
from shared.outbox import record_event
from shared.paging import Page

APPLIED = ("name", "id_number", "phone", "skills")


def submit(session: Session, association: str, body: dict, actor: dict) -> Application:
    if _volunteer_of(session, association, body["id_number"]) is not None:
        raise Conflict("This person is already a volunteer.", "already_registered",
                       {"id_number": ["Already a volunteer."]})
    application = Application(association_code=association, name=body["name"],
                              id_number=body["id_number"], phone=body["phone"],
                              skills=_skills(body))
    domain.APPLICATION.start(application, "pending", actor["username"],
                             "applied to volunteer")
    try:
        with session.begin_nested():  # the partial unique index: one pending per person
            session.add(application)
    except IntegrityError:
        raise Conflict("An application for this identity number waits for a decision.",
                       "already_applied",
                       {"id_number": ["An application waits for a decision."]}) from None
    audit.record(session, AUDIT, actor, Entry("register", "application", application.id, (
        *APPLIED, *(("certificates",) if body.get("certificates") else ()))))
    return application


def get(session: Session, association: str, application_id: int,
        lock: bool = False) -> Application:
    return rows.one(session, Application, association, application_id, lock)


def listing(session: Session, association: str, query: dict) -> Page[Application]:
    found = select(Application).where(Application.association_code == association) \
        .options(selectinload(Application.history))
    if query.get("status"):
        found = found.where(Application.status == query["status"])
    return rows.page(session, found, [Application.id], query)


def approve(session: Session, association: str, application_id: int,
            actor: dict) -> Application:
    """The volunteer, registered from the application. Approving it again answers the
    same application (with the same volunteer), so a caller may retry. Each answer hands
    out the phone in full, the new login's name unless the coordinator gives one."""
    application = get(session, association, application_id, lock=True)
    if application.status != "approved":
        domain.APPLICATION.check(application.status, "approved")
        volunteer = people.register(session, association, {
            "name": application.name, "id_number": application.id_number,
            "phone": application.phone, "skills": _as_registered(application.skills)}, actor)
        application.volunteer_id = volunteer.id
        _decide(session, application, "approved", actor,
                f"registered as volunteer {volunteer.id}")
        _tell(session, application, None)
    audit.record(session, AUDIT, actor, Entry(
        "reveal", "application", application.id, ("phone",),
        "Shown as the new volunteer's login name"))
    return application


def decline(session: Session, association: str, application_id: int, reason: str,
            actor: dict) -> Application:
    application = get(session, association, application_id, lock=True)
    _decide(session, application, "declined", actor, reason)
    application.decline_reason = reason
    _tell(session, application, reason)
    return application


def _decide(session: Session, application: Application, status: str, actor: dict,
            reason: str) -> None:
    domain.APPLICATION.move(application, status, actor["username"], reason)
    application.decided_by = actor["username"]
    application.decided_at = now_utc()
    audit.record(session, AUDIT, actor,
                 Entry("change", "application", application.id, ("status",), reason))


def _tell(session: Session, application: Application, reason: str | None) -> None:
    record_event(session, OUTBOX, "volunteers.application_decided", {
        "association_code": application.association_code, "application_id": application.id,
        "decision": application.status, "reason": reason,
        "volunteer_id": application.volunteer_id,
        "recipients": recipients.applicant(application)})


def _volunteer_of(session: Session, association: str, id_number: str) -> int | None:
    return session.scalars(select(Volunteer.id).where(
        Volunteer.association_code == association,
        Volunteer.id_index == blind(id_number, "id_number"))).first()


def _skills(body: dict) -> list[dict]:
    """Each skill once, with the certificate given for it; dates as ISO text (JSON)."""
    certificates = {c["skill"]: c for c in body.get("certificates") or []}
    merged = {}
    for skill in body["skills"]:
        held = certificates.get(skill["code"], skill)
        expires = held.get("expires_on")
        merged[skill["code"]] = {"code": skill["code"],
                                 "certificate_no": held.get("certificate_no"),
                                 "expires_on": expires.isoformat() if expires else None}
    return list(merged.values())


def _as_registered(skills: list[dict]) -> list[dict]:
    return [{**skill, "expires_on": date.fromisoformat(skill["expires_on"])
             if skill.get("expires_on") else None} for skill in skills]
