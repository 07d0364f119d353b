"""The families service: entrypoints only. Each checks who may ask, opens one transaction
and calls the use case."""
from fractions import Fraction

from nameko.timer import timer

from services.families import (
    assessment,
    associations,
    care_plans,
    contacts,
    dashboard,
    enrolment,
    help_records,
    importing,
    member_days,
    member_imports,
    members,
    register,
    search,
    timeline,
)
from services.families.grading import assess
from services.families.models import AUDIT, OUTBOX, PROCESSED_EVENTS
from services.families.views import (
    assessment_view,
    association_member_view,
    association_view,
    care_plan_view,
    contact_view,
    criteria_view,
    family_view,
    figures_view,
    help_view,
    insured_families_view,
    member_day_view,
    overdue_contact_view,
    overdue_follow_up_view,
    paired_view,
    ranking_view,
    rebuilt_view,
    score_view,
    timeline_entry_view,
)
from shared import regions
from shared.actors import (
    ADMIN,
    FAMILY_READERS,
    HELP_RECORDERS,
    LEADERSHIP,
    MEMBER_DAY_HOLDERS,
    MEMBER_KEEPERS,
    STAFF,
    load,
    load_actor,
)
from shared.clock import local_date, now_utc
from shared.contracts.assessment import CriteriaIn, ScoreIn, YearIn
from shared.contracts.associations import (
    AssociationIn,
    ContactIn,
    MemberDayIn,
    MemberIn,
    MemberListIn,
    MemberRowIn,
    PairingIn,
    RankingIn,
)
from shared.contracts.events import CATALOGUE
from shared.contracts.families import (
    CarePlanIn,
    FamilyIn,
    FamilyListIn,
    FamilyRowIn,
    FamilyUpdateIn,
    VillageIn,
)
from shared.contracts.help import HelpIn
from shared.contracts.imports import ImportBatchIn, imported_view
from shared.imports import apply
from shared.rpc import RpcProxy, rpc
from shared.schemas import PageIn
from shared.service import Service
from shared.settings import contact_due_days
from shared.subscriber import subscribe

CARE_PLAN_CHECK_SECONDS = 300
FAMILY_ROW = FamilyRowIn()
MEMBER_ROW = MemberRowIn()
BATCH = ImportBatchIn()


