"""The families register in from a workbook and out again, as staff bring it in and take it
out, while donations keep coming.

    .venv/bin/python -m bench.registers [--persons 100000] [--households 30000]
        [--donations-per-s 10] [--postgres]

On a throwaway system (its own vhost; SQLite, or with --postgres every service on a
throwaway PostgreSQL schema), with another client recording donations (POST
/api/v1/donations as staff1) at a steady rate throughout, each sent on its schedule
whether or not the one before was answered:

1. quiet: the donations alone, for the latency to compare with.
2. import: POST /api/v1/imports/families?dry_run=false as staff1 with the workbook of
   `persons` people in `households` households; the request answers 202 once
   IMPORT_WAIT_SECONDS have passed and the import is followed (GET /api/v1/imports/{id})
   to its end: rows per second from the request to the last row written, the gateway's
   and the families service's peak RSS, and the donations' latency meanwhile.
3. exports: every family, a row per member, with GET /api/v1/families/export as xlsx and
   as CSV: rows per second, and the gateway's RSS before and at its peak.

Peak RSS is the kernel's high-water mark (VmHWM, reset as a phase starts) and samples every
RSS_EVERY s. CPU per row is by process, from /proc (the broker and, on PostgreSQL, the
database server: all of their processes on the machine); `*_other_load_cores` is what the
machine's cores spent besides, on work that is not this system's. Every row must come back
created and every exported row must be there. `measure()` gives the figures to
`python -m bench`."""
import argparse
import csv
import http.client
import json
import os
import sys
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import requests
import xlsxwriter
from python_calamine import CalamineWorkbook

from bench.cpu import TICKS, CpuMeter, cpu_seconds, processes_of
from bench.donations import (
    DONATION,
    BenchFailure,
    login,
    percentile,
    report_failure,
    throwaway_system,
)
from bench.replicas import cpu_times, postgres_schemas
from deploy.seed import seed
from services.gateway.imports.registers import REGISTERS
from shared.contracts.families import CATEGORIES
from shared.identity import make_resident_id
from shared.settings import import_max_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGION = "341181"
FIRST_BIRTHDAY = date(1940, 1, 1)  # no demo person is born in the 1940s
CLIENT_TIMEOUT = 600  # seconds the client waits; the gateway's own deadline is shorter
QUIET_SECONDS = 5
DONATION_THREADS = 8  # enough that one slow answer never delays the next on schedule
RSS_EVERY = 0.1  # seconds between RSS samples
SETTLED_CPU = 0.05  # CPU seconds in half a second under which a process is idle
MB = 1024 * 1024


# --- the workbooks --------------------------------------------------------------------
def person_id(n: int) -> str:
    """Person n's identity number: a thousand people share each birthday."""
    return make_resident_id(REGION, FIRST_BIRTHDAY + timedelta(days=n // 1000), n % 1000)


def spread(persons: int, households: int, first_person: int = 0):
    """(household, its people's numbers), the persons spread evenly over the households."""
    size, larger = divmod(persons, households)
    n = first_person
    for h in range(households):
        people = size + (1 if h < larger else 0)
        yield h, range(n, n + people)
        n += people


def write_workbook(path: Path, persons: int, households: int, first_person: int = 0,
                   tag: str = "H") -> int:
    """The register's workbook (its Chinese headers, codes as the drop-downs give them,
    identity numbers and phones as text); its size in bytes."""
    columns = REGISTERS["families"].columns
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                               "strings_to_numbers": False})
    sheet = workbook.add_worksheet("families")
    for number, column in enumerate(columns):
        sheet.write_string(0, number, column.zh)
    line = 1
    for h, people in spread(persons, households, first_person):
        household = {"household_no": f"{tag}{h:06d}", "category": CATEGORIES[h % 4],
                     "address": f"天长市铜城镇龙岗村{tag}{h}号",
                     "village_code": f"341181{100 + h % 20:03d}{1 + h % 37:03d}"}
        for k, n in enumerate(people):
            row = {**household, "name": f"居民{n}", "id_number": person_id(n),
                   "relation": ("head", "spouse")[k] if k < 2 else "child",
                   "phone": f"139{n % 100_000_000:08d}" if k < 2 else None}
            for number, column in enumerate(columns):
                if row.get(column.key) is not None:  # low_income etc. left blank
                    sheet.write_string(line, number, row[column.key])
            line += 1
    workbook.close()
    size = path.stat().st_size
    if size > import_max_bytes():
        raise BenchFailure(f"{path.name} is {size} bytes, past IMPORT_MAX_BYTES "
                           f"{import_max_bytes()}")
    return size


