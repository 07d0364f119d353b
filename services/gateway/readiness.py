"""Whether this gateway process can serve, apart from the services behind it: its own
database answers and it reaches the broker. Kubernetes sends traffic to a gateway pod while
its /readyz says so; one service being down makes /healthz degraded but takes no gateway
out (the routes of that service answer 503 meanwhile, the others go on)."""
import kombu
from nameko.extensions import DependencyProvider

CONNECT_SECONDS = 2


class BrokerCheck(DependencyProvider):
    """A callable that connects to the broker this process uses, raising if it cannot."""

    def get_dependency(self, worker_ctx):
        uri = self.container.config["AMQP_URI"]

        def check() -> None:
            with kombu.Connection(uri, connect_timeout=CONNECT_SECONDS) as connection:
                connection.ensure_connection(max_retries=1)

        return check
