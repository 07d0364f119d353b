"""Unit tests for shared.events and the catalogue in shared.contracts.events (no broker, no
database)."""

import copy
import json
import uuid
from datetime import datetime, timedelta

import pytest
from marshmallow import ValidationError, fields

from shared.contracts.events import CATALOGUE, build_envelope, load_envelope
from shared.events.envelope import EnvelopeSchema, UnknownEvent
from shared.events.routing import exchange_and_routing_key


def donation_data(**overrides):
    data = {
        "association_code": "341181",
        "donation_id": 42,
        "receipt_no": "341181-2026-000007",
        "fund_code": "GENERAL",
        "amount_fen": 12345,
        "channel": "wechat",
        "donor_id": 9,
        "anonymous": False,
        "recorded_at": "2026-03-01T10:00:00+08:00",
    }
    data.update(overrides)
    return data


def policy_data():
    return {
        "association_code": "341181",
        "policy_id": 3,
        "policy_no": "P-2026-0003",
        "product_code": "ONE_CHILD_CARE",
        "insured_name": "王五",
        "insured_id_number_masked": "3411**********1234",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
    }


# --- build_envelope ---------------------------------------------------------------------


def test_build_envelope_shape():
    env = build_envelope("fund.donation_recorded", donation_data(), "corr-1")
    assert set(env) == {"event_id", "event_type", "version", "occurred_at", "correlation_id",
                        "data"}
    assert env["event_type"] == "fund.donation_recorded"
    assert env["version"] == max(CATALOGUE["fund.donation_recorded"])  # the newest
    assert env["correlation_id"] == "corr-1"
    assert env["data"] == {**donation_data(), "recipients": [], "pledge_no": None}


def test_build_envelope_is_json_serialisable():
    env = build_envelope("insurance.policy_enrolled", policy_data(), "corr-2")
    text = json.dumps(env)
    assert json.loads(text) == env
    assert env["data"]["start_date"] == "2026-01-01"  # dates dumped back to ISO text


def test_event_id_is_a_uuid_string_and_unique():
    first = build_envelope("fund.donation_recorded", donation_data(), "c")
    second = build_envelope("fund.donation_recorded", donation_data(), "c")
    assert isinstance(first["event_id"], str)
    assert str(uuid.UUID(first["event_id"])) == first["event_id"]
    assert first["event_id"] != second["event_id"]


def test_occurred_at_is_iso_with_timezone():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    assert isinstance(env["occurred_at"], str)
    when = datetime.fromisoformat(env["occurred_at"])
    assert when.tzinfo is not None
    assert when.utcoffset() is not None
    assert when.isoformat() == env["occurred_at"]


@pytest.mark.parametrize("amount", [10.5, "100", 0, -1, True])
def test_build_envelope_rejects_a_bad_amount(amount):
    with pytest.raises(ValidationError) as exc:
        build_envelope("fund.donation_recorded", donation_data(amount_fen=amount), "c")
    assert "amount_fen" in exc.value.messages


def test_build_envelope_rejects_missing_and_unknown_data_fields():
    data = donation_data(id_number="11010519491231002X")
    del data["donor_id"]
    with pytest.raises(ValidationError) as exc:
        build_envelope("fund.donation_recorded", data, "c")
    assert set(exc.value.messages) == {"donor_id", "id_number"}


def test_build_envelope_unknown_event_type():
    with pytest.raises(UnknownEvent) as exc:
        build_envelope("fund.donation_stolen", donation_data(), "c")
    assert isinstance(exc.value, ValidationError)
    assert exc.value.field_name == "event_type"


def test_build_envelope_unknown_version():
    with pytest.raises(UnknownEvent):
        build_envelope("fund.donation_recorded", donation_data(), "c", version=99)


def test_build_envelope_does_not_mutate_data():
    data = donation_data()
    before = copy.deepcopy(data)
    build_envelope("fund.donation_recorded", data, "c")
    assert data == before


# --- load_envelope ----------------------------------------------------------------------


def test_load_envelope_round_trips():
    env = build_envelope("fund.donation_recorded", donation_data(), "corr-9")
    wire = json.loads(json.dumps(env))
    loaded = load_envelope(wire)
    assert loaded["event_id"] == env["event_id"]
    assert isinstance(loaded["event_id"], str)
    assert loaded["event_type"] == env["event_type"]
    assert loaded["version"] == env["version"]
    assert loaded["correlation_id"] == "corr-9"
    assert loaded["occurred_at"] == datetime.fromisoformat(env["occurred_at"])
    assert loaded["occurred_at"].tzinfo is not None
    assert loaded["data"] == {**donation_data(), "recipients": [], "pledge_no": None}


