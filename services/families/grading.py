"""The yearly assessment of grassroots associations in plain Python: which criteria are
acceptable, how each item is scored, the total, the rank and the grade, and the shares of
each grade (the rules as shared/contracts/assessment.py states them)."""
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from services.families.domain import ranked
from shared.contracts.assessment import (
    ADVANCED,
    FIRST_YEAR,
    GRADES,
    LAGGING,
    LAST_YEAR,
    MANUAL,
    MAX_ITEMS,
    SOURCES,
    STANDARD,
    WEIGHTS_TOTAL,
)
from shared.errors import InvalidInput

KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_NAME = 100
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
Number = int | Fraction | Decimal


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    weight: int
    source: str  # a computed source (SOURCES) or MANUAL

    @property
    def computed(self) -> bool:
        return self.source != MANUAL


@dataclass(frozen=True)
class Item:
    key: str
    value: Decimal | None  # None for a manual item
    score: Decimal


@dataclass(frozen=True)
class Assessed:
    code: str
    name: str
    items: list[Item]
    total: Decimal
    rank: int
    grade: str


@dataclass(frozen=True)
class Shares:
    n: int
    counts: dict[str, int]
    pcts: dict[str, Decimal]


# --- what may be set ---------------------------------------------------------------------
def check_year(year: int, field: str = "year") -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"The year must be {FIRST_YEAR} to {LAST_YEAR}.", "invalid_input",
                           {field: [f"Must be between {FIRST_YEAR} and {LAST_YEAR}."]})


def check_criteria(year: int, items: list[dict]) -> list[Criterion]:
    """The criteria, or InvalidInput naming every field that is wrong (`items.2.source`; the
    weights' sum on `items`)."""
    problems: dict[str, list[str]] = {}
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems["year"] = [f"Must be between {FIRST_YEAR} and {LAST_YEAR}."]
    if not 1 <= len(items) <= MAX_ITEMS:
        problems["items"] = [f"Give 1 to {MAX_ITEMS} items."]
    seen: set[str] = set()
    for n, item in enumerate(items):
        for field, message in _item_problems(item, seen):
            problems.setdefault(f"items.{n}.{field}", []).append(message)
        seen.add(item["key"])
    weights = sum(item["weight"] for item in items)
    if items and "items" not in problems and weights != WEIGHTS_TOTAL:
        problems["items"] = [f"The weights add up to {weights}; they must add up to exactly "
                             f"{WEIGHTS_TOTAL}."]
    if problems:
        raise InvalidInput("The criteria are not acceptable.", "invalid_input", problems)
    return [Criterion(i["key"], i["name"], i["weight"], i["source"]) for i in items]


def _item_problems(item: dict, seen: set[str]) -> list[tuple[str, str]]:
    found = []
    if not KEY.fullmatch(item["key"]):
        found.append(("key", "Must be a short code: a small letter, then small letters, "
                             "digits or _ (up to 40)."))
    elif item["key"] in seen:
        found.append(("key", "Another item has this key."))
    if not 1 <= len(item["name"]) <= MAX_NAME:
        found.append(("name", f"Must be 1 to {MAX_NAME} characters."))
    if not 1 <= item["weight"] <= WEIGHTS_TOTAL:
        found.append(("weight", f"Must be a whole number from 1 to {WEIGHTS_TOTAL}."))
    if item["source"] not in (*SOURCES, MANUAL):
        found.append(("source", f"Must be {MANUAL} or one of: {', '.join(SOURCES)}."))
    return found


def check_score(score: Decimal, field: str = "score") -> Decimal:
    if not score.is_finite() or not Decimal(0) <= score <= HUNDRED:
        raise InvalidInput("The score must be 0 to 100.", "invalid_input",
                           {field: ["Must be between 0 and 100."]})
    if score != score.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidInput("At most two decimals.", "invalid_input",
                           {field: ["At most two decimals."]})
    return score.quantize(CENT)


# --- how it is scored -----------------------------------------------------------------------
def cents(number: Number) -> Decimal:
    """To 2 decimals, halves away from zero (as a person rounds)."""
    if isinstance(number, Fraction):
        number = Decimal(number.numerator) / Decimal(number.denominator)
    return Decimal(number).quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(part: int, whole: int, times: int = 1) -> Fraction:
    """part / whole × times, exactly; 0 when the whole is 0."""
    return Fraction(part * times, whole) if whole else Fraction(0)


def relative_scores(values: dict[str, Number]) -> dict[str, Decimal]:
    """Each value / the highest × 100, to 2 decimals; all 0 when the highest is 0."""
    highest = max(values.values(), default=0)
    if highest <= 0:
        return {code: Decimal("0.00") for code in values}
    return {code: cents(Fraction(value) / Fraction(highest) * 100)
            for code, value in values.items()}


def total(criteria: list[Criterion], scores: dict[str, Decimal]) -> Decimal:
    """Σ weight × item score / 100, to 2 decimals."""
    return cents(sum((c.weight * scores[c.key] for c in criteria), Decimal(0)) / HUNDRED)


def grade(rank: int, n: int) -> str:
    """advanced: rank ≤ floor(0.6 n); lagging: rank > n − floor(0.1 n); else standard. In
    whole numbers (6n // 10, n // 10), so no float rounding moves a line."""
    if rank <= 6 * n // 10:
        return ADVANCED
    if rank > n - n // 10:
        return LAGGING
    return STANDARD


def shares(grades: list[str]) -> Shares:
    n = len(grades)
    counts = {g: grades.count(g) for g in GRADES}
    pcts = {g: cents(ratio(counts[g], n, 100)) for g in GRADES}
    return Shares(n, counts, pcts)


def assess(criteria: list[Criterion], associations: list[tuple[str, str]],
           values: dict[str, dict[str, Number]],
           manual: dict[tuple[str, str], Decimal]) -> list[Assessed]:
    """`associations`: (code, name) of each assessed; `values`: source -> code -> value of
    each computed source the criteria use; `manual`: (code, key) -> the score given. Best
    first; ties by code."""
    codes = [code for code, _ in associations]
    scores = {c.key: relative_scores({code: values[c.source][code] for code in codes})
              if c.computed else {code: manual.get((code, c.key), Decimal("0.00"))
                                  for code in codes} for c in criteria}
    rows = [{"code": code, "name": name,
             "total": total(criteria, {key: scores[key][code] for key in scores})}
            for code, name in associations]
    n = len(rows)
    return [Assessed(row["code"], row["name"], [
        Item(c.key, cents(values[c.source][row["code"]]) if c.computed else None,
             scores[c.key][row["code"]]) for c in criteria],
        row["total"], row["rank"], grade(row["rank"], n)) for row in ranked(rows, "total")]
