"""Comparisons answer like rulings: in the language asked, from the registry facts given inline
(the mutation run found both unchecked)."""
import json

from .conftest import APPLICATIONS

TITLE_RU = "С размещения вакансии прошло 15 календарных дней"


def test_a_comparison_asked_in_russian_gives_every_ruling_in_russian(client):
    body = json.loads((APPLICATIONS / "refuse-unpermitted-labour.json").read_text(encoding="utf-8"))
    response = client.post("/v1/comparisons", json=body, headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    rulings = response.get_json()["rulings"]
    assert sorted(rulings) == ["2023-07-01", "2025-09-01"]
    assert [r["language"] for r in rulings.values()] == ["ru", "ru"]
    waiting = next(f for f in rulings["2025-09-01"]["findings"] if f["requirement"] == "vacancy-waiting-period")
    assert waiting["title"] == TITLE_RU


def test_a_comparison_uses_the_registry_facts_given_inline(client):
    body = json.loads((APPLICATIONS / "approve.json").read_text(encoding="utf-8"))
    body["registry"] = {"offences": {"records": [
        {"employer_bin": body["application"]["employer"]["bin"], "article": "519", "decided_on": "2025-06-01"}]}}
    response = client.post("/v1/comparisons", json=body)
    assert response.status_code == 200
    comparison = response.get_json()
    assert comparison["outcomes"] == {"2023-07-01": "refuse", "2025-09-01": "refuse"}
    assert comparison["requirements"]["no-unpermitted-labour"]["statuses"] == {"2023-07-01": "unmet",
                                                                             "2025-09-01": "unmet"}
