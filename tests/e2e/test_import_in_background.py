"""An import longer than a request may wait: answered 202 with the run still going, its
progress read from GET /api/v1/imports/{id} until it is done, every row in once. (The wait
is set to nothing here, so every import answers before it has finished.)"""
from tests.e2e.test_imports_over_http import HEADERS_ZH, bring_in, families_with, households
from tests.e2e.test_imports_over_http import workbook as xlsx
from tests.support import wait_until

ENV = {"IMPORT_WAIT_SECONDS": "0"}


def test_a_long_import_answers_202_and_is_followed_to_its_end(anonymous):
    staff = anonymous.login("staff1")
    rows = [row for first in range(101, 161, 4) for row in households(first)]  # 60 rows

    started = bring_in(staff, "families", xlsx(HEADERS_ZH, rows))

    assert started.status_code == 202, started.text
    assert started.json()["status"] == "running" and started.json()["created"] is None
    run = f"/api/v1/imports/{started.json()['import_id']}"
    done = wait_until(lambda: (lambda r: r if r["status"] == "done" else None)(
        staff.call("GET", run).json()), timeout=60, failure="the import did not finish")
    assert (done["created"], done["done"], done["to_do"]) == (60, 60, 60)
    assert len(families_with(staff, 101)[0]["members"]) == 3
