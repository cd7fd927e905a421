"""Published rule sets and history, in process: what `ereje serve`'s master and workers do."""
import shutil

import pytest

from server.api import rulesets
from server.api.app import create_app
from tests.conftest import POLICIES
from tests.test_schemas import sample_request

VERSION = "kz-foreign-labour@2025-09-01"
OLD_EN = "The vacancy was posted on the electronic labour exchange by the applicant"
NEW_EN = "The vacancy was posted on the labour exchange by the employer"


@pytest.fixture
def policies(tmp_path):
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    return copy


def edit(policies, old, new):
    path = policies / "kz-foreign-labour" / "2025-09-01.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def title(ruling):
    return next(f["title"] for f in ruling["findings"] if f["requirement"] == "vacancy-published")


def test_a_good_set_is_published_and_a_broken_one_leaves_the_pointer(policies, tmp_path):
    store = tmp_path / "log.db-rules"
    first, book, problems = rulesets.publish(policies, store)
    assert problems == [] and rulesets.current(store) == first
    assert sorted(p.name for p in (store / first).rglob("*.yaml")) == ["2023-07-01.yaml", "2025-09-01.yaml"]

    edit(policies, "      effect: refuse", "      effect: refuze")
    assert rulesets.publish(policies, store)[2][0].file == str(policies / "kz-foreign-labour" / "2025-09-01.yaml")
    assert rulesets.publish(policies, store)[2][0].line == 150
    assert rulesets.current(store) == first
    assert sorted(p.name for p in store.iterdir()) == sorted(["current", first])  # nothing staged is left

    edit(policies, "      effect: refuze", "      effect: refuse")
    edit(policies, f"en: {OLD_EN}", f"en: {NEW_EN}")
    second = rulesets.publish(policies, store)[0]
    assert second not in (None, first) and rulesets.current(store) == second


def test_an_empty_directory_is_never_published(tmp_path):
    (tmp_path / "empty").mkdir()
    name, _, problems = rulesets.publish(tmp_path / "empty", tmp_path / "store")
    assert name is None and [p.message for p in problems] == ["no rule files here (<regulation>/<version>.yaml)"]
    assert rulesets.current(tmp_path / "store") is None


def test_a_worker_switches_when_the_pointer_moves(policies, tmp_path):
    store = tmp_path / "log.db-rules"
    rulesets.publish(policies, store)
    client = create_app({"DB": str(tmp_path / "log.db"), "RULESETS": str(store)}).test_client()
    old = client.get("/healthz").get_json()["versions"][VERSION]
    assert title(client.post("/v1/rulings", json=sample_request()).get_json()) == OLD_EN

    edit(policies, f"en: {OLD_EN}", f"en: {NEW_EN}")
    assert client.get("/healthz").get_json()["versions"][VERSION] == old  # on disk only: not published
    rulesets.publish(policies, store)
    new = client.get("/healthz").get_json()["versions"][VERSION]
    assert new != old
    ruling = client.post("/v1/rulings", json=sample_request()).get_json()
    assert (ruling["ruleset_digest"], title(ruling)) == (new, NEW_EN)


def test_history_survives_an_edit_and_a_restart(policies, tmp_path):
    db = str(tmp_path / "log.db")
    before = create_app({"DB": db, "POLICIES": str(policies)}).test_client()
    ruling = before.post("/v1/rulings", json=sample_request()).get_json()
    edit(policies, f"en: {OLD_EN}", f"en: {NEW_EN}")
    after = create_app({"DB": db, "POLICIES": str(policies)}).test_client()
    for lang in ("en", "ru", "kk"):
        shown = after.get(f"/v1/rulings/{ruling['id']}", headers={"Accept-Language": lang}).get_json()
        again = before.get(f"/v1/rulings/{ruling['id']}", headers={"Accept-Language": lang}).get_json()
        assert shown == again
    assert title(after.get(f"/v1/rulings/{ruling['id']}").get_json()) == OLD_EN
    assert title(after.post("/v1/rulings", json=sample_request()).get_json()) == NEW_EN
