"""SMS providers. Aliyun's SMS API through its official SDK: a template registered at Aliyun
per kind of message, sent by its code with the message's values as the template's parameters
(a JSON object of strings, as SendSms wants them), the send's key as `OutId`. `log` writes
each message to the log instead (the number masked), for a system with no account."""
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from alibabacloud_dysmsapi20170525 import models as sms_api
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as open_api
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException
from darabonba.runtime import RuntimeOptions
from Tea.exceptions import TeaException

from services.notifications.domain import sms_segments
from services.notifications.parcels import Outcome, Parcel, later, never, sent
from services.notifications.texts import placeholders
from shared.clock import local_date
from shared.contracts.notifications import KINDS
from shared.identity import mask_phone

log = logging.getLogger(__name__)

# Aliyun's answers worth another try: its own faults, the account's flow control and
# balance; any other code (a bad number, a template it does not know) will not change.
TRANSIENT_CODES = ("isv.BUSINESS_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH")
LINK = "url"  # the template parameter holding the unsubscribe link
DETAILS_PAGE = 50  # QuerySendDetails's largest page


@dataclass(frozen=True)
class Template:
    code: str
    params: tuple[str, ...]


def templates(codes: dict[str, str]) -> dict[str, Template]:
    """Kind → the template registered at Aliyun: its code (`codes`, from SMS_TEMPLATE_CODES,
    else `SMS_PHF_<KIND>`) and its parameters, the values of the kind's text and the link.
    Register each template with the text of the zh catalogue, `%(x)s` written `${x}`."""
    unknown = set(codes) - set(KINDS)
    if unknown:
        raise ValueError(f"SMS_TEMPLATE_CODES names kinds that do not exist: {sorted(unknown)}")
    return {kind: Template(codes.get(kind, f"SMS_PHF_{kind.upper()}"),
                           (*sorted(placeholders(kind, "zh")), LINK)) for kind in KINDS}


def sms_text(sign_name: str, parcel: Parcel) -> str:
    """The SMS as the phone shows it: signature, text, link."""
    return f"【{sign_name}】{parcel.text} {parcel.footer}"


class LogSms:
    """SMS_PROVIDER=log: each SMS written to the log, never sent."""

    def __init__(self, sign_name: str):
        self.sign_name = sign_name

    def send(self, parcel: Parcel) -> Outcome:
        text = sms_text(self.sign_name, parcel)
        log.info("SMS to %s (%d segments, send %s): %s", mask_phone(parcel.address),
                 sms_segments(text), parcel.key, text)
        return sent(None)

    def find(self, parcel: Parcel) -> str | None:
        return None  # a log keeps nothing to ask; writing a line twice harms nobody


class AliyunSms:
    def __init__(self, endpoint: tuple[str, str], access_key: tuple[str, str], sign_name: str,
                 codes: dict[str, str], timeout: float):
        protocol, host = endpoint
        self.client = Client(open_api.Config(access_key_id=access_key[0],
                                             access_key_secret=access_key[1],
                                             endpoint=host, protocol=protocol))
        self.sign_name = sign_name
        self.templates = templates(codes)
        # The SDK's own retries off: a retry here is decided, delayed and counted by the
        # sender, with the same OutId.
        milliseconds = int(timeout * 1000)
        self.runtime = RuntimeOptions(connect_timeout=milliseconds,
                                      read_timeout=milliseconds, autoretry=False)

    def send(self, parcel: Parcel) -> Outcome:
        template = self.templates[parcel.kind]
        values = {**parcel.values, LINK: parcel.link}
        request = sms_api.SendSmsRequest(
            phone_numbers=parcel.address, sign_name=self.sign_name,
            template_code=template.code, out_id=parcel.key,
            template_param=json.dumps({name: str(values[name]) for name in template.params},
                                      ensure_ascii=False))
        try:
            body = self.client.send_sms_with_options(request, self.runtime).body
        except TeaException as exc:
            return _failure(exc)
        if body.code == "OK":
            return sent(body.biz_id)
        return _refusal(body.code, body.message)

    def find(self, parcel: Parcel) -> str | None:
        """Whether Aliyun took this send before (its OutId among the number's sends of the
        day it was handed over, or the next): Aliyun sends a repeated OutId again, so a
        send tried before (unanswered in time, or cut off mid-call) is looked for before it
        goes again. Raises while Aliyun cannot be asked (the send waits)."""
        days = {local_date(parcel.claimed_at), local_date(parcel.claimed_at + timedelta(
            seconds=self.runtime.read_timeout / 1000))}
        return next((found for on in sorted(days) if (found := self._find_on(parcel, on))),
                    None)

    def _find_on(self, parcel: Parcel, on) -> str | None:
        page = 1
        while True:
            body = self.client.query_send_details_with_options(
                sms_api.QuerySendDetailsRequest(phone_number=parcel.address,
                                                send_date=on.strftime("%Y%m%d"),
                                                page_size=DETAILS_PAGE, current_page=page),
                self.runtime).body
            if body.code != "OK":
                raise RuntimeError(f"QuerySendDetails: {body.code}: {body.message}")
            details = (body.sms_send_detail_dtos.sms_send_detail_dto
                       if body.sms_send_detail_dtos else []) or []
            if any(detail.out_id == parcel.key for detail in details):
                return f"OutId {parcel.key}"
            if page * DETAILS_PAGE >= int(body.total_count or 0):
                return None
            page += 1


def _failure(exc: TeaException) -> Outcome:
    """The SDK's errors: Aliyun answering 4xx will answer so again (but for throttling);
    a 5xx, a timeout or no connection may pass."""
    reason = f"{getattr(exc, 'code', None) or type(exc).__name__}: {exc.message}"
    if isinstance(exc, ClientException) and not isinstance(exc, ThrottlingException):
        return never(reason)
    return later(reason)


def _refusal(code: str, message: str) -> Outcome:
    reason = f"{code}: {message}"
    if code.startswith("isp.") or code in TRANSIENT_CODES:
        return later(reason)
    return never(reason)
