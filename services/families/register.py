"""The family register (一户一档): registering a family and changing it, one family per
person in the association, each change an event and an entry in the audit log in the same
transaction."""
from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.families import domain
from services.families.models import AUDIT, OUTBOX, Family, FamilyMember, FamilyNumbers
from shared import audit, rows
from shared.audit_chain import Entry
from shared.clock import now_utc
from shared.crypto import blind
from shared.identity import mask_id_number
from shared.outbox import record_event, record_events
from shared.recipients import recipient

REGISTERED = ("category", "low_income", "address", "village_code", "members")
NUMBERS = "phf_family_numbers"  # session info: the counter this transaction holds locked
_FAMILIES, _MEMBERS = Family.__table__, FamilyMember.__table__
# Built once; the ids come back in the order the rows were given.
_NEW_FAMILIES = insert(_FAMILIES).returning(_FAMILIES.c.id, sort_by_parameter_order=True)
_NEW_MEMBERS = insert(_MEMBERS).returning(_MEMBERS.c.id, sort_by_parameter_order=True)


def register(session: Session, association: str, body: dict, actor: dict,
             elsewhere: dict[str, str] | None = None) -> Family:
    """`elsewhere`: the family number of each of these people already in a family, when
    the caller has looked it up (an import, for its whole batch at once); else looked up
    here. Either way the unique key catches a family committed meanwhile."""
    domain.check_village(body["village_code"], association)
    members = domain.members_of(body["members"])
    domain.check_members(members)
    # Numbered first: the counter's lock queues registrations, so the check that follows
    # sees every registration before this one.
    number = domain.family_no(association, _next_number(session, association))
    domain.check_not_elsewhere(members, elsewhere if elsewhere is not None else
                               _families_of(session, association, members))
    family = Family(association_code=association, family_no=number,
                    category=body["category"], low_income=body.get("low_income", False),
                    address=body["address"],
                    village_code=body["village_code"], registered_by=actor["username"],
                    members=[_row(association, m) for m in members])
    _write_keeping_one_family(session, association, members, lambda: session.add(family))
    audit.record(session, AUDIT, actor, Entry("register", "family", family.id, REGISTERED))
    record_event(session, OUTBOX, "families.family_registered", {
        **_event_data(family), "registered_by": actor["username"]})
    return family


def register_many(session: Session, association: str, bodies: list[dict],
                  actor: dict) -> None:
    """register() for families none of whose people is in a family yet, as the caller has
    looked up (an import's batch): one statement per table, not a flush and a savepoint per
    family. Each family is checked first (a DomainError names the rule, as register()'s);
    one of these people registered meanwhile fails the whole call on the unique key
    (IntegrityError), and the caller then registers them one by one."""
    households = [domain.members_of(body["members"]) for body in bodies]
    for body, members in zip(bodies, households, strict=True):
        domain.check_village(body["village_code"], association)
        domain.check_members(members)
    last = _next_number(session, association, len(bodies))
    connection = session.connection()
    family_ids = connection.execute(_NEW_FAMILIES, [{
        "association_code": association, "category": body["category"],
        "low_income": body.get("low_income", False),
        "family_no": domain.family_no(association, last - len(bodies) + n),
        "address": body["address"], "village_code": body["village_code"],
        "registered_by": actor["username"]}
        for n, body in enumerate(bodies, start=1)]).scalars().all()
    member_ids = iter(connection.execute(_NEW_MEMBERS, [{
        "family_id": family_id, "association_code": association, "name": m.name,
        "id_number": m.id_number, "id_index": blind(m.id_number, "id_number"),
        "relation": m.relation, "phone": m.phone}
        for family_id, members in zip(family_ids, households, strict=True)
        for m in members]).scalars().all())
    audit.record(session, AUDIT, actor, *(Entry("register", "family", family_id, REGISTERED)
                                          for family_id in family_ids))
    record_events(session, OUTBOX, "families.family_registered", [{
        "association_code": association, "family_id": family_id,
        "family_no": domain.family_no(association, last - len(bodies) + n),
        "category": body["category"], "village_code": body["village_code"],
        "address": body["address"], "registered_by": actor["username"],
        "members": [_member_data(next(member_ids), m) for m in members],
        "head": _head(family_id, members)}
        for n, (family_id, body, members) in enumerate(
            zip(family_ids, bodies, households, strict=True), start=1)])


def update(session: Session, association: str, family_id: int, body: dict,
           actor: dict) -> Family:
    """The fields given change; members given replace the present ones. Nothing that
    differs: no change, no event."""
    return revise(session, association, family_id, body, actor)[0]


