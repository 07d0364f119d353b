"""The grassroots associations API: the associations under the county's, their
dashboards and rankings, members (会员), pairings with families and member days."""
from services.gateway import exports
from services.gateway.exports import EXPORT_SECONDS, SPREADSHEETS, export_query
from services.gateway.routes import Answer, route
from shared.actors import ADMIN, LEADERSHIP, MEMBER_DAY_HOLDERS, MEMBER_KEEPERS
from shared.contracts.associations import (
    AssociationIn,
    AssociationListOut,
    AssociationMemberOut,
    AssociationOut,
    ContactIn,
    ContactOut,
    DashboardOut,
    MemberDayIn,
    MemberDayOut,
    MemberIn,
    MemberListIn,
    OverdueContactOut,
    PairingIn,
    RankingIn,
    RankingOut,
)
from shared.schemas import PageIn


class AssociationsApi:
    """Mixed into GatewayService."""

    @route("POST", "/api/v1/associations", "Set up a township's or a village's association "
           "under the county's", ADMIN, body=AssociationIn, response=AssociationOut,
           status=201, tags=["associations"])
    def create_association(self, call):
        return self.families.create_association(call.raw_body, call.actor)

    @route("GET", "/api/v1/associations", "The county's association and every one under it, "
           "by code", LEADERSHIP, response=AssociationListOut, tags=["associations"])
    def list_associations(self, call):
        return self.families.list_associations(call.actor)

    @route("GET", "/api/v1/associations/<code>/dashboard", "An association's figures, its "
           "associations under it included: members, volunteers, families, visits done in "
           "90 days, money given and spent this year, claims paid this year", LEADERSHIP,
           response=DashboardOut, tags=["associations"])
    def association_dashboard(self, call, code):
        return self.families.dashboard(code, call.actor)

    @route("GET", "/api/v1/associations/<code>/ranking", "The associations directly under "
           "this one ranked by a figure", LEADERSHIP, query=RankingIn, response=RankingOut,
           tags=["associations"])
    def association_ranking(self, call, code):
        return self.families.ranking(code, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/associations/<code>/member-days", "Record a member-day activity "
           "and the members who took part", MEMBER_DAY_HOLDERS, body=MemberDayIn,
           response=MemberDayOut, status=201, tags=["associations"])
    def hold_member_day(self, call, code):
        return self.families.hold_member_day(code, call.raw_body, call.actor)

    @route("GET", "/api/v1/associations/<code>/overdue-contacts", "Members and families paired "
           "with them (会员联系户) whose last contact, or whose pairing when never contacted, "
           "is more than CONTACT_DUE_DAYS (30) days ago: of this association and those under "
           "it", LEADERSHIP, query=PageIn, response=OverdueContactOut, many=True,
           tags=["associations"])
    def overdue_contacts(self, call, code):
        return self.families.overdue_contacts(code, call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/associations/<code>/member-days", "The member days of this "
           "association and those under it, latest first", LEADERSHIP, query=PageIn,
           response=MemberDayOut, many=True, tags=["associations"])
    def list_member_days(self, call, code):
        return self.families.list_member_days(code, call.request.args.to_dict(), call.actor)

    @route("POST", "/api/v1/members", "Add a member (会员) to a grassroots association",
           MEMBER_KEEPERS, body=MemberIn, response=AssociationMemberOut, status=201,
           tags=["associations"])
    def add_member(self, call):
        return self.families.add_member(call.raw_body, call.actor)

    @route("GET", "/api/v1/members", "Members, of one association and those under it if a "
           "code is given", LEADERSHIP, query=MemberListIn, response=AssociationMemberOut,
           many=True, tags=["associations"])
    def list_members(self, call):
        return self.families.list_members(call.request.args.to_dict(), call.actor)

    @route("GET", "/api/v1/members/export", "Members as a spreadsheet (xlsx; CSV with "
           "?format=csv), the list's filters taken", LEADERSHIP,
           query=export_query(MemberListIn), binary=SPREADSHEETS,
           seconds=EXPORT_SECONDS, tags=["associations"])
    def export_members(self, call):
        return exports.answer(call, "members", self.families.list_members)

    @route("GET", "/api/v1/members/<int:member_id>", "One member and the families they keep "
           "in touch with (identity numbers masked)", LEADERSHIP,
           response=AssociationMemberOut, tags=["associations"])
    def get_member(self, call, member_id):
        return self.families.get_member(member_id, call.actor)

    @route("POST", "/api/v1/members/<int:member_id>/families", "Pair a member with a family "
           "to keep in touch with (会员联系户): 201 when new, 200 when paired already",
           MEMBER_KEEPERS, body=PairingIn, response=AssociationMemberOut, status=201,
           tags=["associations"])
    def pair_family(self, call, member_id):
        answer = self.families.pair_family(member_id, call.raw_body, call.actor)
        return Answer(201 if answer["new"] else 200, answer["member"])


    @route("POST", "/api/v1/members/<int:member_id>/contacts", "Record a member's contact "
           "(a visit, a call, a WeChat message) with a family they keep in touch with, on "
           "the member's word", MEMBER_KEEPERS, body=ContactIn, response=ContactOut,
           status=201, tags=["associations"])
    def record_contact(self, call, member_id):
        return self.families.record_contact(member_id, call.raw_body, call.actor)

    @route("GET", "/api/v1/members/<int:member_id>/contacts", "A member's contacts with the "
           "families they keep in touch with, latest first", LEADERSHIP, query=PageIn,
           response=ContactOut, many=True, tags=["associations"])
    def list_contacts(self, call, member_id):
        return self.families.list_contacts(member_id, call.request.args.to_dict(), call.actor)
