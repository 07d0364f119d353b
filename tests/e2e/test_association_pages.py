"""The grassroots association pages over HTTP, as a browser posts them: the leadership read
the associations as a tree and one association's dashboard (its figures, the associations
under it ranked, its members masked, its member days) in Chinese and in English; an admin
sets one up through the form and a bad code comes back with its field's error; staff add a
member and pair them with a family; a coordinator records a member day; donors are refused."""
import json
import re
from datetime import date
from html import unescape

from deploy.demo import QINLAN, TONGCHENG
from shared.identity import make_resident_id
from tests.e2e.page_forms import TIMEOUT, csrf_of, log_in, read

ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def _errors(html: str) -> dict:
    return {field: unescape(text) for field, text in re.findall(
        r'class="field-error" data-field="([^"]+)">([^<]+)<', html)}


def _figure(html: str, measure: str) -> str:
    found = re.search(rf'<tr data-figure="{measure}"><th scope="row">[^<]*</th><td[^>]*>([^<]*)<',
                      html)
    assert found, f"no figure {measure}"
    return found.group(1)


def _post(browser, base, page_path, action, **fields):
    form = browser.get(base + page_path, timeout=TIMEOUT)
    assert form.status_code == 200, form.text[:2000]
    return browser.post(base + action, timeout=TIMEOUT, allow_redirects=False,
                        data={"csrf": csrf_of(form.url, form.text), **fields})


def test_the_leadership_read_the_associations_as_a_tree(running_system):
    base = running_system.url
    for reader in ("staff1", "auditor1", "coordinator1"):
        browser = log_in(base, reader)
        page = browser.get(base + "/associations", timeout=TIMEOUT, headers=ZH)
        assert page.status_code == 200, page.text[:2000]
        for name in ("铜城镇计划生育协会", "秦栏镇计划生育协会", "胡桥村计划生育协会",
                     "新集村计划生育协会", "天长市计划生育协会"):
            assert name in page.text
        assert f'href="/associations/{QINLAN}001"' in page.text
        assert "乡镇级协会" in page.text and "村级协会" in page.text
        assert 'id="create-association"' not in page.text  # admins set them up
        assert 'href="/associations"' in page.text  # the menu's link
    # The villages sit inside their township's list.
    nested = re.search(rf'data-association="{QINLAN}".*?<ul>(.*?)</ul>', page.text, re.S)
    assert nested and f'data-association="{QINLAN}001"' in nested.group(1)
    english = browser.get(base + "/associations", timeout=TIMEOUT, headers=EN).text
    assert "Grassroots associations" in english and "Village association" in english


def test_an_admin_sets_up_an_association_through_the_form(running_system):
    base = running_system.url
    admin = log_in(running_system.url, "admin")
    page = admin.get(base + "/associations", timeout=TIMEOUT)
    forms, _ = read(page.url, page.text)
    setting_up = next(f for f in forms if f.action.endswith("/associations")
                      and f.method == "POST")
    parents = next(f for f in setting_up.fields if f.name == "parent_code").options
    # The county and the townships only (other modules may have added townships).
    assert parents[:1] == ["341181"] and {TONGCHENG, QINLAN} <= set(parents)
    assert {len(code) for code in parents} == {6, 9}
    answer = _post(admin, base, "/associations", "/associations", code=TONGCHENG + "003",
                   name="新街村计划生育协会", parent_code=TONGCHENG)
    assert answer.status_code == 303, answer.text[:2000]
    listed = admin.get(base + answer.headers["Location"], timeout=TIMEOUT)
    assert 'id="notice"' in listed.text and "新街村计划生育协会" in listed.text
    assert f'data-association="{TONGCHENG}003"' in listed.text
    again = _post(admin, base, "/associations", "/associations", code=TONGCHENG + "003",
                  name="新街村", parent_code=TONGCHENG)
    assert again.status_code == 409
    assert _errors(again.text)["code"] == "已有协会使用此代码。"