def revise(session: Session, association: str, family_id: int, body: dict,
           actor: dict) -> tuple[Family, list[str]]:
    """update(), also telling which fields changed."""
    family = rows.one(session, Family, association, family_id, lock=True)
    wanted = dict(body)
    if "village_code" in body:
        domain.check_village(body["village_code"], association)
    if "members" in body:
        wanted["members"] = domain.members_of(body["members"])
        domain.check_members(wanted["members"])
        domain.check_not_elsewhere(wanted["members"], _families_of(
            session, association, wanted["members"], except_family=family.id))
    changed = domain.changes(_as_listed(family), wanted)
    if not changed:
        return family, changed
    for name in set(changed) - {"members"}:
        setattr(family, name, wanted[name])
    family.updated_at = now_utc()
    family.updated_by = actor["username"]
    joining = _replace_members(family, wanted["members"]) if "members" in changed else []
    _write_keeping_one_family(session, association, wanted.get("members", []),
                              lambda: family.members.extend(joining), family.id)
    audit.record(session, AUDIT, actor, Entry("change", "family", family.id, tuple(changed)))
    record_event(session, OUTBOX, "families.family_updated", {
        **_event_data(family), "changed": changed, "updated_by": actor["username"]})
    return family, changed


def _next_number(session: Session, association: str, taken: int = 1) -> int:
    """The last of `taken` numbers, taken together. The counter is locked once per
    transaction: an import numbers a batch's households under one lock, and kept until a
    rollback (of a savepoint too: the counter may have been made inside it)."""
    held = session.info.setdefault(NUMBERS, {})
    kept = held.get(association)
    if kept is not None and kept[0] is session.get_transaction():
        kept[1].last_no += taken
        return kept[1].last_no
    numbers = _locked_numbers(session, association)
    if numbers is None:
        try:
            with session.begin_nested():
                session.add(FamilyNumbers(association_code=association, last_no=0))
        except IntegrityError:
            pass  # another registration opened the series first
        numbers = _locked_numbers(session, association)
    numbers.last_no += taken
    held[association] = (session.get_transaction(), numbers)
    return numbers.last_no


@event.listens_for(Session, "after_rollback")
def _forget_numbers(session: Session) -> None:
    session.info.pop(NUMBERS, None)


def _locked_numbers(session: Session, association: str) -> FamilyNumbers | None:
    return session.scalars(rows.locked(select(FamilyNumbers).where(
        FamilyNumbers.association_code == association))).one_or_none()


def _families_of(session: Session, association: str, members: list[domain.Member],
                 except_family: int | None = None) -> dict[str, str]:
    """The family number of each of these people who is already in another family."""
    query = (select(FamilyMember.id_number, Family.family_no)
             .join(Family, Family.id == FamilyMember.family_id)
             .where(FamilyMember.association_code == association,
                    FamilyMember.id_index.in_([blind(m.id_number, "id_number")
                                               for m in members])))
    if except_family is not None:
        query = query.where(FamilyMember.family_id != except_family)
    return dict(session.execute(query).all())


def _write_keeping_one_family(session: Session, association: str,
                              members: list[domain.Member], write,
                              family_id: int | None = None) -> None:
    """`write()` adds the new members. The check before it saw only what others had
    committed; a family committed since with one of these people is caught by the unique
    key and named the same way. New members are added inside the savepoint, since
    beginning one flushes what is pending outside it."""
    try:
        with session.begin_nested():
            write()
            session.flush()
    except IntegrityError:
        with session.no_autoflush:  # what failed to flush must not be flushed again
            taken = _families_of(session, association, members, except_family=family_id)
        domain.check_not_elsewhere(members, taken)
        raise  # not a member clash: let it be the bug it is


def _replace_members(family: Family, wanted: list[domain.Member]) -> list[FamilyMember]:
    """Updates the members who stay, removes those gone; returns the rows of those who
    join. Nobody both leaves and joins (that is a member who stays)."""
    plan = domain.replace([m.id_number for m in family.members], wanted)
    for row in list(family.members):
        if row.id_number in plan.removed:
            family.members.remove(row)
        else:
            kept = plan.kept[row.id_number]
            row.name = kept.name
            row.relation = kept.relation
            row.phone = kept.phone
    return [_row(family.association_code, m) for m in plan.added]


def _row(association: str, member: domain.Member) -> FamilyMember:
    return FamilyMember(association_code=association, name=member.name,
                        id_number=member.id_number, relation=member.relation,
                        phone=member.phone)


def _as_listed(family: Family) -> dict:
    return {"category": family.category, "low_income": family.low_income,
            "address": family.address,
            "village_code": family.village_code,
            "members": [domain.Member(m.name, m.id_number, m.relation, m.phone)
                        for m in family.members]}


def _event_data(family: Family) -> dict:
    """Who is in the family, for the other services' timelines: member ids and masked
    identity numbers, never full ones (they stay in this service)."""
    return {"association_code": family.association_code, "family_id": family.id,
            "family_no": family.family_no, "category": family.category,
            "village_code": family.village_code, "address": family.address,
            "members": [_member_data(m.id, m) for m in family.members],
            "head": _head(family.id, family.members)}


def _head(family_id: int, members) -> dict | None:
    """The head of the family as messages to the family reach them (a care visit coming),
    their phone sealed; None when no head is listed."""
    head = next((m for m in members if m.relation == "head"), None)
    return None if head is None else recipient(f"family:{family_id}", head.name,
                                               phone=head.phone)


def _member_data(member_id: int, member) -> dict:
    return {"member_id": member_id, "name": member.name, "relation": member.relation,
            "id_number_masked": mask_id_number(member.id_number)}
