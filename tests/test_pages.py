"""The legal team's pages (server/pages/), through Flask's test client: every page in
en and ru with texts from the rule files, the language switch, sign-in, CSRF, try a case
(the same outcomes as POST /v1/rulings), recording, the decision log and replay."""
import json
import re

import pytest
from markupsafe import escape

from server.api.app import create_app
from server.diff import between
from server.languages import text_in
from tests.conftest import APPLICATIONS

REG = "kz-foreign-labour"
OLD, NEW = "2023-07-01", "2025-09-01"
PAGES = ["/", f"/regulations/{REG}/versions/{OLD}", f"/regulations/{REG}/versions/{NEW}",
         f"/regulations/{REG}/diff?from={OLD}&to={NEW}", "/try", "/try?sample=approve.json", "/log",
         "/log?reference=APP-APPROVE"]


def html(response):
    return response.get_data(as_text=True)


def has(response, text):
    return str(escape(text)) in html(response)


def token_of(client):
    """The form token the pages put in their forms for this client's session."""
    found = re.search(r'name="csrf" value="([^"]+)"', html(client.get("/try")))
    return found.group(1)


def sample(name):
    return (APPLICATIONS / name).read_text(encoding="utf-8")


def rulings_stored(client, reference):
    return client.get(f"/v1/rulings?reference={reference}").get_json()["rulings"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_page_answers_html_in_both_languages(client, path, lang):
    response = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert f'<html lang="{lang}">' in html(response)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_index_draws_each_version_on_the_timeline_with_its_title(client, book, lang):
    response = client.get(f"/?lang={lang}")
    for v in book.regulation(REG).versions:
        assert has(response, text_in(v.title, lang))
        assert f'href="/regulations/{REG}/versions/{v.version}"' in html(response)
    bars = re.findall(r'class="bar[^"]*" style="margin-left: ([0-9.]+)%; width: ([0-9.]+)%"', html(response))
    assert len(bars) == 2
    (left_old, width_old), (left_new, _) = [(float(a), float(b)) for a, b in bars]
    assert left_old == 0 and left_new == pytest.approx(width_old, abs=0.01)   # the second starts where the first ends


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_version_page_gives_each_requirement_with_readings_parameters_and_cases(client, book, lang):
    version = book.version(REG, NEW)
    response = client.get(f"/regulations/{REG}/versions/{NEW}?lang={lang}")
    page = html(response)
    for r in version.requirements:
        assert has(response, text_in(r.title, lang)) and has(response, r.condition_src)
    waiting = page[page.index('id="vacancy-waiting-period"'):]
    waiting = waiting[:waiting.index("</article>")]
    assert str(escape(text_in(version.reading_texts["waiting-period-counting"], lang))) in waiting
    assert "READING" in waiting and "<code>waiting_days</code>" in waiting and "<td>15</td>" in waiting
    case = "A pre-amendment application without a vacancy code is refused when judged under the amendment"
    assert str(escape(case)) in waiting and "status-unmet" in waiting


def test_the_version_page_lists_the_shipped_cases_with_their_expected_findings(client):
    response = client.get(f"/regulations/{REG}/versions/{OLD}")
    assert has(response, "An application filed on 2025-08-31 is judged under the 2023 rules")
    assert has(response, "A quota registry that cannot be read leaves the ruling undetermined under the 2023 rules too")
    newer = client.get(f"/regulations/{REG}/versions/{NEW}")
    assert not has(newer, "An application filed on 2025-08-31 is judged under the 2023 rules")
    assert has(newer, "An application filed on 2025-09-01 is judged under the amended rules")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_diff_page_shows_what_ereje_diff_computes_with_the_changed_words_marked(client, book, lang):
    d = between(book, REG, OLD, NEW, lang)
    response = client.get(f"/regulations/{REG}/diff?from={OLD}&to={NEW}&lang={lang}")
    page = html(response)
    for r in d["added"]:
        assert has(response, r["title"])
    assert "local-content-ratio" in page
    assert re.search(r"<ins>[ ,]*small-business-exemption-narrowed</ins>", page)
    assert re.search(r"<ins>[^<]*93[^<]*</ins>", page)   # the amended citation names Order No. 93
    for name in d["parameters"]["added"]:
        assert f"<code>{name}</code>" in page
    assert 'option value="2023-07-01" selected' in page


def test_a_diff_between_unknown_versions_is_a_page_not_a_500(client):
    response = client.get(f"/regulations/{REG}/diff?from=1999&to={NEW}")
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "1999" in html(response)
    assert client.get("/regulations/nope/versions/1").status_code == 404


def test_the_language_switch_sets_a_cookie_that_later_pages_follow(client):
    switched = client.get("/?lang=ru")
    assert "ereje_lang=ru" in switched.headers["Set-Cookie"]
    assert 'href="/?lang=kk"' in html(switched)
    later = client.get("/log")
    assert '<html lang="ru">' in html(later) and "Журнал решений" in html(later)
    assert '<html lang="kk">' in html(client.get("/log?lang=kk"))


@pytest.mark.parametrize("name", ["approve.json", "pre-amendment.json"])
def test_try_a_case_shows_the_outcome_the_api_gives_and_stores_nothing(client, name):
    api = client.post("/v1/rulings", json=json.loads(sample(name))).get_json()
    reference = json.loads(sample(name))["application"]["reference"]
    before = len(rulings_stored(client, reference))
    response = client.post("/try", data={"request": sample(name), "csrf": token_of(client)})
    assert response.status_code == 200
    page = html(response)
    assert f'class="outcome outcome-{api["outcome"]}"' in page
    assert f"{REG} {api['version']}" in page
    for f in api["findings"]:
        assert str(escape(f["explanation"])) in page
    assert "vacancy-waiting-period" in page and "<mark>" in page   # differs between the two versions
    assert len(rulings_stored(client, reference)) == before


def test_record_stores_exactly_one_ruling_and_links_to_it(client):
    reference = "APP-APPROVE"
    recorded = client.post("/try/record", data={"request": sample("approve.json"), "csrf": token_of(client)})
    assert recorded.status_code == 303
    stored = rulings_stored(client, reference)
    assert len(stored) == 1
    assert recorded.headers["Location"].endswith(f"/log?id={stored[0]['id']}")
    shown = client.get(recorded.headers["Location"])
    assert stored[0]["ruleset_digest"] in html(shown) and 'class="outcome outcome-approve"' in html(shown)


def test_a_request_that_does_not_fit_is_shown_by_field_never_a_500(client):
    token = token_of(client)
    bad = client.post("/try", data={"request": '{"application": {"kind": "issue"}}', "csrf": token})
    assert bad.status_code == 422 and "<code>application.submitted_on</code>" in html(bad)
    broken = client.post("/try", data={"request": "{not json", "csrf": token})
    assert broken.status_code == 422 and "<code>$</code>" in html(broken)


def test_a_form_without_its_token_is_refused_with_a_403_page(client):
    client.get("/try")
    for path in ("/try", "/try/record"):
        response = client.post(path, data={"request": sample("approve.json")})
        assert response.status_code == 403 and response.mimetype == "text/html"
    assert client.post("/try", data={"request": sample("approve.json"), "csrf": "forged"}).status_code == 403
    assert rulings_stored(client, "APP-APPROVE") == []


def test_the_log_finds_by_reference_a_page_at_a_time_and_replay_stores_one_ruling(client):
    first = client.post("/v1/rulings", json=json.loads(sample("approve.json"))).get_json()
    listing = html(client.get("/log?reference=APP-APPROVE"))
    assert f"/log?id={first['id']}" in listing
    token = token_of(client)
    replayed = client.post(f"/log/{first['id']}/replay", data={"csrf": token, "version": OLD})
    assert replayed.status_code == 200
    assert "The outcome is the same" in html(replayed) or "The outcome changed" in html(replayed)
    assert OLD in html(replayed)
    stored = rulings_stored(client, "APP-APPROVE")
    assert len(stored) == 2
    replay = stored[1]
    assert replay["replay_of"] == first["id"] and replay["version"] == OLD
    assert f'class="replay-link" href="/log?id={replay["id"]}"' in html(replayed)
    shown = html(client.get(f"/log?id={replay['id']}"))
    assert f'href="/log?id={first["id"]}"' in shown   # the replay links back to the ruling it replays
    assert client.post(f"/log/{first['id']}/replay", data={"version": OLD}).status_code == 403
    assert len(rulings_stored(client, "APP-APPROVE")) == 2


def test_the_log_pages_through_many_rulings(client):
    for _ in range(21):
        client.post("/v1/rulings", json=json.loads(sample("approve.json")))
    first = html(client.get("/log?reference=APP-APPROVE"))
    assert first.count("/log?id=") == 20
    more = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert html(client.get(more)).count("/log?id=") == 1


@pytest.fixture
def guarded(tmp_path):
    return create_app({"DB": str(tmp_path / "log.db"), "TESTING": True, "TOKENS": "s3cret"}).test_client()


def test_with_tokens_the_pages_ask_for_one_once(guarded):
    asked = guarded.get("/regulations/kz-foreign-labour/diff?from=2023-07-01")
    assert asked.status_code == 302 and "/login?next=" in asked.headers["Location"]
    form = guarded.get(asked.headers["Location"])
    token = re.search(r'name="csrf" value="([^"]+)"', html(form)).group(1)
    assert guarded.post("/login", data={"token": "wrong", "csrf": token, "next": "/"}).status_code == 401
    assert guarded.post("/login", data={"token": "s3cret", "next": "/"}).status_code == 403   # no form token
    signed = guarded.post("/login", data={"token": "s3cret", "csrf": token, "next": "/log"})
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/log")
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert guarded.get("/log").status_code == 200
    assert guarded.get("/v1/regulations").status_code == 401   # the API still wants its bearer token


def test_sign_in_never_sends_the_browser_to_another_host(guarded):
    form = guarded.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', html(form)).group(1)
    signed = guarded.post("/login", data={"token": "s3cret", "csrf": token, "next": "//evil.example/"})
    assert signed.headers["Location"] == "/"


@pytest.mark.parametrize("path", PAGES)
def test_no_page_loads_or_links_anything_from_another_host(client, path):
    page = html(client.get(path))
    for url in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert url.startswith(("/", "#")) and not url.startswith("//"), url


def test_the_pages_are_not_in_the_openapi_description(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    assert not [p for p in paths if p in ("/", "/try", "/log") or p.startswith("/regulations")]
