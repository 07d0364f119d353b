"""A RabbitMQ node of the tests' own on another port, so fault tests can stop and start
a broker without touching the one everything else uses."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class PrivateBroker:
    def __init__(self, port: int = 5673, name: str = "phf-faults"):
        self.port = port
        self.node = f"{name}@localhost"
        self.home = tempfile.mkdtemp(prefix="phf-broker-")
        for sub in ("mnesia", "log"):
            os.makedirs(os.path.join(self.home, sub))
        with open(os.path.join(self.home, "enabled_plugins"), "w") as plugins:
            plugins.write("[].\n")
        # Our own config file: the machine's may pin the listener to the main broker's port.
        with open(os.path.join(self.home, "rabbitmq.conf"), "w") as conf:
            conf.write(f"listeners.tcp.local = 127.0.0.1:{port}\nloopback_users = none\n")
        if os.geteuid() == 0:  # the server drops root and runs as `rabbitmq`
            subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", self.home], check=True)
        self.env = {**os.environ, "RABBITMQ_NODENAME": self.node,
                    "RABBITMQ_NODE_PORT": str(port), "RABBITMQ_DIST_PORT": str(port + 20000),
                    "RABBITMQ_MNESIA_BASE": os.path.join(self.home, "mnesia"),
                    "RABBITMQ_LOG_BASE": os.path.join(self.home, "log"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(self.home, "enabled_plugins"),
                    "RABBITMQ_CONFIG_FILE": os.path.join(self.home, "rabbitmq.conf"),
                    "RABBITMQ_PID_FILE": os.path.join(self.home, "node.pid")}

    @property
    def uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60) -> None:
        if _port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken; cannot start a private broker")
        subprocess.run(["rabbitmq-server", "-detached"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not _port_open(self.port):
            if time.monotonic() > deadline:
                raise TimeoutError(f"private broker not up in {timeout}s:\n{self._log_tail()}")
            time.sleep(0.2)
        self._ctl("await_startup")

    def stop(self) -> None:
        try:
            self._ctl("stop", timeout=30)
        except subprocess.SubprocessError:
            self._kill()  # a node that will not stop politely is ours to end
        while _port_open(self.port):
            time.sleep(0.1)

    def _kill(self) -> None:
        with open(self.env["RABBITMQ_PID_FILE"]) as pid_file:
            os.kill(int(pid_file.read().strip()), signal.SIGKILL)

    def _log_tail(self, lines: int = 30) -> str:
        log = os.path.join(self.home, "log", f"{self.node}.log")
        if not os.path.exists(log):
            return f"(no log at {log})"
        with open(log, errors="replace") as text:
            return "".join(text.readlines()[-lines:])

    def remove(self) -> None:
        if _port_open(self.port):
            self.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def _ctl(self, command: str, timeout: float = 60) -> None:
        subprocess.run(["rabbitmqctl", "-n", self.node, command], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
