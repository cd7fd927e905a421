"""`ereje compare FILE`: inputs, flips, errors, --out, --jobs, the HTML report."""
import csv
import json
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from server import messages
from server.batch import inputs
from server.contract import request as schemas
from server.cli import main

from tests.conftest import ROOT
from tests.helpers import BIN, FLIP, STAY, batch_request, compare_summary

V1, V2 = "2023-07-01", "2025-09-01"


def run(*args):
    return CliRunner().invoke(main, ["compare", *map(str, args)])


def test_flip_and_no_flip_jsonl_with_malformed_line(tmp_path):
    f = tmp_path / "apps.jsonl"
    f.write_text(json.dumps(FLIP) + "\n{not json\n" + json.dumps(STAY) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    s = compare_summary(f, "--jobs", 1, "--out", out)
    assert (s["read"], s["judged"], s["not_judged"]) == (3, 2, 1)
    pair = s["pairs"][0]
    assert (pair["from"], pair["to"], pair["unchanged"], pair["changed"]) == (V1, V2, 1, 1)
    assert pair["flips"] == {"approve -> refuse": 1}
    assert pair["requirements"] == {"vacancy-published": 1, "vacancy-waiting-period": 1}
    assert s["outcomes"] == {V1: {"approve": 2}, V2: {"approve": 1, "refuse": 1}}
    assert len(s["errors"]) == 1 and s["errors"][0]["lines"] == [2] and "not JSON" in s["errors"][0]["reason"]
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert rows[0]["reference"] == "APP-FLIP" and rows[0]["changed"] is True
    assert rows[0]["outcomes"] == {V1: "approve", V2: "refuse"}
    assert {b["requirement"] for b in rows[0]["because"]} == {"vacancy-published", "vacancy-waiting-period"}
    assert "error" in rows[1]
    assert rows[2]["changed"] is False and rows[2]["outcomes"] == {V1: "approve", V2: "approve"}


def test_text_summary(tmp_path):
    f = tmp_path / "apps.jsonl"
    f.write_text(json.dumps(FLIP) + "\n" + json.dumps(STAY) + "\n", encoding="utf-8")
    res = run(f, "--jobs", 1)
    assert res.exit_code == 0, res.output
    assert f"{V1} -> {V2}:" in res.output
    assert "approve -> refuse" in res.output and "vacancy-published" in res.output


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_text_summary_in_russian_and_kazakh_has_no_english_words(tmp_path, lang):
    f = tmp_path / "apps.jsonl"
    f.write_text(json.dumps(FLIP) + "\n" + json.dumps(STAY) + "\nnot json\n", encoding="utf-8")
    res = run(f, "--jobs", 1, "--lang", lang)
    assert res.exit_code == 0, res.output
    flip = f"{messages.name('outcome', 'approve', lang)} -> {messages.name('outcome', 'refuse', lang)}"
    assert flip in res.output and messages.say("summary.errors", lang) in res.output
    for english in ("application(s) read", "Outcomes by version", "unchanged", "approve", "refuse",
                    "requirements causing", "Could not be judged", "(line "):
        assert english not in res.output, english


def test_json_array_with_invalid_application(tmp_path):
    bad = json.loads(json.dumps(STAY))
    del bad["application"]["region"]
    f = tmp_path / "apps.json"
    f.write_text(json.dumps([STAY, bad, FLIP, 7]), encoding="utf-8")
    s = compare_summary(f, "--jobs", 1, "--versions", f"{V1},{V2}")
    assert (s["read"], s["judged"]) == (4, 2)
    reasons = {e["reason"]: e["lines"] for e in s["errors"]}
    assert any("application.region" in r and lines == [2] for r, lines in reasons.items())
    assert reasons["not a JSON object"] == [4]
    assert s["pairs"][0]["flips"] == {"approve -> refuse": 1}


def test_csv(tmp_path):
    cols = ["application.reference", "application.submitted_on", "application.kind", "application.route",
            "application.category", "application.region", "application.workers_requested",
            "application.vacancy_code", "application.employer.bin", "application.employer.headcount",
            "application.employer.small_business",
            "application.employer.staff.managers.citizens", "application.employer.staff.managers.foreigners",
            "application.employer.staff.specialists.citizens", "application.employer.staff.specialists.foreigners",
            "application.foreign_workers.0.passport", "application.foreign_workers.0.iin",
            "registry.quota.region", "registry.quota.year", "registry.quota.category", "registry.quota.remaining",
            "registry.offences.records",
            "application.current_permit.number", "application.current_permit.issued_on",
            "application.current_permit.expires_on", "application.current_permit.extensions"]
    f = tmp_path / "apps.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        tail = ["ALMATY", "2025", "3", "10"]
        row = lambda ref, kind, worker, cat="3": [ref, "2025-09-20", kind, "general", cat, "ALMATY", "1", "", BIN, "120",
                                                  "false", "9", "1", "95", "5", *worker, *tail, "",
                                                  *(["P-1", "2024-11-01", "2025-11-01", "0"] if kind == "extension" else ["", "", "", ""])]
        w.writerow(row("CSV-FLIP", "issue", ["", ""]))
        w.writerow(row("CSV-BAD", "issue", ["", ""], cat="three"))
        w.writerow(row("CSV-STAY", "extension", ["", ""]))
        w.writerow(row("CSV-WORKER", "extension", ["N1234567", "900101300007"]))
    # registry.offences.records is empty, so absent: offences are read from fixtures/registries/
    out = tmp_path / "out.jsonl"
    s = compare_summary(f, "--jobs", 1, "--out", out)
    assert (s["read"], s["judged"]) == (4, 3)
    assert s["errors"][0]["lines"] == [3] and "application.category" in s["errors"][0]["reason"]
    # From 2025-09-01 the staff's 6 declared foreigners must all be listed (none or one is): every row flips;
    # the new permit also lacks a vacancy code.
    assert s["pairs"][0]["flips"] == {"approve -> refuse": 3}
    assert s["outcomes"] == {V1: {"approve": 3}, V2: {"refuse": 3}}
    rows = {r["reference"]: (r["outcomes"], sorted(b["requirement"] for b in r["because"]))
            for r in map(json.loads, out.read_text(encoding="utf-8").splitlines()) if "error" not in r}
    flipped = {V1: "approve", V2: "refuse"}
    assert rows == {"CSV-FLIP": (flipped, ["foreign-workers-listed", "vacancy-published", "vacancy-waiting-period"]),
                    "CSV-STAY": (flipped, ["foreign-workers-listed"]),
                    "CSV-WORKER": (flipped, ["foreign-workers-listed"])}


def test_row_to_request_types():
    doc = inputs.row_to_request(
        ["application.category", "application.employer.small_business", "application.foreign_workers.1.passport",
         "application.vacancy_code", "application.region"],
        ["2", "TRUE", "P1", "", "ALMATY"])
    assert doc == {"application": {"category": 2, "employer": {"small_business": True},
                                   "foreign_workers": [{"passport": "P1"}], "region": "ALMATY"}}
    with pytest.raises(ValueError, match=r"^application.workers_requested: not a whole number: '1.5'$"):
        inputs.row_to_request(["application.workers_requested"], ["1.5"])


def test_jobs_two_matches_jobs_one(tmp_path):
    f = tmp_path / "apps.jsonl"
    lines = [json.dumps(batch_request(f"A{i}", kind="issue" if i % 2 else "extension")) for i in range(10)]
    lines.insert(4, "[]")
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out1, out2 = tmp_path / "o1.jsonl", tmp_path / "o2.jsonl"
    s1 = compare_summary(f, "--jobs", 1, "--out", out1)
    s2 = compare_summary(f, "--jobs", 2, "--out", out2)
    assert s1 == s2
    assert s1["pairs"][0]["flips"] == {"approve -> refuse": 5}
    assert out1.read_text() == out2.read_text()


def test_bad_usage(tmp_path):
    f = tmp_path / "apps.jsonl"
    f.write_text(json.dumps(STAY) + "\n", encoding="utf-8")
    assert run(f, "--versions", "2023-07-01,1999-01-01").exit_code == 2
    assert run(tmp_path / "missing.jsonl").exit_code == 2
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    assert run(broken, "--jobs", 1).exit_code == 2


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self._cell, self.tags = {}, None, set()
        self._table = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        for bad in ("src", "href"):
            assert bad not in attrs, (tag, attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("class"), [])
            self._table.append([])
        elif tag == "tr" and self._table is not None:
            self._table[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._table[-1][-1].append(self._cell)
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_html_report(tmp_path):
    f = tmp_path / "apps.jsonl"
    evil = batch_request("<script>alert(1)</script>")
    f.write_text("\n".join([json.dumps(FLIP), json.dumps(STAY), "oops", json.dumps(evil)]) + "\n", encoding="utf-8")
    page = tmp_path / "r.html"
    s = compare_summary(f, "--jobs", 1, "--report", page)
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "@import" not in text and "url(" not in text
    p = _Cells()
    p.feed(text)
    assert "svg" in p.tags and "style" in p.tags
    outcomes = {row[0]: row[1:] for row in p.tables["outcomes"][0][1:]}
    for v in s["versions"]:
        o = s["outcomes"][v]
        assert outcomes[v] == [str(o.get(k, 0)) for k in ("approve", "refuse", "undetermined")]
    pair = s["pairs"][0]
    got = dict(p.tables["pair"][0][1:])
    assert got["read"] == str(pair["read"]) == "4"
    assert got["unchanged"] == str(pair["unchanged"]) and got["changed"] == str(pair["changed"]) == "2"
    assert got["changed approve -> refuse"] == "2"
    assert got["could not be judged"] == "1"
    causes = dict(p.tables["causes"][0][1:])
    assert causes == {k: str(n) for k, n in pair["requirements"].items()}
    errors = p.tables["errors"][0][1:]
    assert errors[0][1] == "1" and errors[0][2] == "3"


def test_generator_is_valid_and_deterministic(tmp_path):
    gen = ROOT / "bench" / "generate.py"
    a = subprocess.run([sys.executable, str(gen), "-n", "200", "--seed", "5"], capture_output=True, text=True, check=True)
    b = subprocess.run([sys.executable, str(gen), "-n", "200", "--seed", "5"], capture_output=True, text=True, check=True)
    assert a.stdout == b.stdout
    docs = [json.loads(x) for x in a.stdout.splitlines()]
    assert len(docs) == 200
    for d in docs:
        schemas.RulingRequestSchema().load(d)
    assert {d["application"]["route"] for d in docs} == {"general", "seasonal", "intracompany_transfer"}


@pytest.mark.parametrize("name,text", [
    ("apps.jsonl", '{"application": {}}\n{"application": {}}\nnot json\n'),
    ("apps.csv", "application.reference,application.region\nA,ALMATY\nB,ASTANA\n"),
    ("apps.json", '[{"application": {}}, {"application": {"reference": "Ерэже"}}]'),
])
def test_the_progress_bar_reaches_the_end_of_the_file(tmp_path, name, text):
    # `ereje compare` moves its bar to the position of the binary file being read.
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with path.open("rb") as raw:
        items = list(inputs.read_items(raw))
        assert len(items) >= 2
        assert raw.tell() == path.stat().st_size
        assert not raw.closed


PERMIT_COLUMNS = ["application.reference", "application.submitted_on", "application.kind", "application.route",
                  "application.category", "application.region", "application.workers_requested",
                  "application.employer.bin", "application.employer.headcount",
                  "application.employer.staff.managers.citizens", "application.employer.staff.managers.foreigners",
                  "application.employer.staff.specialists.citizens",
                  "application.employer.staff.specialists.foreigners",
                  "application.current_permit.number", "application.current_permit.issued_on",
                  "application.current_permit.expires_on", "application.current_permit.extensions",
                  "application.transfer.sending_country", "application.transfer.employed_since"]


def test_csv_reads_current_permit_and_transfer_columns(tmp_path):
    general = ["general", "3", "ALMATY", "1", BIN, "120", "9", "1", "95", "5"]
    transfer = ["intracompany_transfer", "", "ALMATY", "1", BIN, "120", "", "", "", ""]
    permit = ["P-1", "2024-11-01", "2025-11-01"]
    rows = [["CSV-EXT", "2025-09-20", "extension", *general, *permit, "1", "", ""],
            ["CSV-ICT", "2025-09-20", "issue", *transfer, "", "", "", "", "DEU", "2023-01-10"],
            ["CSV-COUNTRY", "2025-09-20", "issue", *transfer, "", "", "", "", "de", "2023-01-10"],
            ["CSV-TWO", "2025-09-20", "extension", *general, *permit, "two", "", ""],
            ["CSV-NO-PERMIT", "2025-09-20", "extension", *general, "", "", "", "", "", ""]]
    f = tmp_path / "apps.csv"
    with f.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([PERMIT_COLUMNS, *rows])
    assert inputs.row_to_request(PERMIT_COLUMNS, rows[0])["application"]["current_permit"] == {
        "number": "P-1", "issued_on": "2024-11-01", "expires_on": "2025-11-01", "extensions": 1}
    assert inputs.row_to_request(PERMIT_COLUMNS, rows[1])["application"]["transfer"] == {
        "sending_country": "DEU", "employed_since": "2023-01-10"}
    out = tmp_path / "out.jsonl"
    s = compare_summary(f, "--jobs", 1, "--out", out)
    assert (s["read"], s["judged"]) == (5, 2)
    results = {json.loads(x)["line"]: json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()}
    assert [results[n]["reference"] for n in (2, 3)] == ["CSV-EXT", "CSV-ICT"]
    assert "application.transfer.sending_country: Must be an ISO 3166-1 alpha-3 country code" in results[4]["error"]
    assert results[5]["error"] == "application.current_permit.extensions: not a whole number: 'two'"
    assert "application.current_permit: Required when kind is extension" in results[6]["error"]


def test_generated_applications_carry_permits_and_transfers_and_are_all_judged(tmp_path):
    f = tmp_path / "apps.jsonl"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "-n", "300", "--seed", "11", "-o", str(f)],
                   check=True)
    apps = [json.loads(x)["application"] for x in f.read_text(encoding="utf-8").splitlines()]
    assert all(("current_permit" in a) == (a["kind"] == "extension") for a in apps)
    assert all(("transfer" in a) == (a["kind"] == "issue" and a["route"] == "intracompany_transfer") for a in apps)
    assert {a["transfer"]["sending_country"] for a in apps if "transfer" in a} >= {"DEU", "KAZ"}
    s = compare_summary(f, "--jobs", 1)
    assert (s["read"], s["judged"], s["errors"]) == (300, 300, [])
