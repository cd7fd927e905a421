"""A comparison names a requirement a later version removed as a cause, `to: absent`
(server/judging/comparisons.py), when it was what refused the earlier ruling."""
import json
import shutil

from server.contract import request as schemas
from server.engine import runner as engine
from server.judging import comparisons
from server.rules import rulebook

from .conftest import APPLICATIONS, POLICIES, ROOT


def _without_unpermitted_labour(tmp_path):
    """The shipped policies and the 2026 amendment, which here removes 'no-unpermitted-labour'
    and what only it used."""
    dst = tmp_path / "policies"
    shutil.copytree(POLICIES, dst)
    path = dst / "kz-foreign-labour" / "2026-01-01.yaml"
    text = (ROOT / "tests" / "data" / "amendment-2026" / "2026-01-01.yaml").read_text(encoding="utf-8")
    for old, new in [("requirements:\n  change:", "requirements:\n  remove: [no-unpermitted-labour]\n  change:"),
                     ("parameters:\n  change:", "parameters:\n  remove: [bar_months]\n  change:"),
                     ("readings:\n  change:", "derive:\n  remove: [offence-within-bar]\nreadings:\n"
                                              "  remove: [bar-twelve-calendar-months]\n  change:")]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return dst


def test_a_removed_requirement_that_refused_is_a_cause_of_the_change(tmp_path):
    book = rulebook.load(_without_unpermitted_labour(tmp_path))
    engine.register_all(book)
    doc = json.loads((APPLICATIONS / "refuse-unpermitted-labour.json").read_text(encoding="utf-8"))
    doc["application"]["submitted_on"] = "2025-09-30"   # past the 2026 amendment's longer waiting period too
    request = schemas.load(schemas.RulingRequestSchema(), doc)
    out = comparisons.compare(book, request, versions=["2025-09-01", "2026-01-01"])
    assert out["outcomes"] == {"2025-09-01": "refuse", "2026-01-01": "approve"}
    assert out["requirements"]["no-unpermitted-labour"]["statuses"] == {"2025-09-01": "unmet",
                                                                        "2026-01-01": "absent"}
    [change] = out["changes"]
    assert (change["from"], change["to"], change["outcome"]) == ("2025-09-01", "2026-01-01",
                                                                 {"from": "refuse", "to": "approve"})
    assert [(c["requirement"], c["from"], c["to"]) for c in change["because"]] == [
        ("no-unpermitted-labour", "unmet", "absent")]
