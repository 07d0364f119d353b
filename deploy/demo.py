"""What the demo data is made of (never loaded outside the run command)."""
import struct
import zlib
from datetime import date

from shared.identity import make_resident_id

PASSWORD_SUFFIX = "-demo"
# staff3 decides the demo's appeal: staff1 registered that claim and staff2 rejected it.
USERS = [("admin", "admin"), ("staff1", "staff"), ("staff2", "staff"), ("staff3", "staff"),
         ("coordinator1", "coordinator"), ("donor1", "donor"), ("volunteer1", "volunteer"),
         ("auditor1", "auditor")]
# Logins of the province's association above the county (its code: the county's first two
# digits and 0000): its admin sets up counties and their first logins, the others read.
PROVINCE_USERS = [("province_admin", "admin"), ("province1", "province_staff"),
                  ("province_auditor1", "province_auditor")]
FUNDS = [
    {"code": "GENERAL", "name": "人口健康基金（非限定）", "restricted": False},
    {"code": "SPECIAL_FAMILY", "name": "计生特殊家庭帮扶",
     "restricted": True,
     "allowed_categories": ["special_family_assistance", "elderly_care", "poverty_relief"]},
    {"code": "INSURANCE_PAYOUT", "name": "计划生育家庭保险赔付",
     "restricted": True, "allowed_categories": ["insurance_payout", "insurance_premium"]},
    {"code": "SHANGEN", "name": "善根基金", "restricted": True,
     "allowed_categories": ["special_family_assistance", "elderly_care", "child_care",
                            "poverty_relief", "health_education"]},
]
PROJECTS = [  # (fund, project)
    ("SPECIAL_FAMILY", {"code": "SPRING_VISITS", "name": "春节慰问",
                        "purpose": "春节走访慰问计生特殊家庭", "budget_fen": 1_000_000}),
    ("SHANGEN", {"code": "ELDERLY_CARE", "name": "善根养老",
                 "purpose": "失独老人养老照护",
                 "budget_fen": 500_000}),
]
DONOR1 = {"kind": "person", "name": "王芳", "phone": "13905501234",
          "id_number": make_resident_id("341181", date(1982, 5, 29), 128)}
COMPANY = {"kind": "company", "name": "天长市某电子科技有限公司",
           "credit_code": "91341181MA2N0XQ40A"}
GOVERNMENT = {"kind": "government", "name": "天长市财政局",
              "credit_code": "11341181MB1A2B3C4A"}
# Two townships of 天长市 with plausible (not official) 12-digit village codes.
TONGCHENG = "341181100"
QINLAN = "341181101"
# (idempotency key, fund, project, fen, channel, donor, the association that raised it)
DONATIONS = [
    ("demo-1", "GENERAL", None, 500_000, "bank", COMPANY, None),
    ("demo-2", "SPECIAL_FAMILY", "SPRING_VISITS", 2_000_000, "bank", COMPANY, None),
    ("demo-3", "INSURANCE_PAYOUT", None, 5_000_000, "bank", GOVERNMENT, None),
    ("demo-4", "SHANGEN", "ELDERLY_CARE", 88_800, "wechat", DONOR1, QINLAN + "001"),
    ("demo-5", "GENERAL", None, 20_000, "alipay", DONOR1, TONGCHENG + "001"),
]
PLEDGE = {"fund_code": "GENERAL", "amount_fen": 10_000, "channel": "wechat"}

