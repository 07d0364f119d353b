"""The families API: the register of families (一户一档), their timelines and care plans,
and the help given to them (精准帮扶)."""
from services.gateway import exports
from services.gateway.exports import EXPORT_SECONDS, SPREADSHEETS, export_query
from services.gateway.routes import route
from shared.actors import FAMILY_READERS, HELP_RECORDERS, LEADERSHIP, STAFF
from shared.contracts.families import (
    CarePlanIn,
    CarePlanOut,
    FamilyIn,
    FamilyListIn,
    FamilyOut,
    FamilyUpdateIn,
    TimelineEntryOut,
)
from shared.contracts.help import HelpIn, HelpOut, OverdueFollowUpOut
from shared.schemas import PageIn


class FamiliesApi:
    """Mixed into GatewayService."""

    @route("POST", "/api/v1/families", "Register a family and its members (a person belongs "
           "to one family)", STAFF, body=FamilyIn, response=FamilyOut, status=201,
           tags=["families"])
    def register_family(self, call):
        return self.families.register_family(call.raw_body, call.actor)

    @route("GET", "/api/v1/families", "Families by category and village (a township's code "
           "finds its villages)", FAMILY_READERS, query=FamilyListIn, response=FamilyOut,
           many=True, tags=["families"])
    def list_families(self, call):
        return self.families.list_families(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/families/export", "Families, a row per member, as a spreadsheet (xlsx; "
           "CSV with ?format=csv), the list's filters taken", FAMILY_READERS,
           query=export_query(FamilyListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["families"])
    def export_families(self, call):
        return exports.answer(call, "families", self.families.list_families)

    @route("GET", "/api/v1/families/<int:family_id>", "One family (identity numbers masked)",
           FAMILY_READERS, response=FamilyOut, tags=["families"])
    def get_family(self, call, family_id):
        return self.families.get_family(family_id, call.actor)

    @route("PATCH", "/api/v1/families/<int:family_id>", "Change the fields given; members "
           "given replace all the members", STAFF, body=FamilyUpdateIn, response=FamilyOut,
           tags=["families"])
    def update_family(self, call, family_id):
        return self.families.update_family(family_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/families/<int:family_id>/timeline", "The family's timeline "
           "(一户一档): its policies, claims, payouts, disbursements and visits, oldest first",
           FAMILY_READERS, query=PageIn, response=TimelineEntryOut, many=True,
           tags=["families"])
    def family_timeline(self, call, family_id):
        return self.families.timeline(family_id, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/families/<int:family_id>/care-plan", "Set the family's care plan: "
           "a visit asked for every so many days (a new plan replaces the old)", STAFF,
           body=CarePlanIn, response=CarePlanOut, tags=["families"])
    def set_care_plan(self, call, family_id):
        return self.families.set_care_plan(family_id, call.raw_body, call.actor)

    @route("POST", "/api/v1/families/<int:family_id>/help", "Record help given to the family "
           "(精准帮扶) by a member, a volunteer or, naming neither, the staff member recording "
           "it; it meets the family's open follow-ups", HELP_RECORDERS, body=HelpIn,
           response=HelpOut, status=201, tags=["families"])
    def record_help(self, call, family_id):
        return self.families.record_help(family_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/families/<int:family_id>/help", "The help given to the family, "
           "latest first", FAMILY_READERS, query=PageIn, response=HelpOut, many=True,
           tags=["families"])
    def list_help(self, call, family_id):
        return self.families.list_help(family_id, call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/associations/<code>/overdue-follow-ups", "Follow-ups of help whose "
           "day has passed with no help recorded since, for the families in the villages under "
           "this association, the longest overdue first", LEADERSHIP, query=PageIn,
           response=OverdueFollowUpOut, many=True, tags=["families"])
    def overdue_follow_ups(self, call, code):
        return self.families.overdue_follow_ups(code, call.request.args.to_dict(), call.actor)
