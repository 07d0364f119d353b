"""Backups of the running system, taken while donations are being recorded: sealed files
whose checksums the manifest lists, no donor in them in clear, a corrupted file refused by
name with nothing changed, the databases restored into a fresh folder, and a restore over
databases still in use refused."""
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from shared.identity import make_resident_id
from shared.settings import PROJECT_ROOT
from tests.e2e.conftest import Client

DONOR = "备份测试捐赠人"
ID_NUMBER = make_resident_id("341181", date(1961, 3, 9), 7)
SERVICES = ("fund", "insurance", "volunteers", "families", "notifications", "gateway")


def ops(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deploy.ops", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def gift(amount: int) -> dict:
    return {"fund_code": "GENERAL", "amount_fen": amount, "channel": "bank",
            "donor": {"kind": "person", "name": DONOR, "id_number": ID_NUMBER}}


def elsewhere(system, var: Path) -> dict:
    """The CLI's environment with every database and document under `var`, and the
    system's keys put back there, as an operator restoring on a new machine would."""
    var.mkdir(exist_ok=True)
    shutil.copy(Path(system.env["PHF_VAR_DIR"]) / "data-keys", var / "data-keys")
    env = {name: value for name, value in system.env.items()
           if not name.endswith("_DATABASE_URL") and name not in ("BLOB_DIR", "DATA_KEYS")}
    return {**env, "PHF_VAR_DIR": str(var)}


@pytest.fixture(scope="module")
def backed_up(running_system, tmp_path_factory):
    """A backup taken while the system runs and records donations; what was recorded
    before it began."""
    staff = Client(running_system.url).login("staff1")
    first = staff.call("POST", "/api/v1/donations", gift(12_345))
    assert first.status_code == 201, first.text
    target = tmp_path_factory.mktemp("backups") / "tonight"
    command = [sys.executable, "-m", "deploy.ops", "backup", str(target)]
    with subprocess.Popen(command, cwd=PROJECT_ROOT, env=running_system.env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as backup:
        during = [staff.call("POST", "/api/v1/donations", gift(100 + n)) for n in range(5)]
        out, err = backup.communicate(timeout=120)
    assert backup.returncode == 0, err
    assert all(d.status_code == 201 for d in during)
    return {"dir": target, "receipt_no": first.json()["receipt_no"], "stdout": out}


def test_every_database_and_the_documents_sealed_with_their_checksums(backed_up):
    target = backed_up["dir"]
    manifest = json.loads((target / "manifest.json").read_text())
    assert [f["service"] for f in manifest["files"]] == [*SERVICES, "blobs"]
    assert {f["kind"] for f in manifest["files"]} == {"sqlite", "blobs"}
    assert target.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in target.iterdir()) == sorted(
        ["manifest.json", *(f["name"] for f in manifest["files"])])
    for entry in manifest["files"]:
        sealed = (target / entry["name"]).read_bytes()
        assert hashlib.sha256(sealed).hexdigest() == entry["sha256"]
        assert len(sealed) == entry["bytes"] and entry["key_id"] == manifest["key_id"]
        assert (target / entry["name"]).stat().st_mode & 0o777 == 0o600
        for clear in (DONOR.encode(), ID_NUMBER.encode(), b"SQLite format 3",
                      backed_up["receipt_no"].encode()):
            assert clear not in sealed, (entry["name"], clear)
    assert "fund: sqlite" in backed_up["stdout"]


def test_a_corrupted_file_is_refused_by_name_and_nothing_changes(running_system, backed_up,
                                                                 tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(backed_up["dir"], damaged)
    victim = damaged / "volunteers.sqlite.gz.aes"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    env = elsewhere(running_system, tmp_path / "var")
    before = sorted(p.name for p in (tmp_path / "var").rglob("*"))

    refused = ops(env, "restore", str(damaged))
    assert refused.returncode == 2, refused.stderr
    assert str(victim) in refused.stderr and "corrupted" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert sorted(p.name for p in (tmp_path / "var").rglob("*")) == before == ["data-keys"]


def test_a_restore_into_a_fresh_folder_brings_the_databases_back(running_system, backed_up,
                                                                 tmp_path):
    var = tmp_path / "var"
    done = ops(elsewhere(running_system, var), "restore", str(backed_up["dir"]))
    assert done.returncode == 0, done.stderr
    for service in SERVICES:
        assert (var / f"{service}.db").stat().st_mode & 0o777 == 0o600
        with sqlite3.connect(var / f"{service}.db") as restored:
            assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with sqlite3.connect(var / "fund.db") as fund:
        assert fund.execute("SELECT amount_fen FROM donations WHERE receipt_no = ?",
                            (backed_up["receipt_no"],)).fetchall() == [(12_345,)]
        assert fund.execute("SELECT count(*) FROM donations").fetchone()[0] >= 1
    # What the sealed copy hid is there in the plain one: the check above was no accident.
    assert backed_up["receipt_no"].encode() in (var / "fund.db").read_bytes()
    assert sorted(p.name for p in var.iterdir() if p.name.startswith(".")) == []


def test_a_restore_over_databases_in_use_is_refused(running_system, backed_up):
    live = Path(running_system.env["PHF_VAR_DIR"]) / "fund.db"
    inode = live.stat().st_ino
    refused = ops(running_system.env, "restore", str(backed_up["dir"]), "--only", "fund")
    assert refused.returncode == 2
    assert "fund: its database is in use; stop the services first" in refused.stderr
    assert live.stat().st_ino == inode
    assert not [p for p in live.parent.iterdir() if ".restore-" in p.name]
