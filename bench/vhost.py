"""A RabbitMQ virtual host of a benchmark's own: a broker shared with other systems would
otherwise hand some of its RPC calls and events to their services of the same name."""
import os
import uuid
from contextlib import contextmanager, suppress
from urllib.parse import quote, urlsplit

import requests

from shared.settings import amqp_uri

MANAGEMENT = os.environ.get("RABBIT_API_URI", "http://127.0.0.1:15672")
TIMEOUT = 60  # seconds


@contextmanager
def private_vhost(prefix: str = "phf-bench"):
    """Sets AMQP_URI (seen by the processes a System starts) to a new vhost; removes it after."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    base = urlsplit(amqp_uri())
    auth = (base.username or "guest", base.password or "guest")
    api = f"{MANAGEMENT}/api/vhosts/{quote(name, safe='')}"
    saved = os.environ.get("AMQP_URI")
    try:
        # A busy broker's management API can take a while: a timed-out PUT may still have
        # made the vhost, so it is deleted whatever happens.
        try:
            requests.put(api, auth=auth, timeout=TIMEOUT).raise_for_status()
        except requests.ConnectionError as refused:
            if isinstance(refused, requests.Timeout):
                raise
            raise RuntimeError(f"RabbitMQ's management API does not answer at {MANAGEMENT}: "
                               "start it with deploy/ensure-broker.sh --management") from None
        requests.put(f"{MANAGEMENT}/api/permissions/{quote(name, safe='')}/{auth[0]}",
                     auth=auth, json={"configure": ".*", "write": ".*", "read": ".*"},
                     timeout=TIMEOUT).raise_for_status()
        os.environ["AMQP_URI"] = f"{base.scheme}://{base.netloc}/{quote(name, safe='')}"
        yield os.environ["AMQP_URI"]
    finally:
        if saved is None:
            os.environ.pop("AMQP_URI", None)
        else:
            os.environ["AMQP_URI"] = saved
        # Not made, or the broker is gone: the error that brought us here is what matters.
        with suppress(requests.RequestException):
            requests.delete(api, auth=auth, timeout=TIMEOUT)
