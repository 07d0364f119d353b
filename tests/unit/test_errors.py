"""Unit tests for shared.errors.flatten_messages (pure: no broker, no database)."""

import pytest
from marshmallow import Schema, ValidationError, fields, validates_schema

from shared.errors import InvalidInput, flatten_messages, invalid_from_marshmallow


def test_nested_dicts_become_dotted_paths():
    messages = {
        "amount_fen": ["Must be a whole number of fen (an integer)."],
        "donor": {"id_number": ["Bad check digit."], "name": ["Must not be blank."]},
    }
    assert flatten_messages(messages) == {
        "amount_fen": ["Must be a whole number of fen (an integer)."],
        "donor.id_number": ["Bad check digit."],
        "donor.name": ["Must not be blank."],
    }


def test_deep_nesting_and_integer_keys():
    messages = {"claim": {"items": {0: {"amount_fen": ["Too big."]}, 3: ["Bad item."]}}}
    assert flatten_messages(messages) == {
        "claim.items.0.amount_fen": ["Too big."],
        "claim.items.3": ["Bad item."],
    }


def test_list_values_are_kept_whole_and_in_order():
    messages = {"phone": ["First problem.", "Second problem."]}
    flat = flatten_messages(messages)
    assert flat == {"phone": ["First problem.", "Second problem."]}


def test_schema_errors_are_kept():
    assert flatten_messages({"_schema": ["Dates out of order."]}) == {
        "_schema": ["Dates out of order."]
    }
    assert flatten_messages({"donor": {"_schema": ["Pick one."]}, "x": ["y"]}) == {
        "donor._schema": ["Pick one."],
        "x": ["y"],
    }


def test_bare_list_and_string_go_under_schema():
    assert flatten_messages(["Body must be an object."]) == {"_schema": ["Body must be an object."]}
    assert flatten_messages("Invalid input type.") == {"_schema": ["Invalid input type."]}


def test_non_string_leaf_is_stringified_under_its_path():
    assert flatten_messages({"a": {"b": 5}}) == {"a.b": ["5"]}


def test_prefix_is_applied():
    assert flatten_messages({"name": ["x"]}, prefix="donor") == {"donor.name": ["x"]}


class _Inner(Schema):
    name = fields.String(required=True)


class _Outer(Schema):
    inner = fields.Nested(_Inner, required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)

    @validates_schema
    def _ordered(self, data, **_):
        if data["end"] < data["start"]:
            raise ValidationError("end before start")


def test_real_marshmallow_errors_flatten():
    with pytest.raises(ValidationError) as exc:
        _Outer().load({"inner": {}, "start": "x", "end": 1})
    flat = flatten_messages(exc.value.messages)
    assert flat == {
        "inner.name": ["Missing data for required field."],
        "start": ["Not a valid integer."],
    }


def test_real_marshmallow_schema_error_is_kept():
    with pytest.raises(ValidationError) as exc:
        _Outer().load({"inner": {"name": "n"}, "start": 5, "end": 1})
    flat = flatten_messages(exc.value.messages)
    assert flat == {"_schema": ["end before start"]}


def test_invalid_from_marshmallow_carries_flattened_fields():
    with pytest.raises(ValidationError) as exc:
        _Outer().load({"inner": {}, "start": 1, "end": 2})
    err = invalid_from_marshmallow(exc.value)
    assert isinstance(err, InvalidInput)
    assert err.code == "invalid_input"
    assert err.fields == {"inner.name": ["Missing data for required field."]}
