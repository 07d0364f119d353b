"""SMS_PROVIDER=log and no SMTP_URL, as the run command has it: each message written to the
log whole, with its unsubscribe link, the number or address masked; and the e-mail as it is
sent, its Message-ID made from the send's key."""
import logging
from datetime import UTC, datetime

from services.notifications.mail import LogMail, letter
from services.notifications.parcels import Parcel
from services.notifications.sending import masked
from services.notifications.sms import LogSms


def parcel(channel: str, address: str, language: str = "zh") -> Parcel:
    return Parcel(1, "5f0c6a1e-0000-4000-8000-000000000001", channel, address, "claim_paid",
                  language, "张**，您的理赔 CL-7 已支付 ¥500.00，请注意查收。",
                  {"name": "张**", "claim_no": "CL-7", "amount": "¥500.00"},
                  "http://127.0.0.1:8000/u/7.abcdefghijklmnop", False, datetime.now(UTC))


def test_an_sms_in_the_log_names_the_number_masked(caplog):
    with caplog.at_level(logging.INFO, "services.notifications"):
        outcome = LogSms("天长计生协").send(parcel("sms", "13800138000"))
    assert outcome.sent
    [line] = caplog.messages
    assert "138****8000" in line and "13800138000" not in line
    assert "【天长计生协】张**，您的理赔 CL-7 已支付" in line
    assert "退订：http://127.0.0.1:8000/u/7.abcdefghijklmnop" in line
    assert "(2 segments" in line  # 70 characters a single SMS: the link makes two


def test_an_email_in_the_log_names_the_address_masked(caplog):
    with caplog.at_level(logging.INFO, "services.notifications"):
        LogMail("noreply@example.org", "天长市计划生育协会").send(
            parcel("email", "zhang.san@example.com", "en"))
    [line] = caplog.messages
    assert "z***@example.com" in line and "zhang.san" not in line
    assert "Unsubscribe: http://127.0.0.1:8000/u/7.abcdefghijklmnop" in line


def test_an_emails_message_id_is_its_sends_key():
    mail = letter(parcel("email", "zhang.san@example.com"), "noreply@example.org", "协会")
    assert mail["Message-ID"] == "<5f0c6a1e-0000-4000-8000-000000000001@example.org>"
    assert mail["List-Unsubscribe"] == "<http://127.0.0.1:8000/u/7.abcdefghijklmnop>"
    assert mail["Subject"] == "协会的消息"


def test_a_providers_reason_names_the_address_masked():
    reason = "SMTP 550: 5.1.1 <zhang.san@example.com>: Recipient address rejected"
    assert masked(reason, parcel("email", "zhang.san@example.com")) == \
        "SMTP 550: 5.1.1 <z***@example.com>: Recipient address rejected"
    url = "Max retries exceeded with url: /?OutId=1&PhoneNumbers=13800138000&SignName=x"
    assert "13800138000" not in masked(url, parcel("sms", "13800138000"))
