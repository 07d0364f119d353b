"""Members (会员) of the association and the families each keeps in touch with
(会员联系户): one person one member, one member per family. A member joining and a pairing
made are entries in the audit log."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.families import domain
from services.families.associations import known_codes
from services.families.models import AUDIT, Family, Member, Pairing
from shared import audit, rows
from shared.audit_chain import Entry
from shared.crypto import blind
from shared.errors import Conflict
from shared.paging import Page

JOINED = ("name", "id_number", "phone", "grassroots_code")


@dataclass(frozen=True)
class Paired:
    """A member with the families they keep in touch with; `new`: the pairing just made."""
    new: bool
    member: Member


def join(session: Session, county: str, body: dict, actor: dict) -> Member:
    code = body["grassroots_code"]
    domain.check_grassroots(code, county, known_codes(session, county, [code]),
                            "grassroots_code")
    member = Member(association_code=county, name=body["name"], id_number=body["id_number"],
                    phone=body["phone"], grassroots_code=code, created_by=actor["username"],
                    pairings=[])
    try:
        with session.begin_nested():
            session.add(member)
    except IntegrityError:
        # The unique id number, not a look first: two staff adding one person at once.
        existing = session.scalars(select(Member).where(
            Member.association_code == county,
            Member.id_index == blind(body["id_number"], "id_number"))).one()
        raise Conflict(f"Already member {member_no(existing)}.", "already_member",
                       {"id_number": [f"Already member {member_no(existing)}."]}) from None
    audit.record(session, AUDIT, actor, Entry("register", "member", member.id, JOINED))
    return member


def get(session: Session, county: str, member_id: int) -> Member:
    return rows.one(session, Member, county, member_id)


def listing(session: Session, county: str, query: dict) -> Page[Member]:
    found = (select(Member).where(Member.association_code == county)
             .options(selectinload(Member.pairings).selectinload(Pairing.family)))
    if query["grassroots_code"]:
        found = found.where(Member.grassroots_code.startswith(query["grassroots_code"]))
    return rows.page(session, found, [Member.id], query)


def pair(session: Session, county: str, member_id: int, family_id: int,
         actor: dict) -> Paired:
    """Pairing the same two again changes nothing; a family kept by another member is a
    conflict naming that member."""
    member = rows.one(session, Member, county, member_id, lock=True)
    rows.one(session, Family, county, family_id)
    kept_by = _keeper_of(session, family_id)
    if kept_by is not None:
        if kept_by.id == member.id:
            return Paired(False, member)
        raise Conflict(f"The family keeps in touch with member {member_no(kept_by)}.",
                       "family_paired",
                       {"family_id": [f"Kept by member {member_no(kept_by)}."]})
    try:
        with session.begin_nested():
            session.add(Pairing(association_code=member.association_code, member_id=member.id,
                                family_id=family_id, paired_by=actor["username"]))
    except IntegrityError:  # another member took the family a moment ago
        raise Conflict("The family keeps in touch with another member.", "family_paired",
                       {"family_id": ["Kept by another member."]}) from None
    audit.record(session, AUDIT, actor, Entry("change", "member", member.id, ("families",)))
    session.refresh(member)
    return Paired(True, member)


def member_no(member: Member) -> str:
    return f"M-{member.association_code}-{member.id:05d}"


def _keeper_of(session: Session, family_id: int) -> Member | None:
    return session.scalars(select(Member).join(Pairing, Pairing.member_id == Member.id)
                           .where(Pairing.family_id == family_id)).one_or_none()
