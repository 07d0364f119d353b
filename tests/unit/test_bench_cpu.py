"""bench.cpu reads each process's CPU time from /proc, per operation."""
import os
import time

from bench.cpu import CpuMeter, cpu_seconds


def burn(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_the_cpu_a_process_spent_is_shared_out_over_its_operations():
    meter = CpuMeter({"client": [os.getpid()], "gone": [2**22 + 7]})
    burn(0.2)
    spent = meter.per_operation_ms(10)
    assert 15 <= spent["client"] <= 40  # 200 ms over 10 operations, give or take a tick
    assert spent["gone"] == 0
    assert spent["all"] == spent["client"] + spent["gone"]


def test_a_process_found_as_it_goes_counts_from_its_start():
    found = []
    meter = CpuMeter({"late": lambda: found})
    found.append(os.getpid())  # "started" after the meter, as a server's new backend is
    spent = meter.per_operation_ms(1)
    assert spent["late"] >= cpu_seconds(os.getpid()) * 1000 * 0.9


def test_a_process_that_is_gone_has_spent_nothing():
    assert cpu_seconds(2**22 + 7) == 0.0
    assert cpu_seconds(os.getpid()) > 0
