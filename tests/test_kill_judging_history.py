"""The version that judged a stored ruling (server/judging/history.version_of): a ruling of the
loaded version is stored lean (its titles left to the kept rule files) and reads back whole, in the
API and from the log opened alone; for any regulation the rule files define."""
import json
import shutil
import sqlite3

from server import store
from server.api.app import create_app
from server.judging import history

from .conftest import APPLICATIONS, POLICIES


def _two_regulations(tmp_path):
    """The shipped regulation and a second one (the 2023 rules as 'kz-other', in force from 2024),
    written for this test only: no other test in the process has met its digest."""
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES / "kz-foreign-labour", policies / "kz-foreign-labour", ignore=shutil.ignore_patterns("tests"))
    text = (POLICIES / "kz-foreign-labour" / "2023-07-01.yaml").read_text(encoding="utf-8")
    head = 'regulation: kz-foreign-labour\nversion: "2023-07-01"\neffective_from: 2023-07-01\n'
    assert head in text
    text = text.replace(head, '# tests/test_kill_judging_history.py\nregulation: kz-other\nversion: "2024-01-01"\n'
                              'effective_from: 2024-01-01\n', 1)
    (policies / "kz-other").mkdir()
    (policies / "kz-other" / "2024-01-01.yaml").write_text(text, encoding="utf-8")
    return policies


def test_a_ruling_of_a_second_regulation_is_stored_lean_and_reads_back_whole(tmp_path):
    path = tmp_path / "log.db"
    client = create_app({"DB": str(path), "POLICIES": str(_two_regulations(tmp_path)), "TESTING": True}).test_client()
    doc = json.loads((APPLICATIONS / "approve.json").read_text(encoding="utf-8"))
    doc["regulation"] = "kz-other"
    posted = client.post("/v1/rulings", json=doc)
    assert posted.status_code == 201, posted.get_data(as_text=True)
    answer = posted.get_json()
    assert (answer["regulation"], answer["version"], answer["outcome"]) == ("kz-other", "2024-01-01", "approve")
    title = answer["findings"][0]["title"]
    assert title == "The regional quota has room for the requested workers"   # 2023-07-01.yaml, quota-available
    with sqlite3.connect(path) as conn:   # the texts are in the kept rule files, not in the row
        stored = conn.execute("SELECT findings FROM rulings WHERE id = ?", [answer["id"]]).fetchone()[0]
    conn.close()
    assert title not in stored and answer["findings"][0]["requirement"] in stored
    assert client.get(f"/v1/rulings/{answer['id']}").get_json() == answer
    # the log opened alone, without the served rule files: the texts come from the kept ones
    db = store.open_db(str(path))
    ruling, request = store.get_ruling_and_request(db, answer["id"])
    assert ruling == answer and request["regulation"] == "kz-other"


def test_a_ruling_of_a_regulation_no_longer_served_reads_back_from_the_kept_rule_files(tmp_path):
    path = tmp_path / "log.db"
    first = create_app({"DB": str(path), "POLICIES": str(_two_regulations(tmp_path)), "TESTING": True}).test_client()
    doc = json.loads((APPLICATIONS / "approve.json").read_text(encoding="utf-8"))
    doc["regulation"] = "kz-other"
    answer = first.post("/v1/rulings", json=doc).get_json()
    # served again from the shipped rule files alone: 'kz-other' is gone
    later = create_app({"DB": str(path), "POLICIES": str(POLICIES), "TESTING": True}).test_client()
    shown = later.get(f"/v1/rulings/{answer['id']}")
    assert shown.status_code == 200
    assert shown.get_json() == answer


def test_many_rulings_whose_kept_rule_files_no_longer_load_are_each_shown_as_stored():
    """More versions than the rebuilt versions kept in memory, each kept with a file this
    Ereje refuses: every ruling of them is shown as stored (no version), the first again too."""
    digests = [f"sha256:{i:064x}" for i in range(1, 20)]
    rows = {d: {"digest": d, "regulation": "kz-foreign-labour", "version": "2023-07-01",
                "files": [["kz-foreign-labour/2023-07-01.yaml", "regulation: [\n"]]} for d in digests}
    for d in [*digests, digests[0]]:
        assert history.version_of({"regulation": "kz-foreign-labour", "version": "2023-07-01",
                                   "ruleset_digest": d}, None, rows.get) is None
