"""The whole suite in a few pytest processes at once: most of a test's time is spent waiting
on the broker, a database or a process it started, so on a small machine two processes
finish in about half the time of one, with the broker's file handles to spare.

    .venv/bin/python -m tests.parallel [--workers N] [pytest options]

The test files are shared out by the time each took last (tests/durations.json, written
from the run's JUnit reports with `--record`; a file not in it counts as DEFAULT_SECONDS),
the longest first, each to the process with the least so far; the drills (`RUNS_ALONE`: they
stop brokers, kill processes and wait for recovery within a time) run afterwards in one
process, with nothing else loading the machine. Each process's output goes to
artifacts/tests/worker-N.log and its progress to the screen; at the end, every process's
failures are printed again and the exit status is the worst of theirs. pytest-xdist is not
used: its workers talk to the controller over threads that eventlet's patching stalls."""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DURATIONS = ROOT / "tests" / "durations.json"
OUT = ROOT / "artifacts" / "tests"
DEFAULT_SECONDS = 20.0


def test_files() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("test_*.py"))


def runs_alone(file: str) -> bool:
    """A drill that stops a broker, kills processes or restores a database, and waits for
    the system to come back within a time: `RUNS_ALONE = True` in its module. Those run
    after the rest, in one process, on a machine otherwise quiet."""
    return any(line.startswith("RUNS_ALONE = True")
               for line in (ROOT / file).read_text().splitlines())


def share_out(files: list[str], durations: dict[str, float], workers: int) -> list[list[str]]:
    """Longest first, each to the least loaded process; each process then runs its files in
    name order."""
    loads = [0.0] * workers
    groups: list[list[str]] = [[] for _ in range(workers)]
    for file in sorted(files, key=lambda f: -durations.get(f, DEFAULT_SECONDS)):
        least = loads.index(min(loads))
        groups[least].append(file)
        loads[least] += durations.get(file, DEFAULT_SECONDS)
    return [sorted(group) for group in groups if group]


def relay(number: int, process: subprocess.Popen, log: Path) -> None:
    """The process's output into its log, and its lines to the screen marked with its
    number."""
    with log.open("w") as out:
        for line in process.stdout:
            out.write(line)
            out.flush()
            print(f"[{number}] {line}", end="", flush=True)


def file_durations(report: Path) -> dict[str, float]:
    """Seconds per test file, from a JUnit report (setup and teardown included)."""
    seconds: dict[str, float] = {}
    for case in ET.parse(report).iter("testcase"):
        module = case.get("classname", "").split(".")
        # classname is the module path, then the class if any: find the test_ module.
        for end in range(len(module), 0, -1):
            if module[end - 1].startswith("test_"):
                file = "/".join(module[:end]) + ".py"
                seconds[file] = seconds.get(file, 0.0) + float(case.get("time", 0))
                break
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("TEST_WORKERS", "2")))
    parser.add_argument("--record", action="store_true",
                        help="write this run's times per file to tests/durations.json")
    options, pytest_args = parser.parse_known_args()
    durations = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    files = test_files()
    alone = [file for file in files if runs_alone(file)]
    groups = share_out([file for file in files if file not in alone], durations,
                       options.workers)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    finished = run(enumerate(groups, 1), pytest_args)
    if alone:
        finished += run([(len(groups) + 1, alone)], pytest_args)
    print(f"\n==== {len(finished)} processes, {time.monotonic() - started:.0f} s ====")
    for number, status, _ in finished:
        log = (OUT / f"worker-{number}.log").read_text()
        summary = log.rstrip().splitlines()[-1] if log.strip() else "(no output)"
        print(f"[{number}] exit {status}: {summary}")
        if status != 0:
            failures = log.find("= FAILURES =")
            failures = log.find("= ERRORS =") if failures < 0 else failures
            print(log[max(0, failures - 30):] if failures >= 0 else log[-4000:])
    if options.record:
        seconds: dict[str, float] = {}
        for *_, report in finished:
            if report.exists():
                seconds.update(file_durations(report))
        DURATIONS.write_text(json.dumps(dict(sorted(seconds.items())), indent=1) + "\n")
    # 5: pytest found nothing to run in that process's files (a -k or -m left none).
    return next((1 if status < 0 else status for _, status, _ in finished
                 if status not in (0, 5)), 0)


def run(groups, pytest_args: list[str]) -> list[tuple[int, int, Path]]:
    """One pytest process per (number, files), all at once; (number, exit status, JUnit
    report) of each once all have ended."""
    running = []
    for number, files in groups:
        report = OUT / f"worker-{number}.xml"
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", *pytest_args,
             *files],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PHF_TEST_WORKER": str(number)})
        relayer = threading.Thread(target=relay, daemon=True,
                                   args=(number, process, OUT / f"worker-{number}.log"))
        relayer.start()
        running.append((number, process, relayer, report))
    finished = []
    for number, process, relayer, report in running:
        status = process.wait()
        relayer.join()
        finished.append((number, status, report))
    return finished


if __name__ == "__main__":
    sys.exit(main())
