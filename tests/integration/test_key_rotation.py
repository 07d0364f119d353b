"""Rotating the data key, on SQLite and PostgreSQL: after a new key is put first, every
sealed value of a service's database is re-sealed under it, the clear values and the blind
index lookups unchanged; a rotation stopped half-way is finished by the next; a second
rotation changes nothing; the command line does it for a service's configured database and
for the claim documents in the blob store, and while people are registered, changed and
looked up meanwhile, every one of them reads back right and no change is lost."""
import os
import random
import subprocess
import sys
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from deploy.ops import rotation
from services.families.models import Family, FamilyMember, Member
from shared.blobs import DirectoryStore
from shared.crypto import blind, sealed_key_of
from shared.db import make_engine, reading
from shared.identity import make_resident_id
from shared.settings import PROJECT_ROOT

PAPER = b"%PDF-1.4 a discharge summary"
ROTATE = [sys.executable, "-m", "deploy.ops", "rotate-keys", "--quiet"]
SEEDED = 3_000  # people enough that a rotation lasts a second or more


def person(n: int) -> str:
    """A distinct identity number for every n (a thousand to a birthday)."""
    return make_resident_id("341181", date(1970, 1, 1) + timedelta(days=n // 1000), n % 1000)


def family(n: int) -> Family:
    return Family(association_code="341181", family_no=f"F-341181-{n:05d}",
                  category="only_child", address=f"龙岗村{n}号", village_code="341181001001",
                  registered_by="staff1",
                  members=[FamilyMember(association_code="341181", name=f"人{n}",
                                        id_number=person(n), relation="head",
                                        phone=f"139{n:08d}")])


def rotate_keys(url: str, *only: str, **env: str) -> subprocess.Popen:
    """`deploy.ops rotate-keys` on the families database at `url`, under this test's keys."""
    return subprocess.Popen([*ROTATE, *(f"--only={part}" for part in only)], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "FAMILIES_DATABASE_URL": url, **env})


@pytest.fixture
def sealed_with_old(database_url, data_keys):
    data_keys("old")
    url = database_url("families")
    engine = make_engine(url)
    with Session(engine) as session:
        session.add_all(family(300 + n) for n in range(5))
        session.add(Member(association_code="341181", name="会员", id_number=person(399),
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
        assert read(session, person(302)) == (person(302), "13900000302")
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
    out, err = rotate_keys(url, "families", "blobs", BLOB_DIR=str(blobs.root)).communicate(
        timeout=120)
    assert "families: 17 values re-sealed under key new" in out, err[-1000:]
    assert "blobs: 1 values re-sealed under key new" in out
    assert stored_keys(engine) == {"new"}
    data_keys("new")
    assert blobs.get(digest) == PAPER


def test_people_registered_changed_and_looked_up_during_a_rotation_lose_nothing(
        database_url, data_keys):
    """The command line rotates while this process, as a service would, registers people,
    changes their phones and finds them by identity number, a transaction each."""
    data_keys("old")
    engine = make_engine(url := database_url("families"))
    with Session(engine) as session:
        session.add_all(family(n) for n in range(SEEDED))
        session.commit()
    phones = {person(n): f"139{n:08d}" for n in range(SEEDED)}
    data_keys("new", "old")  # the services restarted with the new key first
    rotating, n, during, pick = rotate_keys(url, "families"), SEEDED, 0, random.Random(23)
    while rotating.poll() is None:
        during += 0 < old_left(engine) < 2 * SEEDED
        with Session(engine) as session:
            session.add(family(n))
            session.commit()
        phones[person(n)] = f"139{n:08d}"
        changed = person(pick.randrange(SEEDED))
        phones[changed] = f"138{n:08d}"
        with Session(engine) as session:
            found(session, changed).phone = phones[changed]
            session.commit()
        with Session(engine) as session:
            looked_up = person(pick.randrange(n + 1))
            assert read(session, looked_up) == (looked_up, phones[looked_up])
        n += 1
    assert rotating.returncode == 0, rotating.stderr.read()[-1000:]
    assert during, "nothing was written while the rotation ran"
    data_keys("new")  # the old key retired
    assert stored_keys(engine) == {"new"}
    with Session(engine) as session:
        assert {m.id_number: m.phone for m in session.scalars(select(FamilyMember))} == phones
    engine.dispose()


def found(session: Session, id_number: str) -> FamilyMember:
    """The person, found by the blind index of the identity number."""
    return session.scalars(select(FamilyMember).where(
        FamilyMember.id_index == blind(id_number, "id_number"))).one()


def read(session: Session, id_number: str) -> tuple[str, str]:
    """The person's identity number and phone as they open."""
    one = found(session, id_number)
    return one.id_number, one.phone


def old_left(engine) -> int:
    """Values still under the old key among those nobody changes but the rotation."""
    with reading(engine) as connection:
        return sum(connection.execute(text(
            f"SELECT count(*) FROM {table} WHERE {column} LIKE 'enc1:old:%'")).scalar_one()
            for table, column in (("families", "address"), ("family_members", "id_number")))
