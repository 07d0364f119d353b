"""Start every service and the gateway as real processes, and stop them again.
Used by the run command, the end-to-end tests and the benchmarks."""
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from shared.migrate import SERVICES_WITH_DATABASES, upgrade
from shared.settings import PROJECT_ROOT

SERVICES = {"fund": "services.fund.service:FundService",
            "insurance": "services.insurance.service:InsuranceService",
            "volunteers": "services.volunteers.service:VolunteersService",
            "families": "services.families.service:FamiliesService",
            "notifications": "services.notifications.service:NotificationsService"}
GATEWAY = "services.gateway.service:GatewayService"
CONFIG = PROJECT_ROOT / "deploy" / "nameko.yaml"


# Below Linux's ephemeral range (32768-60999): a port the kernel hands out itself may be
# taken again, as the source port of any outgoing connection, before the server binds it.
PORTS = range(20000, 32000)
_handed_out: set[int] = set()  # not yet bound by whoever asked, so not to be given twice


def free_port() -> int:
    """A port nobody listens on now, for tests and benchmarks."""
    for port in random.sample(PORTS, 200):
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class System:
    def __init__(self, port: int = 8000, replicas: int = 1, env: dict | None = None,
                 log_dir: Path | None = None):
        self.port = port
        self.replicas = replicas
        self.env = {**os.environ, "PYTHONWARNINGS": "ignore", **(env or {}),
                    "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}"}
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}
        self.metrics_ports: dict[str, int] = {}  # label -> Prometheus port of that process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def migrate(self) -> None:
        # Migrations read the database URLs from the environment they will run with.
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            for service in SERVICES_WITH_DATABASES:
                upgrade(service)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def start(self) -> None:
        for name, path in SERVICES.items():
            for replica in range(1, self.replicas + 1):
                self.start_one(f"{name}-{replica}", path)
        self.start_one("gateway", GATEWAY)

    def start_one(self, label: str, path: str, env: dict | None = None) -> subprocess.Popen:
        """`env`: settings of this process alone (a replica with a BLOB_DIR of its own)."""
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{label}.log", "ab")  # noqa: SIM115 (kept open)
        port = self.metrics_ports.setdefault(label, free_port())
        process = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", str(CONFIG), path],
            cwd=PROJECT_ROOT, env={**self.env, **(env or {}), "METRICS_PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT)
        self.processes[label] = process
        return process

    def wait_healthy(self, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                last = requests.get(self.url + "/healthz", timeout=5)
                if last.status_code == 200:
                    return last.json()
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"not healthy after {timeout}s: {last and last.text}")

    def check_alive(self) -> None:
        for label, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{label} exited with {process.returncode}"
                                   f"{self.log_tail(label)}")

    def log_tail(self, label: str, lines: int = 25) -> str:
        """The last lines a process wrote, to say why it ended."""
        if self.log_dir is None or not (self.log_dir / f"{label}.log").exists():
            return ""
        text = (self.log_dir / f"{label}.log").read_text(errors="replace").splitlines()
        return "; its last lines:\n" + "\n".join(text[-lines:])

    def kill(self, label: str) -> None:
        """SIGKILL: no chance to finish or clean up, as in a crash."""
        process = self.processes.pop(label)
        process.kill()
        process.wait()

    def stop(self, timeout: float = 10) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
