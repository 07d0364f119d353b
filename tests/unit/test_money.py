"""Unit tests for shared.money (pure: no broker, no database)."""

import pytest
from marshmallow import Schema, ValidationError

from shared.money import MAX_FEN, Fen, format_yuan, is_fen


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (12345, "123.45"),
        (5, "0.05"),
        (0, "0.00"),
        (100, "1.00"),
        (-150, "-1.50"),
        (-5, "-0.05"),
        (10**13, "100000000000.00"),
        (10**13 - 1, "99999999999.99"),
        # beyond float's 53-bit mantissa: only exact decimal arithmetic gets these right
        (123456789012345678, "1234567890123456.78"),
        (2**53 + 1, "90071992547409.93"),
    ],
)
def test_format_yuan(fen, shown):
    assert format_yuan(fen) == shown


@pytest.mark.parametrize("value", [1.5, 100.0, "100", None, True])
def test_format_yuan_refuses_non_fen(value):
    with pytest.raises(TypeError):
        format_yuan(value)


@pytest.mark.parametrize(("value", "expected"), [
    (1, True), (0, True), (-3, True), (10**20, True),
    (True, False), (False, False), (1.0, False), ("1", False), (None, False),
])
def test_is_fen(value, expected):
    assert is_fen(value) is expected


class _Amount(Schema):
    amount_fen = Fen(required=True)


@pytest.mark.parametrize("value", [1, 99, MAX_FEN])
def test_fen_field_accepts_positive_integers(value):
    assert _Amount().load({"amount_fen": value}) == {"amount_fen": value}


@pytest.mark.parametrize("value", [0, -1, MAX_FEN + 1, 1.5, 2.0, "2", True])
def test_fen_field_rejects(value):
    with pytest.raises(ValidationError) as exc:
        _Amount().load({"amount_fen": value})
    assert list(exc.value.messages) == ["amount_fen"]


@pytest.mark.parametrize(("fen", "shown"), [(1, "¥0.01"), (123456789, "¥1,234,567.89"),
                                             (100000, "¥1,000.00")])
def test_an_amount_in_a_sentence_is_grouped_yuan(fen, shown):
    from shared.money import yuan
    assert yuan(fen) == shown
