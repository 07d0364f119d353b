"""A volunteer's calendar: the feed a calendar app subscribes to (its token is the only
permission), and the address of that feed for the volunteer or their coordinators."""
from werkzeug.wrappers import Response

from services.gateway import calendar_feed, calendar_tokens
from services.gateway.routes import route
from services.gateway.schemas import CalendarFeedIn, CalendarLinkOut
from services.gateway.views import calendar_link_view
from services.gateway.web import i18n
from shared.actors import VOLUNTEER_READERS
from shared.clock import now_utc
from shared.settings import association_code

ICALENDAR = "text/calendar"


class CalendarApi:
    """API endpoints for volunteers' calendars (mixed into GatewayService)."""

    @route("GET", "/api/v1/volunteers/<int:volunteer_id>/calendar.ics",
           "A volunteer's confirmed and waitlisted shifts and their care visits, 90 days back "
           "to a year ahead, as iCalendar; no login, the token is the permission (a wrong or "
           "missing one: 404)", None, query=CalendarFeedIn, binary=(ICALENDAR,),
           tags=["volunteers"])
    def volunteer_calendar(self, call, volunteer_id):
        association = calendar_tokens.association_of(volunteer_id, call.query["token"])
        now = now_utc()
        start, end = calendar_feed.window(now)
        agenda = self.volunteers.calendar(
            volunteer_id, {"from": start.isoformat(), "to": end.isoformat()},
            calendar_tokens.reader(association, volunteer_id))
        language = call.query["lang"] or i18n.pick(None, call.request.headers.get(
            "Accept-Language"))
        feed = calendar_feed.build(agenda, association, i18n.translations(language).gettext,
                                   now)
        return Response(feed, content_type=f"{ICALENDAR}; charset=utf-8", headers={
            "Content-Disposition": f'inline; filename="volunteer-{volunteer_id}.ics"'})

    @route("GET", "/api/v1/volunteers/<int:volunteer_id>/calendar-link",
           "The address of a volunteer's calendar feed (a volunteer gets only their own); "
           "whoever holds it can read the calendar", VOLUNTEER_READERS,
           response=CalendarLinkOut, tags=["volunteers"])
    def volunteer_calendar_link(self, call, volunteer_id):
        # The service's own rules: the volunteer exists, and a volunteer asks as themself.
        self.volunteers.get_volunteer(volunteer_id, call.actor)
        association = call.actor["association_code"] or association_code()
        return calendar_link_view(calendar_tokens.feed_url(association, volunteer_id))
