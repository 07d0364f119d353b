"""The yearly assessment of grassroots associations (先进基层协会评估): the county's criteria
for a year, the scores of its manual items, and an association's assessment of those directly
under it, as JSON or a spreadsheet."""
from services.gateway import exports
from services.gateway.export_columns import Column, Columns
from services.gateway.exports import SPREADSHEETS, export_query
from services.gateway.routes import route
from services.gateway.web import i18n
from services.gateway.web.assessment_words import GRADE_WORDS
from services.gateway.web.words import word
from shared.actors import ADMIN, LEADERSHIP
from shared.contracts.assessment import (
    RULES,
    AssessmentIn,
    AssessmentOut,
    CriteriaIn,
    CriteriaOut,
    ScoreIn,
    ScoreOut,
)

ASSESSMENT_EXPORT = export_query(AssessmentIn)


class AssessmentApi:
    """Mixed into GatewayService."""

    @route("PUT", "/api/v1/associations/<code>/assessment/criteria", "Set the county's "
           "assessment criteria for a year, replacing any set before (at the county's own "
           "code): 1 to 20 items, each weighed 1 to 100 (adding up to 100) and computed from "
           "the records or scored by hand", ADMIN, body=CriteriaIn, response=CriteriaOut,
           tags=["associations"])
    def set_assessment_criteria(self, call, code):
        return self.families.set_assessment_criteria(code, call.raw_body, call.actor)

    @route("PUT", "/api/v1/associations/<code>/assessment/<int:year>/scores", "Score a "
           "grassroots association 0 to 100 on a manual item of the year's criteria (at the "
           "county's own code; a second score replaces the first)", ADMIN, body=ScoreIn,
           response=ScoreOut, tags=["associations"])
    def set_assessment_score(self, call, code, year):
        return self.families.set_assessment_score(code, year, call.raw_body, call.actor)

    @route("GET", "/api/v1/associations/<code>/assessment/<int:year>", "The associations "
           "directly under this one assessed on the county's criteria for the year: each "
           "item's value and score, the total, rank and grade, and each grade's share. "
           + RULES, LEADERSHIP, response=AssessmentOut, tags=["associations"])
    def association_assessment(self, call, code, year):
        return self.families.assessment(code, year, call.actor)

    @route("GET", "/api/v1/associations/<code>/assessment/<int:year>/export", "The "
           "assessment as a spreadsheet (xlsx; CSV with ?format=csv): a row per association, "
           "each item's value and score, the total, rank and grade", LEADERSHIP,
           query=ASSESSMENT_EXPORT, binary=SPREADSHEETS, tags=["associations"])
    def export_assessment(self, call, code, year):
        return assessment_export(self.families, call, code, year)


def assessment_export(families, call, code: str, year: int):
    """The assessment as the call's format asks, headed and graded in its language."""
    found = families.assessment(code, year, call.actor)
    language = exports.language_of(call)
    gettext = i18n.translations(language).gettext
    rows = [{"code": a["code"], "name": a["name"], "total": a["total"], "rank": a["rank"],
             "grade": word_of(gettext, a["grade"]),
             "values": {i["key"]: i["value"] for i in a["items"]},
             "scores": {i["key"]: i["score"] for i in a["items"]}}
            for a in found["associations"]]
    return exports.sent(call, f"assessment-{year}", columns(found["criteria"]), iter(rows))


def word_of(gettext, grade: str) -> str:
    return gettext(GRADE_WORDS[grade]) if grade in GRADE_WORDS else word(gettext, grade)


def columns(criteria: list[dict]) -> Columns:
    """The association, each item's value and score (money in fen, as every export gives
    it), the total, rank and grade."""
    per_item = []
    for c in criteria:
        fen = c["source"] == "money_raised_fen"
        name = exports.neutral(c["name"])  # a person's text: never a formula, headers too
        per_item += [Column(f"values.{c['key']}", f"{name}（数值{'，分' if fen else ''}）",
                            f"{name} (value{', fen' if fen else ''})", 16),
                     Column(f"scores.{c['key']}", f"{name}（得分）", f"{name} (score)", 12)]
    return Columns("基层协会评估", "Assessment", [
        Column("code", "代码", "Code"), Column("name", "基层协会", "Association", 24),
        *per_item, Column("total", "总分", "Total"), Column("rank", "名次", "Rank"),
        Column("grade", "等级", "Grade")])
