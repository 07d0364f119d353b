"""Stand-ins for the providers the notifications service sends through, on 127.0.0.1, in a
process of their own (as the real ones are): an HTTP server answering as Aliyun's SMS API
answers SendSms and QuerySendDetails (the SDK pointed at it by SMS_ENDPOINT), and a real
SMTP server (aiosmtpd). A control path on the HTTP port lists what each took and sets how
the SMS API behaves:

- `ok`: every SendSms taken (`{"Code": "OK", "BizId": …}`);
- `fail`: HTTP 500, as Aliyun answers when it is at fault;
- `hang`: no answer (the caller's timeout runs out), nothing taken;
- `refuse`: `isv.MOBILE_NUMBER_ILLEGAL`, an answer that will not change;
- `hold`: the SMS taken, the answer held back (a caller killed meanwhile never hears it).

Like Aliyun, it sends an SMS again when the same OutId comes again, and lists every SMS of
a number and day with its OutId through QuerySendDetails.

    python -m tests.fake_providers HTTP_PORT SMTP_PORT
"""
import asyncio
import json
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests

from deploy.processes import free_port
from shared.settings import PROJECT_ROOT

CHINA = timezone(timedelta(hours=8))
HOLD_SECONDS = 120


class Provider:
    """What both servers took, and how the SMS API answers now."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sms: list[dict] = []
        self.mail: list[dict] = []
        self.mode = "ok"
        self.smtp_mode = "ok"
        self.calls = 0  # SendSms requests, taken or not


PROVIDER = Provider()


class AliyunSms(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # the SDK waits for the body; no 40 ms of Nagle per call

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        if url.path.startswith("/_control/"):
            return self._control(url.path, json.loads(body or b"{}"))
        query = dict(parse_qsl(url.query))
        query.update(parse_qsl(body.decode()))
        action = self.headers.get("x-acs-action")
        if action == "SendSms":
            return self._send_sms(query)
        if action == "QuerySendDetails":
            return self._query(query)
        self._answer(400, {"Code": "InvalidAction", "Message": f"no action {action}"})

    def do_GET(self):
        path = urlsplit(self.path).path
        with PROVIDER.lock:
            listed = {"/_control/sms": PROVIDER.sms, "/_control/mail": PROVIDER.mail}.get(path)
            calls = PROVIDER.calls
        if listed is None:
            return self._answer(404, {"Code": "NotFound"})
        self._answer(200, {"items": listed, "calls": calls})

    def _control(self, path: str, body: dict):
        with PROVIDER.lock:
            if path == "/_control/reset":
                PROVIDER.sms.clear()
                PROVIDER.mail.clear()
                PROVIDER.calls = 0
                body = {"sms": "ok", "smtp": "ok"}
            PROVIDER.mode = body.get("sms", PROVIDER.mode)
            PROVIDER.smtp_mode = body.get("smtp", PROVIDER.smtp_mode)
        self._answer(200, {"sms": PROVIDER.mode, "smtp": PROVIDER.smtp_mode})

    def _send_sms(self, query: dict):
        with PROVIDER.lock:
            PROVIDER.calls += 1
            mode = PROVIDER.mode
            if mode in ("ok", "hold"):
                PROVIDER.sms.append({
                    "out_id": query.get("OutId"), "phone": query["PhoneNumbers"],
                    "sign_name": query.get("SignName"), "template": query["TemplateCode"],
                    "params": json.loads(query.get("TemplateParam") or "{}"),
                    "date": datetime.now(CHINA).strftime("%Y%m%d")})
        if mode == "hold":
            time.sleep(HOLD_SECONDS)
        elif mode == "hang":
            time.sleep(HOLD_SECONDS)
            return
        if mode == "fail":
            return self._answer(500, {"Code": "InternalError", "Message": "The request "
                                      "processing has failed due to some unknown error.",
                                      "RequestId": str(uuid.uuid4())})
        if mode == "refuse":
            return self._answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL",
                                      "Message": "非法手机号", "RequestId": str(uuid.uuid4())})
        self._answer(200, {"Code": "OK", "Message": "OK", "RequestId": str(uuid.uuid4()),
                           "BizId": f"{uuid.uuid4().int % 10**15}^0"})

    def _query(self, query: dict):
        with PROVIDER.lock:
            found = [{"OutId": s["out_id"], "PhoneNum": s["phone"], "SendStatus": 3,
                      "TemplateCode": s["template"], "Content": "", "ErrCode": "DELIVERED",
                      "SendDate": s["date"], "ReceiveDate": s["date"]}
                     for s in PROVIDER.sms if s["phone"] == query["PhoneNumber"]
                     and s["date"] == query["SendDate"]]
        size, page = int(query["PageSize"]), int(query["CurrentPage"])
        self._answer(200, {"Code": "OK", "Message": "OK", "RequestId": str(uuid.uuid4()),
                           "TotalCount": len(found), "SmsSendDetailDTOs": {
                               "SmsSendDetailDTO": found[(page - 1) * size:page * size]}})

    def _answer(self, status: int, body: dict):
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Mailbox:
    """aiosmtpd's handler: every e-mail taken is kept (or, failing, refused for a while)."""

    async def handle_DATA(self, server, session, envelope):
        if PROVIDER.smtp_mode == "fail":
            return "451 4.3.0 Mailbox temporarily unavailable"
        mail = message_from_bytes(envelope.content, policy=policy.default)
        with PROVIDER.lock:
            PROVIDER.mail.append({"to": envelope.rcpt_tos, "message_id": mail["Message-ID"],
                                  "subject": mail["Subject"],
                                  "body": mail.get_content().strip()})
        return "250 OK"


def serve(http_port: int, smtp_port: int) -> None:
    from aiosmtpd.controller import Controller

    asyncio.set_event_loop(asyncio.new_event_loop())
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    ThreadingHTTPServer(("127.0.0.1", http_port), AliyunSms).serve_forever()


class FakeProviders:
    """The fakes as a test runs them: started in a process of their own, asked over HTTP."""

    def __init__(self):
        self.http_port, self.smtp_port = free_port(), free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_providers", str(self.http_port),
             str(self.smtp_port)], cwd=PROJECT_ROOT)
        self.url = f"http://127.0.0.1:{self.http_port}"
        self._wait_ready()

    @property
    def env(self) -> dict:
        """The settings that point the notifications service at these fakes."""
        return {"SMS_PROVIDER": "aliyun", "SMS_ENDPOINT": self.url,
                "SMS_ACCESS_KEY_ID": "test-key", "SMS_ACCESS_KEY_SECRET": "test-secret",
                "SMS_SIGN_NAME": "天长计生协", "SMTP_URL": f"smtp://127.0.0.1:{self.smtp_port}"}

    def _wait_ready(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/_control/sms", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise TimeoutError("the fake providers did not start")

    def sms(self) -> list[dict]:
        return requests.get(f"{self.url}/_control/sms", timeout=5).json()["items"]

    def calls(self) -> int:
        return requests.get(f"{self.url}/_control/sms", timeout=5).json()["calls"]

    def mail(self) -> list[dict]:
        return requests.get(f"{self.url}/_control/mail", timeout=5).json()["items"]

    def behave(self, sms: str | None = None, smtp: str | None = None) -> None:
        requests.post(f"{self.url}/_control/mode",
                      json={k: v for k, v in (("sms", sms), ("smtp", smtp)) if v}, timeout=5)

    def reset(self) -> None:
        """Nothing taken, every server answering."""
        requests.post(f"{self.url}/_control/reset", timeout=5)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
