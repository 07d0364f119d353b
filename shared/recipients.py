"""The people an event concerns, as its `recipients` carry them (the Recipient schema of
shared.contracts.events): contact details sealed under the data keys, the kind of contact
bound in, so that no broker copy, outbox row or log line holds a phone or an e-mail in clear.
Every service process has the same keys, so whoever sends the message opens them."""
from shared.crypto import keyring

CONTACTS = ("phone", "email")


def seal_contact(value: str | None, kind: str) -> str | None:
    """`value` sealed as a recipient's `kind` of contact; None (or empty) when unknown."""
    return keyring().seal(value, _field(kind)) if value else None


def open_contact(value: str | None, kind: str) -> str | None:
    """What seal_contact sealed; a value sealed as another kind, or altered, is refused
    (shared.crypto.KeyProblem)."""
    return None if value is None else keyring().open(value, _field(kind))


def recipient(person: str, name: str, phone: str | None = None, email: str | None = None,
              language: str | None = None) -> dict:
    """One recipient for an event's data, its contact details sealed."""
    return {"person": person, "name": name, "phone": seal_contact(phone, "phone"),
            "email": seal_contact(email, "email"), "language": language}


def _field(kind: str) -> str:
    if kind not in CONTACTS:
        raise ValueError(f"a contact is one of {', '.join(CONTACTS)}, not {kind!r}")
    return f"events.recipient.{kind}"
