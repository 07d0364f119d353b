"""CPU time by process over a phase, from /proc: where a benchmark's cores went.

On a machine whose cores are all busy, a rate says little by itself; the CPU each process
spent per operation says which layer sets the pace."""
import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def pids_named(command: str) -> list[int]:
    """Processes of this machine running `command` (as /proc/PID/comm names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def processes_of(system, postgres: bool = False) -> dict:
    """label -> its pids, or a function finding them (for servers that start processes as
    they go): each process of a deploy.processes.System, the broker (RabbitMQ's Erlang VM),
    PostgreSQL's backends when asked, this client."""
    labels = {label: [process.pid] for label, process in system.processes.items()}
    found = {**labels, "broker": lambda: pids_named("beam.smp")}
    if postgres:
        found["postgres"] = lambda: pids_named("postgres")
    return {**found, "client": [os.getpid()]}


class CpuMeter:
    def __init__(self, processes: dict):
        self.processes = processes
        self.started = self._now()

    def _now(self) -> dict[str, dict[int, float]]:
        return {label: {pid: cpu_seconds(pid) for pid in (pids() if callable(pids) else pids)}
                for label, pids in self.processes.items()}

    def spent(self) -> dict[str, float]:
        """CPU seconds each process spent since the meter started (a process started since
        counts from nothing)."""
        now = self._now()
        return {label: sum(seconds - self.started[label].get(pid, 0.0)
                           for pid, seconds in now[label].items()) for label in self.processes}

    def per_operation_ms(self, operations: int) -> dict[str, float]:
        """CPU milliseconds each process spent per operation since the meter started, with
        their sum under "all"."""
        return per_operation_ms(self.spent(), operations)


def per_operation_ms(spent: dict[str, float], operations: int) -> dict[str, float]:
    """CPU seconds by process over `operations`, as milliseconds each, with their sum."""
    each = {label: seconds * 1000 / max(1, operations) for label, seconds in spent.items()}
    return {**each, "all": sum(each.values())}
