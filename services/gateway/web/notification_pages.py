"""Messages to people on the pages: each login's inbox (read or not, marked read), the
messages staff follow by status, channel and kind and send again, a person's word on SMS and
e-mail taken down by staff, and the unsubscribe link of an SMS or e-mail (no login)."""
from functools import partial
from urllib.parse import parse_qsl, urlencode

from services.gateway.views import inbox_view, messages_view, preference_view, unsubscribed_view
from services.gateway.web.forms import Form, blank_to_none, checked, whole
from services.gateway.web.ui import Ui, on_site, page
from services.gateway.web.words import MESSAGE_WORDS
from shared.actors import ANYONE, STAFF, STAFF_READERS, load
from shared.contracts.notifications import (
    CHANNELS,
    CONSENT_CHANNELS,
    KINDS,
    LANGUAGES,
    RESENDABLE,
    STATUSES,
    MessageListIn,
    PreferenceIn,
)
from shared.errors import NotFound

FILTERS = ("status", "channel", "kind")
NO_MESSAGES = {"items": [], "total": 0}


class NotificationPages:
    # --- everyone's inbox -------------------------------------------------------------
    @page("GET", "/inbox", ANYONE)
    def inbox_page(self, ui: Ui):
        return self._inbox(ui)

    def _inbox(self, ui: Ui, status=200, errors=None):
        unread = []

        def fetch(cut: dict) -> dict:
            inbox = inbox_view(self.notifications.my_messages(cut, ui.actor))
            unread.append(inbox["unread"])
            return inbox
        messages = ui.listed("messages", fetch)
        ui.unread = lambda: unread[0]  # the menu says what the page says, asked once
        return ui.render("inbox.html", status, messages=messages, unread_count=unread[0],
                         named=_naming(ui), errors=errors or {})

    @page("POST", "/inbox/<int:message_id>/read", ANYONE, form_page="/inbox")
    def mark_read_page(self, ui: Ui, message_id):
        posted = Form(ui, partial(self._inbox, ui), at=f"message_{message_id}")
        number = whole(ui.form.get("messages_page"))
        return posted.submit(lambda: self.notifications.mark_read(message_id, ui.actor),
                             ui.page_link("messages", number if isinstance(number, int)
                                          else 1))

    # --- staff: the messages sent, and a person's word --------------------------------
    @page("GET", "/messages", STAFF_READERS)
    def messages_page(self, ui: Ui):
        return self._messages(ui)

    def _messages(self, ui: Ui, status=200, errors=None):
        wanted = {name: value for name in FILTERS
                  if (value := (ui.request.args.get(name) or "").strip())}
        invalid = checked(ui, MessageListIn(), wanted)

        def fetch(cut: dict) -> dict:
            query = load(MessageListIn(), {**wanted, **cut})
            return messages_view(self.notifications.list_messages(query, ui.actor))
        messages = ui.listed("messages", lambda cut: NO_MESSAGES if invalid else fetch(cut))
        return ui.render("messages.html", 422 if invalid else status, messages=messages,
                         wanted=wanted, errors={**invalid, **(errors or {})},
                         statuses=STATUSES, channels=CHANNELS, kinds=KINDS,
                         resendable=RESENDABLE, can_resend=ui.actor["role"] in STAFF,
                         named=_naming(ui), done=ui.request.args.get("done"))

    @page("POST", "/messages/<int:message_id>/resend", STAFF, form_page="/messages")
    def resend_page(self, ui: Ui, message_id):
        posted = Form(ui, partial(self._messages, ui), at=f"message_{message_id}")
        return posted.submit(lambda: self.notifications.resend(message_id, ui.actor),
                             _back_saying(ui, "resent"))

    @page("GET", "/messages/preferences", STAFF)
    def preferences_page(self, ui: Ui):
        return self._preferences(ui)

    def _preferences(self, ui: Ui, status=200, errors=None, recorded=None):
        return ui.render("preferences.html", status, channels=CONSENT_CHANNELS,
                         languages=LANGUAGES, form=ui.form, errors=errors or {},
                         recorded=recorded, named=_naming(ui))

    @page("POST", "/messages/preferences", STAFF, form_page="/messages/preferences")
    def preferences_post(self, ui: Ui):
        body = {"phone": ui.form.get("phone", "").strip(),
                "channel": ui.form.get("channel", ""),
                "language": blank_to_none(ui.form.get("language"))}
        if "opted_out" in ui.form:  # neither choice ticked: missing, as the API says
            body["opted_out"] = ui.form["opted_out"]
        invalid = checked(ui, PreferenceIn(), body)
        posted = Form(ui, partial(self._preferences, ui))
        return posted.submit(
            lambda: self.notifications.set_preference(load(PreferenceIn(), body), ui.actor),
            lambda answer: self._preferences(ui, recorded=preference_view(answer)), invalid)

    # --- anyone: the link in an SMS or e-mail ------------------------------------------
    @page("GET", "/u/<token>", None)
    def unsubscribe_page(self, ui: Ui, token):
        try:
            done = unsubscribed_view(self.notifications.unsubscribe(token))
        except NotFound:  # in the browser's language: whose link it was is unknown
            return ui.render("error.html", 404, message=ui.gettext(
                "This unsubscribe link is not valid; nothing was changed."))
        ui.speak(done["language"])  # the person's, whatever the phone's browser says
        return ui.render("unsubscribed.html", unsubscribed=done)


def _back_saying(ui: Ui, done: str) -> str:
    """The page the form was on (its list's filters and page kept), with a notice."""
    back = on_site(ui.form.get("back")) or ui.back
    path, _, query = back.partition("?")
    kept = [(name, value) for name, value in parse_qsl(query) if name != "done"]
    return f"{path}?{urlencode([*kept, ('done', done)])}"


def _naming(ui: Ui):
    """`named(part, code)`: a code of a message (its channel, kind; its status, a word of
    every page's) in words; a person's key, where an inbox message went ("volunteer:12"), as
    the kind of person and their number."""
    def named(part: str, code: str) -> str:
        if part == "person":
            kind, _, number = code.partition(":")
            return f"{named('person_kind', kind)} {number}".strip()
        found = MESSAGE_WORDS.get(part, {}).get(code)
        return ui.gettext(found) if found else ui.word(code)
    return named