PRODUCTS = [
    {"code": "ONLY_CHILD_ACCIDENT", "name": "独生子女意外伤害保险",
     "payout_fund_code": "INSURANCE_PAYOUT", "per_claim_cap_fen": 2_000_000,
     "per_year_cap_fen": 5_000_000, "waiting_days": 30, "term_days": 365, "min_age": 0,
     "max_age": 60, "categories": ["only_child"], "care_visit": False,
     "care_visit_skills": []},
    {"code": "STERILISATION_COMPLICATION",
     "name": "计划生育手术并发症保险",
     "payout_fund_code": "INSURANCE_PAYOUT", "per_claim_cap_fen": 3_000_000,
     "per_year_cap_fen": 5_000_000, "waiting_days": 0, "term_days": 365, "min_age": 18,
     "max_age": 60, "categories": ["sterilisation_complication"], "care_visit": False,
     "care_visit_skills": []},
    {"code": "SPECIAL_FAMILY_COMPREHENSIVE",
     "name": "计生特殊家庭综合保险",
     "payout_fund_code": "INSURANCE_PAYOUT", "per_claim_cap_fen": 1_000_000,
     "per_year_cap_fen": 3_000_000, "waiting_days": 15, "term_days": 365, "min_age": 49,
     "max_age": None, "categories": ["special_family"], "care_visit": True,
     "care_visit_skills": ["psychological_counselling", "social_work"]},
    # Open to every family; its premium is paid 80% by the government from the insurance
    # fund (the premium saga) and 20% by the family (staff record it when it comes); a
    # claim needs the hospital's invoice and discharge summary before it is approved.
    {"code": "FAMILY_HOSPITAL_CARE", "name": "计生家庭住院医疗保险",
     "payout_fund_code": "INSURANCE_PAYOUT", "per_claim_cap_fen": 1_000_000,
     "per_year_cap_fen": 2_000_000, "waiting_days": 30, "term_days": 365, "min_age": 0,
     "max_age": None, "categories": [], "care_visit": False, "care_visit_skills": [],
     "required_documents": ["hospital_invoice", "discharge_summary"],
     "premium_fen": 12_000, "premium_shares": [
         {"payer": "government", "share_pct": 80, "fund_code": "INSURANCE_PAYOUT"},
         {"payer": "family", "share_pct": 20}]},
]
POLICIES = [  # enrolled a year back, so claims are past their waiting periods
    {"product_code": "SPECIAL_FAMILY_COMPREHENSIVE", "family_category": "special_family",
     "family_code": "TC-2019-007",
     "insured": {"name": "李秀英", "phone": "13955012345",
                 "id_number": make_resident_id("341181", date(1961, 3, 8), 42)}},
    {"product_code": "ONLY_CHILD_ACCIDENT", "family_category": "only_child",
     "family_code": "TC-2020-113",
     "insured": {"name": "周小龙", "id_number": make_resident_id("341181", date(2008, 7, 11), 77)}},
]

# Policies of the product with a premium, enrolled 300 and 60 days back: 孙小军's premium is
# paid in full (the fund's share by the saga, the family's recorded by staff1), 陈静's
# family share is still unpaid, so her policy waits in pending_payment.
PREMIUM_POLICIES = [  # (the enrolment, days back it starts, the family's share paid)
    ({"product_code": "FAMILY_HOSPITAL_CARE", "family_category": "special_family",
      "insured": {"name": "孙小军",
                  "id_number": make_resident_id("341181", date(1985, 1, 30), 243)}}, 300, True),
    ({"product_code": "FAMILY_HOSPITAL_CARE", "family_category": "two_daughters",
      "insured": {"name": "陈静",
                  "id_number": make_resident_id("341181", date(1990, 6, 1), 223)}}, 60, False),
]
# 孙小军's claim, with both papers its product requires uploaded: staff2 may approve it.
DOCUMENTED_CLAIM = {"incident_days_ago": 20, "amount_claimed_fen": 560_000,
                    "description": "急性阑尾炎住院手术",
                    "payee": {"name": "孙国强", "bank": "中国农业银行天长支行",
                              "account_no": "6228480402564890026"}}
# On 陈静's policy while her premium is unpaid: flagged premium_unpaid, no papers yet.
UNPAID_CLAIM = {"incident_days_ago": 15, "amount_claimed_fen": 230_000,
                "description": "急性肠胃炎住院"}
# On 李秀英's policy: registered by staff1, rejected by staff2, appealed by staff1; it waits
# for staff3 (or the admin) to decide.
APPEALED_CLAIM = {"incident_days_ago": 40, "amount_claimed_fen": 120_000,
                  "description": "门诊复查",
                  "rejected": "未提供复查的医疗费用发票",
                  "appealed": "发票已由医院补开，请复核"}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + \
        struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def demo_png(width: int = 8, height: int = 8) -> bytes:
    """A small, valid PNG (a grey square): a scanned invoice, as far as the demo goes."""
    rows = b"".join(b"\x00" + b"\xc8\xc8\xc8" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) +
            _png_chunk(b"IDAT", zlib.compress(rows)) + _png_chunk(b"IEND", b""))


