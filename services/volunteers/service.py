"""The volunteers service: entrypoints only. Each checks who may ask, opens one transaction
and calls the use case."""
from nameko.timer import timer

from services.volunteers import (
    agenda,
    applications,
    attendance,
    grassroots,
    importing,
    people,
    service_records,
    shift_changes,
    shifts,
    visit_changes,
    visits,
)
from services.volunteers.attendance import Correction
from services.volunteers.models import AUDIT, OUTBOX, PROCESSED_EVENTS
from services.volunteers.views import (
    activity_view,
    application_view,
    approved_view,
    attendance_view,
    calendar_view,
    cancel_view,
    counts_view,
    hours_by_code_view,
    hours_view,
    proposal_view,
    rank_view,
    registered_view,
    service_record_view,
    shift_view,
    signup_view,
    visit_view,
    volunteer_name_view,
    volunteer_view,
)
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
from shared.contracts.imports import ImportBatchIn, imported_view
from shared.contracts.volunteers import (
    ActivityIn,
    ApplicationIn,
    ApplicationListIn,
    AssignIn,
    CalendarIn,
    CompleteIn,
    DeclineIn,
    HoursCorrectionIn,
    HoursRecordsIn,
    PeriodIn,
    ShiftChangeIn,
    ShiftIn,
    ShiftsIn,
    VisitChangeIn,
    VisitListIn,
    VolunteerCountIn,
    VolunteerHoursIn,
    VolunteerIn,
    VolunteerRefIn,
    VolunteerRowIn,
)
from shared.grassroots import codes_under
from shared.imports import apply
from shared.rpc import rpc
from shared.schemas import PageIn, ReasonIn
from shared.service import Service
from shared.settings import no_show_check_seconds
from shared.subscriber import subscribe


