"""Errors the services raise on purpose. They cross nameko RPC as themselves
(`deserialize_to_instance`), so the gateway maps them to HTTP in one place."""
from nameko.exceptions import deserialize_to_instance


@deserialize_to_instance
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


@deserialize_to_instance
class InvalidInput(DomainError):
    pass


@deserialize_to_instance
class NotFound(DomainError):
    pass


@deserialize_to_instance
class Conflict(DomainError):
    pass


@deserialize_to_instance
class Forbidden(DomainError):
    pass


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
