"""Money is integer fen (CNY cents) everywhere; yuan only appear when shown to a person."""
from decimal import Decimal

from marshmallow import fields, validate

MAX_FEN = 10**13  # 100 billion yuan: far above any county fund, far below int64


def is_fen(value: object) -> bool:
    # bool is an int subclass; True is not one fen.
    return isinstance(value, int) and not isinstance(value, bool)


def format_yuan(fen: int) -> str:
    """12345 -> '123.45' exactly, never through float."""
    if not is_fen(fen):
        raise TypeError(f"amount must be integer fen, got {type(fen).__name__}")
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


class Fen(fields.Integer):
    """A positive amount in fen; refuses floats and numeric strings."""

    default_error_messages = {"invalid": "Must be a whole number of fen (an integer)."}

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_FEN))
        super().__init__(strict=True, **kwargs)
