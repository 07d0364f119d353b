"""The database store of claim documents (an SQLite file here; PostgreSQL and two service
replicas in tests/e2e/test_documents_across_replicas.py): kept sealed under their digest,
once, read back whole; files of the directory store moved in as they were sealed; `reseal()`
brings every row under a new first key. And which store the settings choose."""
import pytest
from sqlalchemy import select

from shared.blobs import BLOBS, DatabaseStore, DirectoryStore, digest_of, store_kind
from shared.crypto import KeyProblem, sealed_bytes_key_of
from shared.db import make_engine

PDF = b"%PDF-1.4\n% discharge summary kept in the database\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n a scanned invoice"


@pytest.fixture
def store(tmp_path, data_keys):
    data_keys("k1")
    engine = make_engine(f"sqlite:///{tmp_path / 'insurance.db'}")
    BLOBS.metadata.create_all(engine)
    yield DatabaseStore(engine)
    engine.dispose()


def kept(store: DatabaseStore, digest: str) -> bytes:
    with store.bind.connect() as connection:
        return bytes(connection.execute(select(BLOBS.c.sealed)
                                        .where(BLOBS.c.digest == digest)).scalar_one())


def test_a_document_is_kept_sealed_once_under_its_digest_and_read_back(store):
    digest = store.put(PDF)
    assert digest == digest_of(PDF) and store.put(PDF) == digest
    assert store.digests() == [digest]
    assert sealed_bytes_key_of(kept(store, digest)) == "k1"
    assert b"discharge" not in kept(store, digest)
    assert store.get(digest) == PDF


def test_files_of_the_directory_store_move_in_as_they_were_sealed(store, tmp_path):
    files = DirectoryStore(tmp_path / "blobs")
    sealed = files.put(PDF)
    clear = digest_of(PNG)  # as a version before sealing kept it
    (files.root / clear[:2]).mkdir(parents=True)
    (files.root / clear[:2] / clear).write_bytes(PNG)

    moved = [store.add_sealed(path.name, path.read_bytes()) for path in files.files()]
    again = [store.add_sealed(path.name, path.read_bytes()) for path in files.files()]

    assert moved == [True, True] and again == [False, False]
    assert kept(store, sealed) == (files.root / sealed[:2] / sealed).read_bytes()
    assert sealed_bytes_key_of(kept(store, clear)) == "k1"
    assert (store.get(sealed), store.get(clear)) == (PDF, PNG)


def test_reseal_moves_every_row_under_the_first_key(store, data_keys):
    pdf, png = store.put(PDF), store.put(PNG)
    data_keys("k2", "k1")
    assert store.reseal() == 2
    assert {sealed_bytes_key_of(kept(store, d)) for d in (pdf, png)} == {"k2"}
    assert store.reseal() == 0
    data_keys("k2")  # the old key retired: every document still opens
    assert (store.get(pdf), store.get(png)) == (PDF, PNG)


def test_a_row_under_another_digest_is_refused_by_name(store):
    pdf = store.put(PDF)
    png = digest_of(PNG)
    store.add_sealed(png, kept(store, pdf), len(PDF))  # swapped in
    with pytest.raises(KeyProblem, match=f"blobs/{png}: key 'k1' does not open it"):
        store.get(png)


@pytest.mark.parametrize(("setting", "database", "kind"), [
    (None, "postgresql://fund@db/insurance", "database"),
    (None, "sqlite:///var/insurance.db", "dir"),
    ("dir", "postgresql://fund@db/insurance", "dir"),
    ("database", "sqlite:///var/insurance.db", "database")])
def test_the_store_is_the_database_on_postgresql_unless_set(monkeypatch, setting, database,
                                                            kind):
    if setting:
        monkeypatch.setenv("BLOB_STORE_URL", setting)
    else:
        monkeypatch.delenv("BLOB_STORE_URL", raising=False)
    assert store_kind(database) == kind


def test_a_store_not_built_in_is_refused(monkeypatch):
    monkeypatch.setenv("BLOB_STORE_URL", "s3://bucket/documents")
    with pytest.raises(RuntimeError, match="s3://bucket/documents"):
        store_kind("postgresql://insurance@db/insurance")


def test_move_blobs_brings_the_files_into_the_database_once(tmp_path, data_keys, monkeypatch):
    from deploy.ops import backups
    data_keys("k1")
    url = f"sqlite:///{tmp_path / 'insurance.db'}"
    engine = make_engine(url)
    BLOBS.metadata.create_all(engine)
    files = DirectoryStore(tmp_path / "blobs")
    digests = {files.put(PDF), files.put(PNG)}
    for name, value in (("INSURANCE_DATABASE_URL", url), ("BLOB_DIR", str(files.root)),
                        ("BLOB_STORE_URL", "database")):
        monkeypatch.setenv(name, value)

    assert backups.move_blobs() == (2, 0)
    assert backups.move_blobs() == (0, 2)
    store = DatabaseStore(engine)
    assert set(store.digests()) == digests
    assert {store.get(d) for d in digests} == {PDF, PNG}
    engine.dispose()
