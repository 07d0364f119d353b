"""The volunteers service: entrypoints only. Each opens one transaction and calls the domain."""
from nameko.rpc import rpc
from sqlalchemy import select

from services.volunteers import people, shifts, visits
from services.volunteers.models import OUTBOX, PROCESSED_EVENTS, Shift, Volunteer
from services.volunteers.schemas import (
    ActivityIn,
    AssignIn,
    CompleteIn,
    PeriodIn,
    ShiftIn,
    VisitListIn,
    VolunteerIn,
    VolunteerRefIn,
)
from shared import rows
from shared.actors import load, load_actor
from shared.db import Database
from shared.inbox import handle_once
from shared.observability import WorkLog
from shared.outbox import OutboxRelayRunner
from shared.outbox import health as outbox_health
from shared.schemas import PageIn
from shared.subscriber import subscribe

MANAGERS = ("coordinator", "admin")


class VolunteersService:
    name = "volunteers"

    db = Database("volunteers")
    work_log = WorkLog()
    relay = OutboxRelayRunner(OUTBOX)

    @rpc
    def health(self):
        return outbox_health(self.db, OUTBOX)

    @rpc
    def register(self, payload, actor):
        actor, body = load_actor(actor), load(VolunteerIn(), payload)
        with self.db.transaction() as session:
            return people.view(session, people.register(session, actor["association_code"],
                                                        body))

    @rpc
    def get_volunteer(self, volunteer_id, actor):
        actor = load_actor(actor)
        with self.db.transaction() as session:
            return people.view(session, people.get(session, actor["association_code"],
                                                   volunteer_id))

    @rpc
    def list_volunteers(self, query, actor):
        actor, query = load_actor(actor), load(PageIn(), query)
        with self.db.transaction() as session:
            found = list(session.scalars(select(Volunteer).where(
                Volunteer.association_code == actor["association_code"]).order_by(Volunteer.id)))
            page = found[query["offset"]:query["offset"] + query["limit"]]
            return {"items": [people.view(session, v) for v in page], "total": len(found)}

    @rpc
    def hours(self, volunteer_id, query, actor):
        actor, query = load_actor(actor), load(PeriodIn(), query)
        with self.db.transaction() as session:
            volunteer = people.get(session, actor["association_code"], volunteer_id)
            minutes = people.minutes_served(session, volunteer.id, query["from_"], query["to"])
            return {"volunteer_id": volunteer.id, "minutes": minutes,
                    "hours": round(minutes / 60, 2)}

    @rpc
    def ranking(self, query, actor):
        actor, query = load_actor(actor), load(PeriodIn(), query)
        with self.db.transaction() as session:
            items = people.ranking(session, actor["association_code"], query["from_"],
                                   query["to"], query["limit"])
            return {"items": items, "total": len(items)}

    @rpc
    def create_activity(self, payload, actor):
        actor, body = load_actor(actor), load(ActivityIn(), payload)
        with self.db.transaction() as session:
            activity = shifts.create_activity(session, actor["association_code"], body, actor)
            return {"id": activity.id, "title": activity.title,
                    "description": activity.description}

    @rpc
    def create_shift(self, payload, actor):
        actor, body = load_actor(actor), load(ShiftIn(), payload)
        with self.db.transaction() as session:
            return shifts.view(session, shifts.create_shift(session, actor["association_code"],
                                                            body))

    @rpc
    def get_shift(self, shift_id, actor):
        actor = load_actor(actor)
        with self.db.transaction() as session:
            return shifts.view(session, rows.one(session, Shift, actor["association_code"],
                                                 shift_id))

    @rpc
    def list_shifts(self, query, actor):
        actor, query = load_actor(actor), load(PageIn(), query)
        with self.db.transaction() as session:
            found = list(session.scalars(select(Shift).where(
                Shift.association_code == actor["association_code"]).order_by(Shift.starts_at)))
            page = found[query["offset"]:query["offset"] + query["limit"]]
            return {"items": [shifts.view(session, s) for s in page], "total": len(found)}

    @rpc
    def sign_up(self, shift_id, payload, actor):
        actor, body = load_actor(actor), load(VolunteerRefIn(), payload)
        with self.db.transaction() as session:
            entry = shifts.signup(session, actor["association_code"], shift_id,
                                  body["volunteer_id"], actor)
            return {"shift_id": entry.shift_id, "volunteer_id": entry.volunteer_id,
                    "status": entry.status}

    @rpc
    def cancel_signup(self, shift_id, volunteer_id, actor):
        actor = load_actor(actor)
        with self.db.transaction() as session:
            promoted = shifts.cancel(session, actor["association_code"], shift_id,
                                     volunteer_id)
            return {"shift_id": shift_id, "volunteer_id": volunteer_id, "status": "cancelled",
                    "promoted_signups": promoted}

    @rpc
    def check_in(self, shift_id, payload, actor):
        return self._attendance(shifts.check_in, shift_id, payload, actor)

    @rpc
    def check_out(self, shift_id, payload, actor):
        return self._attendance(shifts.check_out, shift_id, payload, actor)

    @rpc
    def list_visits(self, query, actor):
        actor, query = load_actor(actor), load(VisitListIn(), query)
        with self.db.transaction() as session:
            found, total = visits.listing(session, actor["association_code"], query)
            notes = actor["role"] in MANAGERS
            return {"items": [visits.view(v, notes) for v in found], "total": total}

    @rpc
    def propose(self, visit_id, actor):
        actor = load_actor(actor)
        with self.db.transaction() as session:
            return {"visit_id": visit_id, "volunteer_ids": visits.proposals(
                session, actor["association_code"], visit_id)}

    @rpc
    def assign(self, visit_id, payload, actor):
        actor, body = load_actor(actor), load(AssignIn(), payload)
        with self.db.transaction() as session:
            return visits.view(visits.assign(session, actor["association_code"], visit_id,
                                             body), True)

    @rpc
    def complete(self, visit_id, payload, actor):
        actor, body = load_actor(actor), load(CompleteIn(), payload)
        with self.db.transaction() as session:
            return visits.view(visits.complete(session, actor["association_code"], visit_id,
                                               body), True)

    @subscribe("insurance", "claim_approved")
    def on_claim_approved(self, envelope):
        self._once("volunteers.on_claim_approved", envelope, visits.open_for_claim)

    @subscribe("fund", "disbursement_paid")
    def on_disbursement_paid(self, envelope):
        self._once("volunteers.on_disbursement_paid", envelope, visits.open_for_assistance)

    def _once(self, consumer, envelope, handle):
        handle_once(self.db, PROCESSED_EVENTS, consumer, envelope, handle)

    def _attendance(self, action, shift_id, payload, actor):
        actor, body = load_actor(actor), load(VolunteerRefIn(), payload)
        with self.db.transaction() as session:
            entry = action(session, actor["association_code"], shift_id, body["volunteer_id"])
            return {"shift_id": shift_id, "volunteer_id": entry.volunteer_id,
                    "checked_in_at": str(entry.checked_in_at),
                    "checked_out_at": entry.checked_out_at and str(entry.checked_out_at)}
