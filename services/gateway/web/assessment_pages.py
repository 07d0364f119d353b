"""The yearly assessment page (先进基层协会评估): an association's associations directly
under it, each item's value and score, the total, rank and grade, the shares of each grade
and a bar chart of the totals (inline SVG, no script), with downloads; on the county's page,
admins set the year's criteria (a row per item) and the scores of its manual items."""
import re
from functools import partial

from services.gateway.api.assessment import ASSESSMENT_EXPORT, assessment_export
from services.gateway.routes import Call
from services.gateway.web.assessment_words import (
    GRADE_WORDS,
    MONEY_SOURCE,
    SOURCE_WORDS,
    WHOLE_SOURCES,
)
from services.gateway.web.forms import Form, whole
from services.gateway.web.ui import Ui, page
from shared.actors import ADMIN, LEADERSHIP, load
from shared.clock import local_today
from shared.contracts.assessment import FIRST_YEAR, LAST_YEAR, MAX_ITEMS, CriteriaIn, ScoreIn
from shared.contracts.associations import COUNTY
from shared.errors import DomainError, InvalidInput, NotFound

YEARS_SHOWN = 6  # next year, this year and the four before, in the year chooser
BLANK_ROWS = 2  # rows under the items set, for more
FIRST_ROWS = 6  # rows of an empty form
FIELDS = ("key", "name", "weight", "source")
_ITEM_FIELD = re.compile(r"items\.(\d+)\.(\w+)")
# The chart's geometry, in SVG units (it scales to the page's width).
WIDTH, LABEL, BAR, GAP, TOP = 640, 190, 22, 10, 8


def _year(ui: Ui) -> int:
    typed = (ui.request.args.get("year") or "").strip()
    if not typed:
        return local_today().year
    year = whole(typed)
    if not isinstance(year, int):
        raise InvalidInput("The year is not a year.", "invalid_input",
                           {"year": ["Must be a whole number."]})
    return year


def _years(year: int) -> list[int]:
    this = local_today().year
    return sorted({*range(this + 1, this + 1 - YEARS_SHOWN, -1), year}, reverse=True)


def _value(source: str, value) -> dict:
    """A computed value as the table shows it: money in yuan (from fen), counts whole."""
    if value is None:
        return {"text": "", "fen": None}
    if source == MONEY_SOURCE:
        return {"text": "", "fen": int(value)}
    return {"text": f"{value:.0f}" if source in WHOLE_SOURCES else f"{value:.2f}", "fen": None}


def _table(found: dict) -> list[dict]:
    sources = [c["source"] for c in found["criteria"]]
    return [{**a, "total_text": f"{a['total']:.2f}",
             "cells": [{**_value(source, i["value"]), "score": f"{i['score']:.2f}"}
                       for source, i in zip(sources, a["items"], strict=True)]}
            for a in found["associations"]]


def _chart(found: dict) -> dict:
    """Bars of the totals (0 to 100), best first, with their rows' positions."""
    span = WIDTH - LABEL - 60
    bars = [{"name": a["name"], "total": f"{a['total']:.2f}", "grade": a["grade"],
             "y": TOP + n * (BAR + GAP), "width": round(span * a["total"] / 100, 1)}
            for n, a in enumerate(found["associations"])]
    return {"bars": bars, "width": WIDTH, "label": LABEL, "bar": BAR,
            "height": TOP * 2 + len(bars) * (BAR + GAP)}


def _rows_of(criteria: list[dict]) -> list[dict]:
    rows = [{**c, "weight": str(c["weight"])} for c in criteria]
    blank = {"key": "", "name": "", "weight": "", "source": ""}
    wanted = max(len(rows) + BLANK_ROWS, FIRST_ROWS) if rows else FIRST_ROWS
    return rows + [dict(blank) for _ in range(min(wanted, MAX_ITEMS) - len(rows))]


def _typed_rows(form: dict) -> list[dict]:
    return [{name: (form.get(f"{name}_{n}") or "").strip() for name in FIELDS}
            for n in range(MAX_ITEMS)]


def _row_errors(ui: Ui, rows: list[int], error: DomainError) -> dict:
    """A refusal under the form's own fields: `items.2.source` at the source of the form's
    row that item came from (blank rows are not sent)."""
    shown: dict = {}
    for field, messages in (error.fields or {}).items():
        matched = _ITEM_FIELD.fullmatch(field)
        if matched and int(matched[1]) < len(rows):
            field = f"{matched[2]}_{rows[int(matched[1])]}"
        shown.setdefault(field, []).extend(ui.say(m) for m in messages)
    return shown or {"_criteria": [ui.say(error.message)]}


