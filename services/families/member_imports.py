"""Members (会员) brought in from a spreadsheet of the register, a row each, written by the
same use cases as a member added by hand: members.join, then members.pair for the family the
member keeps in touch with (会员联系户). Neither publishes an event, by hand or from a file.

A row is matched to the member holding its identity number in the association. The register
has no way to change a member once joined, and an import does not open one: a row giving an
existing member another name, phone or association is refused on those columns, naming the
member, so a sheet never quietly moves a member to another association (the dashboards count
members by it). The same rows again change nothing. A family number pairs the member with that
family unless already paired; a blank one unpairs nothing."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.families import members
from services.families.models import Family, Member
from shared.crypto import blind
from shared.errors import Conflict, DomainError, NotFound
from shared.imports import Unit

COMPARED = ("name", "phone", "grassroots_code")


def write(session: Session, county: str, unit: Unit, actor: dict) -> str:
    row = unit.first
    member = _member(session, county, row["id_number"])
    if member is None:
        member = members.join(session, county, row, actor)
        _pair(session, county, member, row["family_no"], actor)
        return "created"
    _check_same(member, row)
    return "updated" if _pair(session, county, member, row["family_no"], actor) \
        else "unchanged"


def _member(session: Session, county: str, id_number: str) -> Member | None:
    return session.scalars(select(Member).where(
        Member.association_code == county,
        Member.id_index == blind(id_number, "id_number"))).one_or_none()


def _check_same(member: Member, row: dict) -> None:
    differing = [name for name in COMPARED if getattr(member, name) != row[name]]
    if differing:
        number = members.member_no(member)
        raise Conflict(f"Member {number} has other details in the register; an import does "
                       "not change a member.", "member_differs",
                       {name: [f"Differs from member {number} in the register."]
                        for name in differing})


def _pair(session: Session, county: str, member: Member, number: str | None,
          actor: dict) -> bool:
    """Whether a pairing was made. The hand path's refusals name the family by its id; a
    row names it by its number, so they are put on that column."""
    if number is None:
        return False
    family_id = session.scalars(select(Family.id).where(
        Family.association_code == county, Family.family_no == number)).one_or_none()
    if family_id is None:
        raise NotFound(f"No family {number}.", "family_not_found",
                       {"family_no": ["No family has this number."]})
    try:
        return members.pair(session, county, member.id, family_id, actor).new
    except DomainError as refused:
        messages = [text for texts in refused.fields.values() for text in texts]
        raise type(refused)(refused.message, refused.code,
                            {"family_no": messages or [refused.message]}) from None
