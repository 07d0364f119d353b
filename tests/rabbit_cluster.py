"""Three RabbitMQ nodes of Debian's rabbitmq-server, the tests' own, clustered on this machine:
each with its own node name, AMQP and distribution ports and directories under one temp dir,
all with one Erlang cookie of their own (not the machine broker's), joined with
`rabbitmqctl join_cluster`. A node can be SIGKILLed as in a crash."""
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from deploy.processes import free_port
from tests.private_broker import _port_open


class Node:
    def __init__(self, cluster: "RabbitCluster", letter: str):
        self.cluster = cluster
        self.name = f"{cluster.prefix}-{letter}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.home = os.path.join(cluster.home, letter)
        for sub in ("mnesia", "log"):
            os.makedirs(os.path.join(self.home, sub))
        with open(os.path.join(self.home, "rabbitmq.conf"), "w") as conf:
            conf.write(f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n"
                       "cluster_partition_handling = pause_minority\n")
        self.env = {**os.environ, "RABBITMQ_NODENAME": self.name,
                    "RABBITMQ_NODE_PORT": str(self.port),
                    "RABBITMQ_DIST_PORT": str(self.dist_port),
                    "RABBITMQ_MNESIA_BASE": os.path.join(self.home, "mnesia"),
                    "RABBITMQ_LOG_BASE": os.path.join(self.home, "log"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": cluster.plugins,
                    "RABBITMQ_CONFIG_FILE": os.path.join(self.home, "rabbitmq.conf"),
                    "RABBITMQ_PID_FILE": os.path.join(self.home, "node.pid"),
                    # The server's start script passes this to the VM as -setcookie (3.10 says
                    # it is deprecated; the CLI gets --erlang-cookie instead).
                    "RABBITMQ_ERLANG_COOKIE": cluster.cookie}

    @property
    def uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self, timeout: float = 90) -> None:
        if _port_open(self.port):
            raise RuntimeError(f"port {self.port} is taken")
        subprocess.run(["rabbitmq-server", "-detached"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not _port_open(self.port):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not up in {timeout}s:\n{self.log_tail()}")
            time.sleep(0.2)
        self.ctl("await_startup")

    def ctl(self, *args: str, tool: str = "rabbitmqctl", timeout: float = 90) -> str:
        done = subprocess.run([tool, "-n", self.name, "--erlang-cookie", self.cluster.cookie,
                               *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{tool} {' '.join(args)} on {self.name}: "
                               f"{done.stdout}{done.stderr}")
        return done.stdout

    def pid(self) -> int:
        with open(self.env["RABBITMQ_PID_FILE"]) as pid_file:
            return int(pid_file.read().strip())

    def kill(self) -> None:
        """SIGKILL the node's beam process: no goodbye to the others, as in a crash."""
        os.kill(self.pid(), signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.killed = True

    def stop(self) -> None:
        """Whether it answers or not: a node left alone pauses itself (pause_minority), its
        AMQP port closed, and would run on for ever."""
        try:
            pid = self.pid()
            os.kill(pid, 0)
        except (OSError, ValueError):
            return  # never started, or gone
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            self.ctl("stop", timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                return
            time.sleep(0.2)
        with contextlib.suppress(OSError):  # ours, and it would not go
            os.kill(pid, signal.SIGKILL)

    def log_tail(self, lines: int = 30) -> str:
        log = os.path.join(self.home, "log", f"{self.name}.log")
        if not os.path.exists(log):
            return f"(no log at {log})"
        with open(log, errors="replace") as text:
            return "".join(text.readlines()[-lines:])


class RabbitCluster:
    def __init__(self, size: int = 3):
        self.prefix = f"phf-{uuid.uuid4().hex[:6]}"
        self.cookie = uuid.uuid4().hex.upper()
        self.home = tempfile.mkdtemp(prefix="phf-cluster-")
        self.plugins = os.path.join(self.home, "enabled_plugins")
        with open(self.plugins, "w") as plugins:
            plugins.write("[].\n")
        self.nodes = [Node(self, "abcdefg"[i]) for i in range(size)]
        if os.geteuid() == 0:  # the server drops root and runs as `rabbitmq`
            subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", self.home], check=True)

    @property
    def uri(self) -> str:
        """Every node, for clients that fail over (`;` between them)."""
        return ";".join(node.uri for node in self.nodes)

    def start(self) -> None:
        first, *others = self.nodes
        for node in self.nodes:
            node.start()
        for node in others:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.name)
            node.ctl("start_app")
            node.ctl("await_startup")
        running = first.ctl("cluster_status", "--formatter", "json")
        for node in self.nodes:
            assert node.name in running, running

    def add_vhost(self, vhost: str) -> str:
        """A vhost on the cluster; its URI through every node."""
        first = self.nodes[0]
        first.ctl("add_vhost", vhost)
        first.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        return ";".join(node.uri + vhost for node in self.nodes)

    def leader_of(self, queue: str, vhost: str = "/") -> "Node":
        """The node leading a quorum queue, as a live node reports it."""
        for asker in self.alive():
            try:
                out = asker.ctl("list_queues", "-p", vhost, "name", "type", "leader",
                                "--no-table-headers", "--quiet")
            except RuntimeError:
                continue
            for line in out.splitlines():
                parts = line.split()
                if parts and parts[0] == queue:
                    if parts[1] != "quorum":
                        raise AssertionError(f"{queue} is a {parts[1]} queue")
                    return next(node for node in self.nodes if node.name == parts[2])
        raise LookupError(f"no queue {queue} in {vhost}")

    def connections_on(self, node: "Node") -> int:
        """The client connections the cluster has on `node`."""
        asker = next(n for n in self.alive() if n is not node) if len(self.alive()) > 1 else node
        # A connection's process id names its node: <phf-…-a@localhost.1647.0>.
        out = asker.ctl("list_connections", "pid", "--no-table-headers", "--quiet")
        return sum(1 for line in out.splitlines() if f"<{node.name}." in line)

    def alive(self) -> list["Node"]:
        return [node for node in self.nodes if not getattr(node, "killed", False)]

    def remove(self) -> None:
        for node in reversed(self.nodes):
            node.stop()
        shutil.rmtree(self.home, ignore_errors=True)
