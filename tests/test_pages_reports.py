"""Reports produced on the command line (server/pages/savedreports.py): listed from
EREJE_REPORTS_DIR and served by a listed name only (never `..`), or uploaded and shown."""
import io
import json

import pytest

from server.cli import main
from tests.conftest import APPLICATIONS
from tests.test_pages import html, token_of


@pytest.fixture
def reports(tmp_path, runner, monkeypatch):
    """A reports directory holding one report written by `ereje compare --report`, and a secret beside it."""
    where = tmp_path / "reports"
    where.mkdir()
    apps = tmp_path / "apps.jsonl"
    apps.write_text("\n".join(json.dumps(json.loads((APPLICATIONS / n).read_text()))
                              for n in ("approve.json", "pre-amendment.json")) + "\n", encoding="utf-8")
    made = runner.invoke(main, ["compare", str(apps), "--report", str(where / "weekly.html"),
                                "--jobs", "1", "--no-progress"])
    assert made.exit_code == 0, made.output
    (where / "notes.txt").write_text("not a report", encoding="utf-8")
    (tmp_path / "secret.html").write_text("<p>SECRET</p>", encoding="utf-8")
    monkeypatch.setenv("EREJE_REPORTS_DIR", str(where))
    return where


def test_the_reports_page_lists_the_html_reports_of_the_directory(client, reports):
    page = html(client.get("/reports"))
    assert 'href="/reports/saved/weekly.html"' in page
    assert "notes.txt" not in page


def test_a_listed_report_is_served_as_the_command_line_wrote_it(client, reports):
    shown = client.get("/reports/saved/weekly.html")
    assert shown.status_code == 200 and shown.mimetype == "text/html"
    assert shown.get_data() == (reports / "weekly.html").read_bytes()
    assert "sandbox" in shown.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["..%2Fsecret.html", "../secret.html", "%2E%2E%2Fsecret.html", "notes.txt", "nope.html"])
def test_no_name_outside_the_listing_is_served(client, reports, name):
    response = client.get(f"/reports/saved/{name}")
    assert response.status_code == 404
    assert "SECRET" not in html(response) and "not a report" not in html(response)


def test_without_a_reports_directory_the_page_says_so(client, tmp_path, monkeypatch):
    monkeypatch.setenv("EREJE_REPORTS_DIR", str(tmp_path / "none"))
    assert "EREJE_REPORTS_DIR" in html(client.get("/reports"))
    assert client.get("/reports/saved/weekly.html").status_code == 404


def test_an_uploaded_report_is_shown(client, reports):
    data = {"csrf": token_of(client), "report": (io.BytesIO((reports / "weekly.html").read_bytes()), "weekly.html")}
    shown = client.post("/reports/open", data=data, content_type="multipart/form-data")
    assert shown.status_code == 200 and shown.get_data() == (reports / "weekly.html").read_bytes()
    empty = client.post("/reports/open", data={"csrf": token_of(client)}, content_type="multipart/form-data")
    assert empty.status_code == 422
    forged = client.post("/reports/open", data={"report": (io.BytesIO(b"<p>x</p>"), "x.html")},
                         content_type="multipart/form-data")
    assert forged.status_code == 403
