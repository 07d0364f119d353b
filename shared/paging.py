"""One page of a listing, as every service's use cases return it: the rows themselves
(models or domain objects) and how many there are in all. A service's `views.py` turns it
into the answer `{"items": [...], "total": N}`."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    items: list[Row]
    total: int

    def shaped(self, view: Callable[[Row], dict]) -> dict:
        """The answer a list endpoint gives: each row through its view."""
        return {"items": [view(row) for row in self.items], "total": self.total}
