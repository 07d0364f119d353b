"""The audit log's chain as plain functions: each entry's hash covers the one before and its
own content, so a changed, removed, reordered or forged entry is named, and so is the end
of a chain cut short."""
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.audit_chain import GENESIS, Entry, canonical, link, verify

AT = datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=UTC)


def _chain(count: int) -> list[dict]:
    rows, last = [], GENESIS
    for n in range(1, count + 1):
        row = {"id": n, "association_code": "341181", "at": AT + timedelta(minutes=n),
               "actor": "admin", "role": "admin", "action": "reveal", "subject_kind": "donor",
               "subject_id": 10 + n, "fields": ["id_number"], "reason": f"复核第 {n} 笔捐赠",
               "prev_hash": last}
        last = row["hash"] = link(last, row)
        rows.append(row)
    return rows


def _head(rows: list[dict]) -> tuple[int, str]:
    return rows[-1]["id"], rows[-1]["hash"]


def test_an_untouched_chain_holds_and_is_counted():
    rows = _chain(5)
    assert verify(rows, _head(rows)).broken is None
    assert verify(rows, _head(rows)).entries == 5
    assert verify([], (0, GENESIS)).broken is None


def test_the_moment_is_hashed_as_utc_whatever_zone_or_naivety_the_database_hands_back():
    row = _chain(1)[0]
    beijing = {**row, "at": row["at"].astimezone(timezone(timedelta(hours=8)))}
    naive = {**row, "at": row["at"].replace(tzinfo=None)}
    assert canonical(beijing) == canonical(naive) == canonical(row)


@pytest.mark.parametrize("column, value", [("reason", "another reason"), ("actor", "staff1"),
                                           ("fields", ["id_number", "phone"]),
                                           ("subject_id", 99), ("at", AT)])
def test_a_changed_entry_is_named(column, value):
    rows = _chain(5)
    rows[2][column] = value
    broken = verify(rows, _head(rows)).broken
    assert broken.entry_id == 3 and "changed" in broken.why


def test_a_rehashed_entry_breaks_the_link_of_the_one_after():
    rows = _chain(5)
    rows[2]["reason"] = "covering tracks"
    rows[2]["hash"] = link(rows[2]["prev_hash"], rows[2])
    assert verify(rows, _head(rows)).broken.entry_id == 4


def test_a_removed_entry_is_named_by_the_one_after_the_gap():
    rows = _chain(5)
    del rows[1]
    broken = verify(rows, _head(rows)).broken
    assert broken.entry_id == 3 and "missing" in broken.why


def test_entries_cut_off_the_end_are_caught_by_the_head():
    rows = _chain(5)
    assert verify(rows[:3], _head(rows)).broken.entry_id == 4
    assert verify(rows[:3]).broken is None  # without the head, a shorter chain is whole


def test_an_entry_written_past_the_head_is_named():
    rows = _chain(5)
    assert verify(rows, _head(rows[:4])).broken.entry_id == 5


def test_an_entry_of_another_chain_does_not_follow():
    rows = _chain(5)
    forged = _chain(3)
    forged[2]["prev_hash"] = "f" * 64
    forged[2]["hash"] = link(forged[2]["prev_hash"], forged[2])
    rows[2] = forged[2]
    broken = verify(rows, _head(rows)).broken
    assert broken.entry_id == 3 and "follow" in broken.why


def test_an_entry_names_a_known_action_and_kind_of_record():
    assert Entry("change", "family", 3, ("address",)).fields == ("address",)
    with pytest.raises(ValueError):
        Entry("delete", "family", 3)
    with pytest.raises(ValueError):
        Entry("reveal", "user", 3)
