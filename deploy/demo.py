"""What the demo data is made of (never loaded outside the run command)."""
from datetime import date

from shared.identity import make_resident_id

PASSWORD_SUFFIX = "-demo"
USERS = [("admin", "admin"), ("staff1", "staff"), ("staff2", "staff"),
         ("coordinator1", "coordinator"), ("donor1", "donor"), ("volunteer1", "volunteer")]
FUNDS = [
    {"code": "GENERAL", "name": "人口健康基金（非限定） General fund", "restricted": False},
    {"code": "SPECIAL_FAMILY", "name": "计生特殊家庭帮扶 Special-family assistance",
     "restricted": True},
    {"code": "INSURANCE_PAYOUT", "name": "计划生育家庭保险赔付 Insurance payouts",
     "restricted": True},
    {"code": "SHANGEN", "name": "善根基金 Shangen fund", "restricted": True},
]
DONOR1 = {"kind": "person", "name": "王芳", "phone": "13905501234",
          "id_number": make_resident_id("341181", date(1982, 5, 29), 128)}
COMPANY = {"kind": "company", "name": "天长市某电子科技有限公司",
           "credit_code": "91341181MA2N0XQ40A"}
DONATIONS = [  # (idempotency key, fund, fen, channel, donor)
    ("demo-1", "GENERAL", 500_000, "bank", COMPANY),
    ("demo-2", "SPECIAL_FAMILY", 2_000_000, "bank", COMPANY),
    ("demo-3", "INSURANCE_PAYOUT", 5_000_000, "bank", COMPANY),
    ("demo-4", "SHANGEN", 88_800, "wechat", DONOR1),
    ("demo-5", "GENERAL", 20_000, "alipay", DONOR1),
]
