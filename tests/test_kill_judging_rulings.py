"""Dates at the end of the calendar when judging (server/judging/rulings._set_aside), and a stored
ruling's explanations read back in another language (server/judging/texts)."""
import copy
import json

import adapters
from server import store
from server.contract import request as schemas
from server.judging import cases, rulings

from . import demo
from .conftest import APPLICATIONS

V2 = "kz-foreign-labour@2025-09-01"


def _request(name="approve.json"):
    doc = json.loads((APPLICATIONS / name).read_text(encoding="utf-8"))
    return schemas.load(schemas.RulingRequestSchema(), doc)


def test_replaying_a_ruling_filed_at_the_end_of_the_calendar_is_422_naming_the_date(app, client, tmp_path):
    """A request stored before requests were kept within 1900..2099 can still hold such a date:
    its replay is refused, naming the field, not judged and not a 500."""
    request = _request()
    request["application"]["submitted_on"] = "9999-12-30"
    db = store.open_db(str(tmp_path / "log.db"))
    stored = store.save_ruling(db, {"outcome": "approve", "regulation": "kz-foreign-labour",
                                    "version": "2025-09-01", "findings": []}, request, "en")
    res = client.post(f"/v1/rulings/{stored['id']}/replay")
    assert res.status_code == 422, res.get_data(as_text=True)
    assert res.get_json() == {"error": {
        "code": "invalid_request",
        "message": f"application.submitted_on 9999-12-30 is too near the end of the calendar for {V2}",
        "fields": {"application.submitted_on": [
            f"Too near the end of the calendar for the date arithmetic of {V2}."]}}}


def test_a_registry_set_aside_keeps_where_its_answer_came_from(book):
    """Recorded labour-exchange data with a vacancy posted on 9999-12-30 (as a replay of an old
    ruling judges it): the registry is missing, its entry still says where the answer came from."""
    recorded = {"labour_exchange": {"source": "request", "fetched_at": "2025-09-20T00:00:00.000Z", "data": {
        "vacancy": {"code": "4012345", "employer_bin": "150540000106", "published_on": "9999-12-30",
                    "status": "active"}}}}
    ruling = rulings.judge(book, _request(), recorded=recorded)
    assert ruling["missing"] == ["labour_exchange"]
    assert ruling["registry"]["labour_exchange"] == {
        "source": "request", "fetched_at": "2025-09-20T00:00:00.000Z",
        "reason": f"vacancy.published_on 9999-12-30 is too near the end of the calendar for the date arithmetic of {V2}"}


def test_a_stored_ruling_read_in_another_language_shows_dates_its_explanation_computes(client):
    """The transfer explanation names the day 12 months of employment are complete (a date the
    rule computes from the application's); read back in Russian it still names that day."""
    doc = json.loads((APPLICATIONS / "refuse-transfer-conditions.json").read_text(encoding="utf-8"))
    doc["application"]["transfer"] = {"sending_country": "CHN", "employed_since": "2025-01-10"}
    posted = client.post("/v1/rulings", json=doc)
    assert posted.status_code == 201, posted.get_data(as_text=True)
    shown = client.get(f"/v1/rulings/{posted.get_json()['id']}", headers={"Accept-Language": "ru"})
    assert shown.status_code == 200
    [finding] = [f for f in shown.get_json()["findings"] if f["requirement"] == "transfer-conditions"]
    assert finding["status"] == "unmet"
    assert finding["explanation"] == (
        "Работник работает в направляющем юридическом лице с 10.01.2025; требуемый срок работы (12 месяцев) "
        "истекает 10.01.2026 — это первый день, когда подача заявления будет соответствовать требованию "
        "(подано 20.09.2025).")


def test_a_registry_is_not_read_for_a_requirement_its_workers_put_out_of_scope(tmp_path):
    """The demo quota requirement in scope only for Uzbek workers: an application listing none needs no quota,
    so a quota registry that cannot be read is neither read nor missing."""
    book = demo.book_of(tmp_path, demo.RULES.replace(
        'scope: application.route in ["general", "seasonal"]', 'scope: any(w.citizenship == "UZB" for w in workers)'))
    request = copy.deepcopy(demo.DEFAULTS)
    del request["registry"]
    ruling = rulings.judge(book, schemas.load(schemas.RulingRequestSchema(), request),
                           source=cases.Unreadable(["quota"], adapters.source_from_env()))
    assert (ruling["missing"], ruling["registry"]) == ([], {})
    assert {f["requirement"]: f["status"] for f in ruling["findings"]} == {"quota-available": "not_applicable",
                                                                         "seasonal-cap": "not_applicable"}