def demo_pdf(text: str = "Discharge summary (demo)") -> bytes:
    """A small, valid one-page PDF, with its cross-reference table."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


# The papers of DOCUMENTED_CLAIM: (kind, file name, content).
DOCUMENTS = [("hospital_invoice", "住院发票.png", demo_png()),
             ("discharge_summary", "出院小结.pdf", demo_pdf())]

VOLUNTEERS = [  # the first is the volunteer1 login
    {"name": "张丽", "phone": "13805501111",
     "id_number": make_resident_id("341181", date(1985, 7, 11), 301),
     "skills": [{"code": "social_work", "certificate_no": "SW-2024-0117",
                 "expires_on": "2029-12-31"}, "general"], "grassroots_code": QINLAN + "001"},
    {"name": "王建国", "phone": "13805502222",
     "id_number": make_resident_id("341181", date(1972, 5, 29), 302),
     "skills": [{"code": "psychological_counselling", "certificate_no": "PC-2021-0042",
                 "expires_on": "2030-06-30"}], "grassroots_code": TONGCHENG},
    {"name": "陈律师", "phone": "13805503333",
     "id_number": make_resident_id("341181", date(1980, 1, 15), 303),
     "skills": ["legal_aid", "general"]},
]

APPLICATION = {"name": "刘芳", "phone": "13805504444",
               "id_number": make_resident_id("341181", date(1990, 5, 29), 304),
               "skills": ["reproductive_health_counselling", "general"],
               "certificates": [{"skill": "reproductive_health_counselling",
                                 "certificate_no": "RH-2025-0031",
                                 "expires_on": "2030-12-31"}]}

# A second county under the same city (来安县), set up by the province's admin, with a
# fund, two gifts and a family: the province's ranking has two counties to show.
NEIGHBOUR = {"code": "341122", "name": "来安县计划生育协会", "parent_code": "341100"}
NEIGHBOUR_GIFTS = [("demo-laian-1", 300_000, COMPANY), ("demo-laian-2", 12_000, DONOR1)]
NEIGHBOUR_FAMILY = {
    "category": "special_bereaved", "village_code": "341122100001",
    "address": "来安县新安镇东门村5号",
    "members": [{"name": "钱国平", "relation": "head", "phone": "13955013101",
                 "id_number": make_resident_id("341122", date(1958, 6, 3), 311)}]}

FAMILIES = [  # one of each category; 周小龙 and 李秀英 are the insured of the demo policies
    {"category": "only_child", "village_code": TONGCHENG + "001",
     "address": "天长市铜城镇龙岗村三组8号",
     "members": [
         {"name": "周建华", "relation": "head", "phone": "13955013001",
          "id_number": make_resident_id("341181", date(1979, 2, 14), 211)},
         {"name": "吴梅", "relation": "spouse",
          "id_number": make_resident_id("341181", date(1981, 9, 3), 212)},
         {"name": "周小龙", "relation": "child",
          "id_number": make_resident_id("341181", date(2008, 7, 11), 77)}]},
    {"category": "two_daughters", "village_code": TONGCHENG + "002",
     "address": "天长市铜城镇闵塘村五组21号",
     "members": [
         {"name": "陈德明", "relation": "head", "phone": "13955013002",
          "id_number": make_resident_id("341181", date(1965, 11, 20), 221)},
         {"name": "王秀兰", "relation": "spouse",
          "id_number": make_resident_id("341181", date(1967, 4, 5), 222)},
         {"name": "陈静", "relation": "child",
          "id_number": make_resident_id("341181", date(1990, 6, 1), 223)},
         {"name": "陈慧", "relation": "child",
          "id_number": make_resident_id("341181", date(1993, 8, 18), 224)}]},
    {"category": "special_bereaved", "village_code": QINLAN + "001",
     "address": "天长市秦栏镇胡桥村二组3号",
     "members": [
         {"name": "李秀英", "relation": "head", "phone": "13955012345",
          "id_number": make_resident_id("341181", date(1961, 3, 8), 42)},
         {"name": "刘长海", "relation": "spouse",
          "id_number": make_resident_id("341181", date(1959, 12, 1), 231)}]},
    {"category": "special_disabled", "village_code": QINLAN + "002",
     "address": "天长市秦栏镇新集村七组15号",
     "members": [
         {"name": "孙国强", "relation": "head", "phone": "13955013004",
          "id_number": make_resident_id("341181", date(1958, 5, 9), 241)},
         {"name": "吴玉梅", "relation": "spouse",
          "id_number": make_resident_id("341181", date(1960, 10, 22), 242)},
         {"name": "孙小军", "relation": "child",
          "id_number": make_resident_id("341181", date(1985, 1, 30), 243)}]},
    {"category": "other", "village_code": QINLAN + "001",
     "address": "天长市秦栏镇胡桥村四组11号",
     "members": [
         {"name": "赵文", "relation": "head", "phone": "13955013005",
          "id_number": make_resident_id("341181", date(1975, 7, 7), 251)}]},
    # Parents working away, the grandmother keeping the child: left behind, low income.
    {"category": "left_behind_child", "low_income": True, "village_code": TONGCHENG + "001",
     "address": "天长市铜城镇龙岗村九组6号",
     "members": [
         {"name": "马桂芳", "relation": "head", "phone": "13955013006",
          "id_number": make_resident_id("341181", date(1956, 4, 17), 261)},
         {"name": "马小雨", "relation": "child",
          "id_number": make_resident_id("341181", date(2015, 9, 1), 262)}]},
]

# The townships' and villages' associations (基层协会), and members (会员) who each keep in
# touch with a demo family (会员联系户): the family of the person named.
ASSOCIATIONS = [
    {"code": TONGCHENG, "name": "铜城镇计划生育协会", "parent_code": "341181"},
    {"code": QINLAN, "name": "秦栏镇计划生育协会", "parent_code": "341181"},
    {"code": TONGCHENG + "001", "name": "龙岗村计划生育协会", "parent_code": TONGCHENG},
    {"code": TONGCHENG + "002", "name": "闵塘村计划生育协会", "parent_code": TONGCHENG},
    {"code": QINLAN + "001", "name": "胡桥村计划生育协会", "parent_code": QINLAN},
    {"code": QINLAN + "002", "name": "新集村计划生育协会", "parent_code": QINLAN},
]
MEMBERS = [  # (the member, the head of the family they keep in touch with, or None)
    ({"name": "顾春兰", "phone": "13955014001", "grassroots_code": TONGCHENG + "001",
      "id_number": make_resident_id("341181", date(1972, 3, 12), 401)}, "周建华"),
    ({"name": "钱志刚", "phone": "13955014002", "grassroots_code": TONGCHENG + "002",
      "id_number": make_resident_id("341181", date(1969, 8, 30), 402)}, "陈德明"),
    ({"name": "蒋丽", "phone": "13955014003", "grassroots_code": QINLAN + "001",
      "id_number": make_resident_id("341181", date(1983, 5, 2), 403)}, "李秀英"),
    ({"name": "韩卫东", "phone": "13955014004", "grassroots_code": QINLAN + "002",
      "id_number": make_resident_id("341181", date(1966, 1, 19), 404)}, "孙国强"),
    ({"name": "许明", "phone": "13955014005", "grassroots_code": QINLAN,
      "id_number": make_resident_id("341181", date(1978, 11, 8), 405)}, "赵文"),
]
MEMBER_DAY = {"title": "5·29会员活动日：走访计生特殊家庭", "held_on": "2026-05-29"}
# Contacts members had with their families (the member, days back, way, note): 钱志刚's
# is past CONTACT_DUE_DAYS, so his pair shows as overdue.
CONTACTS = [("顾春兰", 10, "visit", "入户走访，了解孩子学习情况"),
            ("钱志刚", 45, "phone", "电话问候，家中一切正常")]
# Help given to families (the head of the family, the member who helped or None for the
# staff member, kind, days back, minutes, note, outcome, follow-up days back or None):
# 李秀英's follow-up has passed unmet, so it is listed.
HELP = [("李秀英", "蒋丽", "psychological", 20, 90, "陪伴聊天，疏导失独之痛", "情绪好转", 5),
        ("孙国强", None, "living", 12, 60, "送去米面油和冬衣", None, None),
        ("马桂芳", None, "companionship", 3, 45, "陪老人看病取药", "已取药", None)]


def assessment_criteria(year: int) -> dict:
    """This year's criteria for assessing the townships' associations."""
    return {"year": year, "items": [
        {"key": "members", "name": "每百户会员数", "weight": 20,
         "source": "members_per_100_households"},
        {"key": "contacts", "name": "联系户覆盖率", "weight": 25,
         "source": "contact_coverage_pct"},
        {"key": "help", "name": "户均帮扶次数", "weight": 20, "source": "help_records_per_family"},
        {"key": "hours", "name": "志愿服务时长", "weight": 15, "source": "volunteer_hours"},
        {"key": "money", "name": "筹集资金", "weight": 10, "source": "money_raised_fen"},
        {"key": "publicity", "name": "宣传活动（人工评分）", "weight": 10, "source": "manual"}]}


# The manual item's scores (association, score).
ASSESSMENT_SCORES = [(TONGCHENG, 85), (QINLAN, 92)]
