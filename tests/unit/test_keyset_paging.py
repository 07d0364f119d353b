"""Paging by the last id seen gives the same rows, in the same order, as paging by offset,
whatever the list's order (one column or several, rising or falling, with ties)."""
import pytest
from sqlalchemy import Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from shared import rows
from shared.errors import InvalidInput


class Base(DeclarativeBase):
    pass


class Entry(Base):
    __tablename__ = "entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String)


@pytest.fixture(scope="module")
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        # Days repeat, so an order by day alone has ties only the id breaks.
        session.add_all(Entry(id=n, day=(n * 7) % 5, kind="ab"[n % 2]) for n in range(1, 48))
        session.commit()
        yield session


ORDERS = {"id": lambda: [Entry.id], "id falling": lambda: [Entry.id.desc()],
          "day then id": lambda: [Entry.day, Entry.id],
          "day falling then id falling": lambda: [Entry.day.desc(), Entry.id.desc()],
          "day falling then id": lambda: [Entry.day.desc(), Entry.id]}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("size", [1, 5, 47, 50])
def test_pages_after_the_last_seen_are_the_pages_by_offset(session, order, size):
    query = select(Entry).where(Entry.kind == "a")
    by_offset = [entry.id for entry in rows.page(
        session, query, ORDERS[order](), {"limit": 100, "offset": 0}).items]
    seen, after = [], None
    while True:
        found = rows.page(session, query, ORDERS[order](),
                          {"limit": size, "offset": 0, "after": after})
        assert found.total == len(by_offset)
        if not found.items:
            break
        seen += [entry.id for entry in found.items]
        after = found.items[-1].id
    assert seen == by_offset and len(seen) == 23


def test_paging_after_a_row_that_does_not_exist_names_the_field(session):
    with pytest.raises(InvalidInput) as refused:
        rows.page(session, select(Entry), [Entry.id], {"limit": 5, "offset": 0, "after": 999})
    assert "after" in refused.value.fields
