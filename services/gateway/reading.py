"""A province's or city's login reads one county under it at a time. The county is named by
`?association=341181`, or by the address of one of its associations
(/associations/341181…); the gateway signs the login's actor for that county, its role
kept, so every service answers it as it answers that county's auditor and refuses it every
change. A county not under the login's association is 404, as for one that does not
exist; any other login naming another association than its own is bad input."""
from werkzeug.datastructures import ImmutableMultiDict

from shared import regions
from shared.actors import PROVINCE_READERS, sign
from shared.errors import InvalidInput, NotFound

READ_AS = "association"  # the query parameter naming the county read


def named_county(request, path: str, path_args: dict, actor: dict | None) -> str | None:
    """The county the request names, taken out of its query so that no list's own filters
    see it; a province's or city's login names one by its association's address too."""
    named = request.args.get(READ_AS)
    if READ_AS in request.args:
        request.args = ImmutableMultiDict(
            [(k, v) for k, v in request.args.items(multi=True) if k != READ_AS])
    reader = actor is not None and actor["role"] in PROVINCE_READERS
    if named is None and reader and "associations/<code>" in path:
        code = path_args.get("code")
        if isinstance(code, str) and regions.is_region(code[:6]):
            # A county's page reads that county; a city's or the province's, the login's
            # own association again.
            named = code[:6] if regions.is_county(code[:6]) else actor["association_code"]
    return named


def as_reader_of(actor: dict, named: str | None) -> dict:
    """The actor signed for the county it reads (unchanged when none is named)."""
    if named is None or named == actor["association_code"]:
        return actor
    if actor["role"] not in PROVINCE_READERS:
        raise InvalidInput("Only a province's or city's login names the county it reads.",
                           "invalid_input", {READ_AS: [
                               f"Must be your association's code, {actor['association_code']}, "
                               "or left out."]})
    if not regions.is_county(named):
        raise InvalidInput("Name a county to read.", "invalid_input",
                           {READ_AS: ["Must be a county's code (6 digits)."]})
    if not regions.strictly_under(named, actor["association_code"]):
        raise NotFound(f"No association {named} under yours.", "association_not_found")
    return sign({**actor, "association_code": named})
