"""Keeps the run command's processes up: one that exits is started again, unless it keeps
dying, when restarting it only hides the fault and everything is stopped instead."""
import signal
import time
from collections import defaultdict, deque

from deploy.processes import GATEWAY, SERVICES


class RestartPolicy:
    """At most `limit` restarts of one process within any `window` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0, clock=time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self.restarts: dict[str, int] = defaultdict(int)  # since the start, for the log

    def allow(self, label: str) -> bool:
        """Whether `label` may be restarted now; a restart allowed is counted."""
        now = self.clock()
        recent = self._recent[label]
        while recent and now - recent[0] >= self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            return False
        recent.append(now)
        self.restarts[label] += 1
        return True


class GaveUp(RuntimeError):
    pass


def target(label: str) -> str:
    """What `label` runs: "fund-2" is a replica of the fund service."""
    return GATEWAY if label == "gateway" else SERVICES[label.rsplit("-", 1)[0]]


def describe(returncode: int) -> str:
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


def _say(line: str) -> None:
    print(line, flush=True)


class Supervisor:
    def __init__(self, system, policy: RestartPolicy | None = None, say=_say):
        self.system = system
        self.policy = policy or RestartPolicy()
        self.say = say

    def check(self) -> None:
        """Restart whatever has exited; GaveUp when one has used up its restarts."""
        for label, process in list(self.system.processes.items()):
            if process.poll() is None:
                continue
            how = describe(process.returncode)
            if not self.policy.allow(label):
                raise GaveUp(f"{label} exited ({how}) after {self.policy.limit} restarts "
                             f"within {self.policy.window:.0f}s; giving up and stopping "
                             "everything")
            self.system.start_one(label, target(label))
            self.say(f"==> {label} exited ({how}); restarted it "
                     f"(restart {self.policy.restarts[label]})")
