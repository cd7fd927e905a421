"""Idempotency-Key on POST /v1/rulings and replays: a client that lost the answer retries
without a second ruling; the same key for another request is a 422 naming the header."""

import sqlite3
import threading

import pytest

from tests.helpers import change, sample_request

KEY = "Idempotency-Key"


def post(client, request=None, key=None, **kwargs):
    headers = {KEY: key} if key is not None else {}
    return client.post("/v1/rulings", json=request or sample_request(), headers=headers, **kwargs)


def rows_under(app, key):
    with sqlite3.connect(app.config["DB"]) as conn:
        return conn.execute("SELECT count(*) FROM rulings WHERE idempotency_key = ?", [key]).fetchone()[0]


def count(app):
    with sqlite3.connect(app.config["DB"]) as conn:
        return conn.execute("SELECT count(*) FROM rulings").fetchone()[0]


def test_a_retry_returns_the_first_ruling(app, client):
    first = post(client, key="order-1")
    again = post(client, key="order-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert rows_under(app, "order-1") == 1 and count(app) == 1


def test_the_same_body_written_differently_is_the_same_request(client):
    first = post(client, key="k").get_json()
    # Defaults filled in, keys in another order: the request as validated is what counts.
    request = sample_request()
    request["application"]["employer"].pop("small_business")
    request["application"] = dict(reversed(list(request["application"].items())))
    assert post(client, request, key="k").get_json()["id"] == first["id"]


def test_the_same_key_with_another_body_is_a_422_naming_the_header(app, client):
    post(client, key="k")
    response = post(client, change("application.workers_requested", 2), key="k")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert list(error["fields"]) == [KEY] and error["message"].startswith(f"{KEY}: Already used")
    assert count(app) == 1


def test_without_a_key_every_post_is_a_new_ruling(app, client):
    assert post(client).get_json()["id"] != post(client).get_json()["id"]
    assert count(app) == 2


@pytest.mark.parametrize("key", ["", "two words", "x" * 256, "tab\there"])
def test_a_malformed_key_is_a_422_naming_the_header(app, client, key):
    response = post(client, key=key)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == [KEY]
    assert count(app) == 0


def test_a_refused_request_does_not_use_up_its_key(client):
    assert post(client, change("application.employer.bin", "123"), key="k").status_code == 422
    assert post(client, key="k").status_code == 201


def test_a_replay_retried_returns_the_first_replay(app, client):
    original = post(client).get_json()["id"]
    url = f"/v1/rulings/{original}/replay"
    first = client.post(url, json={"version": "2023-07-01"}, headers={KEY: "r-1"})
    again = client.post(url, json={"version": "2023-07-01"}, headers={KEY: "r-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json() and again.get_json()["replay_of"] == original
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.post(url, json={"version": "2025-09-01"}, headers={KEY: "r-1"}).status_code == 422
    assert count(app) == 2


def test_a_key_used_for_a_ruling_cannot_be_reused_for_a_replay(client):
    first = post(client, key="k").get_json()["id"]
    response = client.post(f"/v1/rulings/{first}/replay", headers={KEY: "k"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"


def test_concurrent_posts_of_one_key_store_one_ruling(app):
    start = threading.Barrier(8)
    answers = []

    def client_thread():
        client = app.test_client()
        start.wait()
        answers.append(post(client, key="together"))

    threads = [threading.Thread(target=client_thread) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == [""] + ["true"] * 7
    assert rows_under(app, "together") == 1 and count(app) == 1
