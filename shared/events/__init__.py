"""Events as they travel: the envelope (envelope) and where it is published (routing). What
each event carries is a contract: shared.contracts.events."""
