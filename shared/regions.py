"""Associations above the grassroots: a province (340000), its cities (341100) and their
counties (341181), by GB/T 2260 region code. The codes nest by their leading digits (a
province's two, a city's four, a county's six), and a county's townships (9 digits) and
villages (12) begin with its code: what is under an association is what begins with its
prefix. Plain functions, so every service and the gateway read the nesting the same way."""
import re

PROVINCE = "province"
CITY = "city"
COUNTY = "county"
REGION_LEVELS = (PROVINCE, CITY, COUNTY)
REGION_CODE = re.compile(r"[1-9][0-9]{5}")


def is_region(code: str) -> bool:
    """A province's, city's or county's code (six digits), not a township's or village's."""
    return isinstance(code, str) and REGION_CODE.fullmatch(code) is not None


def level_of(code: str) -> str:
    """province (XX0000), city (XXYY00) or county (anything else of six digits)."""
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return CITY
    return COUNTY


def prefix(code: str) -> str:
    """The digits every code under `code` begins with: a province's two, a city's four, a
    county's six; a township's or village's code is its own prefix."""
    if not is_region(code):
        return code
    return {PROVINCE: code[:2], CITY: code[:4], COUNTY: code}[level_of(code)]


def parent_of(code: str) -> str | None:
    """The association a region's association sits under by its code: a county's city, a
    city's province; none above a province."""
    level = level_of(code)
    if level == COUNTY:
        return code[:4] + "00"
    if level == CITY:
        return code[:2] + "0000"
    return None


def under(code: str, association: str) -> bool:
    """`code` is `association`'s own or lies under it."""
    return isinstance(code, str) and code.startswith(prefix(association))


def strictly_under(code: str, association: str) -> bool:
    return code != association and under(code, association)


def is_county(code: str) -> bool:
    return is_region(code) and level_of(code) == COUNTY


def above_counties(association: str) -> bool:
    """A province's or a city's association: it reads the counties under it, and keeps no
    families, money or volunteers of its own."""
    return is_region(association) and level_of(association) != COUNTY


def within(column, association: str):
    """Rows of `association`, or of any county under it when it is a province or city:
    `column` (an SQL column, whose operators build the condition) holds a county's code."""
    if above_counties(association):
        return column.startswith(prefix(association), autoescape=True)
    return column == association


def by_prefix(codes: list[str]) -> dict[int, dict[str, str]]:
    """The codes asked about grouped for counting by leading digits: prefix length ->
    {prefix: code} (a province's figures are those of every code beginning with its two
    digits)."""
    grouped: dict[int, dict[str, str]] = {}
    for code in codes:
        lead = prefix(code)
        grouped.setdefault(len(lead), {})[lead] = code
    return grouped
