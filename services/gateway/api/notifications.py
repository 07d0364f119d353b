"""Messages to people: each login's inbox, the messages staff follow and send again, and a
person's consent to SMS and e-mail, taken down by staff on their word."""
from services.gateway.routes import route
from services.gateway.views import (
    inbox_item_view,
    inbox_view,
    message_view,
    messages_view,
    preference_view,
)
from shared.actors import ANYONE, STAFF, STAFF_READERS
from shared.contracts.notifications import (
    InboxItemOut,
    InboxOut,
    MessageListIn,
    MessageOut,
    PreferenceIn,
    PreferenceOut,
)
from shared.schemas import PageIn


class NotificationsApi:
    """Mixed into GatewayService."""

    @route("GET", "/api/v1/me/messages", "Your inbox, the latest first: every message sent "
           "to you, read or not, and how many are unread", ANYONE, query=PageIn,
           response=InboxOut, tags=["messages"])
    def my_messages(self, call):
        return inbox_view(self.notifications.my_messages(call.request.args.to_dict(),
                                                         call.actor))

    @route("POST", "/api/v1/me/messages/<int:message_id>/read", "Mark one of your messages "
           "read (another person's: 404)", ANYONE, response=InboxItemOut, tags=["messages"])
    def mark_message_read(self, call, message_id):
        return inbox_item_view(self.notifications.mark_read(message_id, call.actor))

    @route("GET", "/api/v1/messages", "Messages sent by SMS, e-mail and to inboxes, the latest "
           "first, by status, channel or kind; phones and addresses masked", STAFF_READERS,
           query=MessageListIn, response=MessageOut, many=True, tags=["messages"])
    def list_messages(self, call):
        return messages_view(self.notifications.list_messages(call.request.args.to_dict(),
                                                              call.actor))

    @route("POST", "/api/v1/messages/<int:message_id>/resend", "Send a message again, with "
           "the same text (one sent or failed)", STAFF, response=MessageOut,
           tags=["messages"])
    def resend_message(self, call, message_id):
        return message_view(self.notifications.resend(message_id, call.actor))

    @route("POST", "/api/v1/notifications/preferences", "A person's word on SMS or e-mail to "
           "their phone: opted out (no more of that channel; the inbox stays) or back in, "
           "and the language of their messages", STAFF, body=PreferenceIn,
           response=PreferenceOut, tags=["messages"])
    def set_preference(self, call):
        return preference_view(self.notifications.set_preference(call.raw_body, call.actor))