# --- what a phase costs -----------------------------------------------------------------
def status_mb(pid: int, field: str) -> float:
    """VmRSS or VmHWM (the peak RSS since it was last reset) of a process in MB; 0 once it
    is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines
                 if line.startswith(field + ":")), 0.0)


class Phase:
    """A phase's wall time, the RSS of the system's processes before it and at their
    peak, the CPU each process spent, and what the rest of the machine spent."""

    def __init__(self, system, postgres: bool = False):
        self.pids = {"gateway": system.processes["gateway"].pid,
                     "families": system.processes["families-1"].pid}
        self.before = {label: status_mb(pid, "VmRSS") for label, pid in self.pids.items()}
        for pid in self.pids.values():
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        self.sampled = dict(self.before)
        self.stopping = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()
        self.meter = CpuMeter(processes_of(system, postgres))
        self.machine = cpu_times()
        self.started = time.monotonic()

    def _sample(self) -> None:
        while not self.stopping.wait(RSS_EVERY):
            for label, pid in self.pids.items():
                self.sampled[label] = max(self.sampled[label], status_mb(pid, "VmRSS"))

    def end(self, rows: int, extra_cpu_s: float = 0.0) -> dict:
        """`extra_cpu_s`: CPU of this phase's own processes that have ended (not in /proc)."""
        elapsed = time.monotonic() - self.started
        cpu = self.meter.per_operation_ms(rows)
        busy = (cpu_times()[0] - self.machine[0]) / TICKS
        self.stopping.set()
        self.sampler.join()
        peaks = {label: max(self.sampled[label], status_mb(pid, "VmHWM"))
                 for label, pid in self.pids.items()}
        ours = cpu["all"] * rows / 1000 + extra_cpu_s
        return {"seconds": elapsed, "before": self.before, "peaks": peaks,
                "cpu_ms_per_row": cpu, "other_load_cores": max(0.0, busy - ours) / elapsed}


def settle(pid: int, timeout: float = 120) -> None:
    """Until a process has stopped working (a batch still running after its caller gave
    up), so the next phase does not pay for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < SETTLED_CPU:
            return


class PacedDonations:
    """Donations over HTTP as staff, donation i sent at start + i / rate by whichever
    thread is free, until stopped; each one's send time and latency kept."""

    def __init__(self, url: str, token: str, rate: float):
        self.where = urlsplit(url)
        self.headers = {"Authorization": f"Bearer {token}",
                        "Content-Type": "application/json"}
        self.rate = rate
        self.lock = threading.Lock()
        self.index = 0
        self.started = time.monotonic()
        self.stopping = threading.Event()
        self.done: list[tuple[float, float]] = []  # (sent at, seconds)
        self.failures: list = []
        self.threads = [threading.Thread(target=self._work, daemon=True)
                        for _ in range(DONATION_THREADS if rate else 0)]
        for thread in self.threads:
            thread.start()

    def _due(self) -> float:
        with self.lock:
            due = self.started + self.index / self.rate
            self.index += 1
        return due

    def _work(self) -> None:
        connection = http.client.HTTPConnection(self.where.hostname, self.where.port,
                                                timeout=60)
        body = json.dumps(DONATION)
        while True:
            due = self._due()
            if self.stopping.wait(max(0.0, due - time.monotonic())):
                break
            sent = time.monotonic()
            try:
                connection.request("POST", "/api/v1/donations", body,
                                   {**self.headers, "Idempotency-Key": uuid.uuid4().hex})
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append((type(exc).__name__, str(exc)[:300]))
                connection.close()
                continue
            if response.status == 201:
                with self.lock:
                    self.done.append((sent, time.monotonic() - sent))
            else:
                self.failures.append((response.status, answer[:300].decode(errors="replace")))
        connection.close()

    def latency(self, start: float, end: float, name: str) -> dict:
        """p50, p95 and max milliseconds of the donations sent in [start, end), and how
        many there were, under `donation_*_ms_{name}`."""
        with self.lock:
            seconds = [took for sent, took in self.done if start <= sent < end]
        if not seconds:
            return {f"donations_{name}": 0}
        return {f"donation_p50_ms_{name}": percentile(seconds, 0.50) * 1000,
                f"donation_p95_ms_{name}": percentile(seconds, 0.95) * 1000,
                f"donation_max_ms_{name}": max(seconds) * 1000,
                f"donations_{name}": len(seconds)}

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()
        if self.failures:
            raise BenchFailure(self.failures)


