"""Donors are found again by identity number, credit code or phone, never duplicated. The
identity number and the phone are sealed: a donor is looked up by their blind indexes. A
donor registered, an identifier added to one and a look at one's identifiers in full each
leave an entry in the audit log, in the same transaction, naming who."""
from types import SimpleNamespace

from sqlalchemy import insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.fund.models import AUDIT, Donor
from shared import audit, rows
from shared.audit_chain import Entry
from shared.crypto import blind
from shared.errors import NotFound
from shared.paging import Page
from shared.recipients import recipient

IDENTIFIERS = ("id_number", "credit_code", "phone")
# What each identifier is looked up by: the blind index of a sealed one (with its kind),
# the column itself for the credit code, which is public.
LOOKUP = {"id_number": ("id_index", "id_number"), "credit_code": ("credit_code", None),
          "phone": ("phone_index", "phone")}
REVEALED = ("id_number", "credit_code")  # what a look at a donor's identity shows in full
# What a donor found again takes from a gift's details when it lacks them: the identifiers,
# and the e-mail they hear by (which names nobody: no donor is found by it).
TAKEN = (*IDENTIFIERS, "email")


def find_or_create(session: Session, association: str, details: dict, actor: dict):
    """The donor the details name, or a new one: a Donor found, or the new donor's plain
    record (its id and columns) written with one insert. Only identifiers are unique, so
    a donor without any needs no savepoint against a concurrent twin."""
    if not any(details.get(column) for column in IDENTIFIERS):
        return add(session, association, details, actor)
    donor = _match(session, association, details)
    if donor is None:
        try:
            with session.begin_nested():
                return add(session, association, details, actor)
        except IntegrityError:  # the same donor was created concurrently
            donor = _match(session, association, details)
    complete(session, donor, details, actor)
    return donor


def _insert(session: Session, association: str, details: dict) -> SimpleNamespace:
    columns = _columns(association, details)
    return SimpleNamespace(id=session.connection().execute(_NEW_DONOR, columns).scalar_one(),
                           **columns)


_NEW_DONOR = insert(Donor.__table__).returning(Donor.__table__.c.id)


def find_or_create_many(session: Session, association: str, details: list[dict],
                        actor: dict) -> list:
    """The donors of a batch, in order: the known ones found with one query, the new ones
    created once (two rows naming one new donor get one donor) and written with one
    statement, given back as plain records with their id (only the id is wanted of them).
    A donor created concurrently fails the write; the caller then goes row by row."""
    known = _Known(_candidates(session, association, details))
    found = []
    new = []
    completed: dict[Donor, list[str]] = {}  # known donors and the identifiers they took
    for one in details:
        donor = known.match(one)
        if donor is None:
            donor = SimpleNamespace(id=None, **_columns(association, one))
            new.append(donor)
        added = _fill_missing(donor, one)
        if added and donor.id is not None:
            completed.setdefault(donor, []).extend(added)
        known.add(donor)
        found.append(donor)
    session.flush()  # identifiers filled in on known donors
    if new:
        ids = session.scalars(insert(Donor).returning(Donor.id, sort_by_parameter_order=True),
                              [_columns(association, vars(donor)) for donor in new])
        for donor, donor_id in zip(new, ids, strict=True):
            donor.id = donor_id
    audit.record(session, AUDIT, actor, *map(_registered, new), *(
        Entry("change", "donor", donor.id, tuple(added)) for donor, added in completed.items()))
    return found


class _Known:
    """Donors by each identifier, oldest first: _match_among without a scan per row."""

    def __init__(self, donors: list[Donor]):
        self.by = {column: {} for column in IDENTIFIERS}
        for donor in donors:
            self.add(donor)

    def add(self, donor: Donor) -> None:
        for column in IDENTIFIERS:
            if getattr(donor, column):
                sharing = self.by[column].setdefault(getattr(donor, column), [])
                if donor not in sharing:
                    sharing.append(donor)

    def match(self, details: dict) -> Donor | None:
        return _match_among([donor for column in IDENTIFIERS if details.get(column)
                             for donor in self.by[column].get(details[column], [])], details)


def add(session: Session, association: str, details: dict, actor: dict) -> SimpleNamespace:
    """A new donor, when the caller has found none that the details name."""
    donor = _insert(session, association, details)
    audit.record(session, AUDIT, actor, _registered(donor))
    return donor


