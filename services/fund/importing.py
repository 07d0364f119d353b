"""Donors brought in from a spreadsheet of the register, a row each, written as a gift typed
by hand writes its donor (services.fund.donors). Donors publish no event, by hand or from a
file.

Which donor a row is. A row with its identifier (a person's identity number, anyone else's
credit code) is the donor holding it in the association, as by hand; one that differs from
that donor in name, kind or phone is refused on those columns, naming the donor, for nothing
changes a donor's details once known. Otherwise a row is the oldest donor of the same name,
kind and phone (a row without a phone: a donor without one); a row bringing an identifier
takes such a donor only when the phone is there to agree and the donor has no identifier of
its own. By hand a phone alone finds a donor; here the name must agree too, because a family
shares a phone while every row of a register is a donor of its own, and a name alone never
gives a donor an identity number. Else the row is a new donor. So the same file twice
creates nothing new.

A found donor takes the identifiers it lacks from the row (updated); when it lacks none,
the row is unchanged."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.fund import donors
from services.fund.models import Donor
from shared.errors import Conflict
from shared.imports import Unit

COMPARED = ("name", "kind", "phone")


def write(session: Session, association: str, unit: Unit, actor: dict) -> str:
    row = unit.first
    column = _identifier(row["kind"])
    donor = _holding(session, association, column, row[column])
    if donor is not None:
        _check_same(donor, row)
    else:
        donor = _namesake(session, association, column, row)
    if donor is None:
        donors.add(session, association, row, actor)
        return "created"
    return "updated" if donors.complete(session, donor, row, actor) else "unchanged"


def _identifier(kind: str) -> str:
    """The column that names a donor of this kind."""
    return "id_number" if kind == "person" else "credit_code"


def _holding(session: Session, association: str, column: str, value: str | None) -> Donor | None:
    if value is None:
        return None
    return session.scalars(select(Donor).where(Donor.association_code == association,
                                               donors.holds(column, value))).one_or_none()


def _namesake(session: Session, association: str, column: str, row: dict) -> Donor | None:
    if row[column] is not None and row["phone"] is None:
        return None
    found = select(Donor).where(Donor.association_code == association,
                                Donor.kind == row["kind"], Donor.name == row["name"],
                                Donor.phone_index.is_(None) if row["phone"] is None
                                else donors.holds("phone", row["phone"]))
    if row[column] is not None:
        found = found.where(getattr(Donor, column).is_(None))
    return session.scalars(found.order_by(Donor.id).limit(1)).first()


def _check_same(donor: Donor, row: dict) -> None:
    differing = [name for name in COMPARED
                 if row[name] is not None and getattr(donor, name) not in (None, row[name])]
    if differing:
        raise Conflict(f"Donor {donor.id} holds this identity number or credit code under "
                       "other details; an import only fills in what a donor lacks.",
                       "donor_differs",
                       {name: [f"Differs from donor {donor.id} ({donor.name}), who holds this "
                               "identity number or credit code."] for name in differing})
