"""Member-day activities (会员日): held by an association, with the members who took part
(members of that association or of one under it)."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.families.associations import find
from services.families.models import Member, MemberDay
from shared import rows
from shared.errors import InvalidInput
from shared.paging import Page


def hold(session: Session, county: str, code: str, body: dict, actor: dict) -> MemberDay:
    find(session, county, code)
    wanted = list(dict.fromkeys(body["member_ids"]))  # a name given twice counts once
    found = set(session.scalars(select(Member.id).where(
        Member.association_code == county, Member.id.in_(wanted),
        Member.grassroots_code.startswith(code))))
    strangers = {f"member_ids.{n}": ["Not a member of this association."]
                 for n, member_id in enumerate(body["member_ids"]) if member_id not in found}
    if strangers:
        raise InvalidInput("Some who took part are not its members.", "invalid_input",
                           strangers)
    day = MemberDay(association_code=county, grassroots_code=code, title=body["title"],
                    held_on=body["held_on"], member_ids=wanted,
                    recorded_by=actor["username"])
    session.add(day)
    session.flush()
    return day


def listing(session: Session, county: str, code: str, query: dict) -> Page[MemberDay]:
    """The association's member days and those of the associations under it, latest
    first."""
    find(session, county, code)
    found = select(MemberDay).where(MemberDay.association_code == county,
                                    MemberDay.grassroots_code.startswith(code))
    return rows.page(session, found, [MemberDay.held_on.desc(), MemberDay.id.desc()], query)
