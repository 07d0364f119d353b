"""A service pod's readiness (`python -m deploy.probe fund`): its own database answers and
the broker takes a connection. The services take their work from RabbitMQ, not from a
Kubernetes Service, so readiness does not route traffic to them: it paces a rolling update
(the next pod goes once this one is ready) and is what a PodDisruptionBudget counts. Each
service is judged by what it needs alone; the gateway's own is GET /readyz."""
import sys

import kombu
from sqlalchemy import text

from shared.db import make_engine
from shared.settings import amqp_uri, database_url

SECONDS = 5


def ready(service: str) -> list[str]:
    """What does not answer (nothing: ready)."""
    problems = []
    engine = make_engine(database_url(service))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to answer is a reason not to be ready
        problems.append(f"database: {type(error).__name__}")
    finally:
        engine.dispose()
    try:
        with kombu.Connection(amqp_uri(), connect_timeout=SECONDS) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:
        problems.append(f"broker: {type(error).__name__}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m deploy.probe SERVICE", file=sys.stderr)
        return 2
    problems = ready(argv[0])
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
