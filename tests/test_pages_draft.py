"""The draft and report pages (server/pages/drafts.py, reports.py) through Flask's test client:
a broken draft flagged at its line, a valid amendment's diff, cases and flips of stored rulings,
policies/ untouched, CSRF, a report with the counts of `ereje compare --format json`, oversize
uploads refused with a page."""
import hashlib
import io
import json
import re

import pytest

from server.cli import main
from tests.conftest import APPLICATIONS, POLICIES
from tests.helpers import DRAFT_AMENDMENT as AMENDMENT

REG = "kz-foreign-labour"


def html(response):
    return response.get_data(as_text=True)


def token_of(client):
    return re.search(r'name="csrf" value="([^"]+)"', html(client.get("/drafts"))).group(1)


def post_draft(client, text, last="20", **files):
    data = {"csrf": token_of(client), "regulation": REG, "draft": text, "last": last, **files}
    return client.post("/drafts", data=data, content_type="multipart/form-data")


def hashes():
    return {str(p.relative_to(POLICIES)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(POLICIES.rglob("*")) if p.is_file()}


def store(client, name):
    response = client.post("/v1/rulings", data=(APPLICATIONS / name).read_bytes(), content_type="application/json")
    assert response.status_code == 201
    return response.get_json()


def count(page, attr, key):
    found = re.search(rf'{attr}="{re.escape(key)}">(\d+)', page)
    return int(found.group(1)) if found else None


def test_a_broken_draft_is_flagged_at_its_exact_line(client):
    broken = AMENDMENT.replace("    waiting_days: 20", "    waiting_days: 20\n  remove: [no-such-thing]\n  bogus: 1")
    lines = broken.splitlines()
    response = post_draft(client, broken)
    page = html(response)
    assert response.status_code == 422
    problems = sorted(int(n) for n in re.findall(r'<a href="#line-(\d+)">', page))
    assert problems == [lines.index("  remove: [no-such-thing]") + 1, lines.index("  bogus: 1") + 1]
    assert "unknown key &#39;bogus&#39;" in page and "cannot remove &#39;no-such-thing&#39;" in page
    assert re.search(rf'<li id="line-{lines.index("  bogus: 1") + 1}" class="bad-line">', page)
    assert 'id="line-1">' in page   # the draft's other lines are shown, not marked


def test_a_yaml_error_is_flagged_at_its_line(client):
    text = AMENDMENT + "parameters: [unclosed\n"
    response = post_draft(client, text)
    assert response.status_code == 422
    # the parser meets the end of the text still inside the bracket: it flags the line after the last one,
    # where it found "<stream end>" (the only problem on the page)
    line = len(AMENDMENT.splitlines()) + 2
    assert re.findall(r'<a href="#line-(\d+)">line \1</a>: YAML', html(response)) == [str(line)]


def test_a_valid_amendment_shows_the_diff_cases_and_flips_of_stored_rulings(client):
    before = hashes()
    flips = store(client, "approve.json")          # filed 19 days after the vacancy: too early under 20
    stays = store(client, "refuse-quota.json")
    assert flips["outcome"] == "approve" and stays["outcome"] == "refuse"
    response = post_draft(client, AMENDMENT)
    page = html(response)
    assert response.status_code == 200, page
    assert "2025-09-01 → 2026-01-01" in page and "<code>waiting_days</code>" in page
    assert "<ins>20</ins>" in page and "<del>15</del>" in page
    ran = re.search(r"(\d+) / (\d+)</h2>", page)
    assert int(ran.group(2)) > 10 and ran.group(1) == ran.group(2)   # every shipped case still as expected
    impact = page[page.index('class="impact-all"'):]
    assert count(impact, "data-count", "judged") == 2
    assert count(impact, "data-count", "flipped") == 1 and count(impact, "data-count", "unchanged") == 1
    assert count(impact, "data-flips", "vacancy-waiting-period") == 1
    assert f"<code>{flips['id']}</code>" in impact and f"<code>{stays['id']}</code>" not in impact
    assert hashes() == before
    assert client.get(f"/v1/regulations/{REG}/versions/2026-01-01").status_code == 404
    assert len(client.get("/v1/rulings?reference=APP-APPROVE").get_json()["rulings"]) == 1   # nothing stored


def test_uploaded_requests_are_judged_under_the_draft(client):
    lines = "\n".join(json.dumps(json.loads((APPLICATIONS / n).read_text())) for n in ("approve.json", "refuse-quota.json"))
    response = post_draft(client, AMENDMENT, last="0", requests=(io.BytesIO(lines.encode()), "apps.jsonl"))
    page = html(response)
    assert response.status_code == 200
    uploaded = page[page.rindex("<h3>"):]
    assert count(uploaded, "data-count", "judged") == 2 and count(uploaded, "data-count", "flipped") == 1
    assert count(uploaded, "data-flips", "vacancy-waiting-period") == 1


def test_the_draft_form_requires_the_csrf_token(client):
    client.get("/drafts")
    response = client.post("/drafts", data={"regulation": REG, "draft": AMENDMENT, "last": "1"},
                           content_type="multipart/form-data")
    assert response.status_code == 403 and "security token" in html(response)
    response = client.post("/reports", data={"regulation": REG}, content_type="multipart/form-data")
    assert response.status_code == 403


def test_an_oversize_draft_is_refused_with_a_page(client):
    response = post_draft(client, AMENDMENT + "#" * (300 * 1024))
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "262144 bytes" in html(response)
    response = post_draft(client, "", draft_file=(io.BytesIO(b"#" * (257 * 1024)), "big.yaml"))
    assert response.status_code == 413 and "draft rule file is over the limit" in html(response)


def test_a_body_over_the_servers_limit_is_refused_with_a_page(client):
    data = {"csrf": token_of(client), "regulation": REG, "applications": (io.BytesIO(b" " * (1100 * 1024)), "a.jsonl")}
    response = client.post("/reports", data=data, content_type="multipart/form-data")
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "too large" in html(response)


def test_a_report_upload_gives_the_counts_of_ereje_compare(client, runner, tmp_path):
    names = ["approve.json", "pre-amendment.json", "refuse-quota.json", "refuse-vacancy-published.json"]
    lines = [json.dumps(json.loads((APPLICATIONS / n).read_text())) for n in names] + ["{not json"]
    path = tmp_path / "apps.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli = runner.invoke(main, ["compare", str(path), "--format", "json", "--jobs", "1", "--no-progress"])
    assert cli.exit_code == 0, cli.output
    want = json.loads(cli.output)
    data = {"csrf": token_of(client), "regulation": REG, "applications": (io.BytesIO(path.read_bytes()), "apps.jsonl")}
    page = html(client.post("/reports", data=data, content_type="multipart/form-data"))
    assert count(page, "data-count", "read") == want["read"] == 5
    assert count(page, "data-count", "judged") == want["judged"]
    assert count(page, "data-count", "not_judged") == want["not_judged"] == 1
    for v in want["versions"]:
        for o in ("approve", "refuse", "undetermined"):
            assert count(page, "data-outcome", f"{v} {o}") == want["outcomes"][v].get(o, 0)
    for p in want["pairs"]:
        assert count(page, "data-pair", f"{p['from']} {p['to']} changed") == p["changed"] > 0
        for rid, n in p["requirements"].items():
            assert count(page, "data-requirement", f"{p['from']} {p['to']} {rid}") == n
    data["applications"] = (io.BytesIO(path.read_bytes()), "apps.jsonl")
    data["as"] = "report"
    whole = client.post("/reports", data=data, content_type="multipart/form-data")
    assert whole.status_code == 200 and "<svg" in html(whole)


@pytest.mark.parametrize("path", ["/drafts", "/reports"])
@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_new_pages_answer_in_each_language_and_are_linked(client, path, lang):
    response = client.get(f"{path}?lang={lang}")
    assert response.status_code == 200 and f'<html lang="{lang}">' in html(response)
    assert 'href="/drafts"' in html(client.get("/")) and 'href="/reports"' in html(client.get("/"))
