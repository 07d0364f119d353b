"""Money is integer fen (CNY cents) everywhere; yuan only appear when shown to a person."""
import re
from decimal import Decimal

import cn2an
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


def yuan(fen: int) -> str:
    """An amount as people read it in a sentence, grouped as both languages group it:
    123456789 -> '¥1,234,567.89'."""
    # int(): a database's sum may come back as a Decimal of whole fen.
    return f"¥{Decimal(format_yuan(int(fen))):,.2f}"


def amount_in_words(fen: int) -> str:
    """The amount in Chinese capitals as receipts write it: 12345 -> 壹佰贰拾叁元肆角伍分."""
    return cn2an.an2cn(format_yuan(fen), "rmb")


class Fen(fields.Integer):
    """A positive amount in fen; refuses floats and numeric strings."""

    default_error_messages = {"invalid": "Must be a whole number of fen (an integer)."}

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_FEN))
        super().__init__(strict=True, **kwargs)


class BadAmount(ValueError):
    pass


_YUAN = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


def yuan_to_fen(text: str) -> int:
    """Yuan as people type them -> fen: '12.34' -> 1234. More than two decimals, signs and
    words are refused, not rounded; never through float."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "")
    # Digits and a point only: exponents, NaN and infinities are not amounts people type
    # (and 9e999999 would overflow the decimal context).
    if cleaned.startswith("-") and _YUAN.fullmatch(cleaned[1:]):
        raise BadAmount("Must be more than zero.")
    if not _YUAN.fullmatch(cleaned):
        raise BadAmount("Enter an amount in yuan, like 100 or 12.50.")
    if len(cleaned.partition(".")[0]) > 15:
        raise BadAmount("Too large for one amount.")
    fen = Decimal(cleaned).scaleb(2)
    whole = fen.to_integral_value()
    if fen != whole:
        raise BadAmount("At most two decimals (fen).")
    if fen <= 0:
        raise BadAmount("Must be more than zero.")
    if fen > MAX_FEN:
        raise BadAmount("Too large for one amount.")
    return int(whole)
