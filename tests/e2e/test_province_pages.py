"""The province's pages, as a browser reads them: the province's login lands on its
associations, ranks the counties, opens one and reads its records page after page (a notice
saying so, and nothing to change), and goes back to the province; the province's admin sets
up a county through the form, a misplaced one refused at its field."""
import re

from tests.e2e.page_forms import TIMEOUT, csrf_of, field_errors, log_in

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def figure(html: str, measure: str) -> str:
    found = re.search(rf'<tr data-figure="{measure}"><th scope="row">[^<]*</th><td[^>]*>'
                      r'([^<]*)<', html)
    assert found, f"no figure {measure}"
    return found.group(1)


def test_the_province_ranks_its_counties_and_reads_one_without_changing_it(running_system):
    base = running_system.url
    province = log_in(base, "province1")
    assert province.home == "/associations"
    home = province.get(base + province.home, timeout=TIMEOUT, headers=ZH)
    assert home.status_code == 200, home.text[:2000]
    for name in ("安徽省计划生育协会", "滁州市计划生育协会", "天长市计划生育协会"):
        assert name in home.text
    assert 'id="create-association"' not in home.text and 'href="/staff"' not in home.text

    whole = province.get(base + "/associations/340000", timeout=TIMEOUT, headers=ZH)
    assert whole.status_code == 200 and "<h1>安徽省计划生育协会</h1>" in whole.text
    ranked = re.search(r'<table id="ranking-table".*?</table>', whole.text, re.S).group(0)
    assert 'data-association="341181"' in ranked
    county_staff = log_in(base, "staff1")
    own = county_staff.get(base + "/associations/341181", timeout=TIMEOUT).text
    opened = province.get(base + "/associations/341181", timeout=TIMEOUT, headers=ZH)
    assert opened.status_code == 200, opened.text[:2000]
    assert 'id="reading"' in opened.text
    assert "您正在查看 天长市计划生育协会（341181）" in opened.text
    for measure in ("families", "members", "volunteers", "donations_fen_year"):
        assert figure(opened.text, measure) == figure(own, measure), measure
    assert 'id="add-member"' not in opened.text

    # Page after page, the county's records, and no form to change them.
    families = province.get(base + "/families", timeout=TIMEOUT, headers=ZH)
    assert families.status_code == 200 and "F-341181-" in families.text
    assert 'id="reading"' in families.text and 'id="register-family"' not in families.text
    assert "F-341181-" in county_staff.get(base + "/families", timeout=TIMEOUT).text
    refused = province.post(base + "/families", timeout=TIMEOUT, data={
        "csrf": csrf_of(families.url, families.text), "category": "only_child"})
    assert refused.status_code == 403
    english = province.get(base + "/staff", timeout=TIMEOUT, headers=EN)
    assert english.status_code == 200 and "You are reading the records of" in english.text

    # Back to the province: its own again.
    back = province.get(base + "/associations/340000", timeout=TIMEOUT, headers=EN)
    assert 'id="reading"' not in back.text and "The counties under this association" \
        in back.text and "Province association" in back.text
    assert "F-341181-" not in province.get(base + "/families", timeout=TIMEOUT).text
    # A county outside the province is not there; a county's login reads no other.
    assert province.get(base + "/families?association=350102",
                        timeout=TIMEOUT).status_code == 404
    assert county_staff.get(base + "/associations/340000", timeout=TIMEOUT).status_code == 404


def test_the_province_admin_sets_up_a_county_through_the_form(running_system):
    base = running_system.url
    admin = log_in(base, "province_admin")
    page = admin.get(base + "/associations", timeout=TIMEOUT, headers=ZH)
    assert 'id="create-association"' in page.text and "市或县的 6 位代码" in page.text
    misplaced = admin.post(base + "/associations", timeout=TIMEOUT, headers=ZH, data={
        "csrf": csrf_of(page.url, page.text), "code": "341125", "name": "定远县计划生育协会",
        "parent_code": "340000"})
    assert misplaced.status_code == 422
    assert field_errors(misplaced.text) == {"parent_code": ["须为 341100，即其上级协会的代码。"]}
    made = admin.post(base + "/associations", timeout=TIMEOUT, allow_redirects=False, data={
        "csrf": csrf_of(page.url, page.text), "code": "341125", "name": "定远县计划生育协会",
        "parent_code": "341100"})
    assert made.status_code == 303, made.text[:2000]
    listed = admin.get(base + made.headers["Location"], timeout=TIMEOUT).text
    assert 'data-association="341125"' in listed and "定远县计划生育协会" in listed


def test_logins_are_made_where_their_role_has_a_place(running_system):
    base = running_system.url
    above = log_in(base, "province_admin")
    page = above.get(base + "/admin", timeout=TIMEOUT, headers=ZH)
    assert 'name="association_code"' in page.text and 'value="province_staff"' in page.text
    made = above.post(base + "/admin/users", timeout=TIMEOUT, allow_redirects=False, data={
        "csrf": csrf_of(page.url, page.text), "username": "laian-admin",
        "display_name": "来安县管理员", "role": "admin", "association_code": "341122",
        "password": "Laian-county-admin-1"})
    assert made.status_code in (303, 409), made.text[:2000]
    county = log_in(base, "laian-admin", "Laian-county-admin-1")
    assert county.home == "/staff"
    assert "来安县计划生育协会" in county.get(base + "/associations", timeout=TIMEOUT).text
    misplaced = above.post(base + "/admin/users", timeout=TIMEOUT, headers=ZH, data={
        "csrf": csrf_of(page.url, page.text), "username": "laian-staff",
        "display_name": "某人", "role": "province_staff", "association_code": "341122",
        "password": "Laian-county-staff-1"})
    assert misplaced.status_code == 422 and list(field_errors(misplaced.text)) == ["role"]

    admin = log_in(base, "admin")  # a county's: no province roles, no other association
    form = admin.get(base + "/admin", timeout=TIMEOUT)
    assert 'value="province_staff"' not in form.text
    assert 'name="association_code"' not in form.text
    refused = admin.post(base + "/admin/users", timeout=TIMEOUT, data={
        "csrf": csrf_of(form.url, form.text), "username": "crafted-one",
        "display_name": "某人", "role": "province_staff", "password": "Crafted-login-12"})
    assert refused.status_code == 422 and list(field_errors(refused.text)) == ["role"]
