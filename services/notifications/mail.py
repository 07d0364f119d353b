"""E-mail over SMTP (`SMTP_URL`), or to the log when none is set. Each e-mail's Message-ID is
made from its send's key, the same through every try: an SMTP server takes a repeated one as
a new e-mail, but mail readers show messages with one Message-ID as one."""
import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from services.notifications.domain import mask_email
from services.notifications.parcels import Outcome, Parcel, later, never, sent
from services.notifications.texts import say

log = logging.getLogger(__name__)


def letter(parcel: Parcel, sender: str, sender_name: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = parcel.address
    message["Subject"] = say("email_subject", parcel.language, {"sender": sender_name})
    message["Message-ID"] = f"<{parcel.key}@{sender.rpartition('@')[2]}>"
    message["List-Unsubscribe"] = f"<{parcel.link}>"
    message.set_content(f"{parcel.text}\n\n{parcel.footer}\n")
    return message


class LogMail:
    def __init__(self, sender: str, sender_name: str):
        self.sender, self.sender_name = sender, sender_name

    def send(self, parcel: Parcel) -> Outcome:
        message = letter(parcel, self.sender, self.sender_name)
        log.info("e-mail to %s (send %s): %s", mask_email(parcel.address), parcel.key,
                 message.get_content().strip())
        return sent(message["Message-ID"])

    def find(self, parcel: Parcel) -> str | None:
        return None


class SmtpMail:
    def __init__(self, url: str, sender: str, sender_name: str, timeout: float):
        parts = urlsplit(url)
        self.tls = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.login = (unquote(parts.username), unquote(parts.password or "")) \
            if parts.username else None
        self.sender, self.sender_name, self.timeout = sender, sender_name, timeout

    def send(self, parcel: Parcel) -> Outcome:
        message = letter(parcel, self.sender, self.sender_name)
        connect = smtplib.SMTP_SSL if self.tls else smtplib.SMTP
        try:
            with connect(self.host, self.port, timeout=self.timeout) as server:
                if self.login:
                    server.login(*self.login)
                server.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            return _answered(code, answer)
        except smtplib.SMTPResponseException as exc:
            return _answered(exc.smtp_code, exc.smtp_error)
        except (OSError, smtplib.SMTPException) as exc:  # no server, a timeout, cut off
            return later(f"{type(exc).__name__}: {exc}")
        return sent(message["Message-ID"])

    def find(self, parcel: Parcel) -> str | None:
        return None  # SMTP keeps no record to ask: the same Message-ID goes again


def _answered(code: int, answer: bytes | str) -> Outcome:
    """A 4xx answer may pass (mailbox busy, try later); a 5xx will not."""
    text = answer.decode(errors="replace") if isinstance(answer, bytes) else answer
    reason = f"SMTP {code}: {text}"
    return later(reason) if 400 <= code < 500 else never(reason)
