"""Errors the services raise on purpose: plain Python, so domain modules can raise them.

A service says what went wrong by one of five kinds (the HTTP status follows from the kind)
and a machine-readable `code`; every service's codes are listed in its contract
(`shared/contracts/`). They cross nameko RPC as themselves because `shared.rpc` registers
these classes with nameko, in one place."""


class DomainError(Exception):
    """`code` is machine-readable; `fields` maps a field path to its messages."""

    def __init__(self, message: str, code: str = "invalid", fields: dict | None = None):
        super().__init__(message, code, fields or {})

    @property
    def message(self) -> str:
        return self.args[0]

    @property
    def code(self) -> str:
        return self.args[1]

    @property
    def fields(self) -> dict:
        return self.args[2]


class InvalidInput(DomainError):
    pass


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass


class Forbidden(DomainError):
    pass


class TooLarge(DomainError):
    """What was sent is larger than the service accepts (a document past its size limit)."""


KINDS = (DomainError, InvalidInput, NotFound, Conflict, Forbidden, TooLarge)


def invalid_from_marshmallow(exc) -> InvalidInput:
    """marshmallow's nested messages, flattened to dotted field paths."""
    return InvalidInput("Some fields are invalid.", "invalid_input", flatten_messages(exc.messages))


def flatten_messages(messages, prefix: str = "") -> dict:
    flat: dict = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, path))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = messages
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat
