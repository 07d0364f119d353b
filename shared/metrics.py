"""Prometheus metrics per service process, served on METRICS_PORT (off when 0 or unset).
Counters and histograms are process-wide; the outbox backlog is sampled by the relay."""
from prometheus_client import Counter, Gauge, Histogram, start_http_server

WORKERS = Counter("phf_worker_total", "Requests and events handled",
                  ["service", "entrypoint", "outcome"])
DURATION = Histogram("phf_worker_seconds", "Time to handle a request or event",
                     ["service", "entrypoint"])
PUBLISHED = Counter("phf_events_published_total", "Events published by the outbox relay",
                    ["event_type"])
CONSUMED = Counter("phf_events_consumed_total", "Events handed to a handler", ["queue"])
DEAD_LETTERED = Counter("phf_events_dead_lettered_total", "Messages parked with a reason",
                        ["queue"])
BACKLOG = Gauge("phf_outbox_backlog", "Outbox rows not yet published")

_serving: set[int] = set()


def serve(port: int) -> None:
    """Start the scrape endpoint once per process (several containers may ask)."""
    if port and port not in _serving:
        start_http_server(port, addr="127.0.0.1")
        _serving.add(port)
