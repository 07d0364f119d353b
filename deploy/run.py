"""`make run`: migrate, start every service and the gateway, load the demo data, and stay
in the foreground until Ctrl-C, restarting a process that exits, then stop everything
that was started."""
import argparse
import signal
import sys
import time

from deploy import demo
from deploy.processes import System
from deploy.seed import seed
from deploy.supervisor import Supervisor


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


def _banner(system: System) -> None:
    users = ", ".join(f"{name}/{name}{demo.PASSWORD_SUFFIX}" for name, _ in demo.USERS)
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
