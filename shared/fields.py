"""marshmallow fields for the identifiers the design says must be validated."""
from marshmallow import ValidationError, fields

from shared.identity import (
    InvalidIdentifier,
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


class Text(fields.String):
    """A string trimmed of surrounding whitespace; blank counts as missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Must not be blank.")
        return text
