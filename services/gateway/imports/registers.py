"""The registers that come in from spreadsheets: their columns (Chinese and English headers,
both accepted; the key is the field's name in the register's row schema), which of them are
coded (a drop-down in the template; a cell may hold the code or its word in either
language), who may import them, and which service's call takes the rows."""
from dataclasses import dataclass

from shared.actors import COORDINATORS, STAFF
from shared.contracts.families import CATEGORIES, RELATIONS
from shared.contracts.fund import DONOR_KINDS
from shared.contracts.insurance import FAMILY_CATEGORIES
from shared.contracts.volunteers import SKILLS


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    choices: tuple[str, ...] = ()  # the codes a cell may hold
    many: bool = False  # several codes in one cell, separated by commas or 、
    note: str = ""  # what the template's header comment says (English; translated)

    def header(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Register:
    name: str
    service: str  # the gateway's proxy attribute
    call: str  # the service's RPC method taking a batch
    roles: tuple[str, ...]
    columns: tuple[Column, ...]
    # The columns that name one row's subject: a second row with the same is an error.
    key: tuple[str, ...] = ("id_number",)
    group: str | None = None  # rows with the same value here are written together

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)


YES_NO = ("yes", "no")  # a cell's word in either language stands for it (是/否, Yes/No)
NAME = Column("name", "姓名", "Name", required=True)
ID_NUMBER = Column("id_number", "身份证号", "Identity number", required=True,
                   note="18 characters; type it as text so the spreadsheet keeps every digit")
PHONE = Column("phone", "手机号", "Mobile phone")

REGISTERS = {register.name: register for register in (
    Register("families", "families", "import_families", STAFF, (
        Column("household_no", "户编号", "Household number", required=True,
               note="the household's number in the old register: its people share it"),
        Column("category", "家庭类别", "Family category", required=True, choices=CATEGORIES),
        Column("address", "地址", "Address", required=True),
        Column("village_code", "村(社区)代码", "Village code", required=True,
               note="6 to 12 digits"),
        NAME, ID_NUMBER,
        Column("relation", "与户主关系", "Relation to the head", required=True,
               choices=RELATIONS),
        PHONE,
        Column("low_income", "低收入家庭", "Low income", choices=YES_NO,
               note="yes or no (blank: no)"),
    ), group="household_no"),
    Register("members", "families", "import_members", STAFF, (
        NAME, ID_NUMBER, Column("phone", "手机号", "Mobile phone", required=True),
        Column("grassroots_code", "所属协会代码", "Association code", required=True),
        Column("family_no", "联系户编号", "Family kept in touch with",
               note="the family number (e.g. F-341181-0001) of the family the member keeps "
                    "in touch with"),
    )),
    Register("volunteers", "volunteers", "import_volunteers", COORDINATORS, (
        NAME, ID_NUMBER, Column("phone", "手机号", "Mobile phone", required=True),
        Column("skills", "技能", "Skills", required=True, choices=SKILLS, many=True),
        Column("availability", "可服务时间", "Availability"),
        Column("grassroots_code", "所属协会代码", "Association code"),
    )),
    Register("policies", "insurance", "import_policies", STAFF, (
        Column("product_code", "险种代码", "Product code", required=True),
        NAME, ID_NUMBER, PHONE,
        Column("start_date", "起保日期", "Start date", required=True, note="YYYY-MM-DD"),
        Column("family_category", "家庭类别", "Family category", choices=FAMILY_CATEGORIES),
        Column("family_code", "家庭编号", "Family code"),
    ), key=("product_code", "id_number", "start_date")),
    Register("donors", "fund", "import_donors", STAFF, (
        Column("kind", "捐赠人类型", "Donor kind", required=True, choices=DONOR_KINDS),
        NAME,
        Column("id_number", "身份证号", "Identity number", note="a person's"),
        Column("credit_code", "统一社会信用代码", "Credit code",
               note="a company's or organisation's"),
        PHONE,
    ), key=("id_number", "credit_code")),
)}
