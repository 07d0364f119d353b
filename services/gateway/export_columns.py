"""Which columns each exported list has, headed in Chinese or English. A column names a field
of the list's items as the API answers them (`insured.name`: a field inside one)."""
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from shared.errors import NotFound


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    width: int = 14

    def header(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    @cached_property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


def _one_row(item: dict) -> Iterator[dict]:
    yield item


@dataclass(frozen=True)
class Columns:
    zh: str  # the sheet's title
    en: str
    columns: list[Column]
    # The rows an item gives: one, or (a family) one per member.
    rows_of: Callable[[dict], Iterator[dict]] = field(default=_one_row)

    def title(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def _members(family: dict) -> Iterator[dict]:
    """A household's members, a row each, with the household's own fields (一户一档 as the
    county's workbooks keep it: one row per person, grouped by household number)."""
    for member in family["members"] or [{}]:
        yield {**family, "member": member}


C = Column
_AMOUNT = 12
REGISTERS: dict[str, Columns] = {
    "donations": Columns("捐赠", "Donations", [
        C("receipt_no", "收据号", "Receipt no.", 20),
        C("recorded_at", "记录时间", "Recorded at", 22),
        C("fund_code", "基金", "Fund"), C("project_code", "项目", "Project"),
        C("amount_fen", "金额（分）", "Amount (fen)", _AMOUNT), C("channel", "渠道", "Channel"),
        C("donor_id", "捐赠人编号", "Donor id"), C("anonymous", "匿名", "Anonymous"),
        C("status", "状态", "Status"), C("note", "备注", "Note", 30),
        C("recorded_by", "记录人", "Recorded by")]),
    "donors": Columns("捐赠人", "Donors", [
        C("id", "编号", "Id"), C("kind", "类别", "Kind"), C("name", "姓名/名称", "Name", 24),
        C("id_number", "身份证号", "Identity number", 22),
        C("credit_code", "统一社会信用代码", "Credit code", 22), C("phone", "手机", "Phone")]),
    "pledges": Columns("认捐", "Pledges", [
        C("pledge_no", "认捐号", "Pledge no.", 20), C("created_at", "时间", "Created at", 22),
        C("status", "状态", "Status"), C("fund_code", "基金", "Fund"),
        C("project_code", "项目", "Project"),
        C("amount_fen", "金额（分）", "Amount (fen)", _AMOUNT), C("channel", "渠道", "Channel"),
        C("pay_reference", "付款附言", "Pay reference", 18),
        C("expires_at", "到期", "Expires at", 22), C("donor_id", "捐赠人编号", "Donor id")]),
    "disbursements": Columns("支出", "Disbursements", [
        C("id", "编号", "Id"), C("requested_at", "申请时间", "Requested at", 22),
        C("fund_code", "基金", "Fund"), C("project_code", "项目", "Project"),
        C("category", "类别", "Category", 20),
        C("amount_fen", "金额（分）", "Amount (fen)", _AMOUNT), C("purpose", "用途", "Purpose", 30),
        C("payee.name", "收款人", "Payee"),
        C("payee.id_number", "收款人身份证号", "Payee identity number", 22),
        C("status", "状态", "Status"), C("reason", "原因", "Reason", 24),
        C("requested_by", "申请人", "Requested by"), C("decided_by", "审批人", "Decided by"),
        C("decided_at", "审批时间", "Decided at", 22)]),
    "families": Columns("家庭", "Families", [
        C("family_no", "户编号", "Household no.", 18), C("category", "类别", "Category", 16),
        C("low_income", "低收入", "Low income", 10),
        C("village_code", "村（居）代码", "Village code", 14), C("address", "地址", "Address", 30),
        C("member.name", "姓名", "Name"), C("member.relation", "与户主关系", "Relation"),
        C("member.id_number", "身份证号", "Identity number", 22),
        C("member.phone", "手机", "Phone")], rows_of=_members),
    "members": Columns("会员", "Members", [
        C("member_no", "会员号", "Member no.", 18), C("name", "姓名", "Name"),
        C("id_number", "身份证号", "Identity number", 22), C("phone", "手机", "Phone"),
        C("grassroots_code", "基层协会", "Grassroots association", 16),
        C("joined_at", "入会时间", "Joined at", 22),
        C("families", "联系户", "Families kept in touch with", 24)]),
    "volunteers": Columns("志愿者", "Volunteers", [
        C("id", "编号", "Id"), C("name", "姓名", "Name"),
        C("id_number", "身份证号", "Identity number", 22), C("phone", "手机", "Phone"),
        C("skills", "专长", "Skills", 30), C("status", "状态", "Status"),
        C("grassroots_code", "基层协会", "Grassroots association", 16),
        C("hours_total", "服务时长（小时）", "Hours"), C("no_shows", "缺勤", "No-shows")]),
    "policies": Columns("保单", "Policies", [
        C("policy_no", "保单号", "Policy no.", 20), C("product_code", "险种", "Product", 24),
        C("status", "状态", "Status"), C("start_date", "起保日期", "Start date"),
        C("end_date", "终止日期", "End date"), C("insured.name", "被保险人", "Insured"),
        C("insured.id_number", "身份证号", "Identity number", 22),
        C("family_category", "家庭类别", "Family category", 16),
        C("premium_fen", "保费（分）", "Premium (fen)", _AMOUNT)]),
    "claims": Columns("理赔", "Claims", [
        C("claim_no", "理赔号", "Claim no.", 20), C("policy_no", "保单号", "Policy no.", 20),
        C("product_code", "险种", "Product", 24), C("insured.name", "被保险人", "Insured"),
        C("insured.id_number", "身份证号", "Identity number", 22),
        C("incident_date", "出险日期", "Incident date"),
        C("amount_claimed_fen", "申请金额（分）", "Claimed (fen)", _AMOUNT),
        C("amount_approved_fen", "核定金额（分）", "Approved (fen)", _AMOUNT),
        C("status", "状态", "Status", 20), C("flags", "提示", "Flags", 24),
        C("registered_by", "登记人", "Registered by")]),
    "visits": Columns("探访", "Visits", [
        C("id", "编号", "Id"), C("starts_at", "开始", "Starts at", 22),
        C("ends_at", "结束", "Ends at", 22), C("family_name", "家庭", "Family"),
        C("address", "地址", "Address", 30), C("reason", "事由", "Reason", 30),
        C("required_skills", "所需专长", "Skills needed", 24), C("status", "状态", "Status"),
        C("volunteers", "志愿者", "Volunteers", 24), C("minutes", "时长（分钟）", "Minutes")]),
    "shifts": Columns("班次", "Shifts", [
        C("id", "编号", "Id"), C("title", "活动", "Activity", 24),
        C("starts_at", "开始", "Starts at", 22), C("ends_at", "结束", "Ends at", 22),
        C("place", "地点", "Place", 24), C("capacity", "名额", "Capacity"),
        C("required_skills", "所需专长", "Skills needed", 24),
        C("confirmed", "已确认", "Confirmed", 24), C("waitlisted", "候补", "Waitlisted", 24)]),
    # The insurance reports (`shared.contracts.insurance_reports`).
    "premiums-report": Columns("保费", "Premiums", [
        C("product_code", "险种", "Product"), C("payer", "缴费方", "Payer"),
        C("due_fen", "应缴（分）", "Due (fen)", _AMOUNT),
        C("paid_fen", "已缴（分）", "Paid (fen)", _AMOUNT)]),
    "claims-report": Columns("理赔", "Claims", [
        C("product_code", "险种", "Product"), C("status", "状态", "Status"),
        C("rejection_reason", "拒赔原因", "Rejection reason", 30),
        C("claims", "件数", "Claims"), C("claimed_fen", "申请金额（分）", "Claimed (fen)", _AMOUNT),
        C("approved_fen", "核定金额（分）", "Approved (fen)", _AMOUNT)]),
    "loss-ratio-report": Columns("赔付率", "Loss ratio", [
        C("product_code", "险种", "Product"),
        C("earned_premium_fen", "已赚保费（分）", "Earned premiums (fen)", 16),
        C("paid_claims_fen", "已付赔款（分）", "Paid claims (fen)", 16),
        C("ratio", "赔付率", "Ratio")]),
}


def columns_of(register: str) -> Columns:
    if register not in REGISTERS:
        raise NotFound(f"No list {register} to export.", "register_not_found")
    return REGISTERS[register]
