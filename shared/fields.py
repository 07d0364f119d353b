"""marshmallow fields for the identifiers the design says must be validated."""
import re
from datetime import UTC, date

from marshmallow import ValidationError, fields

from shared.identity import (
    InvalidIdentifier,
    mask_identifiers,
    validate_bank_account,
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)


class _Checked(fields.String):
    check = staticmethod(lambda value: value)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return type(self).check(text)
        except InvalidIdentifier as exc:
            raise ValidationError(str(exc)) from None


class ResidentId(_Checked):
    check = staticmethod(validate_resident_id)


class CreditCode(_Checked):
    check = staticmethod(validate_credit_code)


class Mobile(_Checked):
    check = staticmethod(validate_mobile)


class BankAccount(_Checked):
    """A bank account or card number: its digits (spaces and dashes people type dropped)."""
    check = staticmethod(validate_bank_account)


class Text(fields.String):
    """A string trimmed of surrounding whitespace; blank counts as missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Must not be blank.")
        return text


class Whole(fields.Integer):
    """A whole number: a JSON integer (or, with `text=True`, digits in a query string).
    5.5, 5.0, true, "3", "1e3" and numbers past 64 bits are refused, not bent."""

    default_error_messages = {"invalid": "Must be a whole number."}
    _DIGITS = re.compile(r"-?[0-9]{1,18}")

    def __init__(self, *, text: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.text = text

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            if abs(value) >= 2**63:
                raise self.make_error("invalid")
            return value
        if self.text and isinstance(value, str) and self._DIGITS.fullmatch(value.strip()):
            return int(value)
        raise self.make_error("invalid")


FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
_OUT_OF_CALENDAR = "Must be a date between 1900 and 2999."


class Day(fields.Date):
    """A calendar date people could mean: 1900 to 2999. Dates at the edges of Python's
    calendar would overflow the moment a day is added or a year subtracted."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(_OUT_OF_CALENDAR)
        return day


class Moment(fields.AwareDateTime):
    """A moment with its offset (UTC when none is given), kept in UTC: SQLite stores a
    datetime's wall time and forgets its offset. Bounded like `Day`."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY.year <= moment.year <= LAST_DAY.year:
            raise ValidationError(_OUT_OF_CALENDAR)
        return moment.astimezone(UTC)


class FreeText(fields.String):
    """Text people typed (a note, a description, a reason), as answers show it: identity
    numbers, credit codes and mobile numbers inside it masked."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(mask_identifiers(value), attr, obj, **kwargs)


class GrassrootsCode(fields.String):
    """The administrative code of an association or one of its grassroots associations: a
    county (6 digits), a township (9) or a village (12). Whether it lies under the caller's
    association is the service's check (`shared.grassroots`)."""

    default_error_messages = {
        "not_digits": "Must be digits only.",
        "length": "Must be 6, 9 or 12 digits: a county, township or village code.",
    }
    LENGTHS = (6, 9, 12)
    _DIGITS = re.compile(r"[0-9]+")

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not self._DIGITS.fullmatch(text):
            raise self.make_error("not_digits")
        if len(text) not in self.LENGTHS:
            raise self.make_error("length")
        return text
