"""What a password chosen for a login must be (等保 2.0 level 3): on the staff side at least
12 characters, elsewhere the 10 the schemas ask; for every login, neither its username
(nor containing it, in any case) nor one of the 10 000 most common passwords. Donors and
volunteers get the last two as well: they cost a careful person nothing, and a volunteer's
username is their phone number, the first thing anyone would try.

The common passwords are the first 10 000 of Mark Burnett's list of ten million (2015), as
SecLists publishes it (Passwords/Common-Credentials/10-million-password-list-top-10000.txt,
MIT licence), compared without regard to case. One-time passwords are made by the gateway
and are not checked here; the demo data's logins are made directly, not through here."""
from functools import cache
from pathlib import Path

from shared.actors import STAFF_SIDE

MIN_LENGTH = 10  # what PasswordIn and UserIn ask of any password
STAFF_MIN_LENGTH = 12
COMMON_LIST = Path(__file__).parent / "data" / "common-passwords.txt"


def min_length(role: str) -> int:
    return STAFF_MIN_LENGTH if role in STAFF_SIDE else MIN_LENGTH


def weaknesses(password: str, username: str, role: str) -> list[str]:
    """What makes `password` unfit for the login `username` of `role`; empty if nothing."""
    found = []
    minimum = min_length(role)
    if len(password) < minimum:
        found.append(f"At least {minimum} characters for this role.")
    if username and username.casefold() in password.casefold():
        found.append("Must not contain the username.")
    if password.casefold() in _common():
        found.append("One of the most common passwords; choose another.")
    return found


@cache
def _common() -> frozenset[str]:
    return frozenset(line.strip().casefold()
                     for line in COMMON_LIST.read_text(encoding="utf-8").splitlines()
                     if line.strip())
