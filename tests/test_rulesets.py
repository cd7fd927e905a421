"""Published rule sets and history, in process: what `ereje serve`'s master and workers do."""
import re
import shutil

import pytest

from server.api import rulesets
from server.api.app import create_app
from tests.conftest import POLICIES
from tests.test_schemas import sample_request

VERSION = "kz-foreign-labour@2025-09-01"
EDITED = {"en": "(edited) ", "ru": "(изменено) "}


@pytest.fixture
def policies(tmp_path):
    copy = tmp_path / "policies"
    shutil.copytree(POLICIES, copy)
    return copy


def amended(policies):
    return policies / "kz-foreign-labour" / "2025-09-01.yaml"


def retitle(path):
    """Prefix vacancy-published's title in 2025-09-01.yaml with EDITED, in en and ru."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"- id: vacancy-published\n(\s+)title:\n\s+en: ()[^\n]*\n\s+ru: ()", text)
    assert found, "vacancy-published's title is no longer written as expected"
    en, ru = found.start(2), found.start(3)
    path.write_text(text[:en] + EDITED["en"] + text[en:ru] + EDITED["ru"] + text[ru:], encoding="utf-8")


def break_(path):
    """Misspell the first `effect: refuse` in 2025-09-01.yaml; return its line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "effect: refuse")
    lines[at] = lines[at].replace("refuse", "refuze")
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def title(ruling):
    return next(f["title"] for f in ruling["findings"] if f["requirement"] == "vacancy-published")


def test_a_good_set_is_published_and_a_broken_one_leaves_the_pointer(policies, tmp_path):
    store = tmp_path / "log.db-rules"
    first, book, problems = rulesets.publish(policies, store)
    assert problems == [] and rulesets.current(store) == first
    assert sorted(p.name for p in (store / first).rglob("*.yaml")) == ["2023-07-01.yaml", "2025-09-01.yaml"]

    original = amended(policies).read_bytes()
    line = break_(amended(policies))
    problems = rulesets.publish(policies, store)[2]
    assert [(p.file, p.line) for p in problems] == [(str(amended(policies)), line)]
    assert rulesets.current(store) == first
    assert sorted(p.name for p in store.iterdir()) == sorted(["current", first])  # nothing staged is left

    amended(policies).write_bytes(original)
    retitle(amended(policies))
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
    old_title = title(client.post("/v1/rulings", json=sample_request()).get_json())

    retitle(amended(policies))
    assert client.get("/healthz").get_json()["versions"][VERSION] == old  # on disk only: not published
    rulesets.publish(policies, store)
    new = client.get("/healthz").get_json()["versions"][VERSION]
    assert new != old
    ruling = client.post("/v1/rulings", json=sample_request()).get_json()
    assert (ruling["ruleset_digest"], title(ruling)) == (new, EDITED["en"] + old_title)


def test_history_survives_an_edit_and_a_restart(policies, tmp_path):
    db = str(tmp_path / "log.db")
    before = create_app({"DB": db, "POLICIES": str(policies)}).test_client()
    ruling = before.post("/v1/rulings", json=sample_request()).get_json()
    retitle(amended(policies))
    after = create_app({"DB": db, "POLICIES": str(policies)}).test_client()
    for lang in ("en", "ru", "kk"):
        shown = after.get(f"/v1/rulings/{ruling['id']}", headers={"Accept-Language": lang}).get_json()
        again = before.get(f"/v1/rulings/{ruling['id']}", headers={"Accept-Language": lang}).get_json()
        assert shown == again
    assert title(after.get(f"/v1/rulings/{ruling['id']}").get_json()) == title(ruling)
    assert title(after.post("/v1/rulings", json=sample_request()).get_json()) == EDITED["en"] + title(ruling)
