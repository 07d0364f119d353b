"""Rotating the data key, on SQLite and PostgreSQL: after a new key is put first, every
sealed value of a service's database is re-sealed under it, the clear values and the blind
index lookups unchanged; a rotation stopped half-way is finished by the next; a second
rotation changes nothing; the command line does it for a service's configured database."""
import base64
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from deploy.ops import rotation
from services.families.models import Family, FamilyMember, Member
from shared import crypto
from shared.crypto import blind, sealed_key_of
from shared.db import make_engine
from shared.settings import PROJECT_ROOT
from tests.family_data import resident

INDEX = base64.b64encode(os.urandom(32)).decode()
OLD = base64.b64encode(os.urandom(32)).decode()
NEW = base64.b64encode(os.urandom(32)).decode()


def use_keys(monkeypatch, keys: str) -> None:
    monkeypatch.setenv("DATA_KEYS", keys)
    monkeypatch.setenv("DATA_INDEX_KEY", INDEX)
    crypto.keyring.cache_clear()


@pytest.fixture
def sealed_with_old(database_url, monkeypatch):
    use_keys(monkeypatch, f"old:{OLD}")
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
    crypto.keyring.cache_clear()


def stored_keys(engine) -> set:
    with engine.connect() as connection:
        found = set()
        for table, column in (("families", "address"), ("family_members", "id_number"),
                              ("family_members", "phone"), ("members", "id_number")):
            found |= {sealed_key_of(value) for (value,) in connection.execute(
                text(f"SELECT {column} FROM {table}"))}
        return found


def test_every_value_is_resealed_under_the_new_key_and_reads_the_same(sealed_with_old,
                                                                       monkeypatch):
    url, engine = sealed_with_old
    assert stored_keys(engine) == {"old"}
    use_keys(monkeypatch, f"new:{NEW},old:{OLD}")

    changed = rotation.rotate("families", url)

    assert changed == 5 * 3 + 2  # families' addresses, members' numbers and phones, the member
    assert stored_keys(engine) == {"new"}
    use_keys(monkeypatch, f"new:{NEW}")  # the old key retired: everything still opens
    with Session(engine) as session:
        person = session.scalars(select(FamilyMember).where(
            FamilyMember.id_index == blind(resident(302), "id_number"))).one()
        assert (person.id_number, person.phone) == (resident(302), "13905500002")
    assert rotation.rotate("families", url) == 0


def test_a_rotation_stopped_half_way_is_finished_by_the_next(sealed_with_old, monkeypatch):
    url, engine = sealed_with_old
    use_keys(monkeypatch, f"new:{NEW},old:{OLD}")
    monkeypatch.setattr(rotation, "BATCH", 2)

    def stop(field, count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotation.rotate("families", url, progress=stop)
    assert stored_keys(engine) == {"new", "old"}
    assert rotation.rotate("families", url) == 5 * 3 + 2 - 2
    assert stored_keys(engine) == {"new"}


def test_the_command_line_rotates_a_services_configured_database(sealed_with_old):
    url, engine = sealed_with_old
    done = subprocess.run(
        [sys.executable, "-m", "deploy.ops", "rotate-keys", "--only", "families", "--quiet"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DATA_KEYS": f"new:{NEW},old:{OLD}", "DATA_INDEX_KEY": INDEX,
             "FAMILIES_DATABASE_URL": url})
    assert done.returncode == 0, done.stderr[-1000:]
    assert "families: 17 values re-sealed under key new" in done.stdout
    assert stored_keys(engine) == {"new"}
