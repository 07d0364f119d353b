"""The envelope every event travels in, validated on both ends against a catalogue of the
schemas of its `data`. The catalogue is a contract (shared.contracts.events): whoever builds
or loads envelopes hands it over."""
import uuid
from datetime import UTC, datetime
from functools import cache

from marshmallow import Schema, ValidationError, fields, validate

Catalogue = dict[str, dict[int, type[Schema]]]  # event type -> version -> schema of `data`


class UnknownEvent(ValidationError):
    pass


class EnvelopeSchema(Schema):
    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True, validate=validate.Length(min=3, max=100))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso", default_timezone=UTC)
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    data = fields.Dict(required=True)


class Envelopes:
    """Envelopes built and loaded against one catalogue."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    def build(self, event_type: str, data: dict, correlation_id: str,
              version: int | None = None) -> dict:
        """A JSON-ready envelope; `data` is validated so a bad event is never written.
        Without a version, the newest the catalogue knows."""
        if version is None:
            version = self._newest(event_type)
        schema = self._schema(event_type, version)
        return _wrapped(event_type, version, schema.dump(schema.load(data)), correlation_id)

    def build_many(self, event_type: str, data: list[dict], correlation_id: str) -> list[dict]:
        """build() for many events of one type, the newest version, one schema for all."""
        version = self._newest(event_type)
        schema = self._schema(event_type, version)
        return [_wrapped(event_type, version, clean, correlation_id)
                for clean in schema.dump(schema.load(data, many=True), many=True)]

    def load(self, body) -> dict:
        """Raise ValidationError (with the reason) for anything a consumer cannot trust."""
        if not isinstance(body, dict):
            raise ValidationError(f"event body must be a JSON object, got {type(body).__name__}")
        envelope = _instance(EnvelopeSchema).load(body)
        schema = self._schema(envelope["event_type"], envelope["version"])
        try:
            envelope["data"] = schema.load(envelope["data"])
        except ValidationError as exc:
            raise ValidationError({"data": exc.messages}) from None
        envelope["event_id"] = str(envelope["event_id"])
        return envelope

    def _newest(self, event_type: str) -> int:
        return max(self.catalogue.get(event_type) or [1])

    def _schema(self, event_type: str, version: int) -> Schema:
        try:
            return _instance(self.catalogue[event_type][version])
        except KeyError:
            raise UnknownEvent(
                f"no schema for {event_type} version {version}", field_name="event_type"
            ) from None


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance a schema: making one copies every field, which costs more than loading
    a small event with it (an instance keeps no state between loads)."""
    return schema()


def _wrapped(event_type: str, version: int, clean: dict, correlation_id: str) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "version": version,
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": correlation_id,
        "data": clean,
    }
