"""Members' contacts with the families paired with them (会员联系户): a visit, a call or a
WeChat message, recorded by staff on the member's word, and the pairs nobody has been in
touch with for longer than CONTACT_DUE_DAYS. A pairing keeps its latest contact's day, so
finding the overdue pairs is one query."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from services.families import domain
from services.families.associations import find
from services.families.members import member_no
from services.families.models import AUDIT, Family, Member, MemberContact, Pairing
from shared import audit, rows
from shared.audit_chain import Entry
from shared.clock import local_date, start_of_local_day
from shared.errors import Conflict
from shared.paging import Page


@dataclass(frozen=True)
class Overdue:
    """A pair nobody has been in touch with for too long, as of `today`."""
    pairing: Pairing
    paired_on: date
    days_since: int


def record(session: Session, county: str, member_id: int, body: dict, actor: dict,
           today: date) -> MemberContact:
    member = rows.one(session, Member, county, member_id)
    domain.check_contact_day(body["on"], today)
    pairing = session.scalars(select(Pairing).where(
        Pairing.member_id == member.id, Pairing.family_id == body["family_id"])).one_or_none()
    if pairing is None:
        family_id = body["family_id"]
        raise Conflict(f"Member {member_no(member)} does not keep in touch with family "
                       f"{family_id}.", "not_paired",
                       {"family_id": [f"Not a family member {member_no(member)} keeps in "
                                      "touch with."]})
    contact = MemberContact(association_code=county, member_id=member.id,
                            family_id=pairing.family_id, contacted_on=body["on"],
                            way=body["way"], note=body["note"], recorded_by=actor["username"])
    session.add(contact)
    # One statement that only moves the day forward: two contacts recorded at once leave
    # the later day, whichever commits last.
    session.execute(update(Pairing).where(
        Pairing.id == pairing.id,
        or_(Pairing.last_contact_on.is_(None), Pairing.last_contact_on < body["on"]))
        .values(last_contact_on=body["on"]))
    audit.record(session, AUDIT, actor, Entry("change", "member", member.id, ("contacts",)))
    session.flush()
    return contact


def listing(session: Session, county: str, member_id: int, query: dict) -> Page[MemberContact]:
    """The member's contacts, latest first."""
    member = rows.one(session, Member, county, member_id)
    found = select(MemberContact).where(MemberContact.association_code == county,
                                        MemberContact.member_id == member.id)
    return rows.page(session, found, [MemberContact.contacted_on.desc(),
                                      MemberContact.id.desc()], query)


def family_numbers(session: Session, contacts: list[MemberContact]) -> dict[int, str]:
    """The family number of each contact's family, for the answer."""
    ids = {c.family_id for c in contacts}
    return dict(session.execute(select(Family.id, Family.family_no)
                                .where(Family.id.in_(ids))).all()) if ids else {}


def overdue(session: Session, county: str, code: str, query: dict, today: date,
            due_days: int) -> Page[Overdue]:
    """The pairs of members of `code` (and of the associations under it) whose last contact,
    or whose pairing when never contacted, is more than `due_days` before `today`; by
    member, then pairing."""
    find(session, county, code)
    since = domain.contact_due_since(today, due_days)
    found = (select(Pairing).join(Member, Member.id == Pairing.member_id)
             .where(Member.association_code == county,
                    Member.grassroots_code.startswith(code),
                    or_(Pairing.last_contact_on < since,
                        and_(Pairing.last_contact_on.is_(None),
                             Pairing.paired_at < start_of_local_day(since))))
             .options(selectinload(Pairing.member), selectinload(Pairing.family)))
    pairs = rows.page(session, found, [Pairing.member_id, Pairing.id], query)
    items = []
    for pairing in pairs.items:
        paired_on = local_date(pairing.paired_at)
        items.append(Overdue(pairing, paired_on, domain.days_since_contact(
            pairing.last_contact_on, paired_on, today)))
    return Page(items, pairs.total)
