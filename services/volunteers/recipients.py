"""Who hears of what the volunteers service does, as its events name them: volunteers, a
family by its head (as the families service last announced them), an applicant; their
phones sealed (shared.recipients)."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.volunteers.models import Application, FamilyHome, Volunteer
from shared.recipients import recipient


def volunteers(session: Session, volunteer_ids) -> list[dict]:
    """The volunteers by id, in id order, in one query."""
    found = session.execute(select(Volunteer.id, Volunteer.name, Volunteer.phone)
                            .where(Volunteer.id.in_(set(volunteer_ids))).order_by(Volunteer.id))
    return [recipient(f"volunteer:{vid}", name, phone=phone) for vid, name, phone in found]


def volunteer(one: Volunteer) -> list[dict]:
    return [recipient(f"volunteer:{one.id}", one.name, phone=one.phone)]


def family(home: FamilyHome | None) -> list[dict]:
    """The family's head, when the family is known here."""
    if home is None:
        return []
    return [recipient(f"family:{home.family_id}", home.head_name, phone=home.head_phone)]


def applicant(application: Application) -> list[dict]:
    return [recipient(f"applicant:{application.id}", application.name,
                      phone=application.phone)]
