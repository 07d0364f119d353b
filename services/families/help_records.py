"""Help given to families (精准帮扶): a record of each time a member, a volunteer or staff
helped a family, in the family's timeline and audit log; a follow-up it asks for is met by the
family's next help record, and one whose day has passed unmet is overdue."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.families import domain, timeline
from services.families.associations import find
from services.families.models import AUDIT, OUTBOX, Family, HelpRecord, Member
from shared import audit, rows
from shared.audit_chain import Entry
from shared.contracts.events import load_envelope
from shared.contracts.help import MEMBER, STAFF, VOLUNTEER
from shared.errors import InvalidInput, NotFound
from shared.outbox import record_event
from shared.paging import Page


@dataclass(frozen=True)
class Helper:
    kind: str
    name: str
    member_id: int | None = None
    volunteer_id: int | None = None


@dataclass(frozen=True)
class OverdueFollowUp:
    """A record whose follow-up is overdue, with its family's number and village."""
    record: HelpRecord
    family_no: str
    village_code: str


def checked(body: dict, today: date) -> dict:
    domain.check_help(body["on"], body["follow_up_on"], body["by_member_id"],
                      body["by_volunteer_id"], today)
    return body


def volunteer_named(ask: Callable[[int], dict], volunteer_id: int | None) -> dict | None:
    """The volunteer named by `by_volunteer_id` as the volunteers service knows them
    (`ask`); one it does not know is bad input on that field."""
    if volunteer_id is None:
        return None
    try:
        return ask(volunteer_id)
    except NotFound:
        raise InvalidInput("No such volunteer.", "invalid_input",
                           {"by_volunteer_id": ["No such volunteer."]}) from None


def record(session: Session, county: str, family_id: int, body: dict,
           volunteer: dict | None, actor: dict) -> HelpRecord:
    """`volunteer`: the one named, as volunteer_named() found them. The family's row is
    locked, so two records of one family meet its follow-ups one after the other."""
    family = rows.one(session, Family, county, family_id, lock=True)
    helper = _helper(session, county, body["by_member_id"], volunteer, actor)
    met = domain.follow_ups_met(_open_follow_ups(session, county, family.id), body["on"])
    help_record = HelpRecord(
        association_code=county, family_id=family.id, kind=body["kind"],
        helped_on=body["on"], helper_kind=helper.kind, member_id=helper.member_id,
        volunteer_id=helper.volunteer_id, helper_name=helper.name, minutes=body["minutes"],
        note=body["note"], outcome=body["outcome"], follow_up_on=body["follow_up_on"],
        recorded_by=actor["username"])
    session.add(help_record)
    session.flush()
    if met:
        session.execute(update(HelpRecord).where(HelpRecord.id.in_(met))
                        .values(followed_up_by=help_record.id))
    audit.record(session, AUDIT, actor, Entry("change", "family", family.id, ("help",)))
    envelope = record_event(session, OUTBOX, "families.help_recorded", {
        "association_code": county, "family_id": family.id, "help_id": help_record.id,
        "kind": help_record.kind, "on": help_record.helped_on.isoformat(),
        "minutes": help_record.minutes, "helper_kind": helper.kind})
    # Kept as the other services' events are, so a rebuilt timeline shows it too.
    timeline.record(session, load_envelope(envelope))
    return help_record


def listing(session: Session, county: str, family_id: int, query: dict) -> Page[HelpRecord]:
    """The family's help records, latest first."""
    rows.one(session, Family, county, family_id)
    found = select(HelpRecord).where(HelpRecord.association_code == county,
                                     HelpRecord.family_id == family_id)
    return rows.page(session, found, [HelpRecord.helped_on.desc(), HelpRecord.id.desc()],
                     query)


def overdue(session: Session, county: str, code: str, query: dict,
            today: date) -> Page[OverdueFollowUp]:
    """Follow-ups due before `today` and still unmet, of the families in the villages under
    the association `code`, the longest overdue first."""
    find(session, county, code)
    found = (select(HelpRecord, Family.family_no, Family.village_code)
             .join(Family, Family.id == HelpRecord.family_id)
             .where(HelpRecord.association_code == county,
                    HelpRecord.followed_up_by.is_(None), HelpRecord.follow_up_on < today,
                    Family.village_code.startswith(code)))
    page = rows.page(session, found, [HelpRecord.follow_up_on, HelpRecord.id], query)
    return Page([OverdueFollowUp(*row) for row in page.items], page.total)


def _helper(session: Session, county: str, member_id: int | None, volunteer: dict | None,
            actor: dict) -> Helper:
    if volunteer is not None:
        return Helper(VOLUNTEER, volunteer["name"], volunteer_id=volunteer["id"])
    if member_id is None:
        return Helper(STAFF, actor["username"])
    member = session.scalars(select(Member).where(Member.association_code == county,
                                                  Member.id == member_id)).one_or_none()
    if member is None:
        raise InvalidInput("No such member.", "invalid_input",
                           {"by_member_id": ["No such member."]})
    return Helper(MEMBER, member.name, member_id=member.id)


def _open_follow_ups(session: Session, county: str, family_id: int) -> list[domain.FollowUp]:
    found = session.execute(select(HelpRecord.id, HelpRecord.helped_on,
                                   HelpRecord.follow_up_on, HelpRecord.followed_up_by)
                            .where(HelpRecord.association_code == county,
                                   HelpRecord.family_id == family_id,
                                   HelpRecord.follow_up_on.is_not(None),
                                   HelpRecord.followed_up_by.is_(None)))
    return [domain.FollowUp(*row) for row in found]