def complete(session: Session, donor: Donor, details: dict, actor: dict) -> bool:
    """The identifiers (and e-mail) the donor lacks, taken from the details as a gift naming
    the donor takes them: whether it lacked any."""
    added = _fill_missing(donor, details)
    if added:
        audit.record(session, AUDIT, actor, Entry("change", "donor", donor.id, tuple(added)))
    return bool(added)


def ensure(session: Session, association: str, details: dict, actor: dict):
    """find_or_create, its id known to the caller."""
    donor = find_or_create(session, association, details, actor)
    session.flush()
    return donor


def reveal(session: Session, association: str, donor_id: int, reason: str,
           actor: dict) -> Donor:
    """The donor, whose identifiers the actor sees in full: who, when and why recorded."""
    donor = get(session, association, donor_id)
    audit.record(session, AUDIT, actor, Entry(
        "reveal", "donor", donor.id, tuple(c for c in REVEALED if getattr(donor, c)), reason))
    return donor


def listing(session: Session, association: str, query: dict) -> Page[Donor]:
    """The association's donors, the latest first; of one kind, or those named, if asked."""
    found = select(Donor).where(Donor.association_code == association)
    if query["kind"]:
        found = found.where(Donor.kind == query["kind"])
    if query["ids"] is not None:
        found = found.where(Donor.id.in_(query["ids"]))
    return rows.page(session, found, [Donor.id.desc()], query)


def heard_by(donor) -> list[dict]:
    """An event's recipients for what the donor hears of (a Donor, or a new donor's plain
    record): anonymous or not, since anonymity is about what is disclosed to others."""
    return [recipient(f"donor:{donor.id}", donor.name, phone=donor.phone, email=donor.email)]


def get(session: Session, association: str, donor_id: int) -> Donor:
    donor = session.get(Donor, donor_id)
    if donor is None or donor.association_code != association:
        raise NotFound(f"No donor {donor_id}.", "donor_not_found")
    return donor


def _columns(association: str, details: dict) -> dict:
    """A donor's row for an insert, which sets no blind index by itself."""
    return {"association_code": association, "kind": details["kind"], "name": details["name"],
            **{column: details.get(column) for column in TAKEN},
            "id_index": blind(details.get("id_number"), "id_number"),
            "phone_index": blind(details.get("phone"), "phone")}


def _match(session: Session, association: str, details: dict) -> Donor | None:
    return _match_among(_candidates(session, association, [details]), details)


def _candidates(session: Session, association: str, details: list[dict]) -> list[Donor]:
    """The association's donors sharing an identifier with any of `details`, oldest first."""
    wanted = [getattr(Donor, LOOKUP[column][0]).in_(values) for column in IDENTIFIERS
              if (values := {_looked_up(column, d[column]) for d in details if d.get(column)})]
    if not wanted:
        return []
    return list(session.scalars(select(Donor).where(Donor.association_code == association,
                                                    or_(*wanted)).order_by(Donor.id)))


def holds(column: str, value: str):
    """The condition that a donor holds this identifier: on its blind index when sealed."""
    return getattr(Donor, LOOKUP[column][0]) == _looked_up(column, value)


def _looked_up(column: str, value: str) -> str:
    """What the identifier's lookup column holds for this value."""
    kind = LOOKUP[column][1]
    return value if kind is None else blind(value, kind)


def _match_among(donors: list[Donor], details: dict) -> Donor | None:
    """An identity number or credit code names one donor; a phone, the first donor with it
    whom no stronger identifier contradicts."""
    for column in ("id_number", "credit_code"):
        if details.get(column):
            for donor in donors:
                if getattr(donor, column) == details[column]:
                    return donor
    if details.get("phone"):
        for donor in donors:
            if donor.phone == details["phone"] and not _conflicts(donor, details):
                return donor
    return None


def _conflicts(donor: Donor, details: dict) -> bool:
    """A shared phone is not the same donor when a stronger identifier differs."""
    return any(details.get(c) and getattr(donor, c) and getattr(donor, c) != details[c]
               for c in ("id_number", "credit_code")) or donor.kind != details["kind"]


def _fill_missing(donor: Donor, details: dict) -> list[str]:
    """The identifiers (and e-mail) the donor took from the details."""
    added = [column for column in TAKEN
             if details.get(column) and not getattr(donor, column)]
    for column in added:
        setattr(donor, column, details[column])
    return added


def _registered(donor) -> Entry:
    """A new donor's entry: the fields the donor was registered with."""
    return Entry("register", "donor", donor.id, ("kind", "name", *(
        column for column in TAKEN if getattr(donor, column))))