class VolunteersService(Service):
    name = "volunteers"

    outbox = OUTBOX
    inbox = PROCESSED_EVENTS
    catalogue = CATALOGUE
    audit = AUDIT

    @rpc
    def register(self, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(VolunteerIn(), payload)
        with self.db.transaction() as session:
            return registered_view(people.register(session, actor["association_code"], body,
                                                   actor))

    @rpc
    def import_volunteers(self, payload, actor):
        """A batch of a spreadsheet's rows, a volunteer each."""
        actor = load_actor(actor, COORDINATORS)
        batch = load(ImportBatchIn(), payload)
        county = actor["association_code"]
        with self.db.transaction() as session:
            return imported_view(apply(
                session, batch, VolunteerRowIn(),
                lambda session, unit: importing.write(session, county, unit, actor)))

    @rpc
    def submit_application(self, payload, actor):
        """From the public pages: anyone may apply, logged in or not."""
        actor = load_actor(actor, EVERYONE)
        body = load(ApplicationIn(), payload)
        with self.db.transaction() as session:
            return application_view(applications.submit(session, actor["association_code"],
                                                         body, actor))

    @rpc
    def list_applications(self, query, actor):
        actor = load_actor(actor, COORDINATOR_READERS)
        query = load(ApplicationListIn(), query)
        with self.db.transaction() as session:
            return applications.listing(session, actor["association_code"], query) \
                .shaped(application_view)

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
            return approved_view(applications.approve(session, actor["association_code"],
                                                      application_id, actor))

    @rpc
    def decline_application(self, application_id, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(DeclineIn(), payload)
        with self.db.transaction() as session:
            return application_view(applications.decline(
                session, actor["association_code"], application_id, body["reason"], actor))

    @rpc
    def get_volunteer(self, volunteer_id, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            return volunteer_view(people.record(session, actor["association_code"],
                                                volunteer_id))

    @rpc
    def volunteer_named(self, volunteer_id, actor):
        """A volunteer's id and name only, for another service that names who helped (the
        families service's help records); the whole record is for coordinators."""
        actor = load_actor(actor, LEADERSHIP)
        with self.db.transaction() as session:
            return volunteer_name_view(people.get(session, actor["association_code"],
                                                  volunteer_id))

    @rpc
    def list_volunteers(self, query, actor):
        actor = load_actor(actor, COORDINATOR_READERS)
        query = load(PageIn(), query)
        with self.db.transaction() as session:
            return people.listing(session, actor["association_code"], query) \
                .shaped(volunteer_view)

    @rpc
    def count_volunteers(self, query, actor):
        """Active volunteers by grassroots association (a code counts itself and every code
        under it), for the leadership's dashboard."""
        actor = load_actor(actor, LEADERSHIP)
        query = load(VolunteerCountIn(), query)
        association = actor["association_code"]
        codes = codes_under(query["codes"], association)
        with self.db.transaction() as session:
            return counts_view(grassroots.counts(session, association, codes))

    @rpc
    def volunteer_hours(self, query, actor):
        """Minutes served in a year by the volunteers of each grassroots association (a code
        counts itself and every code under it), for the yearly assessment."""
        actor = load_actor(actor, LEADERSHIP)
        query = load(VolunteerHoursIn(), query)
        association = actor["association_code"]
        codes = codes_under(query["codes"], association)
        with self.db.transaction() as session:
            return hours_by_code_view(grassroots.minutes_served(session, association, codes,
                                                                query["year"]))

    @rpc
    def hours(self, volunteer_id, query, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        query = load(PeriodIn(), query)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            return hours_view(people.hours(session, actor["association_code"], volunteer_id,
                                           query["from_"], query["to"]))

    @rpc
    def calendar(self, volunteer_id, query, actor):
        """The volunteer's shifts and visits overlapping a window, for their calendar."""
        actor = load_actor(actor, VOLUNTEER_READERS)
        query = load(CalendarIn(), query)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            return calendar_view(agenda.of(session, actor["association_code"], volunteer_id,
                                           query["from_"], query["to"]))

    @rpc
    def hours_records(self, query, actor):
        """Hours credited in a period, a record per volunteer and shift or visit, identity
        numbers in full: for the national volunteer system, so the ops export alone."""
        actor = load_actor(actor, (SYSTEM,))
        query = load(HoursRecordsIn(), query)
        with self.db.transaction() as session:
            return service_records.listing(session, actor["association_code"], query["from_"],
                                           query["to"], query, actor).shaped(service_record_view)

    @rpc
    def ranking(self, query, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        query = load(PeriodIn(), query)
        with self.db.transaction() as session:
            return people.ranking(session, actor["association_code"], query["from_"],
                                  query["to"], query["limit"]).shaped(rank_view)

    @rpc
    def create_activity(self, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(ActivityIn(), payload)
        with self.db.transaction() as session:
            return activity_view(shifts.create_activity(
                session, actor["association_code"], body, actor))

    @rpc
    def create_shift(self, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(ShiftIn(), payload)
        with self.db.transaction() as session:
            return shift_view(shifts.create_shift(session, actor["association_code"], body))

    @rpc
    def create_shifts(self, payload, actor):
        """A campaign day's shifts at several places: all made, or none."""
        actor = load_actor(actor, COORDINATORS)
        body = load(ShiftsIn(), payload)
        with self.db.transaction() as session:
            return shifts.create_shifts(session, actor["association_code"], body) \
                .shaped(shift_view)

    @rpc
    def get_shift(self, shift_id, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        with self.db.transaction() as session:
            return shift_view(shifts.roster(session, actor["association_code"], shift_id))

    @rpc
    def list_shifts(self, query, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        query = load(PageIn(), query)
        with self.db.transaction() as session:
            return shifts.listing(session, actor["association_code"], query).shaped(shift_view)

    @rpc
    def change_shift(self, shift_id, payload, actor):
        """The shift moved or its place changed; everyone booked on it hears."""
        actor = load_actor(actor, COORDINATORS)
        body = load(ShiftChangeIn(), payload)
        with self.db.transaction() as session:
            return shift_view(shift_changes.change(session, actor["association_code"],
                                                   shift_id, body, actor))

    @rpc
    def cancel_shift(self, shift_id, payload, actor):
        """The shift called off, its places with it; everyone booked on it hears."""
        actor = load_actor(actor, COORDINATORS)
        body = load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return shift_view(shift_changes.call_off(session, actor["association_code"],
                                                     shift_id, body["reason"], actor))

    @rpc
    def sign_up(self, shift_id, payload, actor):
        actor = load_actor(actor, VOLUNTEERS)
        body = load(VolunteerRefIn(), payload)
        check_as_self(actor, body["volunteer_id"])
        with self.db.transaction() as session:
            return signup_view(shifts.signup(session, actor["association_code"], shift_id,
                                             body["volunteer_id"], actor))

    @rpc
    def cancel_signup(self, shift_id, volunteer_id, actor):
        actor = load_actor(actor, VOLUNTEERS)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            return cancel_view(shifts.cancel(session, actor["association_code"], shift_id,
                                             volunteer_id, actor))

    @rpc
    def get_signup(self, shift_id, volunteer_id, actor):
        actor = load_actor(actor, VOLUNTEER_READERS)
        check_as_self(actor, volunteer_id)
        with self.db.transaction() as session:
            return signup_view(attendance.signup(session, actor["association_code"], shift_id,
                                                 volunteer_id))

    @rpc
    def list_signups(self, shift_id, actor):
        actor = load_actor(actor, COORDINATOR_READERS)
        with self.db.transaction() as session:
            return attendance.of_shift(session, actor["association_code"], shift_id) \
                .shaped(signup_view)

    @rpc
    def correct_hours(self, shift_id, volunteer_id, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(HoursCorrectionIn(), payload)
        correction = Correction(shift_id, volunteer_id, body["minutes"], body["reason"])
        with self.db.transaction() as session:
            return signup_view(attendance.correct_hours(session, actor["association_code"],
                                                        correction, actor))

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
        actor = load_actor(actor, COORDINATOR_READERS)
        query = load(VisitListIn(), query)
        with self.db.transaction() as session:
            return visits.listing(session, actor["association_code"], query).shaped(visit_view)

    @rpc
    def propose(self, visit_id, actor):
        actor = load_actor(actor, COORDINATOR_READERS)
        with self.db.transaction() as session:
            return proposal_view(visits.proposals(session, actor["association_code"],
                                                  visit_id))

    @rpc
    def assign(self, visit_id, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(AssignIn(), payload)
        with self.db.transaction() as session:
            return visit_view(visits.assign(session, actor["association_code"], visit_id, body,
                                            actor))

    @rpc
    def change_visit(self, visit_id, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(VisitChangeIn(), payload)
        with self.db.transaction() as session:
            return visit_view(visit_changes.change(session, actor["association_code"],
                                                   visit_id, body, actor))

    @rpc
    def cancel_visit(self, visit_id, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(ReasonIn(), payload)
        with self.db.transaction() as session:
            return visit_view(visit_changes.call_off(session, actor["association_code"],
                                                     visit_id, body["reason"], actor))

    @rpc
    def complete(self, visit_id, payload, actor):
        actor = load_actor(actor, COORDINATORS)
        body = load(CompleteIn(), payload)
        with self.db.transaction() as session:
            return visit_view(visits.complete(session, actor["association_code"], visit_id,
                                              body, actor))

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
        actor = load_actor(actor, VOLUNTEERS)
        body = load(VolunteerRefIn(), payload)
        check_as_self(actor, body["volunteer_id"])
        with self.db.transaction() as session:
            return attendance_view(action(session, actor["association_code"], shift_id,
                                          body["volunteer_id"]))
