"""The gateway's own answers as the JSON the world sees, through their Out schemas: logins,
tokens, the caller, an approval's new login, a calendar's address, an import and the audit
log gathered from the services; and the notifications service's, so that nothing of a
person's contact leaves but what the contract documents (masked)."""
from services.gateway.audit_log import Listed
from services.gateway.auth import Token
from services.gateway.imports import runs
from services.gateway.imports.registers import REGISTERS
from services.gateway.imports.running import columns_at
from services.gateway.models import ImportRun, User
from services.gateway.schemas import (
    ApprovalOut,
    AuditItemOut,
    CalendarLinkOut,
    ImportOut,
    MeOut,
    TokenOut,
    UserOut,
)
from services.gateway.web import i18n, texts
from shared.clock import iso
from shared.contracts.notifications import (
    InboxItemOut,
    InboxOut,
    MessageOut,
    PreferenceOut,
    UnsubscribedOut,
)
from shared.schemas import shaped

USER = UserOut()
TOKEN = TokenOut()
ME = MeOut()
APPROVAL = ApprovalOut()
CALENDAR_LINK = CalendarLinkOut()
IMPORT = ImportOut()
AUDIT_ITEM = AuditItemOut()
INBOX = InboxOut()
INBOX_ITEM = InboxItemOut()
MESSAGE = MessageOut()
PREFERENCE = PreferenceOut()
UNSUBSCRIBED = UnsubscribedOut()
ERRORS_SHOWN = 1_000
COUNTS = ("valid", "invalid", "created", "updated", "unchanged", "written")


def user_view(user: User) -> dict:
    return shaped(USER, {"username": user.username, "role": user.role,
                         "display_name": user.display_name, "active": user.active,
                         "association_code": user.association_code})


def token_view(token: Token) -> dict:
    """What logging in (or changing the password) answers."""
    return shaped(TOKEN, {"access_token": token.value, "token_type": "bearer",
                          "expires_in": token.ttl, "role": token.user.role,
                          "must_change_password": token.user.must_change_password})


def me_view(actor: dict) -> dict:
    return shaped(ME, {name: actor.get(name) for name in ME.fields})


def approval_view(application: dict, username: str, one_time_password: str) -> dict:
    """An approved application with the login made for it; the password is shown once."""
    return shaped(APPROVAL, {**application, "username": username,
                             "one_time_password": one_time_password})


def calendar_link_view(url: str) -> dict:
    return shaped(CALENDAR_LINK, {"url": url})


def import_view(run: ImportRun, language: str) -> dict:
    """An import as its record stands; errors name the column by the file's own header and
    say what is wrong in the reader's language."""
    report = run.report or {}
    errors = report.get("errors", [])
    return shaped(IMPORT, {
        "import_id": run.id, "register": run.register, "filename": run.filename,
        "status": runs.status_of(run), "dry_run": run.dry_run,
        "all_or_nothing": run.all_or_nothing, "rows": run.rows, "done": run.done,
        "to_do": run.to_do, **{name: report.get(name) for name in COUNTS},
        "errors": error_lines(run, errors[:ERRORS_SHOWN], language),
        "errors_total": len(errors), "failure": runs.failure_of(run),
        "started_at": iso(run.started_at), "finished_at": iso(run.finished_at)})


def error_lines(run: ImportRun, errors: list[dict], language: str) -> list[dict]:
    gettext = i18n.translations(language).gettext
    headers = headers_of(run)
    return [{"row": error["row"], "column": headers.get(error["column"]),
             "code": error["code"], "message": texts.say(gettext, error["message"])}
            for error in errors]


def headers_of(run: ImportRun) -> dict[str, str]:
    """Each column's header as the file has it."""
    return {column.key: header for header, column in
            zip(run.headers or [], columns_at(REGISTERS[run.register], run.headers or []),
                strict=True) if column is not None}


def audit_item_view(listed: Listed) -> dict:
    """A service's audit entry, saying whose log it is in."""
    entry = listed.entry
    return shaped(AUDIT_ITEM, {
        "service": listed.service, "field_names": entry["fields"],
        **{name: entry[name] for name in ("id", "at", "actor", "role", "action",
                                          "subject_kind", "subject_id", "reason")}})


def inbox_view(inbox: dict) -> dict:
    """A page of a person's inbox, with their unread count."""
    return shaped(INBOX, {"items": [inbox_item_view(item) for item in inbox["items"]],
                          "total": inbox["total"], "unread": inbox["unread"]})


def inbox_item_view(item: dict) -> dict:
    return _as_documented(INBOX_ITEM, item)


def messages_view(listed: dict) -> dict:
    """A page of the messages staff follow."""
    return {"items": [message_view(item) for item in listed["items"]], "total": listed["total"]}


def message_view(item: dict) -> dict:
    return _as_documented(MESSAGE, item)


def preference_view(preference: dict) -> dict:
    return _as_documented(PREFERENCE, preference)


def unsubscribed_view(unsubscribed: dict) -> dict:
    return _as_documented(UNSUBSCRIBED, unsubscribed)


def _as_documented(schema, answer: dict) -> dict:
    return shaped(schema, {name: answer[name] for name in schema.fields})
