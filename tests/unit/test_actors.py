"""The signed actor: what a service accepts as "who is asking" (pure: no broker)."""
import pytest

from shared.actors import (
    STAFF,
    check_as_self,
    check_own_donation,
    load_actor,
    sign,
    system_actor,
)
from shared.errors import Forbidden, InvalidInput

STAFF1 = {"username": "staff1", "role": "staff"}


def test_a_signed_actor_is_accepted_with_the_default_association():
    actor = load_actor(sign(STAFF1), STAFF)
    assert (actor["username"], actor["role"], actor["association_code"]) == \
        ("staff1", "staff", "341181")


@pytest.mark.parametrize("actor", [STAFF1, {**STAFF1, "signature": ""},
                                   {**STAFF1, "signature": "0" * 64}, None, "admin"])
def test_an_unsigned_or_made_up_actor_is_refused(actor):
    with pytest.raises(Forbidden) as refused:
        load_actor(actor)
    assert refused.value.code == "unsigned_actor"


@pytest.mark.parametrize("change", [{"role": "admin"}, {"username": "staff2"},
                                    {"association_code": "110101"}, {"donor_id": 7},
                                    {"volunteer_id": 3}])
def test_changing_any_signed_field_breaks_the_signature(change):
    with pytest.raises(Forbidden) as refused:
        load_actor({**sign(STAFF1), **change})
    assert refused.value.code == "unsigned_actor"


def test_a_signature_made_with_another_key_is_refused():
    with pytest.raises(Forbidden):
        load_actor(sign({"username": "admin", "role": "admin"}, key="guessed-key"))


def test_a_role_outside_the_group_is_refused():
    with pytest.raises(Forbidden) as refused:
        load_actor(sign({"username": "donor1", "role": "donor", "donor_id": 1}), STAFF)
    assert refused.value.code == "role_not_allowed"


def test_a_malformed_actor_is_invalid_input():
    with pytest.raises(InvalidInput):
        load_actor(sign({"username": "", "role": "staff"}))


def test_the_system_actor_is_signed_and_counts_as_staff():
    assert load_actor(system_actor("csv-import"), STAFF)["username"] == "csv-import"


def test_a_volunteer_acts_only_as_themself():
    me = {"role": "volunteer", "volunteer_id": 5}
    check_as_self(me, 5)
    check_as_self({"role": "coordinator", "volunteer_id": None}, 5)
    with pytest.raises(Forbidden) as refused:
        check_as_self(me, 6)
    assert refused.value.code == "not_yourself"


def test_a_donor_reads_only_their_own_gifts():
    check_own_donation({"role": "donor", "donor_id": 3}, 3)
    check_own_donation({"role": "staff", "donor_id": None}, 3)
    for other in (4, None):
        with pytest.raises(Forbidden):
            check_own_donation({"role": "donor", "donor_id": 3}, other)
    with pytest.raises(Forbidden):  # a donor login with no donor record sees nothing
        check_own_donation({"role": "donor", "donor_id": None}, None)