def test_a_bad_code_shows_the_fields_error_in_the_language_chosen(running_system):
    base = running_system.url
    admin = log_in(running_system.url, "admin")
    answer = _post(admin, base, "/associations", "/associations", code="12ab",
                   name="某村", parent_code=QINLAN)
    assert answer.status_code == 422
    assert _errors(answer.text) == {"code": "须为 6、9 或 12 位数字的代码。"}
    assert 'value="12ab"' in answer.text  # what was typed stays
    english = admin.post(base + "/associations", timeout=TIMEOUT, headers=EN, data={
        "csrf": csrf_of(answer.url, answer.text), "code": "12ab", "name": "某村",
        "parent_code": QINLAN})
    assert english.status_code == 422
    assert _errors(english.text) == {"code": "Must be a code of 6, 9 or 12 digits."}
    # A village under the county rather than its township: the service's rule, at the field.
    misplaced = _post(admin, base, "/associations", "/associations", code=QINLAN + "009",
                      name="某村", parent_code="341181")
    assert misplaced.status_code == 422
    assert _errors(misplaced.text) == {"parent_code": f"须为 {QINLAN}，即其上级协会的代码。"}


def test_the_dashboard_shows_the_members_and_ranks_the_villages_in_both_languages(
        running_system):
    base = running_system.url
    staff = log_in(running_system.url, "staff1")
    page = staff.get(base + f"/associations/{QINLAN}", timeout=TIMEOUT, headers=ZH)
    assert page.status_code == 200, page.text[:2000]
    text = page.text
    assert "<h1>秦栏镇计划生育协会</h1>" in text
    assert _figure(text, "members") == "3" and _figure(text, "families") == "3"
    assert _figure(text, "donations_fen_year").startswith("¥")
    ranking = re.search(r'<table id="ranking-table" data-by="members">(.*?)</table>', text, re.S)
    assert ranking, "no ranking of the villages"
    assert re.findall(r'<tr data-association="(\d+)">', ranking.group(1)) == [
        QINLAN + "001", QINLAN + "002"]
    chart = json.loads(unescape(re.search(
        r'<script type="application/json" id="association-ranking-data">(.*?)</script>',
        text, re.S).group(1)))
    assert chart == {"label": "会员", "whole": True,
                     "rows": [{"name": "胡桥村计划生育协会", "value": 1},
                              {"name": "新集村计划生育协会", "value": 1}]}
    for name in ("蒋丽", "韩卫东", "许明", "5·29会员活动日：走访计生特殊家庭"):
        assert name in text
    assert not ID_NUMBER.search(text) and "13955014003" not in text  # masked, as the API
    assert 'id="add-member"' in text and 'id="hold-member-day"' in text

    english = staff.get(base + f"/associations/{QINLAN}", timeout=TIMEOUT, headers=EN).text
    assert "Association members" in english and "Rank by" in english
    assert "Village association" not in english and "Township association" in english
    assert _figure(english, "members") == "3"

    by_money = staff.get(base + f"/associations/{QINLAN}?by=donations_fen_year",
                         timeout=TIMEOUT, headers=EN)
    assert by_money.status_code == 200
    assert 'data-by="donations_fen_year"' in by_money.text
    assert "Ranked by: Donations this year" in by_money.text
    for where in (QINLAN, QINLAN + "001"):
        assert staff.get(base + f"/associations/{where}?by=nonsense",
                         timeout=TIMEOUT).status_code == 422
    assert staff.get(base + "/associations/341181999", timeout=TIMEOUT).status_code == 404
    # A village has nothing under it to rank.
    village = staff.get(base + f"/associations/{QINLAN}001", timeout=TIMEOUT).text
    assert 'id="ranking-table"' not in village and "蒋丽" in village and "许明" not in village


