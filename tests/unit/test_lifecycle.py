"""The one way state changes: a transition table and `move` (pure)."""
from datetime import UTC, datetime

import pytest

from shared.errors import Conflict, Forbidden
from shared.lifecycle import Barred, Lifecycle

DOOR = Lifecycle.of("door", {"closed": {"open"}, "open": {"closed", "locked"},
                             "locked": set()})


class Door:
    def __init__(self, status=None):
        self.status = status
        self.changes = []

    def record_change(self, **change):
        self.changes.append(change)


def test_a_table_naming_a_state_it_does_not_define_is_refused():
    with pytest.raises(ValueError):
        Lifecycle.of("door", {"closed": {"ajar"}})


def test_start_records_the_first_state():
    door = Door()
    DOOR.start(door, "closed", "builder", "installed")
    assert door.status == "closed"
    assert door.changes[0]["from_status"] is None and door.changes[0]["to_status"] == "closed"


def test_move_sets_the_state_and_keeps_who_when_why():
    door = Door("closed")
    before = datetime.now(UTC)
    DOOR.move(door, "open", "porter", "visitors")
    assert door.status == "open"
    change = door.changes[0]
    assert before <= change.pop("at") <= datetime.now(UTC)
    assert door.changes == [{"actor": "porter", "from_status": "closed",
                             "to_status": "open", "reason": "visitors"}]


@pytest.mark.parametrize(("current", "target"), [("closed", "locked"), ("locked", "open"),
                                                 ("open", "open"), ("gone", "open")])
def test_an_illegal_step_is_a_conflict_and_changes_nothing(current, target):
    door = Door(current)
    with pytest.raises(Conflict) as refused:
        DOOR.move(door, target, "porter")
    assert refused.value.code == "illegal_transition"
    assert door.status == current and door.changes == []


def test_four_eyes_refuses_the_requester_and_lets_another_through():
    door = Door("open")
    with pytest.raises(Forbidden) as refused:
        DOOR.move(door, "locked", "alice", four_eyes="alice")
    assert refused.value.code == "four_eyes" and door.status == "open"
    DOOR.move(door, "locked", "bob", four_eyes="alice")
    assert door.status == "locked"


def test_a_note_goes_in_the_history_and_changes_no_state():
    door = Door("closed")
    DOOR.note(door, "porter", "tried the handle")
    assert door.status == "closed"
    assert (door.changes[0]["from_status"], door.changes[0]["to_status"],
            door.changes[0]["reason"]) == ("closed", "closed", "tried the handle")


def test_four_eyes_may_bar_several_people():
    door = Door("open")
    for barred in ("alice", "bob"):
        with pytest.raises(Forbidden) as refused:
            DOOR.move(door, "locked", barred, four_eyes=("alice", "bob"))
        assert refused.value.code == "four_eyes"
    assert door.status == "open" and door.changes == []
    DOOR.move(door, "locked", "carol", four_eyes=("alice", "bob"))
    assert door.status == "locked"


def test_a_name_is_one_person_not_its_letters():
    door = Door("open")
    DOOR.move(door, "locked", "a", four_eyes="alice")
    assert door.status == "locked"


def test_someone_barred_hears_the_refusal_meant_for_them():
    door = Door("open")
    barred = (Barred("alice", "Who hung the door may not lock it.", "hung_it"), "bob")
    with pytest.raises(Forbidden) as refused:
        DOOR.move(door, "locked", "alice", four_eyes=barred)
    assert (refused.value.code, refused.value.message) == \
        ("hung_it", "Who hung the door may not lock it.")
    with pytest.raises(Forbidden) as refused:
        DOOR.move(door, "locked", "bob", four_eyes=barred)
    assert refused.value.code == "four_eyes"
    assert door.status == "open"
