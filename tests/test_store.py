"""The decision log: migrations, WAL, one row per ruling, concurrent writers."""

import hashlib
import json
import re
import sqlite3
import threading
from pathlib import Path

import pytest

from server import audit, chain, store

RULING = {
    "outcome": "approve",
    "regulation": "kz-foreign-labour",
    "version": "2025-09-01",
    "ruleset_digest": "sha256:abc",
    "findings": [{"requirement": "quota-available", "status": "met", "title": "Квота"}],
    "registry": {"quota": {"source": "fixtures", "fetched_at": "2025-09-20T10:00:00.000Z", "data": {"remaining": 3}}},
    "trace": [{"step": 1, "rule": "r", "asserted": {}}],
}


MIGRATION_NAMES = ["create_rulings", "create_rule_files", "chain_sealing_idempotency"]


def request_for(reference):
    return {"application": {"reference": reference, "submitted_on": "2025-09-20"}}


def _together(target, args_list):
    """Run `target` once per argument tuple, each in its own thread, and wait for all."""
    threads = [threading.Thread(target=target, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.fixture
def db(tmp_path):
    conn = store.open_db(tmp_path / "log.db")
    yield conn
    conn.close()


def test_open_applies_every_migration_once(tmp_path):
    path = tmp_path / "log.db"
    store.open_db(path).close()
    db = store.open_db(path)
    applied = [(row["migration_set"], row["name"]) for row in db["_sqlite_migrations"].rows]
    assert applied == [("ereje-decision-log", name) for name in MIGRATION_NAMES]
    assert store.MIGRATIONS.pending(db) == []
    assert db.journal_mode == "wal"
    assert {"reference", "replay_of", "ruling", "request", "findings", "trace", "registry",
            "prev_hash", "hash", "sealed_with", "idempotency_key", "request_hash"} <= set(db["rulings"].columns_dict)


OLD_LOG = Path(__file__).parent / "data" / "decision-log-before-migrations.sql"
OLD_FIRST, OLD_REPLAY = "01a2319e0679ec5a664879b09e4cd935", "01a2319e0679b8eb2e9e7470724b31f7"


def test_a_log_written_before_sqlite_utils_migrations_still_opens(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_LOG.read_text(encoding="utf-8"))
    db = store.open_db(path)
    ruling, request = store.get_ruling_and_request(db, OLD_FIRST)
    assert ruling == {
        "id": OLD_FIRST, "created_at": "2026-12-01T12:39:29.657Z", "outcome": "approve",
        "regulation": "kz-foreign-labour", "version": "2025-09-01", "ruleset_digest": "sha256:abc",
        "findings": RULING["findings"], "missing": [], "registry": RULING["registry"], "trace": RULING["trace"]}
    assert request == request_for("APP-OLD")
    assert [r["id"] for r in store.find_by_reference(db, "APP-OLD")] == [OLD_FIRST, OLD_REPLAY]
    assert store.find_by_reference(db, "APP-OLD")[1]["replay_of"] == OLD_FIRST
    assert [m.name for m in store.MIGRATIONS.applied(db)] == MIGRATION_NAMES
    new = store.save_ruling(db, RULING, request_for("APP-OLD"), "en")
    assert [r["id"] for r in store.find_by_reference(db, "APP-OLD")] == [OLD_FIRST, OLD_REPLAY, new["id"]]
    assert db["rulings"].count == 3
    db.close()


def test_workers_opening_together_migrate_once(tmp_path):
    path = tmp_path / "log.db"
    failures = []

    def open_once():
        try:
            store.open_db(path).close()
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            failures.append(exc)

    _together(open_once, [()] * 8)
    assert failures == []
    assert store.open_db(path)["_sqlite_migrations"].count == len(MIGRATION_NAMES)  # each migration once


def test_a_saved_ruling_reads_back_whole(db):
    saved = store.save_ruling(db, RULING, request_for("APP-1"), "ru")
    assert re.fullmatch(r"[0-9a-f]{32}", saved["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", saved["created_at"])
    assert list(saved)[:2] == ["id", "created_at"]
    assert store.get_ruling_and_request(db, saved["id"]) == (saved, request_for("APP-1"))
    row = db["rulings"].get(saved["id"])
    assert (row["reference"], row["outcome"], row["lang"], row["version"]) == ("APP-1", "approve", "ru", "2025-09-01")


def test_unknown_ids_are_none(db):
    assert store.get_ruling_and_request(db, "nope") is None
    assert store.get_ruling_and_request(db, "") is None


def test_rulings_are_found_by_reference_oldest_first(db):
    first = store.save_ruling(db, RULING, request_for("APP-2"), "en")
    store.save_ruling(db, RULING, request_for("OTHER"), "en")
    replay = store.save_ruling(db, {**RULING, "outcome": "refuse"}, request_for("APP-2"), "en",
                               replay_of=first["id"])
    assert [r["id"] for r in store.find_by_reference(db, "APP-2")] == [first["id"], replay["id"]]
    assert replay["replay_of"] == first["id"]
    assert store.get_ruling_and_request(db, replay["id"])[0]["replay_of"] == first["id"]


def test_ids_are_unique_and_sort_by_creation():
    ids = [store.new_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert [i[:12] for i in ids] == sorted(i[:12] for i in ids)


def test_a_failed_save_leaves_nothing(db, monkeypatch):
    saved = store.save_ruling(db, RULING, request_for("APP-3"), "en")
    monkeypatch.setattr(store, "new_id", lambda: saved["id"])  # a clash makes the insert fail
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE constraint failed: rulings.id"):
        store.save_ruling(db, RULING, request_for("APP-3"), "en")
    assert db["rulings"].count == 1
    assert not db.conn.in_transaction


def test_threads_with_their_own_connections_lose_nothing(tmp_path):
    path = tmp_path / "log.db"
    store.open_db(path).close()
    saved = {}

    def writer(n):
        db = store.open_db(path)
        for i in range(50):
            ruling = store.save_ruling(db, {**RULING, "outcome": f"o{n}-{i}"}, request_for(f"T{n}-{i}"), "en")
            saved[ruling["id"]] = (f"T{n}-{i}", f"o{n}-{i}")
        db.close()

    _together(writer, [(n,) for n in range(8)])
    db = store.open_db(path)
    assert len(saved) == 400 == db["rulings"].count
    for ruling_id, (reference, outcome) in saved.items():
        ruling, request = store.get_ruling_and_request(db, ruling_id)
        assert (ruling["outcome"], request["application"]["reference"]) == (outcome, reference)
    report = audit.verify(path, None)   # eight writers, one chain: no fork, no gap
    assert (report.rulings, report.broken, report.blocked) == (400, None, None)


def test_each_row_links_to_the_one_before(db):
    first = store.save_ruling(db, RULING, request_for("APP-4"), "en")
    second = store.save_ruling(db, RULING, request_for("APP-4"), "en")
    rows = {row["id"]: row for row in db["rulings"].rows}
    assert rows[first["id"]]["prev_hash"] == chain.GENESIS
    assert rows[second["id"]]["prev_hash"] == rows[first["id"]]["hash"] != chain.GENESIS
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", rows[second["id"]]["hash"])


def _rows_in_database_file(path, tmp_path):
    """Rulings the database file holds by itself, without its WAL (a copy of the file alone)."""
    copy = tmp_path / "alone.db"
    copy.write_bytes(Path(path).read_bytes())
    with sqlite3.connect(copy) as conn:
        try:
            return conn.execute("SELECT count(*) FROM rulings").fetchone()[0]
        except sqlite3.OperationalError:   # not even the table has left the WAL
            return 0


def test_a_log_opened_without_checkpoints_keeps_commits_in_the_wal_until_checkpoint_copies_them(tmp_path):
    path = tmp_path / "log.db"
    db = store.open_db(path, checkpoints=False)
    big = {**RULING, "trace": [{"step": i, "rule": "r" * 200, "asserted": {}} for i in range(40)]}
    for i in range(300):   # ~3 MB: SQLite's own checkpoint would have run at 1000 pages (4 MB)
        store.save_ruling(db, big, request_for(f"REF-{i}"), "en")
    try:
        assert _rows_in_database_file(path, tmp_path) == 0
        busy, frames, copied = store.checkpoint(path)
        assert (busy, copied) == (0, frames) and frames > 1000   # past where SQLite would have
        assert _rows_in_database_file(path, tmp_path) == 300
        assert len(store.find_by_reference(db, "REF-299")) == 1
    finally:
        db.close()
    assert store.checkpoint(tmp_path / "absent.db") is None


@pytest.mark.parametrize("text", ["plain", "".join(map(chr, range(128))), 'quote " and \\\\ back', "Квота", "\ud800",
                                  "emoji \U0001f600", ""])
def test_a_rows_content_digest_is_that_of_its_ascii_json_text_whatever_the_texts_hold(text):
    row = {column: text for column in chain.COVERED}
    row["replay_of"] = None
    expected = json.dumps([chain.SCHEME, *(row[c] for c in chain.COVERED)], separators=(",", ":"))
    assert chain.content_digest(row) == hashlib.sha256(expected.encode("ascii")).digest()
