"""The families service's contract for the yearly assessment of grassroots associations
(先进基层协会评估): the county's criteria for a year (items, each weighed and either computed
from the records or scored by hand), the scores given by hand, and the assessment read back.

How it is scored and graded (the API's descriptions and the page say the same):
- A computed item scores 0–100 relative to the best association on it: value / highest ×
  100 (0 for all when the highest is 0). A manual item's score is the one given (0 when none).
- total = Σ weight × item score / 100, rounded to 2 decimals (item scores rounded to 2
  decimals first, as shown).
- n associations are ranked by total; ties share the better rank (rank = 1 + the number with
  a strictly higher total). `advanced`: rank ≤ floor(0.6 × n); `lagging`: rank > n −
  floor(0.1 × n) (so with fewer than ten associations none is lagging, and a tie across a line
  takes the better grade); else `standard`. The shares are of n."""
from marshmallow import Schema, fields

from shared.fields import Text, Whole
from shared.schemas import Strict

# What a computed item counts, for the associations assessed, in the year (local dates).
SOURCES = {
    "members_per_100_households": "members under the association per 100 families under it "
                                  "(0 when no families)",
    "contact_coverage_pct": "share of its families with a member's contact dated in the year, "
                            "in per cent",
    "help_records_per_family": "help records dated in the year per family under it",
    "volunteer_hours": "hours served in the year by its volunteers (credited service records)",
    "member_days_held": "member days held in the year under it",
    "money_raised_fen": "money (not goods) given to it in the year less refunds, in fen",
}
MANUAL = "manual"
ADVANCED = "advanced"
STANDARD = "standard"
LAGGING = "lagging"
GRADES = (ADVANCED, STANDARD, LAGGING)
FIRST_YEAR, LAST_YEAR = 2000, 2999
MAX_ITEMS = 20
WEIGHTS_TOTAL = 100

RULES = ("Computed items score value / highest × 100 (0 when the highest is 0); manual items "
         "the score given (0 when none); total = Σ weight × item score / 100, to 2 decimals. "
         "Ranked by total, ties sharing the better rank: advanced when rank ≤ floor(0.6 × n), "
         "lagging when rank > n − floor(0.1 × n), else standard.")

ERRORS = {
    "criteria_not_set": "The county has set no assessment criteria for that year (404).",
    "association_not_found": "No association with that code, or not the county's own where "
                             "criteria and scores are set (404).",
}


class CriterionIn(Strict):
    key = fields.String(required=True, metadata={
        "description": "a slug unique within the criteria: a-z, 0-9 and _, up to 40"})
    name = Text(required=True, metadata={"description": "1 to 100 characters"})
    weight = Whole(required=True, metadata={
        "description": "a whole number 1 to 100; the items' weights add up to exactly 100"})
    source = fields.String(required=True, metadata={
        "description": f"{MANUAL}, or a computed key: " + "; ".join(
            f"{key}: {meaning}" for key, meaning in SOURCES.items())})


class CriteriaIn(Strict):
    year = Whole(required=True, metadata={"description": f"{FIRST_YEAR} to {LAST_YEAR}"})
    items = fields.List(fields.Nested(CriterionIn), required=True,
                        metadata={"description": f"1 to {MAX_ITEMS} items"})


class AssessmentIn(Schema):
    """An assessment's export takes no filters: the association and the year are in the
    path."""


class YearIn(Strict):
    year = Whole(required=True, metadata={"description": f"{FIRST_YEAR} to {LAST_YEAR}"})


class ScoreIn(Strict):
    code = fields.String(required=True, metadata={
        "description": "a grassroots association under the county"})
    key = fields.String(required=True, metadata={"description": "a manual item of the year"})
    score = fields.Decimal(required=True, metadata={
        "description": "0 to 100, at most two decimals"})


# What comes back.
class CriterionOut(Schema):
    key = fields.String()
    name = fields.String()
    weight = Whole()
    source = fields.String()


class CriteriaOut(Schema):
    code = fields.String(metadata={"description": "the county's association"})
    year = Whole()
    items = fields.List(fields.Nested(CriterionOut))
    set_by = fields.String()


class ScoreOut(Schema):
    code = fields.String()
    year = Whole()
    key = fields.String()
    score = fields.Float()


class AssessedItemOut(Schema):
    key = fields.String()
    value = fields.Float(allow_none=True, metadata={
        "description": "what was counted, to 2 decimals (money in fen); null for a manual "
                       "item"})
    score = fields.Float(metadata={"description": "0 to 100, to 2 decimals"})


class AssessedOut(Schema):
    code = fields.String()
    name = fields.String()
    items = fields.List(fields.Nested(AssessedItemOut), metadata={
        "description": "in the order of the criteria"})
    total = fields.Float()
    rank = Whole()
    grade = fields.String(metadata={"enum": list(GRADES)})


class SharesOut(Schema):
    n = Whole(metadata={"description": "associations assessed"})
    advanced = Whole()
    standard = Whole()
    lagging = Whole()
    advanced_pct = fields.Float(metadata={"description": "of n, in per cent, to 2 decimals"})
    standard_pct = fields.Float()
    lagging_pct = fields.Float()


class AssessmentOut(Schema):
    code = fields.String(metadata={"description": "the association whose associations "
                                                  "directly under it are assessed"})
    year = Whole()
    criteria = fields.List(fields.Nested(CriterionOut))
    associations = fields.List(fields.Nested(AssessedOut), metadata={
        "description": "best first (by rank, then code)"})
    shares = fields.Nested(SharesOut)
