"""The volunteers service: entrypoints only. Each checks who may ask, opens one transaction
and calls the use case."""
from nameko.timer import timer

from services.volunteers import (
    agenda,
    applications,
    attendance,
    grassroots,
    people,
    service_records,
    shifts,
    visits,
)
from services.volunteers.models import OUTBOX, PROCESSED_EVENTS, Shift
from services.volunteers.views import (
    activity_view,
    application_view,
    attendance_view,
    volunteer_view,
)
from shared import rows
from shared.actors import (
    COORDINATOR_READERS,
    COORDINATORS,
    EVERYONE,
    LEADERSHIP,
    SYSTEM,
    VOLUNTEER_READERS,
    VOLUNTEERS,
    check_as_self,
    load,
    load_actor,
)
from shared.contracts.events import CATALOGUE
from shared.contracts.volunteers import (
    ActivityIn,
    ApplicationIn,
    ApplicationListIn,
    ApprovedOut,
    AssignIn,
    CalendarIn,
    CompleteIn,
    DeclineIn,
    HoursCorrectionIn,
    HoursOut,
    HoursRecordsIn,
    PeriodIn,
    ShiftIn,
    ShiftsIn,
    VisitListIn,
    VolunteerCountIn,
    VolunteerIn,
    VolunteerRefIn,
)
from shared.grassroots import codes_under
from shared.rpc import rpc
from shared.schemas import PageIn, shaped
from shared.service import Service
from shared.settings import no_show_check_seconds
from shared.subscriber import subscribe


