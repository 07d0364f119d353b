from shared.events.envelope import EnvelopeSchema, UnknownEvent, build_envelope, load_envelope

__all__ = ["EnvelopeSchema", "UnknownEvent", "build_envelope", "load_envelope"]
