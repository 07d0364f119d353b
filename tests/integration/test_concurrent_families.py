"""Twenty staff add the same person to twenty families at once, on PostgreSQL: the person
ends up in exactly one, and every other answer is a 409 naming that family."""
from tests.family_data import family, member
from tests.support import STAFF1, outcomes

SHARED = 999  # the person everyone adds


def test_a_person_added_to_many_families_at_once_joins_one(families_on_postgres):
    rpc = families_on_postgres
    made = [rpc.register_family(family(n), STAFF1) for n in range(1, 21)]

    # Each update locks only its own family, so all of them pass the check before the
    # write together; the unique key decides.
    calls = [rpc.update_family.call_async(f["id"], {"members": [member(n, "head"),
                                                                member(SHARED)]}, STAFF1)
             for n, f in zip(range(1, 21), made, strict=True)]
    [winner], refused = outcomes(calls)
    assert len(refused) == 19
    assert {exc.code for exc in refused} == {"already_in_family"}
    assert all(winner["family_no"] in exc.message for exc in refused)
    sizes = [len(f["members"]) for f in rpc.list_families({"limit": 50}, STAFF1)["items"]]
    assert sorted(sizes) == [1] * 19 + [2]


def test_a_person_registered_in_many_families_at_once_joins_one(families_on_postgres):
    rpc = families_on_postgres
    calls = [rpc.register_family.call_async(family(n, SHARED), STAFF1) for n in range(1, 21)]
    [winner], refused = outcomes(calls)
    assert len(refused) == 19
    assert all(winner["family_no"] in exc.message for exc in refused)
    assert winner["family_no"] == "F-341181-0001"  # refused ones take no number
    assert rpc.list_families({}, STAFF1)["total"] == 1