def test_load_envelope_keeps_the_offset_of_occurred_at():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["occurred_at"] = "2026-03-01T10:00:00+08:00"
    loaded = load_envelope(env)
    assert loaded["occurred_at"].utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("body", [None, "{}", [], ["event"], 42, b"{}"])
def test_load_envelope_rejects_non_dict_body(body):
    with pytest.raises(ValidationError) as exc:
        load_envelope(body)
    assert "JSON object" in str(exc.value)


@pytest.mark.parametrize(
    "missing", ["event_id", "event_type", "version", "occurred_at", "correlation_id", "data"],
)
def test_load_envelope_rejects_a_missing_envelope_field(missing):
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    del env[missing]
    with pytest.raises(ValidationError) as exc:
        load_envelope(env)
    assert missing in exc.value.messages


def test_load_envelope_rejects_a_bad_event_id():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["event_id"] = "not-a-uuid"
    with pytest.raises(ValidationError) as exc:
        load_envelope(env)
    assert list(exc.value.messages) == ["event_id"]


def test_load_envelope_rejects_an_unknown_version():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["version"] = 99
    with pytest.raises(UnknownEvent):
        load_envelope(env)


@pytest.mark.parametrize("version", [0, "1", 1.5, True])
def test_load_envelope_rejects_a_malformed_version(version):
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["version"] = version
    with pytest.raises(ValidationError) as exc:
        load_envelope(env)
    assert "version" in exc.value.messages


def test_load_envelope_rejects_an_unknown_event_type():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["event_type"] = "fund.nothing_happened"
    with pytest.raises(UnknownEvent):
        load_envelope(env)


def test_load_envelope_rejects_unknown_envelope_fields():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["priority"] = "high"
    with pytest.raises(ValidationError) as exc:
        load_envelope(env)
    assert list(exc.value.messages) == ["priority"]


def test_load_envelope_puts_data_errors_under_data():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["data"]["amount_fen"] = 10.5
    env["data"]["channel"] = "paypal"
    with pytest.raises(ValidationError) as exc:
        load_envelope(env)
    assert list(exc.value.messages) == ["data"]
    assert set(exc.value.messages["data"]) == {"amount_fen", "channel"}


def test_load_envelope_rejects_data_with_a_full_identity_number():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["data"]["id_number"] = "11010519491231002X"
    with pytest.raises(ValidationError) as exc:
        load_envelope(env)
    assert exc.value.messages == {"data": {"id_number": ["Unknown field."]}}


def test_load_envelope_rejects_non_mapping_data():
    env = build_envelope("fund.donation_recorded", donation_data(), "c")
    env["data"] = [1, 2]
    with pytest.raises(ValidationError) as exc:
        load_envelope(env)
    assert list(exc.value.messages) == ["data"]


def test_envelope_schema_is_exported():
    assert isinstance(EnvelopeSchema().fields["event_id"], fields.UUID)


# --- catalogue ----------------------------------------------------------------------------


def _all_schemas():
    return [(event_type, version, schema)
            for event_type, versions in CATALOGUE.items()
            for version, schema in versions.items()]


def test_catalogue_is_not_empty():
    assert len(_all_schemas()) >= 10


@pytest.mark.parametrize(("event_type", "version", "schema"), _all_schemas(),
                         ids=[f"{t}-v{v}" for t, v, _ in _all_schemas()])
def test_no_event_carries_a_full_identity_number(event_type, version, schema):
    for name, field in schema().fields.items():
        assert name != "id_number", f"{event_type} v{version} has a field named id_number"
        assert (field.data_key or name) != "id_number", (
            f"{event_type} v{version} writes id_number on the wire")


@pytest.mark.parametrize(("event_type", "version", "schema"), _all_schemas(),
                         ids=[f"{t}-v{v}" for t, v, _ in _all_schemas()])
def test_every_event_type_is_source_dot_name(event_type, version, schema):
    source, dot, name = event_type.partition(".")
    assert dot and source and name and "." not in name
    assert version >= 1


def test_exchange_and_routing_key():
    assert exchange_and_routing_key("fund.donation_recorded") == ("fund.events",
                                                                  "donation_recorded")
    assert exchange_and_routing_key("volunteers.hours_recorded") == ("volunteers.events",
                                                                     "hours_recorded")
