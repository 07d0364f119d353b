"""Rotating the data key, on SQLite and PostgreSQL: after a new key is put first, every
sealed value of a service's database is re-sealed under it, the clear values and the blind
index lookups unchanged; a rotation stopped half-way is finished by the next; a second
rotation changes nothing; the command line does it for a service's configured database and
for the claim documents in the blob store."""
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from deploy.ops import rotation
from services.families.models import Family, FamilyMember, Member
from shared.blobs import DirectoryStore
from shared.crypto import blind, sealed_key_of
from shared.db import make_engine
from shared.settings import PROJECT_ROOT
from tests.family_data import resident

PAPER = b"%PDF-1.4 a discharge summary"


@pytest.fixture
def sealed_with_old(database_url, data_keys):
    data_keys("old")
    url = database_url("families")
    engine = make_engine(url)
    with Session(engine) as session:
        for n in range(5):
            session.add(Family(association_code="341181", family_no=f"F-341181-{n:04d}",
                               category="only_child", address=f"龙岗村{n}号",
                               village_code="341181001001", registered_by="staff1",
                               members=[FamilyMember(association_code="341181", name=f"人{n}",
                                                     id_number=resident(300 + n),
                                                     relation="head",
                                                     phone=f"1390550{n:04d}")]))
        session.add(Member(association_code="341181", name="会员", id_number=resident(399),
                           phone="13905509999", grassroots_code="341181", created_by="s"))
        session.commit()
    yield url, engine
    engine.dispose()


def stored_keys(engine) -> set:
    with engine.connect() as connection:
        found = set()
        for table, column in (("families", "address"), ("family_members", "id_number"),
                              ("family_members", "phone"), ("members", "id_number")):
            found |= {sealed_key_of(value) for (value,) in connection.execute(
                text(f"SELECT {column} FROM {table}"))}
        return found


def test_every_value_is_resealed_under_the_new_key_and_reads_the_same(sealed_with_old,
                                                                       data_keys):
    url, engine = sealed_with_old
    assert stored_keys(engine) == {"old"}
    data_keys("new", "old")

    changed = rotation.rotate("families", url)

    assert changed == 5 * 3 + 2  # families' addresses, members' numbers and phones, the member
    assert stored_keys(engine) == {"new"}
    data_keys("new")  # the old key retired: everything still opens
    with Session(engine) as session:
        person = session.scalars(select(FamilyMember).where(
            FamilyMember.id_index == blind(resident(302), "id_number"))).one()
        assert (person.id_number, person.phone) == (resident(302), "13905500002")
    assert rotation.rotate("families", url) == 0


def test_a_rotation_stopped_half_way_is_finished_by_the_next(sealed_with_old, data_keys,
                                                             monkeypatch):
    url, engine = sealed_with_old
    data_keys("new", "old")
    monkeypatch.setattr(rotation, "BATCH", 2)

    def stop(field, count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.rotate("families", url, progress=stop)
    assert stored_keys(engine) == {"new", "old"}
    assert rotation.rotate("families", url) == 5 * 3 + 2 - 2
    assert stored_keys(engine) == {"new"}


def test_the_command_line_rotates_a_services_configured_database_and_the_documents(
        sealed_with_old, data_keys, tmp_path):
    url, engine = sealed_with_old
    blobs = DirectoryStore(tmp_path / "blobs")
    digest = blobs.put(PAPER)
    data_keys("new", "old")
    done = subprocess.run(
        [sys.executable, "-m", "deploy.ops", "rotate-keys", "--only", "families",
         "--only", "blobs", "--quiet"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "FAMILIES_DATABASE_URL": url, "BLOB_DIR": str(blobs.root)})
    assert done.returncode == 0, done.stderr[-1000:]
    assert "families: 17 values re-sealed under key new" in done.stdout
    assert "blobs: 1 values re-sealed under key new" in done.stdout
    assert stored_keys(engine) == {"new"}
    data_keys("new")
    assert blobs.get(digest) == PAPER
