"""Structured logs that carry the correlation id of the request or event being handled:
a dependency notes it for the worker's greenthread, a logging filter stamps it on every
record, and each finished worker is logged with its duration."""
import logging
import threading
import time

from nameko.extensions import DependencyProvider

from shared import metrics

_current = threading.local()  # per greenthread under eventlet
log = logging.getLogger("phf.work")


def set_correlation_id(value: str) -> None:
    """For an entrypoint that learns the id only from its request (the gateway's HTTP)."""
    _current.correlation_id = value


def correlation_id() -> str | None:
    return getattr(_current, "correlation_id", None)


class CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id()
        return True


class WorkLog(DependencyProvider):
    """Add to a service: its workers' log lines carry the correlation id, and each worker's
    entrypoint, outcome and duration is logged once."""

    def setup(self):
        metrics.serve(int(self.container.config.get("METRICS_PORT") or 0))

    def worker_setup(self, worker_ctx):
        _current.correlation_id = worker_ctx.data.get("correlation_id") or worker_ctx.call_id
        _current.started = time.monotonic()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        elapsed_ms = round((time.monotonic() - getattr(_current, "started", time.monotonic()))
                           * 1000, 1)
        service = self.container.service_name
        entrypoint = worker_ctx.entrypoint.method_name
        outcome = "error" if exc_info else "ok"
        metrics.WORKERS.labels(service, entrypoint, outcome).inc()
        metrics.DURATION.labels(service, entrypoint).observe(elapsed_ms / 1000)
        log.info("handled %s", entrypoint, extra={
            "service": service, "duration_ms": elapsed_ms, "outcome": outcome,
            "error": exc_info and f"{exc_info[0].__name__}: {exc_info[1]}"})

    def worker_teardown(self, worker_ctx):
        _current.correlation_id = None

    def get_dependency(self, worker_ctx):
        return log