# --- the phases -------------------------------------------------------------------------
def post_import(url: str, token: str, path: Path, dry_run: bool) -> requests.Response:
    with open(path, "rb") as file:
        return requests.post(url + "/api/v1/imports/families",
                             params={"dry_run": "true" if dry_run else "false"},
                             files={"file": (path.name, file, XLSX)},
                             headers={"Authorization": f"Bearer {token}"},
                             timeout=CLIENT_TIMEOUT)


def check_import(answer: dict, persons: int, created: bool = True) -> None:
    done = answer["created"] if created else answer["valid"]
    if answer["status"] != "done" or done != persons or answer["invalid"]:
        raise BenchFailure(f"the import did not take every row: status {answer['status']}, "
                           f"created {answer['created']}, valid {answer['valid']}, invalid "
                           f"{answer['invalid']}, first errors {answer['errors'][:3]}, "
                           f"failure {answer['failure']}")


def phase_http(system, token: str, path: Path, persons: int, postgres: bool) -> dict:
    """The full workbook through the gateway, as staff bring it in: the request answers
    202 once IMPORT_WAIT_SECONDS have passed, and the import is followed to its end."""
    phase = Phase(system, postgres)
    response = post_import(system.url, token, path, dry_run=False)
    if response.status_code not in (200, 202):
        raise BenchFailure(f"the import of {persons} rows over HTTP answered "
                           f"{response.status_code}: {response.text[:300]}")
    answer = response.json()
    while answer["status"] == "running":
        time.sleep(0.5)
        answer = requests.get(f"{system.url}/api/v1/imports/{answer['import_id']}",
                              headers={"Authorization": f"Bearer {token}"},
                              timeout=CLIENT_TIMEOUT).json()
    cost = phase.end(persons)
    check_import(answer, persons)
    return {"import_families_rows_per_s": persons / cost["seconds"],
            "import_families_seconds": cost["seconds"], "import_families_rows": persons,
            "import_first_answer_status": response.status_code,
            "import_gateway_peak_rss_mb": cost["peaks"]["gateway"],
            "import_gateway_rss_before_mb": cost["before"]["gateway"],
            "import_families_peak_rss_mb": cost["peaks"]["families"],
            "import_families_rss_before_mb": cost["before"]["families"],
            "import_other_load_cores": cost["other_load_cores"], **_cpu(cost, "import")}


def _cpu(cost: dict, prefix: str) -> dict:
    """CPU milliseconds per row by process (a service's consumers of the families' events
    too), and their sum."""
    return {f"{prefix}_cpu_ms_per_row_{label.replace('-', '_')}": value
            for label, value in cost["cpu_ms_per_row"].items()}


