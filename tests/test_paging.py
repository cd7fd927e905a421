"""GET /v1/rulings?reference=: a page at a time (limit, default 20, at most 100), oldest first,
with an opaque `next` cursor while more follow; a bad limit or cursor is a 422 naming it."""

import base64

import pytest

from server import store

RULING = {"outcome": "approve", "regulation": "kz-foreign-labour", "version": "2025-09-01",
          "effective": {"from": "2025-09-01", "to": None}, "judged_on": "2025-09-20",
          "ruleset_digest": "sha256:abc", "findings": [], "missing": [], "registry": {}, "trace": []}


def store_rulings(app, reference, count):
    """`count` rulings for `reference`, each followed by one for another reference; their ids in order."""
    db = store.open_db(app.config["DB"])
    ids = []
    for _ in range(count):
        ids.append(store.save_ruling(db, RULING, {"application": {"reference": reference}}, "en")["id"])
        store.save_ruling(db, RULING, {"application": {"reference": "OTHER"}}, "en")
    db.close()
    return ids


def pages(client, reference, **params):
    """Every page, following `next` until it is null: [(ids, next)]."""
    seen, cursor = [], None
    while True:
        query = {"reference": reference, **params, **({"cursor": cursor} if cursor else {})}
        response = client.get("/v1/rulings", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert list(body) == ["rulings", "next"]
        seen.append(([r["id"] for r in body["rulings"]], body["next"]))
        cursor = body["next"]
        if cursor is None:
            return seen


def test_pages_follow_each_other_oldest_first(app, client):
    ids = store_rulings(app, "APP-P", 5)
    found = pages(client, "APP-P", limit=2)
    assert [page for page, _ in found] == [ids[0:2], ids[2:4], ids[4:5]]
    assert all(cursor for _, cursor in found[:-1])


def test_the_default_page_is_20_and_at_most_100(app, client):
    ids = store_rulings(app, "APP-P", 25)
    assert [len(page) for page, _ in pages(client, "APP-P")] == [20, 5]
    assert pages(client, "APP-P", limit=100) == [(ids, None)]
    assert pages(client, "APP-P", limit=25) == [(ids, None)]   # no empty last page


def test_a_page_is_stable_when_rulings_are_added_after_it(app, client):
    ids = store_rulings(app, "APP-P", 3)
    first = client.get("/v1/rulings", query_string={"reference": "APP-P", "limit": 2}).get_json()
    later = store_rulings(app, "APP-P", 1)
    rest = client.get("/v1/rulings", query_string={"reference": "APP-P", "limit": 2, "cursor": first["next"]})
    assert [r["id"] for r in rest.get_json()["rulings"]] == [ids[2], *later]


def test_an_unknown_reference_is_one_empty_page(client):
    assert client.get("/v1/rulings?reference=none").get_json() == {"rulings": [], "next": None}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", " 5", "1_0", "", "٥", "9" * 30])
def test_a_bad_limit_is_a_422_naming_it(client, limit):
    response = client.get("/v1/rulings", query_string={"reference": "APP-P", "limit": limit})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["limit"]


@pytest.mark.parametrize("cursor", ["", "zz", "!!!", "a", base64.urlsafe_b64encode(b"after:x").decode(),
                                    base64.urlsafe_b64encode(b"before:1").decode(), "YWZ0ZXI6MQ==" * 5])
def test_a_cursor_this_api_did_not_give_is_a_422_naming_it(client, cursor):
    response = client.get("/v1/rulings", query_string={"reference": "APP-P", "cursor": cursor})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["cursor"]
