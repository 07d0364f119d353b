"""Fetching one of the association's rows by id, optionally locked for update."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound


def one(session: Session, model, association: str, row_id: int, lock: bool = False):
    query = select(model).where(model.id == row_id, model.association_code == association)
    if lock:
        # populate_existing: an object already in the session is refreshed from the locked row.
        query = query.with_for_update().execution_options(populate_existing=True)
    found = session.scalars(query).one_or_none()
    if found is None:
        noun = model.__name__.lower()
        raise NotFound(f"No {noun} {row_id}.", f"{noun}_not_found")
    return found
