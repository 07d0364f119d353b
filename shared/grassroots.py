"""Grassroots associations: the township (9-digit code) and village (12-digit code)
associations under a county association (6 digits). Money and volunteers are attributed to
one of them by its code; a code is always the association's own or one under it."""
from shared import regions
from shared.errors import InvalidInput

FIELD = "grassroots_code"


def grassroots_of(code: str | None, association_code: str, field: str = FIELD) -> str:
    """The grassroots code a body gave (already checked as digits of the right length), or
    the association's own when none was given; a code under another association is bad
    input on `field`."""
    if code is None:
        return association_code
    if not code.startswith(association_code):
        raise InvalidInput(f"Grassroots association {code} is not under association "
                           f"{association_code}.", "grassroots_outside",
                           {field: [f"Must be {association_code} or a code under it."]})
    return code


def codes_under(codes: list[str], association_code: str, field: str = "codes") -> list[str]:
    """Codes a query asks about, each the association's own or under it (a province's or
    city's counties among them); every other one is bad input on `codes.N`: another
    association's figures are not the caller's to read."""
    bad = {f"{field}.{n}": [f"Must be {association_code} or a code under it."]
           for n, code in enumerate(codes) if not regions.under(code, association_code)}
    if bad:
        raise InvalidInput(f"Some codes are not under association {association_code}.",
                           "grassroots_outside", bad)
    return list(codes)
