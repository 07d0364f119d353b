"""Validation, masking and test-data helpers for Chinese identifiers.

Covers resident identity numbers (GB 11643-1999), unified social credit
codes (GB 32100-2015) and mainland mobile numbers. Everything here is pure:
no I/O, no clock except the ``local_today()`` default (the association's date).
"""

from __future__ import annotations

import re
from datetime import date

from shared.clock import local_today

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)

# I, O, Z, S and V are left out so they cannot be misread as 1, 0, 2, 5 and U.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidIdentifier(ValueError):
    """An identifier failed validation; ``str(exc)`` is a readable English reason."""


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit alone accepts full-width and other Unicode digits.
    return text.isascii() and text.isdigit()


def _id_check_char(first17: str) -> str:
    total = sum(int(ch) * weight for ch, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _credit_check_char(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(ch) * w
                for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    # The standard maps a result of 31 to 0, which is what the outer modulo does.
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def _check_id_format(id_number: str) -> None:
    if len(id_number) != 18:
        raise InvalidIdentifier(f"resident id number must be 18 characters, got {len(id_number)}")
    if not _is_ascii_digits(id_number[:17]):
        raise InvalidIdentifier("resident id number: first 17 characters must be digits")
    if not (_is_ascii_digits(id_number[17]) or id_number[17] == "X"):
        raise InvalidIdentifier("resident id number: last character must be a digit or X")
    if id_number[0] == "0":
        raise InvalidIdentifier(f"region code {id_number[:6]} is not valid: it starts with 0")


def _parse_birth_date(digits: str, today: date) -> date:
    shown = f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdentifier(f"birth date {shown} is not a real date") from None
    if born < _EARLIEST_BIRTH:
        raise InvalidIdentifier(f"birth date {shown} is before 1900-01-01")
    if born > today:
        raise InvalidIdentifier(f"birth date {shown} is in the future")
    return born


def validate_resident_id(value: str, today: date | None = None) -> str:
    """Return the normalised (stripped, upper-case X) id number or raise InvalidIdentifier."""
    if not isinstance(value, str):
        raise InvalidIdentifier("resident id number must be a string")
    id_number = value.strip().upper()
    _check_id_format(id_number)
    _parse_birth_date(id_number[6:14], today or local_today())
    # Checked last so that a clearer reason (bad date, letters) wins over a checksum miss.
    if id_number[17] != _id_check_char(id_number[:17]):
        raise InvalidIdentifier("resident id number: check digit does not match")
    return id_number


def birth_date_of(id_number: str) -> date:
    """Birth date encoded in a (validated) resident id number."""
    digits = validate_resident_id(id_number)[6:14]
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def age_on(id_number: str, on: date) -> int:
    """Completed years of age on ``on``; a 29 February birthday counts from 1 March."""
    born = birth_date_of(id_number)
    if on < born:
        raise ValueError(f"{on.isoformat()} is before the holder's birth date")
    not_yet_had_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - int(not_yet_had_birthday)


def validate_credit_code(value: str) -> str:
    """Return the upper-cased unified social credit code or raise InvalidIdentifier."""
    if not isinstance(value, str):
        raise InvalidIdentifier("credit code must be a string")
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidIdentifier(f"credit code must be 18 characters, got {len(code)}")
    bad = sorted({ch for ch in code if ch not in _CREDIT_ALPHABET})
    if bad:
        raise InvalidIdentifier(f"credit code contains characters not allowed: {''.join(bad)}")
    if code[17] != _credit_check_char(code[:17]):
        raise InvalidIdentifier("credit code: check character does not match")
    return code


def validate_mobile(value: str) -> str:
    """Return the bare 11-digit mainland mobile number or raise InvalidIdentifier."""
    if not isinstance(value, str):
        raise InvalidIdentifier("mobile number must be a string")
    number = value.strip().replace(" ", "").replace("-", "")
    # Safe to strip a bare 86 unconditionally: no mainland mobile number starts with 86.
    for prefix in ("+86", "86"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
            break
    if not _is_ascii_digits(number) or len(number) != 11:
        raise InvalidIdentifier("mobile number must be 11 digits")
    if number[0] != "1" or number[1] not in "3456789":
        raise InvalidIdentifier("mobile number must start with 1 followed by 3-9")
    return number


def validate_bank_account(value: str) -> str:
    """Return the bare digits of a bank account or card number or raise InvalidIdentifier.

    Digits and length only: UnionPay cards mostly end in a Luhn check digit, but passbook
    and company account numbers, which can be paid into just as well, need not."""
    if not isinstance(value, str):
        raise InvalidIdentifier("bank account number must be a string")
    number = value.strip().replace(" ", "").replace("-", "")
    if not _is_ascii_digits(number):
        raise InvalidIdentifier("bank account number must be digits only")
    if not 12 <= len(number) <= 30:
        raise InvalidIdentifier("bank account number must be 12 to 30 digits")
    return number


def _mask(value: str, keep_head: int, keep_tail: int) -> str:
    if len(value) <= keep_head + keep_tail:
        # Too short to reveal anything safely.
        return "*" * len(value)
    hidden = len(value) - keep_head - keep_tail
    return value[:keep_head] + "*" * hidden + value[len(value) - keep_tail :]


def mask_id_number(value: str | None) -> str | None:
    """Keep the first 4 and last 4 characters: ``3411**********1234``."""
    return None if value is None else _mask(value, 4, 4)


def mask_credit_code(value: str | None) -> str | None:
    """Like an identity number: ``9135**********Y43`` keeps the first 4 and last 4."""
    return None if value is None else _mask(value, 4, 4)


# Shapes, not checks: whatever looks like an identity number (18 characters, or the old 15
# digits), a credit code or a mobile number, standing on its own inside a longer text.
_IDENTIFIER_SHAPES = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"[1-9][0-9]{16}[0-9Xx]"  # resident identity number
    r"|[1-9][0-9]{14}"  # the old 15-digit number
    r"|[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}"
    r"|1[3-9][0-9]{9}"  # mobile
    r")(?![0-9A-Za-z])")


def mask_identifiers(text: str | None) -> str | None:
    """Free text (notes, descriptions, memos) as shown: identifiers someone typed into it are
    masked like the fields that hold them."""
    if not text:
        return text
    return _IDENTIFIER_SHAPES.sub(lambda m: _mask(m.group(0), 3 if len(m.group(0)) == 11
                                                  else 4, 4), text)


def mask_phone(value: str | None) -> str | None:
    """Keep the first 3 and last 4 characters: ``138****5678``."""
    return None if value is None else _mask(value, 3, 4)


def mask_email(value: str | None) -> str | None:
    """The first character of the mailbox and the domain: ``w***@example.org``."""
    if value is None:
        return None
    mailbox, _, domain = value.rpartition("@")
    return f"{mailbox[:1]}***@{domain}"


def mask_account_no(value: str | None) -> str | None:
    """Keep the last 4 digits only: ``************1234``."""
    return None if value is None else _mask(value, 0, 4)


def mask_name(value: str | None) -> str | None:
    """A person's name as published: the family name only, 张三丰 -> 张**."""
    if not value:
        return value
    return value[0] + "*" * max(len(value) - 1, 1)


def make_resident_id(region: str, birth: date, sequence: int) -> str:
    """Build an id number with the correct check digit (for tests and demo data)."""
    if len(region) != 6 or not _is_ascii_digits(region) or region[0] == "0":
        raise ValueError(f"region must be 6 digits not starting with 0, got {region!r}")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0-999, got {sequence}")
    # Explicit padding: strftime('%Y') does not zero-pad years before 1000 everywhere.
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + _id_check_char(first17)
