"""`make run`: migrate, start every service and the gateway, load the demo data, and stay
in the foreground until Ctrl-C, restarting a process that exits, then stop everything
that was started."""
import argparse
import signal
import sys
import time

import requests

from deploy import demo
from deploy.ops import queues
from deploy.processes import System
from deploy.seed import seed
from deploy.supervisor import Supervisor
from shared.settings import amqp_uri


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--replicas", type=int, default=1, help="processes per service")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo data")
    args = parser.parse_args()

    system = System(port=args.port, replicas=args.replicas)
    # Explicit: a shell that starts us in the background hands us SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("==> migrating databases under var/", flush=True)
        system.migrate()
        quorum_queues(system.env.get("AMQP_URI") or amqp_uri())
        print("==> starting services", flush=True)
        system.start()
        system.wait_healthy()
        if not args.no_demo:
            print("==> loading demo data", flush=True)
            seed()
        _banner(system)
        supervisor = Supervisor(system)
        while True:
            supervisor.check()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\n==> stopping", flush=True)
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"!! {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        system.stop()


def quorum_queues(uri: str, say=print) -> None:
    """An earlier version declared classic queues, which the services could not declare
    again as the quorum queues they now are: move them over before starting them."""
    try:
        classic = queues.classic_durable(queues.Broker(uri))
    except requests.RequestException as error:
        say(f"==> the RabbitMQ management API did not answer ({type(error).__name__}); "
            "classic queues from an earlier version, if any, are not moved: see "
            "`python -m deploy.ops queues-to-quorum`", flush=True)
        return
    if not classic:
        return
    say(f"==> the broker holds {len(classic)} classic queues from an earlier version; moving "
        "them to quorum queues with their messages (python -m deploy.ops queues-to-quorum)",
        flush=True)
    moved = queues.to_quorum(uri, say=lambda line: say(line, flush=True))
    say(f"==> {len(moved)} queues moved, {sum(m.messages for m in moved)} messages with them",
        flush=True)


def _banner(system: System) -> None:
    users = ", ".join(f"{name}/{name}{demo.PASSWORD_SUFFIX}"
                      for name, _ in [*demo.USERS, *demo.PROVINCE_USERS])
    metrics = ", ".join(f"{label} :{port}/metrics"
                        for label, port in sorted(system.metrics_ports.items()))
    print(f"""
Population Health Fund is running at {system.url}
  health:   {system.url}/healthz
  API docs: {system.url}/api/v1/openapi.json
  demo users (username/password): {users}
  metrics:  {metrics}
Press Ctrl-C to stop.""", flush=True)


if __name__ == "__main__":
    sys.exit(main())
