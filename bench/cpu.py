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


def broker_pids() -> list[int]:
    """The Erlang VM running RabbitMQ on this machine, if it can be seen."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "beam.smp":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def processes_of(system) -> dict[str, list[int]]:
    """label -> pids: each process of a deploy.processes.System, the broker, this client."""
    labels = {label: [process.pid] for label, process in system.processes.items()}
    return {**labels, "broker": broker_pids(), "client": [os.getpid()]}


class CpuMeter:
    def __init__(self, processes: dict[str, list[int]]):
        self.processes = processes
        self.started = self._now()

    def _now(self) -> dict[str, float]:
        return {label: sum(cpu_seconds(pid) for pid in pids)
                for label, pids in self.processes.items()}

    def per_operation_ms(self, operations: int) -> dict[str, float]:
        """CPU milliseconds each process spent per operation since the meter started,
        with their sum under "all"."""
        now = self._now()
        spent = {label: (now[label] - self.started[label]) * 1000 / max(1, operations)
                 for label in self.processes}
        return {**spent, "all": sum(spent.values())}
