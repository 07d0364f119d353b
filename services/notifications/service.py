"""The notifications service: entrypoints only. Each checks who may ask, opens one
transaction and calls the use case; each event handler hears its event once and wakes the
postman, who sends what it queued."""
from services.notifications import consent, inbox, outgoing
from services.notifications.hearing import hear
from services.notifications.models import AUDIT, OUTBOX, PROCESSED_EVENTS
from services.notifications.postman import Postman
from services.notifications.views import (
    inbox_item_view,
    inbox_view,
    message_view,
    preference_view,
    unread_view,
    unsubscribed_view,
)
from shared.actors import ANYONE, STAFF, STAFF_READERS, load, load_actor
from shared.contracts.events import CATALOGUE
from shared.contracts.notifications import MessageListIn, PreferenceIn
from shared.errors import NotFound
from shared.rpc import rpc
from shared.schemas import MAX_ID, PageIn
from shared.service import Service
from shared.subscriber import subscribe


class NotificationsService(Service):
    name = "notifications"

    outbox = OUTBOX
    inbox = PROCESSED_EVENTS
    catalogue = CATALOGUE
    audit = AUDIT
    postman = Postman(database="db")

    @rpc
    def my_messages(self, query, actor):
        actor = load_actor(actor, ANYONE)
        query = load(PageIn(), query)
        keys = inbox.person_keys(actor)
        with self.db.transaction() as session:
            found = inbox.page(session, actor["association_code"], keys, query)
            return inbox_view(found, inbox.unread(session, actor["association_code"], keys))

    @rpc
    def unread(self, actor):
        actor = load_actor(actor, ANYONE)
        with self.db.transaction() as session:
            return unread_view(inbox.unread(session, actor["association_code"],
                                            inbox.person_keys(actor)))

    @rpc
    def mark_read(self, message_id, actor):
        actor = load_actor(actor, ANYONE)
        with self.db.transaction() as session:
            return inbox_item_view(inbox.mark_read(
                session, actor["association_code"], inbox.person_keys(actor),
                _message_id(message_id), self.postman.clock()))

    @rpc
    def list_messages(self, query, actor):
        actor = load_actor(actor, STAFF_READERS)
        query = load(MessageListIn(), query)
        with self.db.transaction() as session:
            return outgoing.listing(session, actor["association_code"], query) \
                .shaped(message_view)

    @rpc
    def resend(self, message_id, actor):
        actor = load_actor(actor, STAFF)
        with self.db.transaction() as session:
            message = message_view(outgoing.resend(session, actor["association_code"],
                                                   _message_id(message_id),
                                                   self.postman.clock()))
        self.postman.kick()
        return message

    @rpc
    def set_preference(self, body, actor):
        actor = load_actor(actor, STAFF)
        body = load(PreferenceIn(), body)
        with self.db.transaction() as session:
            return preference_view(consent.set_preference(
                session, actor["association_code"], body, actor, self.postman.clock()),
                body["channel"])

    @rpc
    def unsubscribe(self, token):
        """From the link in an SMS or e-mail: no login, the token is the proof."""
        with self.db.transaction() as session:
            return unsubscribed_view(consent.unsubscribe(session, token,
                                                         self.postman.clock()))

    @subscribe("insurance", "claim_submitted")
    def on_claim_submitted(self, envelope):
        self._hear(envelope)

    @subscribe("insurance", "claim_approved")
    def on_claim_approved(self, envelope):
        self._hear(envelope)

    @subscribe("insurance", "claim_rejected")
    def on_claim_rejected(self, envelope):
        self._hear(envelope)

    @subscribe("insurance", "claim_paid")
    def on_claim_paid(self, envelope):
        self._hear(envelope)

    @subscribe("insurance", "premium_due")
    def on_premium_due(self, envelope):
        self._hear(envelope)

    @subscribe("insurance", "premium_paid")
    def on_premium_paid(self, envelope):
        self._hear(envelope)

    @subscribe("insurance", "policy_ending")
    def on_policy_ending(self, envelope):
        self._hear(envelope)

    @subscribe("fund", "donation_recorded")
    def on_donation_recorded(self, envelope):
        self._hear(envelope)

    @subscribe("volunteers", "shift_signed_up")
    def on_shift_signed_up(self, envelope):
        self._hear(envelope)

    @subscribe("volunteers", "shift_promoted")
    def on_shift_promoted(self, envelope):
        self._hear(envelope)

    @subscribe("volunteers", "shift_changed")
    def on_shift_changed(self, envelope):
        self._hear(envelope)

    @subscribe("volunteers", "shift_cancelled")
    def on_shift_cancelled(self, envelope):
        self._hear(envelope)

    @subscribe("volunteers", "visit_assigned")
    def on_visit_assigned(self, envelope):
        self._hear(envelope)

    @subscribe("volunteers", "visit_changed")
    def on_visit_changed(self, envelope):
        self._hear(envelope)

    @subscribe("volunteers", "visit_cancelled")
    def on_visit_cancelled(self, envelope):
        self._hear(envelope)

    @subscribe("volunteers", "application_decided")
    def on_application_decided(self, envelope):
        self._hear(envelope)

    def _hear(self, envelope):
        now = self.postman.clock()
        self.once(f"notifications.{envelope['event_type']}", envelope,
                  lambda session, envelope: hear(session, envelope, now))
        self.postman.kick()


def _message_id(value) -> int:
    """An id from a path: anything but one is as a message that does not exist."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise NotFound("No such message.", "message_not_found")
    return value
