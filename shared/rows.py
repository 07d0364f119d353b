"""Fetching one of the association's rows by id, optionally locked for update."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from shared.paging import Page


def locked(query, lock: bool = True):
    """`query` taking row locks. populate_existing: an object already in the session (loaded
    through a relationship, say) is refreshed from the locked row, or its values are stale."""
    return query.with_for_update().execution_options(populate_existing=True) if lock else query


def one(session: Session, model, association: str, row_id: int, lock: bool = False):
    query = select(model).where(model.id == row_id, model.association_code == association)
    found = session.scalars(locked(query, lock)).one_or_none()
    if found is None:
        noun = model.__name__.lower()
        raise NotFound(f"No {noun} {row_id}.", f"{noun}_not_found")
    return found


def page(session: Session, query, order_by, limit: int, offset: int) -> Page:
    """One page of `query`, cut in SQL, and how many rows it has in all."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    found = session.scalars(query.order_by(*order_by).limit(limit).offset(offset)).all()
    return Page(list(found), total)
