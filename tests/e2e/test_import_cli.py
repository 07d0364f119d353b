"""`python -m deploy.ops import` against the running system: its exit codes (0 all in, 2
rows in error or a file that is no register's), its error workbook, a dry run that writes
nothing, and an import killed half-way that the same command, run again, finishes without
a single duplicate."""
import csv
import io
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

from openpyxl import load_workbook

from shared.settings import PROJECT_ROOT
from tests.family_data import resident
from tests.support import wait_until

BORN = date(1963, 9, 9)  # nobody else's people here were born in the ten days from it


def person(n: int) -> str:
    return resident(n % 1000, BORN + timedelta(days=n // 1000))
VILLAGE = "341181001001"
HEADERS = ["household_no", "category", "address", "village_code", "name", "id_number",
           "relation", "phone"]


def ops(system, *args, **options):
    return subprocess.run([sys.executable, "-m", "deploy.ops", "--amqp-uri",
                           system.env["AMQP_URI"], *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600, **options)


def write_families(path, households: int, first: int = 0, bad=(), village: str = VILLAGE):
    """Households of three (head, spouse, child); the rows numbered in `bad` get a phone
    no one has."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        row = 1
        for h in range(first, first + households):
            for k, relation in enumerate(("head", "spouse", "child")):
                row += 1
                n = 3 * h + k
                writer.writerow([f"C{h}", "only_child", f"村{h}号", village, f"命令{n}",
                                 person(n), relation,
                                 "999" if row in bad else ""])


def people_imported(staff, households: int, first: int = 0) -> int:
    """How many of the file's people are in families, each counted once per family."""
    wanted = {f"命令{n}" for n in range(3 * first, 3 * (first + households))}
    seen = 0
    offset = 0
    while True:
        page = staff.call("GET", "/api/v1/families", params={
            "limit": 500, "offset": offset, "village_code": VILLAGE}).json()
        seen += sum(m["name"] in wanted for f in page["items"] for m in f["members"])
        offset += 500
        if offset >= page["total"]:
            return seen


def test_exit_codes_the_dry_run_and_the_error_workbook(running_system, anonymous, tmp_path):
    staff = anonymous.login("staff1")
    good = tmp_path / "good.csv"
    write_families(good, 10, first=0)

    dry = ops(running_system, "import", "families", str(good), "--dry-run", "--quiet")
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert "30 rows: 30 valid, 0 in error; would be created 30" in dry.stdout
    assert people_imported(staff, 10) == 0

    real = ops(running_system, "import", "families", str(good), "--quiet")
    assert real.returncode == 0 and "were created 30" in real.stdout, real.stderr[-2000:]
    assert people_imported(staff, 10) == 30

    bad = tmp_path / "bad.csv"
    write_families(bad, 10, first=100, bad={6})
    errors = tmp_path / "errors.xlsx"
    found = ops(running_system, "import", "families", str(bad), "--quiet", "--errors",
                str(errors), "--lang", "zh")
    assert found.returncode == 2
    assert "row 6: phone: " in found.stderr and "row 5: " in found.stderr
    assert "27 valid, 3 in error; were created 27" in found.stdout
    lines = list(load_workbook(errors).worksheets[0].values)
    assert [line[0] for line in lines[1:]] == [5, 6, 7]
    assert lines[2][8] == "999" and "phone" in lines[2][-1]

    not_one = tmp_path / "photo.xlsx"
    not_one.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    refused = ops(running_system, "import", "families", str(not_one), "--quiet")
    assert refused.returncode == 2 and "photo.xlsx" in refused.stderr

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("姓名,血型\n张三,A\n", encoding="utf-8")
    refused = ops(running_system, "import", "families", str(wrong), "--quiet")
    assert refused.returncode == 2 and "血型" in refused.stderr

    missing = ops(running_system, "import", "families", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_an_import_killed_half_way_is_finished_by_the_same_command_without_duplicates(
        running_system, anonymous, tmp_path):
    staff = anonymous.login("staff1")
    big = tmp_path / "big.csv"
    households, first = 2_000, 1_000  # 6 000 rows: six batches
    write_families(big, households, first=first)

    started = subprocess.Popen(
        [sys.executable, "-m", "deploy.ops", "--amqp-uri", running_system.env["AMQP_URI"],
         "import", "families", str(big)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: people_imported(staff, households, first) > 0, timeout=120,
                   failure="no batch went in")
    finally:
        started.send_signal(signal.SIGKILL)
        started.wait(timeout=30)
    time.sleep(1)  # a batch the service was writing when its caller died is committed or not
    part = people_imported(staff, households, first)
    assert 0 < part < 3 * households and part % 3 == 0  # whole households only

    again = ops(running_system, "import", "families", str(big), "--quiet")

    assert again.returncode == 0, again.stderr[-2000:]
    assert f"were created {3 * households - part}, updated 0, unchanged {part}" in again.stdout
    assert people_imported(staff, households, first) == 3 * households
    assert csv.reader(io.StringIO(again.stdout))  # the summary is one plain line


def test_the_association_named_is_the_one_written_to(running_system, anonymous, tmp_path):
    staff = anonymous.login("staff1")  # of 341181, this install's association
    household, elsewhere_household = tmp_path / "here.csv", tmp_path / "other.csv"
    write_families(household, 1, first=3_100)
    write_families(elsewhere_household, 1, first=3_100, village="341103100001")

    not_yet = ops(running_system, "--association", "341103", "import", "families",
                  str(elsewhere_household), "--quiet")
    assert not_yet.returncode == 2 and "341103 has not been set up" in not_yet.stderr, \
        not_yet.stderr[-2000:]
    set_up = anonymous.login("province_admin").call("POST", "/api/v1/associations", {
        "code": "341103", "name": "琅琊区计划生育协会", "parent_code": "341100"})
    assert set_up.status_code == 201, set_up.text
    elsewhere = ops(running_system, "--association", "341103", "import", "families",
                    str(elsewhere_household), "--quiet")
    assert elsewhere.returncode == 0 and "were created 3" in elsewhere.stdout, \
        elsewhere.stderr[-2000:]
    assert people_imported(staff, 1, first=3_100) == 0  # another county's: not seen here
    # Not there for 341181 either: the same people are new to it.
    here = ops(running_system, "import", "families", str(household), "--quiet")
    assert here.returncode == 0 and "were created 3" in here.stdout, here.stderr[-2000:]
    assert people_imported(staff, 1, first=3_100) == 3

    refused = ops(running_system, "--association", "34118", "import", "families",
                  str(household))
    assert refused.returncode == 2 and "6-digit" in refused.stderr