def phase_export(system, token: str, out: Path, expected: int, kind: str,
                 postgres: bool) -> dict:
    prefix = "export" if kind == "xlsx" else f"export_{kind}"
    phase = Phase(system, postgres)
    with requests.get(system.url + "/api/v1/families/export", params={"format": kind},
                      headers={"Authorization": f"Bearer {token}"}, stream=True,
                      timeout=CLIENT_TIMEOUT) as response, open(out, "wb") as file:
        for chunk in response.iter_content(256 * 1024):
            file.write(chunk)
    cost = phase.end(expected)
    figures = {f"{prefix}_seconds": cost["seconds"],
               f"{prefix}_rss_before_mb": cost["before"]["gateway"],
               f"{prefix}_peak_rss_mb": cost["peaks"]["gateway"],
               f"{prefix}_families_peak_rss_mb": cost["peaks"]["families"],
               f"{prefix}_other_load_cores": cost["other_load_cores"],
               **_cpu(cost, prefix)}
    if response.status_code != 200:  # past the gateway's deadline: 503, nothing exported
        return {**figures, f"{prefix}_status": response.status_code}
    rows = count_rows(out, kind)
    if rows != expected:
        raise BenchFailure(f"the {kind} export has {rows} rows, not {expected}")
    return {f"{prefix}_rows_per_s": rows / cost["seconds"], f"{prefix}_rows": rows,
            f"{prefix}_mb": out.stat().st_size / MB, **figures}


def count_rows(path: Path, kind: str) -> int:
    """The data rows of an export (its header row not counted)."""
    if kind == "csv":
        with open(path, encoding="utf-8-sig", newline="") as file:
            return sum(1 for _ in csv.reader(file)) - 1
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).height - 1


def families_listed(url: str, token: str) -> tuple[int, int]:
    """How many families there are, and the rows the first 500 give an export (a row per
    member, one for a family without members): the demo data's, before the imports."""
    response = requests.get(url + "/api/v1/families", params={"limit": 500}, timeout=60,
                            headers={"Authorization": f"Bearer {token}"})
    response.raise_for_status()
    page = response.json()
    return page["total"], sum(max(1, len(family["members"])) for family in page["items"])


def measure(persons: int = 100_000, households: int = 30_000, donations_per_s: float = 10,
            postgres: bool = False) -> dict:
    """Every phase on one throwaway system; raises BenchFailure (logs kept) when a row, a
    donation or an exported row goes missing."""
    with ExitStack() as stack:
        if postgres:
            stack.enter_context(postgres_schemas())
        system, config = stack.enter_context(throwaway_system("phf-bench-registers-"))
        work = Path(system.log_dir).parent
        full = work / "families.xlsx"
        figures = {"import_file_mb": write_workbook(full, persons, households) / MB,
                   "import_households": households,
                   "import_database": "postgresql" if postgres else "sqlite"}
        seed(config)
        token = login(system.url)
        before, demo_rows = families_listed(system.url, token)
        donations = PacedDonations(system.url, token, donations_per_s)
        try:
            time.sleep(QUIET_SECONDS if donations_per_s else 0)
            figures.update(donations.latency(0, time.monotonic(), "quiet"))
            started = time.monotonic()
            figures.update(phase_http(system, token, full, persons, postgres))
            figures.update(donations.latency(started, time.monotonic(), "during_import"))
        finally:
            donations.stop()
        added = families_listed(system.url, token)[0] - before
        if added != households:
            raise BenchFailure(f"{added} families were added for {households} households")
        for kind in ("xlsx", "csv"):
            figures.update(phase_export(system, token, work / f"export.{kind}",
                                        demo_rows + persons, kind, postgres))
    return {**figures, "cores": os.cpu_count()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--households", type=int, default=30_000)
    parser.add_argument("--donations-per-s", type=float, default=10)
    parser.add_argument("--postgres", action="store_true", help="every service on PostgreSQL")
    args = parser.parse_args()
    try:
        figures = measure(args.persons, args.households, args.donations_per_s,
                          args.postgres)
    except BenchFailure as exc:
        report_failure(exc)
        return 1
    for key, value in figures.items():
        print(f"{key:<44}{value:>14.2f}" if isinstance(value, float) else
              f"{key:<44}{value!s:>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
