"""Try a case beyond the ruling: remedies and the earliest filing date from the planner, and the
edit form generated from the request schema, prefilled from a sample and judged when posted."""
import io
import json
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from tests.test_pages import html, sample, token_of


class _Form(HTMLParser):
    """The fields of the form with id `schema-form`, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.inside, self.fields, self.select, self.textarea = False, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == "schema-form"
        elif self.inside and tag == "input":
            self.fields[a["name"]] = a.get("value", "")
        elif self.inside and tag == "select":
            self.select = a["name"]
        elif self.inside and tag == "option" and self.select and "selected" in a:
            self.fields[self.select] = a.get("value", "")
        elif self.inside and tag == "textarea":
            self.textarea = a["name"]
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "form"
        self.select = None if tag == "select" else self.select
        self.textarea = None if tag == "textarea" else self.textarea

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_of(page):
    parser = _Form()
    parser.feed(page)
    return parser.fields


def test_the_edit_form_is_prefilled_from_the_sample(client):
    fields = form_of(html(client.get("/try?sample=pre-amendment.json")))
    assert fields["f.application.submitted_on"] == "2025-08-20"
    assert fields["f.application.kind"] == "issue" and fields["f.application.route"] == "general"
    assert fields["f.application.employer.headcount"] == "120"
    assert fields["f.application.employer.small_business"] == "false"
    assert json.loads(fields["f.application.foreign_workers"])[6]["passport"] == "P5550001"
    assert fields["f.application.current_permit.number"] == ""
    page = html(client.get("/try?sample=pre-amendment.json"))
    assert '<option value="intracompany_transfer">intracompany_transfer</option>' in page
    assert 'type="date" value="2025-08-20"' in page


def test_the_edit_form_posted_back_judges_the_edited_case_as_the_api_does(client):
    fields = form_of(html(client.get("/try?sample=pre-amendment.json")))
    fields["f.application.submitted_on"] = "2025-09-20"   # under the amendment now
    edited = json.loads(sample("pre-amendment.json"))
    edited["application"]["submitted_on"] = "2025-09-20"
    api = client.post("/v1/rulings", json=edited).get_json()
    response = client.post("/try", data={**fields, "csrf": token_of(client)})
    assert response.status_code == 200
    assert f'class="outcome outcome-{api["outcome"]}"' in html(response)
    assert f"kz-foreign-labour {api['version']}" in html(response)
    assert '"submitted_on": "2025-09-20"' in html(response)   # the request text follows the form


def test_a_bad_field_in_the_edit_form_is_named(client):
    fields = form_of(html(client.get("/try?sample=approve.json")))
    fields["f.application.foreign_workers"] = "[not json"
    fields["f.application.employer.headcount"] = ""
    bad = client.post("/try", data={**fields, "csrf": token_of(client)})
    assert bad.status_code == 422 and "<code>application.foreign_workers</code>" in html(bad)
    fields["f.application.foreign_workers"] = "[]"
    missing = client.post("/try", data={**fields, "csrf": token_of(client)})
    assert missing.status_code == 422 and "<code>application.employer.headcount</code>" in html(missing)


@pytest.mark.parametrize("name, dated", [("refuse-waiting-period.json", True), ("refuse-quota.json", False)])
def test_a_refused_case_shows_its_remedies_and_the_earliest_approvable_date(client, name, dated):
    request = json.loads(sample(name))
    api = client.post("/v1/rulings", json=request).get_json()
    planned = client.post("/v1/plans", json={k: v for k, v in request.items() if k not in ("version", "as_of")})
    planned = planned.get_json()
    response = client.post("/try", data={"request": sample(name), "csrf": token_of(client)})
    page = html(response)
    section = page[page.index('class="remedies"'):]
    for f in api["findings"]:
        if f["status"] == "unmet" and f["effect"] == "refuse":
            assert str(escape(f["explanation"])) in section
    assert (planned["earliest"] is not None) == dated
    if dated:
        assert f"<strong>{planned['earliest']}</strong>" in section
    else:
        assert str(escape(planned["reason"])) in section


def test_an_approved_case_shows_no_remedies(client):
    response = client.post("/try", data={"request": sample("approve.json"), "csrf": token_of(client)})
    assert 'class="remedies"' not in html(response)


def test_an_uploaded_request_is_judged_as_the_api_judges_it(client):
    body = sample("refuse-quota.json")
    api = client.post("/v1/rulings", data=body, content_type="application/json").get_json()
    response = client.post("/try", data={"request": "", "csrf": token_of(client),
                                         "request_file": (io.BytesIO(body.encode("utf-8")), "refuse-quota.json")},
                           content_type="multipart/form-data")
    page = html(response)
    assert response.status_code == 200, page
    assert api["outcome"] == "refuse" and 'class="outcome outcome-refuse"' in page
    assert "quota-available" in page


def test_an_uploaded_file_that_is_not_a_request_is_named_not_a_500(client):
    response = client.post("/try", data={"request": "", "csrf": token_of(client),
                                         "request_file": (io.BytesIO(b"\xff\xfenot json"), "x.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
