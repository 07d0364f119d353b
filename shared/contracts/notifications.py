"""The notifications service's contract: the messages it sends people (by SMS, e-mail and to
their inbox), a person's consent to each channel, and its codes."""
from marshmallow import Schema, fields, validate

from shared.fields import FreeText, Mobile, Whole
from shared.schemas import PageIn, Strict

CHANNELS = ("sms", "email", "inbox")
# The channels a person may opt out of; the inbox is always there.
CONSENT_CHANNELS = ("sms", "email")
STATUSES = ("queued", "sent", "delivered", "failed", "suppressed")
RESENDABLE = ("sent", "failed")  # a message staff may send again, with the same text
LANGUAGES = ("zh", "en")
# What a message is about: the `kind` of every message, and its text's id in the catalogue.
KINDS = ("claim_submitted", "claim_approved", "claim_rejected", "claim_paid", "premium_due",
         "premium_paid", "policy_ending", "pledge_confirmed", "donation_received",
         "visit_assigned", "visit_changed", "visit_cancelled", "visit_tomorrow",
         "shift_confirmed", "shift_waitlisted", "shift_promoted", "shift_changed",
         "shift_cancelled", "shift_reminder", "application_approved", "application_declined")
ERRORS = {
    "message_not_found": "No such message, or not the caller's (404).",
    "not_resendable": "Only a sent or failed SMS or e-mail is sent again (409 on status).",
    "link_not_found": "An unsubscribe link altered or unknown (404).",
}


class MessageListIn(PageIn):
    """Messages as staff follow them: every filter given must hold."""
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))


class PreferenceIn(Strict):
    """A person's word on a channel, taken down by staff: opted out (or back in), and the
    language their messages come in."""
    phone = Mobile(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CONSENT_CHANNELS))
    opted_out = fields.Boolean(required=True)
    language = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf(LANGUAGES), metadata={
                                 "description": "the messages' language; default: as before "
                                                "(else Chinese)"})


class InboxItemOut(Schema):
    id = Whole()
    at = fields.String(metadata={"format": "date-time"})
    kind = fields.String(metadata={"enum": list(KINDS)})
    text = FreeText(metadata={"description": "in the person's language"})
    read = fields.Boolean()


class InboxOut(Schema):
    items = fields.List(fields.Nested(InboxItemOut))
    total = Whole()
    unread = Whole(metadata={"description": "messages not read yet, of every page"})


class UnreadOut(Schema):
    unread = Whole()


class MessageOut(Schema):
    """A message as staff follow it: to whom (masked), by which channel, how it stands."""
    id = Whole()
    at = fields.String(metadata={"format": "date-time"})
    kind = fields.String(metadata={"enum": list(KINDS)})
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    to = fields.String(metadata={"description": "the phone or e-mail address masked, or the "
                                                "person's key (the inbox)"})
    status = fields.String(metadata={"enum": list(STATUSES)})
    attempts = Whole(metadata={"description": "sends tried so far"})
    error = FreeText(allow_none=True, metadata={"description": "the provider's reason, when "
                                                               "it failed"})


class PreferenceOut(Schema):
    phone = fields.String(metadata={"description": "masked"})
    channel = fields.String(metadata={"enum": list(CONSENT_CHANNELS)})
    opted_out = fields.Boolean()
    language = fields.String(allow_none=True, metadata={"enum": list(LANGUAGES)})


class UnsubscribedOut(Schema):
    channel = fields.String(metadata={"enum": list(CONSENT_CHANNELS)})
    to = fields.String(metadata={"description": "the phone or e-mail address, masked"})
    language = fields.String(metadata={"enum": list(LANGUAGES), "description": "the "
                                       "person's, which the page saying so speaks"})
