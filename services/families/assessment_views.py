"""The assessment's criteria, scores and results as the JSON the world sees, through the Out
schemas of shared/contracts/assessment.py (beside views.py, which shapes the rest)."""
from services.families.assessment import Score, Setting
from services.families.grading import Assessed, Criterion, shares
from services.families.models import AssessmentCriteria
from shared.contracts.assessment import (
    GRADES,
    AssessedItemOut,
    AssessedOut,
    AssessmentOut,
    CriteriaOut,
    CriterionOut,
    ScoreOut,
    SharesOut,
)
from shared.schemas import shaped

CRITERION = CriterionOut()
CRITERIA = CriteriaOut()
SCORE = ScoreOut()
ASSESSED_ITEM = AssessedItemOut()
ASSESSED = AssessedOut()
SHARES = SharesOut()
ASSESSMENT = AssessmentOut()


def _criterion(criterion: Criterion) -> dict:
    return shaped(CRITERION, {"key": criterion.key, "name": criterion.name,
                              "weight": criterion.weight, "source": criterion.source})


def criteria_view(row: AssessmentCriteria) -> dict:
    return shaped(CRITERIA, {"code": row.association_code, "year": row.year,
                             "items": [_criterion(Criterion(**i)) for i in row.items],
                             "set_by": row.set_by})


def score_view(score: Score) -> dict:
    return shaped(SCORE, {"code": score.code, "year": score.year, "key": score.key,
                          "score": score.score})


def _assessed(found: Assessed) -> dict:
    return shaped(ASSESSED, {
        "code": found.code, "name": found.name, "total": found.total, "rank": found.rank,
        "grade": found.grade,
        "items": [shaped(ASSESSED_ITEM, {"key": i.key, "value": i.value, "score": i.score})
                  for i in found.items]})


def assessment_view(setting: Setting, assessed: list[Assessed]) -> dict:
    split = shares([a.grade for a in assessed])
    return shaped(ASSESSMENT, {
        "code": setting.code, "year": setting.year,
        "criteria": [_criterion(c) for c in setting.criteria],
        "associations": [_assessed(a) for a in assessed],
        "shares": shaped(SHARES, {"n": split.n, **split.counts,
                                  **{f"{g}_pct": split.pcts[g] for g in GRADES}})})
