"""An event's recipients: contact details sealed for their kind, opened back by any process
with the same data keys, refused in another kind or in clear by the event's schema."""
import pytest
from marshmallow import ValidationError

from shared.contracts.events import CATALOGUE, Recipient
from shared.crypto import KeyProblem, keyring
from shared.recipients import open_contact, recipient, seal_contact


def test_a_sealed_phone_is_not_the_phone_and_opens_back():
    sealed = seal_contact("13905501234", "phone")
    assert "13905501234" not in sealed and sealed != seal_contact("13905501234", "phone")
    assert open_contact(sealed, "phone") == "13905501234"


def test_a_contact_opens_only_as_its_own_kind():
    sealed = seal_contact("wang@example.org", "email")
    assert open_contact(sealed, "email") == "wang@example.org"
    with pytest.raises(KeyProblem):
        open_contact(sealed, "phone")
    with pytest.raises(KeyProblem):  # sealed for another column, not for an event
        open_contact(keyring().seal("13905501234", "members.phone"), "phone")


def test_unknown_contacts_stay_none_and_unknown_kinds_are_refused():
    assert seal_contact(None, "phone") is None and seal_contact("", "email") is None
    assert open_contact(None, "phone") is None
    with pytest.raises(ValueError, match="wechat"):
        seal_contact("wx-123", "wechat")


def test_a_recipient_built_here_loads_and_one_in_clear_is_refused():
    built = recipient("insured:17", "张三", phone="13905501234", language="zh")
    loaded = Recipient().load(built)
    assert loaded["email"] is None and open_contact(loaded["phone"], "phone") == "13905501234"
    with pytest.raises(ValidationError) as refused:
        Recipient().load({**built, "phone": "13905501234"})
    assert "phone" in refused.value.messages
    with pytest.raises(ValidationError) as refused:
        Recipient().load({**built, "person": "id:34118119750401001X"})
    assert "person" in refused.value.messages


# What the notifications service hears of, by event type: the newest version of each names
# its people (section 1 of the contract between the services).
HEARD = ("insurance.claim_submitted", "insurance.claim_approved", "insurance.claim_rejected",
         "insurance.claim_paid", "insurance.premium_due", "insurance.premium_paid",
         "insurance.policy_ending", "fund.donation_recorded", "volunteers.shift_signed_up",
         "volunteers.shift_promoted", "volunteers.shift_changed", "volunteers.shift_cancelled",
         "volunteers.visit_assigned", "volunteers.visit_changed", "volunteers.visit_cancelled",
         "volunteers.application_decided")


@pytest.mark.parametrize("event_type", HEARD)
def test_the_newest_version_of_each_event_heard_names_its_recipients(event_type):
    newest = CATALOGUE[event_type][max(CATALOGUE[event_type])]()
    assert newest.fields["recipients"].inner.nested is Recipient


def test_a_recipient_is_a_key_a_name_sealed_contacts_and_a_language_and_nothing_more():
    assert set(Recipient().fields) == {"person", "name", "phone", "email", "language"}
