"""Fetching one of the association's rows by id, optionally locked for update."""
from collections.abc import Mapping

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from shared.errors import InvalidInput, NotFound
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


def page(session: Session, query, order_by: list, cut: Mapping) -> Page:
    """One page of `query`, cut in SQL (`cut`: limit, offset and, optionally, `after`, the id
    of the last row of the page before), and how many rows it has in all. Paging by `after`
    costs the same on the last page as on the first; OFFSET reads every row it skips."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if cut.get("after") is not None:
        query = query.where(_beyond(session, query, order_by, cut["after"]))
    found = session.execute(query.order_by(*order_by).limit(cut["limit"]).offset(cut["offset"]))
    # select(Model): the models; select(some columns): the rows, read by attribute alike.
    whole = len(query.column_descriptions) == 1
    return Page(list(found.scalars() if whole else found), total)


def _beyond(session: Session, query, order_by: list, after: int):
    """Rows that come after row `after` in the order `order_by`: later in the first column,
    or level in it and later in the next, and so on."""
    keys = [(term.element, True) if isinstance(term, UnaryExpression)
            and term.modifier is operators.desc_op else (term, False) for term in order_by]
    model = query.column_descriptions[0]["entity"]
    mark = session.execute(select(*(column for column, _ in keys))
                           .where(model.id == after)).one_or_none()
    if mark is None:
        raise InvalidInput(f"No row {after} to page after.", "invalid",
                           {"after": ["No such row."]})
    later = []
    for n, (column, descending) in enumerate(keys):
        level = [earlier == mark[k] for k, (earlier, _) in enumerate(keys[:n])]
        later.append(and_(*level, column < mark[n] if descending else column > mark[n]))
    return or_(*later)
