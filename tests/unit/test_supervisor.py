"""The run command's restart policy and supervisor, with a clock and processes of our own."""
import pytest

from deploy.processes import GATEWAY, SERVICES
from deploy.supervisor import GaveUp, RestartPolicy, Supervisor, describe, target
from tests.support import Clock


def test_restarts_are_allowed_up_to_the_limit_within_the_window():
    clock = Clock()
    policy = RestartPolicy(limit=3, window=60, clock=clock)
    assert [policy.allow("fund-1") for _ in range(4)] == [True, True, True, False]
    assert policy.restarts["fund-1"] == 3


def test_old_restarts_leave_the_window():
    clock = Clock()
    policy = RestartPolicy(limit=2, window=60, clock=clock)
    assert policy.allow("fund-1") and policy.allow("fund-1")
    clock.now += 59
    assert not policy.allow("fund-1")
    clock.now += 1  # the first two are a full window old now
    assert policy.allow("fund-1")
    assert policy.restarts["fund-1"] == 3


def test_each_process_has_its_own_count():
    policy = RestartPolicy(limit=1, window=60, clock=Clock())
    assert policy.allow("fund-1")
    assert policy.allow("fund-2") and policy.allow("gateway")
    assert not policy.allow("fund-1")


def test_the_default_is_five_in_five_minutes():
    policy = RestartPolicy(clock=Clock())
    assert (policy.limit, policy.window) == (5, 300)


def test_labels_name_what_they_run():
    assert target("fund-1") == target("fund-2") == SERVICES["fund"]
    assert target("gateway") == GATEWAY
    assert describe(3) == "exit code 3" and describe(-9) == "killed by SIGKILL"


class Process:
    def __init__(self, returncode=None):
        self.returncode = returncode

    def poll(self):
        return self.returncode


class System:
    def __init__(self, **processes):
        self.processes = {label.replace("_", "-"): p for label, p in processes.items()}
        self.started = []

    def start_one(self, label, path):
        self.started.append((label, path))
        self.processes[label] = Process()
        return self.processes[label]


def test_the_supervisor_restarts_what_exited_and_says_so():
    system = System(fund_1=Process(), insurance_1=Process(returncode=1))
    lines = []
    supervisor = Supervisor(system, RestartPolicy(clock=Clock()), say=lines.append)
    supervisor.check()
    assert system.started == [("insurance-1", SERVICES["insurance"])]
    assert lines == ["==> insurance-1 exited (exit code 1); restarted it (restart 1)"]
    supervisor.check()  # the new one runs: nothing more to do
    assert len(system.started) == 1


def test_the_supervisor_gives_up_on_a_process_that_keeps_dying():
    system = System(gateway=Process(returncode=-9))
    lines = []
    supervisor = Supervisor(system, RestartPolicy(limit=2, window=300, clock=Clock()),
                            say=lines.append)
    for _ in range(2):
        supervisor.check()
        system.processes["gateway"].returncode = 1
    with pytest.raises(GaveUp, match="gateway exited .* after 2 restarts within 300s"):
        supervisor.check()
    assert lines[0] == "==> gateway exited (killed by SIGKILL); restarted it (restart 1)"
    assert len(system.started) == 2
