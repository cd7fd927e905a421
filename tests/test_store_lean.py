"""Lean rows (server/storedrow.py): findings' titles and citations left to the kept rule files,
every ruling still read back as it was answered; rows written whole by an older Ereje unchanged."""

import json
import sqlite3
from pathlib import Path

import pytest

from server import sealing
from server.api.app import create_app
from tests.helpers import sample_request
from tests.test_log import KEY_A, log

DATA = Path(__file__).parent / "data"
# Written by Ereje before lean rows (commit b254663): three rulings of reference OLD-SHAPE-1
# (en; kk under Idempotency-Key old-shape-key; a ru replay of the first) and the answers it sent.
OLD_SQL, OLD_ANSWERS = DATA / "decision-log-full-rows.sql", DATA / "decision-log-full-rows.json"


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    monkeypatch.delenv(sealing.ENV, raising=False)


@pytest.fixture
def old_log(tmp_path):
    path = tmp_path / "log.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SQL.read_text(encoding="utf-8"))
    conn.close()
    return path


def text(value):
    return json.dumps(value, ensure_ascii=False)   # key order included


def test_rows_written_whole_by_an_older_ereje_read_back_exactly_as_it_answered(old_log):
    old = json.loads(OLD_ANSWERS.read_text(encoding="utf-8"))
    client = create_app({"DB": str(old_log), "TESTING": True}).test_client()
    page = client.get("/v1/rulings", query_string={"reference": "OLD-SHAPE-1"})
    assert text(page.get_json()["rulings"]) == text(old["answers"])
    retried = client.post("/v1/rulings", json=old["posted_kk"],
                          headers={"Accept-Language": "kk", "Idempotency-Key": "old-shape-key"})
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
    assert text(retried.get_json()) == text(old["answers"][1])
    for answer in old["answers"]:
        shown = client.get(f"/v1/rulings/{answer['id']}", headers={"Accept-Language": answer["language"]})
        assert text(shown.get_json()) == text(answer)


@pytest.mark.parametrize("key", [None, KEY_A], ids=["clear", "sealed"])
def test_a_lean_row_reads_back_as_answered_and_chains_after_whole_rows(old_log, monkeypatch, key):
    if key:
        monkeypatch.setenv(sealing.ENV, key)
    client = create_app({"DB": str(old_log), "TESTING": True}).test_client()
    request = sample_request()
    request["application"]["reference"] = "LEAN-1"
    answers = [client.post("/v1/rulings", json=request, headers={"Accept-Language": lang}) for lang in ("ru", "en")]
    answers.append(client.post(f"/v1/rulings/{answers[0].get_json()['id']}/replay", json={},
                               headers={"Accept-Language": "kk"}))
    assert [a.status_code for a in answers] == [201] * 3
    answered = [a.get_json() for a in answers]
    page = client.get("/v1/rulings", query_string={"reference": "LEAN-1"}).get_json()["rulings"]
    assert text(page) == text(answered)
    for answer in answered:
        shown = client.get(f"/v1/rulings/{answer['id']}", headers={"Accept-Language": answer["language"]})
        assert text(shown.get_json()) == text(answer)
    assert answered[2]["outcome_changed"] is False
    if not key:   # the texts are in the rule files, not in each row
        with sqlite3.connect(old_log) as conn:
            findings = conn.execute("SELECT findings FROM rulings WHERE id = ?", [answered[1]["id"]]).fetchone()[0]
        conn.close()
        assert answered[1]["findings"][0]["title"] not in findings
        assert answered[1]["findings"][0]["explanation"] in findings
    code, output = log("verify", "--db", old_log)
    assert (code, output.splitlines()[0]) == (0, "ok: 6 rulings, chain intact")


def test_a_lean_row_whose_texts_cannot_be_found_is_refused_never_answered_without_them(tmp_path):
    path = tmp_path / "log.db"
    client = create_app({"DB": str(path), "TESTING": True}).test_client()
    ruling = client.post("/v1/rulings", json=sample_request()).get_json()
    with sqlite3.connect(path) as conn:   # the row now names rule files the log does not hold
        conn.execute("""UPDATE rulings SET ruling = replace(ruling, '"texts_in_rule_files":"sha256:',
                        '"texts_in_rule_files":"sha256:f')""")
    conn.close()
    shown = client.get(f"/v1/rulings/{ruling['id']}")
    assert shown.status_code == 409
    assert shown.get_json()["error"]["code"] == "ruling_unreadable"
    assert "titles and citations" in shown.get_json()["error"]["message"]
    assert log("verify", "--db", path)[0] == 1   # and the chain shows the edit
