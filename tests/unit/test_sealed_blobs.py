"""Claim documents sealed in the blob store: kept under their digest but never in clear,
read back whole; a file moved to another digest, a key the keyring lacks or keys that do not
parse are refused by name and nothing is written in clear; `reseal()` seals what an older
version kept in clear and brings every blob under a new first key."""
import pytest

from shared.blobs import DirectoryStore, digest_of
from shared.crypto import KeyProblem, keyring, sealed_bytes_key_of

PDF = b"%PDF-1.4\n% discharge summary of a sealed test\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n a scanned invoice"


@pytest.fixture
def store(tmp_path, data_keys):
    data_keys("k1")
    return DirectoryStore(tmp_path / "blobs")


def kept(store: DirectoryStore, digest: str) -> bytes:
    return (store.root / digest[:2] / digest).read_bytes()


def test_a_document_is_kept_sealed_under_its_digest_and_read_back(store):
    digest = store.put(PDF)
    assert digest == digest_of(PDF) and store.put(PDF) == digest
    assert [path.name for path in store.files()] == [digest]
    assert sealed_bytes_key_of(kept(store, digest)) == "k1"
    assert b"discharge" not in kept(store, digest)
    assert store.get(digest) == PDF


def test_a_blob_under_another_digest_or_a_lacking_key_is_refused_by_name(store, data_keys):
    pdf, png = store.put(PDF), store.put(PNG)
    (store.root / png[:2] / png).write_bytes(kept(store, pdf))  # swapped in
    with pytest.raises(KeyProblem, match=f"blobs/{png}: key 'k1' does not open it"):
        store.get(png)
    data_keys("k2")
    with pytest.raises(KeyProblem, match=f"blobs/{pdf}: sealed with key 'k1', which"):
        store.get(pdf)


def test_keys_that_do_not_parse_write_nothing(store, monkeypatch):
    monkeypatch.setenv("DATA_KEYS", "k1:c2hvcnQ=")
    keyring.cache_clear()
    with pytest.raises(KeyProblem, match="key 'k1' is 5 bytes"):
        store.put(PDF)
    assert not store.root.exists()


def test_reseal_seals_what_was_in_clear_and_moves_all_under_the_first_key(store, data_keys):
    sealed = store.put(PDF)
    clear = digest_of(PNG)  # as a version before sealing kept it
    (store.root / clear[:2]).mkdir(parents=True)
    (store.root / clear[:2] / clear).write_bytes(PNG)
    with pytest.raises(KeyProblem, match=f"blobs/{clear}: kept in clear.*rotate-keys"):
        store.get(clear)

    data_keys("k2", "k1")
    resealed = []
    assert store.reseal(resealed.append) == 2 and sorted(resealed) == sorted([sealed, clear])
    assert store.reseal() == 0
    data_keys("k2")  # the old key retired
    assert {sealed_bytes_key_of(kept(store, d)) for d in (sealed, clear)} == {"k2"}
    assert (store.get(sealed), store.get(clear)) == (PDF, PNG)
    assert not [p for p in store.root.rglob("*") if p.name.startswith(".incoming")]