def test_staff_add_a_member_through_the_form_and_pair_them_with_a_family(running_system):
    base = running_system.url
    staff = log_in(running_system.url, "staff1")
    here = f"/associations/{TONGCHENG}"
    person = make_resident_id("341181", date(1975, 6, 1), 611)
    answer = _post(staff, base, here, here + "/members", name="吴秀梅", id_number=person,
                   phone="13955016011", grassroots_code=TONGCHENG + "002")
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["Location"] == here + "?done=member"
    page = staff.get(base + answer.headers["Location"], timeout=TIMEOUT).text
    member_id, row = next(found for found in re.findall(
        r'<tr data-member="(\d+)">(.*?)</tr>', page, re.S) if "吴秀梅" in found[1])
    assert "闵塘村计划生育协会" in row and 'id="notice"' in page
    assert person not in page and "13955016011" not in page
    assert _figure(page, "members") == "3"

    twice = _post(staff, base, here, here + "/members", name="吴秀梅", id_number=person,
                  phone="13955016011", grassroots_code=TONGCHENG)
    assert twice.status_code == 409
    assert _errors(twice.text)["id_number"].startswith("已是会员 M-")
    bad = _post(staff, base, here, here + "/members", name="", id_number="110105194912310021",
                phone="12345", grassroots_code=TONGCHENG)
    assert bad.status_code == 422
    assert set(_errors(bad.text)) == {"name", "id_number", "phone"}
    assert "吴秀梅" in bad.text  # the page around the form is whole

    # A family of one of the villages, kept in touch with by the new member.
    form = staff.get(base + "/families", timeout=TIMEOUT)
    registered = staff.post(base + "/families", timeout=TIMEOUT, allow_redirects=False, data={
        "csrf": csrf_of(form.url, form.text), "category": "only_child",
        "address": "天长市铜城镇闵塘村 2 组 8 号", "village_code": TONGCHENG + "002",
        "member_0_name": "吴国平", "member_0_relation": "head",
        "member_0_id_number": make_resident_id("341181", date(1950, 2, 3), 612)})
    assert registered.status_code == 303, registered.text[:2000]
    family_id = registered.headers["Location"].rsplit("/", 1)[1]
    paired = _post(staff, base, here, here + "/pairings", member_id=member_id,
                   family_id=family_id)
    assert paired.status_code == 303, paired.text[:2000]
    page = staff.get(base + paired.headers["Location"], timeout=TIMEOUT).text
    assert f'href="/families/{family_id}"' in page
    # A family kept by someone already: refused at the family's field, naming the keeper.
    taken = _post(staff, base, here, here + "/pairings", member_id=member_id,
                  family_id=_family_headed_by(page, "周建华"))
    assert taken.status_code == 409
    assert re.fullmatch(r"已由会员 M-341181-\d+ 联系。", _errors(taken.text)["family_id"])
    typed = _post(staff, base, here, here + "/pairings", member_id="x", family_id="")
    assert typed.status_code == 422 and set(_errors(typed.text)) == {"member_id", "family_id"}


def _family_headed_by(html: str, head: str) -> str:
    """The family of the pairing form's choice whose head is `head`."""
    return re.search(rf'<option value="(\d+)"[^>]*>[^<]*{head}</option>', html).group(1)


def test_a_coordinator_records_a_member_day_and_may_not_add_members(running_system):
    base = running_system.url
    coordinator = log_in(running_system.url, "coordinator1")
    here = f"/associations/{QINLAN}"
    page = coordinator.get(base + here, timeout=TIMEOUT)
    assert 'id="hold-member-day"' in page.text and 'id="add-member"' not in page.text
    forms, _ = read(page.url, page.text)
    day = next(f for f in forms if f.action.endswith("/member-days"))
    everyone = next(f for f in day.fields if f.name == "member_ids").options
    assert len(everyone) == 3
    answer = _post(coordinator, base, here, here + "/member-days", title="7·11 人口日宣传",
                   held_on="2026-07-11", member_ids=everyone[:2])
    assert answer.status_code == 303, answer.text[:2000]
    shown = coordinator.get(base + answer.headers["Location"], timeout=TIMEOUT).text
    assert "7·11 人口日宣传" in shown and "2026-07-11" in shown
    bad = _post(coordinator, base, here, here + "/member-days", title="", held_on="7/11",
                member_ids=everyone[:1])
    assert bad.status_code == 422 and set(_errors(bad.text)) == {"title", "held_on"}
    assert f'value="{everyone[0]}" id="took-part-{everyone[0]}" checked' in bad.text
    refused = _post(coordinator, base, here, here + "/members", name="某人",
                    id_number=make_resident_id("341181", date(1980, 1, 1), 613),
                    phone="13955016013", grassroots_code=QINLAN)
    assert refused.status_code == 403


def test_donors_and_volunteers_may_not_read_the_associations(running_system):
    base = running_system.url
    for outsider in ("donor1", "volunteer1"):
        browser = log_in(base, outsider)
        assert browser.get(base + "/associations", timeout=TIMEOUT).status_code == 403
        assert browser.get(base + f"/associations/{QINLAN}", timeout=TIMEOUT).status_code == 403
    auditor = log_in(base, "auditor1")
    page = auditor.get(base + f"/associations/{QINLAN}", timeout=TIMEOUT)
    assert page.status_code == 200
    assert 'id="add-member"' not in page.text and 'id="hold-member-day"' not in page.text
