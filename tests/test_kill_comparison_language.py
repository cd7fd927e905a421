"""A comparison answers in the language asked, like a ruling (the mutation run found it unchecked)."""
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