class FamiliesService(Service):
    name = "families"

    outbox = OUTBOX
    inbox = PROCESSED_EVENTS
    catalogue = CATALOGUE
    audit = AUDIT
    # The dashboards' money and volunteers are theirs.
    fund = RpcProxy("fund")
    volunteers = RpcProxy("volunteers")

    @rpc
    def register_family(self, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(FamilyIn(), payload)
        with self.db.transaction() as session:
            return family_view(register.register(session, actor["association_code"], body,
                                                 actor))

    @rpc
    def update_family(self, family_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(FamilyUpdateIn(), payload)
        with self.db.transaction() as session:
            return family_view(register.update(session, actor["association_code"], family_id,
                                               body, actor))

    @rpc
    def import_families(self, payload, actor):
        """A batch of a spreadsheet's rows, a person each, grouped by household."""
        actor = load_actor(actor, STAFF)
        batch = load(BATCH, payload)
        county = actor["association_code"]
        households = importing.Households(county, actor)
        with self.db.transaction() as session:
            return imported_view(apply(session, batch, FAMILY_ROW, households.write,
                                       importing.household, households.prepare))

    @rpc
    def get_family(self, family_id, actor):
        actor = load_actor(actor, FAMILY_READERS)
        with self.db.transaction() as session:
            return family_view(search.get(session, actor["association_code"], family_id))

    @rpc
    def list_families(self, query, actor):
        actor = load_actor(actor, FAMILY_READERS)
        query = load(FamilyListIn(), query)
        with self.db.transaction() as session:
            return search.listing(session, actor["association_code"], query) \
                .shaped(family_view)

    @rpc
    def insured_of_village(self, village_code, actor):
        """For the insurance service's bulk enrolment: the village's families with their
        members' whole identity numbers (staff and the system only; never over HTTP)."""
        actor = load_actor(actor, STAFF)
        village_code = load(VillageIn(), {"village_code": village_code})["village_code"]
        with self.db.transaction() as session:
            return insured_families_view(enrolment.insured_of_village(
                session, actor["association_code"], village_code, actor))

    @rpc
    def set_care_plan(self, family_id, payload, actor):
        actor = load_actor(actor, STAFF)
        body = load(CarePlanIn(), payload)
        with self.db.transaction() as session:
            return care_plan_view(care_plans.plan(session, actor["association_code"],
                                                  family_id, body, actor))

    @timer(interval=CARE_PLAN_CHECK_SECONDS)
    def send_visits_due(self):
        with self.db.transaction() as session:
            care_plans.send_due(session)

    # --- grassroots associations, members, member days --------------------------------
    @rpc
    def create_association(self, payload, actor):
        actor = load_actor(actor, ADMIN)
        body = load(AssociationIn(), payload)
        with self.db.transaction() as session:
            return association_view(associations.create(session, actor["association_code"],
                                                        body, actor))

    @rpc
    def list_associations(self, actor):
        actor = load_actor(actor, LEADERSHIP)
        with self.db.transaction() as session:
            return associations.listing(session, actor["association_code"]) \
                .shaped(association_view)

    @rpc
    def get_association(self, code, actor):
        """One association: the caller's or one under it (404 otherwise)."""
        actor = load_actor(actor, LEADERSHIP + ADMIN)
        with self.db.transaction() as session:
            return association_view(associations.find(session, actor["association_code"],
                                                      code))

    @rpc
    def add_member(self, payload, actor):
        actor = load_actor(actor, MEMBER_KEEPERS)
        body = load(MemberIn(), payload)
        with self.db.transaction() as session:
            return association_member_view(members.join(session, actor["association_code"],
                                                        body, actor))

    @rpc
    def import_members(self, payload, actor):
        """A batch of a spreadsheet's rows, a member each."""
        actor = load_actor(actor, MEMBER_KEEPERS)
        batch = load(BATCH, payload)
        county = actor["association_code"]
        with self.db.transaction() as session:
            return imported_view(apply(
                session, batch, MEMBER_ROW,
                lambda session, unit: member_imports.write(session, county, unit, actor)))

    @rpc
    def get_member(self, member_id, actor):
        actor = load_actor(actor, LEADERSHIP)
        with self.db.transaction() as session:
            return association_member_view(members.get(session, actor["association_code"],
                                                       member_id))

    @rpc
    def list_members(self, query, actor):
        actor = load_actor(actor, LEADERSHIP)
        query = load(MemberListIn(), query)
        with self.db.transaction() as session:
            return members.listing(session, actor["association_code"], query) \
                .shaped(association_member_view)

    @rpc
    def pair_family(self, member_id, payload, actor):
        """Whether the pairing is new, and the member with its families."""
        actor = load_actor(actor, MEMBER_KEEPERS)
        body = load(PairingIn(), payload)
        with self.db.transaction() as session:
            return paired_view(members.pair(session, actor["association_code"], member_id,
                                            body["family_id"], actor))

    @rpc
    def record_contact(self, member_id, payload, actor):
        """A member's contact with a family paired with them, on the member's word."""
        actor = load_actor(actor, MEMBER_KEEPERS)
        body = load(ContactIn(), payload)
        with self.db.transaction() as session:
            contact = contacts.record(session, actor["association_code"], member_id, body,
                                      actor, local_date(now_utc()))
            return contact_view(contact, contacts.family_numbers(session, [contact])
                                [contact.family_id])

    @rpc
    def list_contacts(self, member_id, page, actor):
        actor = load_actor(actor, LEADERSHIP)
        page = load(PageIn(), page or {})
        with self.db.transaction() as session:
            found = contacts.listing(session, actor["association_code"], member_id, page)
            numbers = contacts.family_numbers(session, found.items)
            return found.shaped(lambda c: contact_view(c, numbers[c.family_id]))

    @rpc
    def overdue_contacts(self, code, page, actor):
        actor = load_actor(actor, LEADERSHIP)
        page = load(PageIn(), page or {})
        with self.db.transaction() as session:
            return contacts.overdue(session, actor["association_code"], code, page,
                                    local_date(now_utc()), contact_due_days()) \
                .shaped(overdue_contact_view)

    @rpc
    def hold_member_day(self, code, payload, actor):
        actor = load_actor(actor, MEMBER_DAY_HOLDERS)
        body = load(MemberDayIn(), payload)
        with self.db.transaction() as session:
            return member_day_view(member_days.hold(session, actor["association_code"], code,
                                                    body, actor))

    @rpc
    def list_member_days(self, code, page, actor):
        actor = load_actor(actor, LEADERSHIP)
        page = load(PageIn(), page or {})
        with self.db.transaction() as session:
            return member_days.listing(session, actor["association_code"], code, page) \
                .shaped(member_day_view)

    @rpc
    def dashboard(self, code, actor):
        signed = actor  # as it came: the fund and the volunteers check it again
        actor = load_actor(signed, LEADERSHIP)
        with self.db.transaction() as session:
            associations.find(session, actor["association_code"], code)
            counties = associations.children(session, actor["association_code"], code) \
                if regions.above_counties(code) else None
        if counties is None:
            return figures_view(self._figures(signed, actor, [code])[code])
        # A province's or city's figures are those of the counties set up under it.
        return figures_view(dashboard.summed(
            self._figures(signed, actor, [c.code for c in counties]).values()))

    @rpc
    def ranking(self, code, query, actor):
        """The associations directly under `code`, ranked by one of the figures."""
        signed = actor  # as it came: the fund and the volunteers check it again
        actor = load_actor(signed, LEADERSHIP)
        by = load(RankingIn(), query or {})["by"]
        with self.db.transaction() as session:
            associations.find(session, actor["association_code"], code)
            under = associations.children(session, actor["association_code"], code)
        figures = self._figures(signed, actor, [a.code for a in under])
        return ranking_view(dashboard.ranking(code, by, under, figures))

    def _figures(self, signed, actor, codes: list[str]) -> dict:
        if not codes:
            return {}
        year = local_date(now_utc()).year
        with self.db.transaction() as session:
            own = dashboard.own_figures(session, actor["association_code"], codes, year)
        money = self.fund.grassroots_totals({"codes": codes, "year": year}, signed)
        people = self.volunteers.count_volunteers({"codes": codes}, signed)
        return dashboard.combined(own, money["items"], people["items"])

    # --- help given to families (精准帮扶) ----------------------------------------------
    @rpc
    def record_help(self, family_id, payload, actor):
        signed = actor  # as it came: the volunteers service checks it again
        actor = load_actor(signed, HELP_RECORDERS)
        body = help_records.checked(load(HelpIn(), payload), local_date(now_utc()))
        volunteer = help_records.volunteer_named(
            lambda volunteer_id: self.volunteers.volunteer_named(volunteer_id, signed),
            body["by_volunteer_id"])
        with self.db.transaction() as session:
            return help_view(help_records.record(session, actor["association_code"],
                                                 family_id, body, volunteer, actor))

    @rpc
    def list_help(self, family_id, page, actor):
        actor = load_actor(actor, FAMILY_READERS)
        page = load(PageIn(), page or {})
        with self.db.transaction() as session:
            return help_records.listing(session, actor["association_code"], family_id, page) \
                .shaped(help_view)

    @rpc
    def overdue_follow_ups(self, code, page, actor):
        actor = load_actor(actor, LEADERSHIP)
        page = load(PageIn(), page or {})
        today = local_date(now_utc())
        with self.db.transaction() as session:
            return help_records.overdue(session, actor["association_code"], code, page,
                                        today) \
                .shaped(lambda found: overdue_follow_up_view(found, today))

    # --- the yearly assessment of grassroots associations (先进基层协会) ------------------
    @rpc
    def set_assessment_criteria(self, code, payload, actor):
        actor = load_actor(actor, ADMIN)
        body = load(CriteriaIn(), payload)
        with self.db.transaction() as session:
            return criteria_view(assessment.set_criteria(session, actor["association_code"],
                                                         code, body, actor))

    @rpc
    def set_assessment_score(self, code, year, payload, actor):
        actor = load_actor(actor, ADMIN)
        year = load(YearIn(), {"year": year})["year"]
        body = load(ScoreIn(), payload)
        with self.db.transaction() as session:
            return score_view(assessment.set_score(session, actor["association_code"], code,
                                                   year, body, actor))

    @rpc
    def assessment(self, code, year, actor):
        """The associations directly under `code` assessed on the county's criteria for the
        year: each item's value and score, the total, rank and grade, and the shares."""
        signed = actor  # as it came: the fund and the volunteers check it again
        actor = load_actor(signed, LEADERSHIP)
        year = load(YearIn(), {"year": year})["year"]
        county = actor["association_code"]
        with self.db.transaction() as session:
            setting = assessment.setting(session, county, code, year)
            codes = [a.code for a in setting.assessed]
            values = assessment.own_values(session, county, codes, year)
        values.update(self._assessment_values(signed, setting, codes))
        return assessment_view(setting, assess(
            setting.criteria, [(a.code, a.name) for a in setting.assessed], values,
            setting.manual))

    def _assessment_values(self, signed, setting, codes: list[str]) -> dict:
        """The volunteers' hours and the money, from their services, when the criteria use
        them."""
        found: dict = {}
        if codes and setting.uses(assessment.VOLUNTEER_HOURS):
            served = self.volunteers.volunteer_hours({"codes": codes, "year": setting.year},
                                                     signed)
            found[assessment.VOLUNTEER_HOURS] = {
                s["code"]: Fraction(s["minutes"], 60) for s in served["items"]}
        if codes and setting.uses(assessment.MONEY_RAISED):
            money = self.fund.grassroots_totals({"codes": codes, "year": setting.year}, signed)
            found[assessment.MONEY_RAISED] = {m["code"]: m["donations_fen"]
                                              for m in money["items"]}
        return found

    # --- the timeline (一户一档) --------------------------------------------------------
    @rpc
    def timeline(self, family_id, page, actor):
        actor = load_actor(actor, FAMILY_READERS)
        page = load(PageIn(), page or {})
        with self.db.transaction() as session:
            return timeline.page(session, actor["association_code"], family_id, page) \
                .shaped(timeline_entry_view)

    @rpc
    def rebuild_timeline(self, family_id, actor):
        """The family's timeline recomputed from the events it was built from."""
        actor = load_actor(actor, STAFF)
        with self.db.transaction() as session:
            return rebuilt_view(timeline.rebuild_timeline(session, actor["association_code"],
                                                          family_id))

    def _on_timeline_event(self, envelope):
        self.once(f"families.timeline.{envelope['event_type']}", envelope, timeline.record)

    @subscribe("insurance", "policy_enrolled")
    def on_policy_enrolled(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("insurance", "claim_submitted")
    def on_claim_submitted(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("insurance", "claim_approved")
    def on_claim_approved(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("insurance", "claim_paid")
    def on_claim_paid(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("fund", "disbursement_requested")
    def on_disbursement_requested(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("fund", "disbursement_paid")
    def on_disbursement_paid(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("volunteers", "visit_requested")
    def on_visit_requested(self, envelope):
        self._on_timeline_event(envelope)

    @subscribe("volunteers", "visit_completed")
    def on_visit_completed(self, envelope):
        self._on_timeline_event(envelope)
