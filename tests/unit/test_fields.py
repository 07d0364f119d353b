"""The fields every contract is built from refuse what would be silently bent or would
overflow later: non-whole numbers, dates past the calendar people use, periods backwards."""
from datetime import UTC, date, datetime

import pytest
from marshmallow import Schema, ValidationError

from shared.contracts.insurance import ProductIn
from shared.contracts.volunteers import PeriodIn, ShiftIn
from shared.fields import Day, FreeText, Moment, Whole


class Numbers(Schema):
    n = Whole()


class Query(Schema):
    n = Whole(text=True)


class Days(Schema):
    day = Day()
    at = Moment()


@pytest.mark.parametrize("value", [5.5, 5.0, True, "1e3", "5.5", "", 2**63, -(2**63),
                                   "9" * 19, None, [], {}, "3"])
def test_a_whole_number_is_an_integer_and_nothing_like_one(value):
    with pytest.raises(ValidationError) as refused:
        Numbers().load({"n": value})
    assert "n" in refused.value.messages


@pytest.mark.parametrize("value", ["5.5", "1e3", "", "9" * 19, "0x10", True, 5.5])
def test_a_whole_number_in_a_query_string_is_digits(value):
    with pytest.raises(ValidationError):
        Query().load({"n": value})


@pytest.mark.parametrize(("schema", "value", "loaded"), [
    (Numbers, 5, 5), (Numbers, -3, -3), (Numbers, 2**63 - 1, 2**63 - 1),
    (Query, "42", 42), (Query, " 7 ", 7), (Query, 8, 8)])
def test_a_whole_number_from_json_or_a_query_string(schema, value, loaded):
    assert schema().load({"n": value}) == {"n": loaded}


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01",
                                   "0000-00-00", "2026-02-30"])
def test_a_day_outside_1900_to_2999_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        Days().load({"day": value})
    assert "day" in refused.value.messages


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-05:00",
                                   "1899-12-31T12:00:00Z"])
def test_a_moment_at_the_calendar_edge_is_refused_not_overflowed(value):
    with pytest.raises(ValidationError):
        Days().load({"at": value})


def test_a_moment_is_kept_in_utc():
    loaded = Days().load({"at": "2999-12-31T23:00:00-05:00", "day": "1900-01-01"})
    assert loaded["at"] == datetime(3000, 1, 1, 4, tzinfo=UTC)
    assert loaded["day"] == date(1900, 1, 1)


def test_a_period_backwards_is_an_error_on_to():
    with pytest.raises(ValidationError) as refused:
        PeriodIn().load({"from": "2026-05-02", "to": "2026-05-01"})
    assert list(refused.value.messages) == ["to"]


def _product(**changes):
    return {"code": "P1", "name": "险", "payout_fund_code": "PAYOUT", "per_claim_cap_fen": 500,
            "per_year_cap_fen": 1000, "waiting_days": 0, "term_days": 365, **changes}


@pytest.mark.parametrize(("changes", "field"), [
    ({"min_age": 5.5}, "min_age"), ({"per_year_cap_fen": 499}, "per_year_cap_fen"),
    ({"min_age": 40, "max_age": 30}, "max_age"), ({"waiting_days": True}, "waiting_days")])
def test_a_product_that_makes_no_sense_is_refused_by_field(changes, field):
    with pytest.raises(ValidationError) as refused:
        ProductIn().load(_product(**changes))
    assert field in refused.value.messages


def test_a_shift_must_end_after_it_starts_and_stay_in_the_calendar():
    with pytest.raises(ValidationError) as refused:
        ShiftIn().load({"activity_id": 1, "capacity": 2, "starts_at": "9999-12-31T10:00:00Z",
                        "ends_at": "9999-12-31T11:00:00Z"})
    assert set(refused.value.messages) == {"starts_at", "ends_at"}


def test_free_text_is_shown_with_identifiers_masked():
    class Note(Schema):
        note = FreeText(allow_none=True)
    assert Note().dump({"note": "王芳 11010519491231002X"}) == {"note": "王芳 1101**********002X"}
    assert Note().dump({"note": None}) == {"note": None}
