"""Yuan as people type and read them; fen as the API wants them. Never through float."""
from decimal import Decimal, InvalidOperation

from shared.money import MAX_FEN


class BadAmount(ValueError):
    pass


def yuan_to_fen(text: str) -> int:
    """'12.34' -> 1234; more than two decimals, signs and words are refused, not rounded."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise BadAmount("Enter an amount in yuan, like 100 or 12.50.") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise BadAmount("At most two decimals (fen).")
    fen = int(amount * 100)
    if not 0 < fen <= MAX_FEN:
        raise BadAmount("Must be more than zero.")
    return fen
