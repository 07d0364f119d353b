"""Unit tests for the relay's confirm bookkeeping (shared.outbox.Confirms): which rows a
stream of broker acks and nacks confirms. No broker, no database."""
from shared.outbox import Confirms


def sent(count: int, first_tag: int = 1) -> Confirms:
    """`count` rows published; row ids 100, 101, … under consecutive delivery tags."""
    confirms = Confirms()
    for i in range(count):
        confirms.sent(first_tag + i, 100 + i, f"event-{100 + i}")
    return confirms


def test_single_acks_confirm_exactly_their_rows():
    confirms = sent(3)
    confirms.answered(2, multiple=False, ack=True)
    assert confirms.confirmed == [101]
    assert confirms.waiting == 2


def test_a_multiple_ack_confirms_every_tag_up_to_its_own():
    confirms = sent(5)
    confirms.answered(3, multiple=True, ack=True)
    assert confirms.confirmed == [100, 101, 102]
    confirms.answered(5, multiple=True, ack=True)
    assert confirms.confirmed == [100, 101, 102, 103, 104]
    assert confirms.waiting == 0


def test_tags_continue_across_batches_on_one_channel():
    confirms = sent(3, first_tag=1001)
    confirms.answered(1002, multiple=True, ack=True)
    assert confirms.confirmed == [100, 101]
    assert confirms.waiting == 1


def test_a_nack_leaves_its_rows_unconfirmed():
    confirms = sent(4)
    confirms.answered(1, multiple=False, ack=True)
    confirms.answered(3, multiple=True, ack=False)
    assert confirms.confirmed == [100]
    assert confirms.refused == [101, 102]
    assert confirms.waiting == 1


def test_a_returned_message_is_not_confirmed_by_the_ack_that_follows_it():
    confirms = sent(3)
    confirms.returned("event-101")
    confirms.answered(3, multiple=True, ack=True)
    assert confirms.confirmed == [100, 102]
    assert confirms.refused == [101]


def test_an_answer_repeated_or_for_an_unknown_tag_changes_nothing():
    confirms = sent(2)
    confirms.answered(1, multiple=False, ack=True)
    confirms.answered(1, multiple=False, ack=True)
    confirms.answered(9, multiple=False, ack=True)
    confirms.returned("someone-else")
    assert confirms.confirmed == [100]
    assert confirms.waiting == 1


def test_rows_never_answered_stay_out_of_both_lists():
    confirms = sent(3)
    assert (confirms.confirmed, confirms.refused, confirms.waiting) == ([], [], 3)
