"""Sealing personal data: what is sealed opens only with its key and in its own field, a
value altered or a key missing is refused by name, the blind index is stable and keyed, and
the keyring is read from DATA_KEYS or made once in var/."""
import base64
import os
import stat

import pytest

from shared import crypto
from shared.crypto import KeyProblem, Keyring, sealed_key_of


def key() -> bytes:
    return os.urandom(32)


def text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.fixture
def ring():
    return Keyring({"k2": key(), "k1": key()}, key())


def test_a_value_is_sealed_afresh_each_time_and_opens_in_its_own_field(ring):
    one = ring.seal("34118119750401001X", "members.id_number")
    two = ring.seal("34118119750401001X", "members.id_number")
    assert one != two and "34118119750401001X" not in one
    assert sealed_key_of(one) == "k2"
    assert ring.open(one, "members.id_number") == "34118119750401001X"
    with pytest.raises(KeyProblem):
        ring.open(one, "volunteers.id_number")  # copied into another field: refused


def test_an_altered_value_or_a_missing_key_is_refused_by_name(ring):
    sealed = ring.seal("13905501234", "members.phone")
    prefix, key_id, body = sealed.split(":")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(KeyProblem, match="altered"):
        ring.open(f"{prefix}:{key_id}:{flipped}", "members.phone")
    other = Keyring({"k1": key()}, key())
    with pytest.raises(KeyProblem, match="'k2'"):
        other.open(sealed, "members.phone")
    with pytest.raises(KeyProblem):
        ring.open("13905501234", "members.phone")  # clear text where a sealed value belongs


def test_older_keys_still_open_what_they_sealed(ring):
    old = Keyring({"k1": ring.keys["k1"]}, ring.index_key)
    sealed = old.seal("天长市铜城镇龙岗村12号", "families.address")
    assert ring.open(sealed, "families.address") == "天长市铜城镇龙岗村12号"


def test_the_blind_index_is_stable_keyed_and_kind_bound(ring):
    same = Keyring({"k9": key()}, ring.index_key)
    assert ring.index("34118119750401001X", "id_number") == \
        same.index("34118119750401001X", "id_number")
    assert ring.index("34118119750401001X", "id_number") != \
        Keyring({"k1": key()}, key()).index("34118119750401001X", "id_number")
    assert ring.index("13905501234", "phone") != ring.index("13905501234", "id_number")


def test_keys_come_from_data_keys(monkeypatch):
    first, second, index = key(), key(), key()
    monkeypatch.setenv("DATA_KEYS", f"k2:{text(first)},k1:{text(second)}")
    monkeypatch.setenv("DATA_INDEX_KEY", text(index))
    crypto.keyring.cache_clear()
    try:
        ring = crypto.keyring()
        assert ring.current == "k2" and ring.keys == {"k2": first, "k1": second}
        assert ring.index_key == index
    finally:
        crypto.keyring.cache_clear()


@pytest.mark.parametrize("keys,index,says", [
    ("k1:" + text(b"short"), text(os.urandom(32)), "5 bytes"),
    ("k1:!!!", text(os.urandom(32)), "not base64"),
    ("k-1:" + text(os.urandom(32)), text(os.urandom(32)), "letters and digits"),
    ("k1:" + text(os.urandom(32)), "", "index key"),
])
def test_a_malformed_key_stops_everything_naming_it(monkeypatch, keys, index, says):
    monkeypatch.setenv("DATA_KEYS", keys)
    monkeypatch.setenv("DATA_INDEX_KEY", index)
    crypto.keyring.cache_clear()
    try:
        with pytest.raises(KeyProblem, match=says):
            crypto.keyring()
    finally:
        crypto.keyring.cache_clear()


def test_without_data_keys_a_keyring_is_made_once_for_the_owner_alone(monkeypatch, tmp_path):
    monkeypatch.delenv("DATA_KEYS", raising=False)
    monkeypatch.setenv("PHF_VAR_DIR", str(tmp_path))
    crypto.keyring.cache_clear()
    try:
        made = crypto.keyring()
        crypto.keyring.cache_clear()
        assert crypto.keyring() == made
        assert stat.S_IMODE((tmp_path / "data-keys").stat().st_mode) == 0o600
        (tmp_path / "data-keys").write_text("not json")
        crypto.keyring.cache_clear()
        with pytest.raises(KeyProblem, match="data-keys"):
            crypto.keyring()
    finally:
        crypto.keyring.cache_clear()
