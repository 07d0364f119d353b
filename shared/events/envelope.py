"""The envelope every event travels in, validated on both ends."""
import uuid
from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate

from shared.events.catalogue import CATALOGUE


class UnknownEvent(ValidationError):
    pass


class EnvelopeSchema(Schema):
    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True, validate=validate.Length(min=3, max=100))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso", default_timezone=UTC)
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = fields.Dict(required=True)


def _data_schema(event_type: str, version: int):
    try:
        return CATALOGUE[event_type][version]()
    except KeyError:
        raise UnknownEvent(
            f"no schema for {event_type} version {version}", field_name="event_type"
        ) from None


def build_envelope(event_type: str, data: dict, correlation_id: str,
                   version: int | None = None) -> dict:
    """A JSON-ready envelope; `data` is validated so a bad event is never written.
    Without a version, the newest the catalogue knows."""
    if version is None:
        version = max(CATALOGUE.get(event_type) or [1])
    schema = _data_schema(event_type, version)
    return _wrapped(event_type, version, schema.dump(schema.load(data)), correlation_id)


def build_envelopes(event_type: str, data: list[dict], correlation_id: str) -> list[dict]:
    """build_envelope for many events of one type, the newest version, one schema for all."""
    version = max(CATALOGUE.get(event_type) or [1])
    schema = _data_schema(event_type, version)
    return [_wrapped(event_type, version, clean, correlation_id)
            for clean in schema.dump(schema.load(data, many=True), many=True)]


def _wrapped(event_type: str, version: int, clean: dict, correlation_id: str) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "version": version,
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": correlation_id,
        "data": clean,
    }


def load_envelope(body) -> dict:
    """Raise ValidationError (with the reason) for anything a consumer cannot trust."""
    if not isinstance(body, dict):
        raise ValidationError(f"event body must be a JSON object, got {type(body).__name__}")
    envelope = EnvelopeSchema().load(body)
    schema = _data_schema(envelope["event_type"], envelope["version"])
    try:
        envelope["data"] = schema.load(envelope["data"])
    except ValidationError as exc:
        raise ValidationError({"data": exc.messages}) from None
    envelope["event_id"] = str(envelope["event_id"])
    return envelope
