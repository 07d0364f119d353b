"""Yuan as people type and read them; fen as the API wants them. Never through float."""
from decimal import Decimal, InvalidOperation

from shared.money import MAX_FEN


class BadAmount(ValueError):
    pass


def yuan_to_fen(text: str) -> int:
    """'12.34' -> 1234; more than two decimals, signs and words are refused, not rounded."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "")
    try:
        fen = Decimal(cleaned).scaleb(2)
        whole = fen.to_integral_value()
    except InvalidOperation:  # words, NaN and infinities
        raise BadAmount("Enter an amount in yuan, like 100 or 12.50.") from None
    if fen != whole:
        raise BadAmount("At most two decimals (fen).")
    if fen <= 0:
        raise BadAmount("Must be more than zero.")
    if fen > MAX_FEN:
        raise BadAmount("Too large for one amount.")
    return int(whole)
