"""The same person applies ten times at once and two coordinators approve at once: one
pending application, one volunteer."""
from datetime import date

from shared.actors import public_actor, sign
from shared.errors import Conflict
from shared.identity import make_resident_id
from tests.volunteer_data import COORDINATOR

COORDINATOR2 = sign({"username": "coordinator2", "role": "coordinator"})


def test_one_application_and_one_volunteer_whoever_races(volunteers_on_postgres):
    rpc = volunteers_on_postgres
    body = {"name": "郑秀兰", "id_number": make_resident_id("341181", date(1972, 4, 4), 77),
            "phone": "13700000077", "skills": ["general"]}
    calls = [rpc.submit_application.call_async(body, public_actor()) for _ in range(10)]
    made = []
    refused = []
    for call in calls:
        try:
            made.append(call.result())
        except Conflict as conflict:
            refused.append(conflict.code)
    assert len(made) == 1 and refused == ["already_applied"] * 9

    approvals = [rpc.approve_application.call_async(made[0]["id"], actor)
                 for actor in (COORDINATOR, COORDINATOR2) * 3]
    volunteers = {call.result()["application"]["volunteer_id"] for call in approvals}
    assert len(volunteers) == 1
    assert rpc.list_volunteers({}, COORDINATOR)["total"] == 1
