"""Where an event is published: nameko's event exchange of the service it comes from."""


def exchange_and_routing_key(event_type: str) -> tuple[str, str]:
    """`fund.donation_recorded` goes to nameko's `fund.events` exchange as `donation_recorded`."""
    source, _, name = event_type.partition(".")
    return f"{source}.events", name
