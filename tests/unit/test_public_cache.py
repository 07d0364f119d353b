"""The public disclosure's answers kept in a gateway process: bounded in bytes, least
recently read first out; dropped per association; gone after their lifetime (a clock of the
test's own); and served with their ETag, or 304 to a client that holds them."""
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from services.gateway.public_cache import Kept, PublicAnswers, digest, serve


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def kept(association: str, body: bytes, answers: PublicAnswers) -> Kept:
    return Kept(body, "application/json", digest(body), association,
                answers.changes_of(association))


def test_the_least_recently_read_go_first_once_the_bytes_are_spent():
    answers = PublicAnswers(seconds=60, budget=16 * 100)  # 100 bytes a body at most
    for n in range(4):
        answers.keep(n, kept("341181", bytes(100 * [n]), answers))
    assert len(answers) == 4
    answers.get(0)  # read: now the most recent
    for n in range(4, 17):  # one more than the budget holds
        answers.keep(n, kept("341181", bytes(100 * [n]), answers))
    assert answers.get(1) is None  # the least recently read
    assert answers.get(0) is not None and answers.get(2) is not None and len(answers) == 16


def test_an_answer_too_large_for_its_share_is_not_kept():
    answers = PublicAnswers(seconds=60, budget=1600)
    answers.keep("big", kept("341181", b"x" * 101, answers))
    answers.keep("small", kept("341181", b"x" * 100, answers))
    assert answers.get("big") is None and answers.get("small") is not None


def test_a_change_drops_its_association_only():
    answers = PublicAnswers(seconds=60, budget=10_000)
    answers.keep(("funds", "341181"), kept("341181", b"a", answers))
    answers.keep(("funds", "341122"), kept("341122", b"b", answers))
    answers.changed("341181")
    assert answers.get(("funds", "341181")) is None
    assert answers.get(("funds", "341122")).body == b"b"
    answers.keep(("funds", "341181"), kept("341181", b"c", answers))  # made after the change
    assert answers.get(("funds", "341181")).body == b"c"


def test_an_answer_made_while_its_association_changed_is_not_kept():
    answers = PublicAnswers(seconds=60, budget=10_000)
    asked = kept("341181", b"before the payment", answers)  # asked for, then the event came
    answers.changed("341181")
    answers.keep("funds", asked)
    assert answers.get("funds") is None


def test_answers_expire_after_their_lifetime():
    clock = Clock()
    answers = PublicAnswers(seconds=2, budget=10_000, clock=clock)
    answers.keep("funds", kept("341181", b"a", answers))
    clock.now += 1.9
    assert answers.get("funds") is not None
    clock.now += 0.2
    assert answers.get("funds") is None


def test_a_lifetime_of_zero_keeps_nothing():
    answers = PublicAnswers(seconds=0, budget=10_000)
    answers.keep("funds", kept("341181", b"a", answers))
    assert answers.get("funds") is None and len(answers) == 0


def request(**headers) -> Request:
    return Request(EnvironBuilder(path="/api/v1/public/341181/funds", headers=headers)
                   .get_environ())


def test_served_with_etag_and_max_age_or_304_when_the_client_holds_it():
    made = []

    def make():
        made.append(1)
        return Response('{"items": []}', mimetype="application/json")

    first = serve(request(), "341181", ("unit", "funds"), make)
    assert first.status_code == 200 and first.get_data() == b'{"items": []}'
    assert first.headers["Cache-Control"] == "public, max-age=2"
    etag = first.headers["ETag"]
    assert etag == '"' + digest(b'{"items": []}') + '"'
    again = serve(request(**{"If-None-Match": etag}), "341181", ("unit", "funds"), make)
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    other = serve(request(**{"If-None-Match": '"something-else"'}), "341181",
                  ("unit", "funds"), make)
    assert other.status_code == 200 and other.headers["ETag"] == etag
    assert len(made) == 1  # the later two came from what was kept


def test_a_refusal_is_not_kept():
    def refuse():
        return Response("{}", status=404, mimetype="application/problem+json")

    assert serve(request(), "341181", ("unit", "refused"), refuse).status_code == 404
    assert "ETag" not in serve(request(), "341181", ("unit", "refused"), refuse).headers