class VolunteersService(Service):
    name = "volunteers"

    outbox, inbox = OUTBOX, PROCESSED_EVENTS
    catalogue = CATALOGUE

    @rpc
    def register(self, payload, actor):
        actor, body = load_actor(actor, COORDINATORS), load(VolunteerIn(), payload)
        with self.db.transaction() as session:
            return volunteer_view(people.register(session, actor["association_code"], body), 0)

    @rpc
    def submit_application(self, payload, actor):
        """From the public pages: anyone may apply, logged in or not."""
        actor, body = load_actor(actor, EVERYONE), load(ApplicationIn(), payload)
        with self.db.transaction() as session:
            return application_view(applications.submit(session, actor["association_code"],
                                                         body, actor))

    @rpc
    def list_applications(self, query, actor):
        actor, query = load_actor(actor, COORDINATOR_READERS), load(ApplicationListIn(), query)
        with self.db.transaction() as session:
            return applications.listing(session, actor["association_code"], query)

    @rpc
    def get_application(self, application_id, actor):
        actor = load_actor(actor, COORDINATOR_READERS)
        with self.db.transaction() as session:
            return application_view(applications.get(session, actor["association_code"],
                                                      application_id))

    @rpc
    def approve_application(self, application_id, actor):
        actor = load_actor(actor, COORDINATORS)
        with self.db.transaction() as session:
            approved = applications.approve(session, actor["association_code"],
                                            application_id, actor)
            return shaped(ApprovedOut(), {"application": application_view(approved),
                                          "phone": approved.phone})

    @rpc
    def decline_application(self, application_id, payload, actor):
        actor, body = load_actor(actor, COORDINATORS), load(DeclineIn(), payload)
        with self.db.transaction() as session:
            return application_view(applications.decline(
                session, actor["association_code"], application_id, body["reason"], actor))

    @rpc
    def get_volunteer(self, volunteer_id, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            return people.view_one(session, people.get(session, actor["association_code"],
                                                       volunteer_id))

    @rpc
    def list_volunteers(self, query, actor):
        actor, query = load_actor(actor, COORDINATOR_READERS), load(PageIn(), query)
        with self.db.transaction() as session:
            return people.listing(session, actor["association_code"], query)

    @rpc
    def count_volunteers(self, query, actor):
        """Active volunteers by grassroots association (a code counts itself and every code
        under it), for the leadership's dashboard."""
        actor, query = load_actor(actor, LEADERSHIP), load(VolunteerCountIn(), query)
        with self.db.transaction() as session:
            association = actor["association_code"]
            return grassroots.counts(session, association,
                                     codes_under(query["codes"], association))

    @rpc
    def hours(self, volunteer_id, query, actor):
        actor, query = load_actor(actor, VOLUNTEER_READERS), load(PeriodIn(), query)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            volunteer = people.get(session, actor["association_code"], volunteer_id)
            minutes = people.minutes_served(session, volunteer.id, query["from_"], query["to"])
            return shaped(HoursOut(), {"volunteer_id": volunteer.id, "minutes": minutes,
                                       "hours": round(minutes / 60, 2)})

    @rpc
    def calendar(self, volunteer_id, query, actor):
        """The volunteer's shifts and visits overlapping a window, for their calendar."""
        actor, query = load_actor(actor, VOLUNTEER_READERS), load(CalendarIn(), query)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            volunteer = people.get(session, actor["association_code"], volunteer_id)
            return agenda.of(session, volunteer, query["from_"], query["to"])

    @rpc
    def hours_records(self, query, actor):
        """Hours credited in a period, a record per volunteer and shift or visit, identity
        numbers in full: for the national volunteer system, so the ops export alone."""
        actor, query = load_actor(actor, (SYSTEM,)), load(HoursRecordsIn(), query)
        with self.db.transaction() as session:
            return service_records.listing(session, actor["association_code"], query["from_"],
                                           query["to"], query)

    @rpc
    def ranking(self, query, actor):
        actor, query = load_actor(actor, VOLUNTEER_READERS), load(PeriodIn(), query)
        with self.db.transaction() as session:
            items = people.ranking(session, actor["association_code"], query["from_"],
                                   query["to"], query["limit"])
            return {"items": items, "total": len(items)}

    @rpc
    def create_activity(self, payload, actor):
        actor, body = load_actor(actor, COORDINATORS), load(ActivityIn(), payload)
        with self.db.transaction() as session:
            return activity_view(shifts.create_activity(
                session, actor["association_code"], body, actor))

    @rpc
    def create_shift(self, payload, actor):
        actor, body = load_actor(actor, COORDINATORS), load(ShiftIn(), payload)
        with self.db.transaction() as session:
            return shifts.view(session, shifts.create_shift(session, actor["association_code"],
                                                            body))

    @rpc
    def create_shifts(self, payload, actor):
        """A campaign day's shifts at several places: all made, or none."""
        actor, body = load_actor(actor, COORDINATORS), load(ShiftsIn(), payload)
        with self.db.transaction() as session:
            made = shifts.create_shifts(session, actor["association_code"], body)
            return {"items": shifts.views(session, made), "total": len(made)}

    @rpc
    def get_shift(self, shift_id, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        with self.db.transaction() as session:
            return shifts.view(session, rows.one(session, Shift, actor["association_code"],
                                                 shift_id))

    @rpc
    def list_shifts(self, query, actor):
        actor, query = load_actor(actor, VOLUNTEER_READERS), load(PageIn(), query)
        with self.db.transaction() as session:
            return shifts.listing(session, actor["association_code"], query)

    @rpc
    def sign_up(self, shift_id, payload, actor):
        actor, body = load_actor(actor, VOLUNTEERS), load(VolunteerRefIn(), payload)
        check_as_self(actor, body["volunteer_id"])
        with self.db.transaction() as session:
            return attendance.view(session, shifts.signup(session, actor["association_code"],
                                                          shift_id, body["volunteer_id"], actor))

    @rpc
    def cancel_signup(self, shift_id, volunteer_id, actor):
        actor = load_actor(actor, VOLUNTEERS)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            return shifts.cancel(session, actor["association_code"], shift_id, volunteer_id,
                                 actor)

    @rpc
    def get_signup(self, shift_id, volunteer_id, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            return attendance.signup(session, actor["association_code"], shift_id,
                                     volunteer_id)

    @rpc
    def list_signups(self, shift_id, actor):
        actor = load_actor(actor, COORDINATOR_READERS)
        with self.db.transaction() as session:
            return attendance.of_shift(session, actor["association_code"], shift_id)

    @rpc
    def correct_hours(self, shift_id, volunteer_id, payload, actor):
        actor, body = load_actor(actor, COORDINATORS), load(HoursCorrectionIn(), payload)
        with self.db.transaction() as session:
            return attendance.correct_hours(session, actor["association_code"], shift_id,
                                            volunteer_id, body, actor)

    @timer(interval=no_show_check_seconds())
    def mark_no_shows(self):
        with self.db.transaction() as session:
            attendance.mark_no_shows(session)

    @rpc
    def check_in(self, shift_id, payload, actor):
        return self._attendance(shifts.check_in, shift_id, payload, actor)

    @rpc
    def check_out(self, shift_id, payload, actor):
        return self._attendance(shifts.check_out, shift_id, payload, actor)

    @rpc
    def list_visits(self, query, actor):
        actor, query = load_actor(actor, COORDINATOR_READERS), load(VisitListIn(), query)
        with self.db.transaction() as session:
            found, total = visits.listing(session, actor["association_code"], query)
            return {"items": visits.views(session, found), "total": total}

    @rpc
    def propose(self, visit_id, actor):
        actor = load_actor(actor, COORDINATOR_READERS)
        with self.db.transaction() as session:
            return visits.proposals(session, actor["association_code"], visit_id)

    @rpc
    def assign(self, visit_id, payload, actor):
        actor, body = load_actor(actor, COORDINATORS), load(AssignIn(), payload)
        with self.db.transaction() as session:
            return visits.view(session, visits.assign(session, actor["association_code"],
                                                      visit_id, body, actor))

    @rpc
    def complete(self, visit_id, payload, actor):
        actor, body = load_actor(actor, COORDINATORS), load(CompleteIn(), payload)
        with self.db.transaction() as session:
            return visits.view(session, visits.complete(session, actor["association_code"],
                                                        visit_id, body, actor))

    @subscribe("insurance", "claim_approved")
    def on_claim_approved(self, envelope):
        self.once("volunteers.on_claim_approved", envelope, visits.open_for_claim)

    @subscribe("fund", "disbursement_paid")
    def on_disbursement_paid(self, envelope):
        self.once("volunteers.on_disbursement_paid", envelope, visits.open_for_assistance)

    @subscribe("families", "family_registered")
    def on_family_registered(self, envelope):
        self.once("volunteers.on_family_registered", envelope, visits.remember_family)

    @subscribe("families", "family_updated")
    def on_family_updated(self, envelope):
        self.once("volunteers.on_family_updated", envelope, visits.remember_family)

    @subscribe("families", "visit_due")
    def on_visit_due(self, envelope):
        self.once("volunteers.on_visit_due", envelope, visits.open_for_care_plan)


    def _attendance(self, action, shift_id, payload, actor):
        actor, body = load_actor(actor, VOLUNTEERS), load(VolunteerRefIn(), payload)
        check_as_self(actor, body["volunteer_id"])
        with self.db.transaction() as session:
            return attendance_view(action(session, actor["association_code"], shift_id,
                                                 body["volunteer_id"]))