def _checked(schema, body: dict, shown) -> dict:
    try:
        load(schema, body)
    except InvalidInput as error:
        return shown(error)
    return {}


class AssessmentPages:
    @page("GET", "/associations/<code>/assessment", LEADERSHIP)
    def assessment_page(self, ui: Ui, code):
        return self._assessment_page(ui, code, _year(ui))

    def _assessment_page(self, ui: Ui, code: str, year: int, status=200, errors=None,
                         rows=None):
        try:
            found = self.families.assessment(code, year, ui.actor)
        except NotFound as missing:  # an association there is not: 404; no criteria: a form
            if missing.code != "criteria_not_set":
                raise
            found = None
        associations = self.families.list_associations(ui.actor)["items"]
        here = next(a for a in associations if a["code"] == code)
        criteria = found["criteria"] if found else []
        may_set = ui.actor["role"] in ADMIN and here["level"] == COUNTY
        return ui.render(
            "assessment.html", status, association=here, year=year, years=_years(year),
            found=found,
            criteria=criteria, table=_table(found) if found else [],
            chart=_chart(found) if found else None, may_set=may_set,
            rows=rows or _rows_of(criteria), sources=SOURCE_WORDS, grades=GRADE_WORDS,
            money=MONEY_SOURCE, manual=[c for c in criteria if c["source"] == "manual"],
            errors=errors or {}, form=ui.form, done=ui.request.args.get("done"))

    @page("POST", "/associations/<code>/assessment/criteria", ADMIN,
          form_page="/associations/{code}/assessment")
    def assessment_criteria_page(self, ui: Ui, code):
        year = whole((ui.form.get("year") or "").strip())
        typed = _typed_rows(ui.form)
        used = [n for n, row in enumerate(typed) if row["key"] or row["name"] or row["weight"]]
        body = {"year": year, "items": [{**typed[n], "weight": whole(typed[n]["weight"])}
                                        for n in used]}
        shown = partial(_row_errors, ui, used)
        again = partial(self._assessment_page, ui, code, _shown_year(year), rows=[
            *typed[:max(used, default=-1) + 1 + BLANK_ROWS]] if used else None)
        posted = Form(ui, again, shown=shown)
        return posted.submit(
            lambda: self.families.set_assessment_criteria(code, body, ui.actor),
            f"/associations/{code}/assessment?year={year}&done=criteria",
            _checked(CriteriaIn(), body, shown))

    @page("POST", "/associations/<code>/assessment/scores", ADMIN,
          form_page="/associations/{code}/assessment")
    def assessment_score_page(self, ui: Ui, code):
        year = whole((ui.form.get("year") or "").strip())
        body = {name: (ui.form.get(name) or "").strip() for name in ("code", "key", "score")}
        shown = partial(_score_errors, ui)
        posted = Form(ui, partial(self._assessment_page, ui, code, _shown_year(year)),
                      shown=shown)
        if not isinstance(year, int):
            return posted.again(422, {"_score": [ui.gettext("Choose a year.")]})
        return posted.submit(
            lambda: self.families.set_assessment_score(code, year, body, ui.actor),
            f"/associations/{code}/assessment?year={year}&done=score",
            _checked(ScoreIn(), body, shown))

    @page("GET", "/associations/<code>/assessment/<int:year>/export", LEADERSHIP)
    def assessment_export_page(self, ui: Ui, code, year):
        query = load(ASSESSMENT_EXPORT(), {"lang": ui.language, **ui.request.args.to_dict()})
        return assessment_export(self.families, Call(ui.request, ui.actor, None, query, None),
                                 code, year)


def _shown_year(year) -> int:
    """The year a refused form's page shows: the one typed, if it is one."""
    return year if isinstance(year, int) and FIRST_YEAR <= year <= LAST_YEAR \
        else local_today().year


def _score_errors(ui: Ui, error: DomainError) -> dict:
    shown: dict = {}
    for field, messages in (error.fields or {}).items():
        shown.setdefault(field if field in ("code", "key", "score") else "_score", []).extend(
            ui.say(m) for m in messages)
    return shown or {"_score": [ui.say(error.message)]}
