"""100 volunteers sign up at once for a shift of 20: the shift row lock keeps capacity."""
from tests.volunteer_data import COORDINATOR, shift, volunteer


def test_a_hundred_concurrent_signups_confirm_twenty_and_queue_the_rest(volunteers_on_postgres):
    rpc = volunteers_on_postgres
    ids = [rpc.register(volunteer(n), COORDINATOR)["id"] for n in range(1, 101)]
    activity = rpc.create_activity({"title": "7.11 世界人口日"}, COORDINATOR)
    made = rpc.create_shift(shift(activity["id"], capacity=20), COORDINATOR)

    calls = [rpc.sign_up.call_async(made["id"], {"volunteer_id": v}, COORDINATOR) for v in ids]
    answers = [call.result()["status"] for call in calls]
    assert answers.count("confirmed") == 20 and answers.count("waitlisted") == 80

    before = rpc.get_shift(made["id"], COORDINATOR)
    waitlist = [w["volunteer_id"] for w in before["waitlisted"]]
    assert len(before["confirmed"]) == 20 and len(waitlist) == 80
    assert rpc.get_shift(made["id"], COORDINATOR)["waitlisted"] == before["waitlisted"]  # stable

    leaving = [c["volunteer_id"] for c in before["confirmed"][:5]]
    for volunteer_id in leaving:
        rpc.cancel_signup(made["id"], volunteer_id, COORDINATOR)
    after = rpc.get_shift(made["id"], COORDINATOR)
    confirmed = {c["volunteer_id"] for c in after["confirmed"]}
    assert len(confirmed) == 20
    assert set(waitlist[:5]) <= confirmed and not set(leaving) & confirmed
    assert [w["volunteer_id"] for w in after["waitlisted"]] == waitlist[5:]
