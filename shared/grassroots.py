"""Grassroots associations: the township (9-digit code) and village (12-digit code)
associations under a county association (6 digits). Money and volunteers are attributed to
one of them by its code; a code is always the association's own or one under it."""
from shared.errors import InvalidInput

FIELD = "grassroots_code"


def grassroots_of(code: str | None, association_code: str) -> str:
    """The grassroots code a body gave (already checked as digits of the right length), or
    the association's own when none was given; a code under another association is bad
    input on `grassroots_code`."""
    if code is None:
        return association_code
    if not code.startswith(association_code):
        raise InvalidInput(f"Grassroots association {code} is not under association "
                           f"{association_code}.", "grassroots_outside",
                           {FIELD: [f"Must be {association_code} or a code under it."]})
    return code
