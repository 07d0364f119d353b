"""The words a person reads for the assessment's codes: what a computed item counts and the
grades (English ids, Chinese from the catalogue)."""
from services.gateway.web.words import N_

SOURCE_WORDS = {
    "members_per_100_households": N_("Members per 100 households"),
    "contact_coverage_pct": N_("Families in touch with their member (%)"),
    "help_records_per_family": N_("Help records per family"),
    "volunteer_hours": N_("Volunteers' hours"),
    "member_days_held": N_("Member days held"),
    "money_raised_fen": N_("Money raised"),
    "manual": N_("Scored by hand"),
}
GRADE_WORDS = {
    "advanced": N_("Advanced"),
    "standard": N_("Standard"),
    "lagging": N_("Lagging"),
}
MONEY_SOURCE = "money_raised_fen"
WHOLE_SOURCES = ("member_days_held",)  # counts, shown without decimals
