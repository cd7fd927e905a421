"""The decision log: every ruling served, with the facts it rests on, in SQLite.

One row per ruling (a replay is a ruling with `replay_of` set), written in one
transaction. Each row carries the hash of the one before (server/chain.py),
linked under the writer lock so that concurrent workers never fork the chain;
with EREJE_LOG_KEY set, the JSON texts where an IIN or passport can be (the
request, registry facts, findings and trace) are sealed (server/sealing.py); a
row may also carry the Idempotency-Key it was posted under. The schema evolves by sqlite-utils migrations, applied in order when a
database is opened. sqlite3 connections must not cross threads: the API keeps
one per thread.
"""

import json
import os
import secrets
import sqlite3
import time
from collections import namedtuple
from datetime import datetime, timezone

import sqlite_utils
from sqlite_utils import Migrations

from server import chain, errors, jsontext, keptrules, sealing, storedrow
from server.writelock import writing

# Writers from several worker processes queue on SQLite's lock instead of failing.
BUSY_TIMEOUT_S = 30


# The schema's history; append only, never edit an applied migration.
# sqlite-utils records the applied ones in the table _sqlite_migrations.
MIGRATIONS = Migrations("ereje-decision-log")


@MIGRATIONS(name="create_rulings")
def _create_rulings(db):
    # A log written before sqlite-utils kept the record has the table already
    # (and its own record, the table `migrations`, left in place so that an
    # older Ereje can still open it).
    db["rulings"].create(
        {
            "id": str, "created_at": str, "reference": str, "regulation": str,
            "version": str, "ruleset_digest": str, "outcome": str, "lang": str,
            "replay_of": str, "request": str, "registry": str, "findings": str,
            "trace": str, "ruling": str,
        },
        pk="id",
        not_null={"id", "created_at", "ruling", "request"},
        if_not_exists=True,
    )
    db["rulings"].create_index(["reference"], if_not_exists=True)
    db["rulings"].create_index(["replay_of"], if_not_exists=True)


@MIGRATIONS(name="create_rule_files")
def _create_rule_files(db):
    # Each version's rule files by digest, so a stored ruling is rendered with the
    # texts that judged it after its files are edited (server/judging/history.py).
    db["rule_files"].create(
        {"digest": str, "regulation": str, "version": str, "files": str, "kept_at": str},
        pk="digest",
        not_null={"digest", "files", "kept_at"},
        if_not_exists=True,
    )


@MIGRATIONS(name="chain_sealing_idempotency")
def _chain_sealing_idempotency(db):
    # The hash chain (prev_hash, hash), the key a row is sealed with (sealed_with;
    # NULL: clear) and the Idempotency-Key it was posted under, with a hash of what
    # was asked. Rows written before keep NULLs: unchained, clear, without a key.
    for column in ("prev_hash", "hash", "sealed_with", "idempotency_key", "request_hash"):
        db["rulings"].add_column(column, str)
    db["rulings"].create_index(["idempotency_key"], unique=True, if_not_exists=True)


def open_db(path, checkpoints=True):
    """Open (creating and migrating if needed) the decision log at `path`.

    Its keys are EREJE_LOG_KEY's as the connection is opened (sealing.KeyProblem if malformed).
    `checkpoints=False`: this connection's commits never checkpoint the WAL; something
    else must (`checkpoint`, which `ereje serve`'s master runs every second).
    """
    keys = sealing.keys_from_env()
    conn = sqlite3.connect(os.fspath(path), timeout=BUSY_TIMEOUT_S)
    db = sqlite_utils.Database(conn)
    db.ereje_path = os.path.abspath(os.fspath(path)) if os.fspath(path) != ":memory:" else None
    db.ereje_keys = keys
    db.enable_wal()
    # In WAL mode NORMAL never corrupts and never loses a commit when a process
    # dies; only a power cut or OS crash can drop the last commits. FULL would
    # add an fsync to every ruling (7 ms here against 0.8 ms).
    db.execute("PRAGMA synchronous=NORMAL")
    if not checkpoints:
        # Else the commit that fills the WAL past 1000 pages copies them all into the
        # database and fsyncs it, inside a request, holding the writers' lock.
        db.execute("PRAGMA wal_autocheckpoint=0")
    _migrate(db)
    return db


def checkpoint(path):
    """Copy what the WAL holds into the database (PASSIVE: beside readers and writers,
    never waiting for them); fsyncs the WAL first, then the database. (busy, WAL frames,
    frames copied), or None when there is no log at `path` yet."""
    if not os.path.exists(path):
        return None
    conn = sqlite3.connect(os.fspath(path), timeout=BUSY_TIMEOUT_S)
    try:
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        conn.close()   # never the last connection while workers hold theirs: the WAL stays


# How personal data is kept, for a start-up line, and the warning when it is in clear.
protection_mode = sealing.protection_mode
announce_protection = sealing.announce_protection


def _migrate(db):
    if not MIGRATIONS.pending(db):
        return  # the usual case: no write lock taken on every open
    # Applied under the write lock, so pending ones are read again there: two
    # workers starting together must not both apply the same migration.
    with writing(db):
        MIGRATIONS.apply(db)


# Versions' rule files, kept by digest (server/keptrules.py).
keep_rule_files = keptrules.keep_rule_files
rule_files = keptrules.rule_files


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id():
    """An opaque id that sorts by creation time: 48-bit milliseconds + 80 random bits, hex."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


Kept = namedtuple("Kept", "ruling replayed request_hash")
Kept.__doc__ = "A ruling as stored; replayed: it was stored before, under the same idempotency key."


def save_ruling(db, ruling, request, lang, replay_of=None):
    """Store `ruling` (judged from `request`) and return it with `id` and `created_at`."""
    return _save(db, ruling, request, lang, replay_of, None).ruling


def save_ruling_once(db, key, request_hash, ruling, request, lang, replay_of=None):
    """Store `ruling` under idempotency `key` unless a ruling is stored under it already.

    Returns Kept: the new ruling, or the first one stored under `key` (replayed)
    with the hash of the request it answered. Checked under the writer lock, so
    of clients posting one key together exactly one stores.
    """
    return _save(db, ruling, request, lang, replay_of, (key, request_hash))


def _save(db, ruling, request, lang, replay_of, once):
    stored = {"id": new_id(), "created_at": _now(), **ruling}
    if replay_of:
        stored["replay_of"] = replay_of
    key, request_hash = once or (None, None)
    findings, lean = storedrow.lean_findings(ruling.get("findings", []), lang, keptrules.kept_version(db, ruling))
    rest = {k: v for k, v in stored.items() if k not in storedrow.SPLIT}
    if lean:
        rest[storedrow.LEAN] = ruling["ruleset_digest"]
    row = {
        "id": stored["id"],
        "created_at": stored["created_at"],
        "reference": request["application"].get("reference"),
        "regulation": ruling.get("regulation"),
        "version": ruling.get("version"),
        "ruleset_digest": ruling.get("ruleset_digest"),
        "outcome": ruling.get("outcome"),
        "lang": lang,
        "replay_of": replay_of,
        "request": jsontext.dumps(request),
        "registry": jsontext.dumps(ruling.get("registry", {})),
        "findings": jsontext.dumps(findings),
        "trace": jsontext.dumps(ruling.get("trace", [])),
        # The whole ruling without the parts that have columns of their own;
        # reading puts them back.
        "ruling": jsontext.dumps(rest),
        "idempotency_key": key,
        "request_hash": request_hash,
    }
    digest = chain.content_digest(row)   # of the clear texts, so re-sealing keeps the hash
    row = sealing.seal_row(db.ereje_keys, row, SEALED)   # outside the lock: sealing costs more
    with writing(db):
        if key is not None:
            earlier = stored_under_key(db, key)
            if earlier is not None:
                return earlier
        row["prev_hash"] = _head(db)
        row["hash"] = chain.link(row["prev_hash"], digest)
        db.conn.execute(_INSERT, [row[c] for c in _COLUMNS])
    return Kept(stored, False, request_hash)


def _head(db):
    """The hash the next row follows: the last row's (GENESIS for the first, or after unchained rows)."""
    last = db.execute("SELECT hash FROM rulings ORDER BY rowid DESC LIMIT 1").fetchone()
    return last[0] if last and last[0] else chain.GENESIS


def stored_under_key(db, key):
    """Kept (replayed) for the ruling stored under idempotency `key`, or None. Raises Unreadable."""
    found = _rows(db, "idempotency_key = ?", [key], "request_hash")
    return Kept(found[0][0], True, found[0][1]["request_hash"]) if found else None


# The JSON texts, where personal data can be: sealed when a key is set.
SEALED = ("request", "registry", "findings", "trace")
_COLUMNS = ("id", "created_at", "reference", "regulation", "version", "ruleset_digest", "outcome",
            "lang", "replay_of", "request", "registry", "findings", "trace", "ruling",
            "idempotency_key", "request_hash", "sealed_with", "prev_hash", "hash")
_INSERT = f"INSERT INTO rulings ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


class Unreadable(errors.EREJEError):
    """A stored ruling this process cannot read: its key is not held, or its sealed bytes were altered."""

    status = 409
    code = "ruling_unreadable"

    def __init__(self, ruling_id, problem):
        super().__init__(f"Ruling {ruling_id} cannot be read here: {problem.message}.")


def _rows(db, where, params, *extra, limit=None):
    """[(ruling, row)] matching `where`, in insertion order, opened and put back whole."""
    names = ["rowid", "id", "sealed_with", "lang", *storedrow.SPLIT, "ruling", *extra]
    sql = f"SELECT {', '.join(names)} FROM rulings WHERE {where} ORDER BY rowid"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    out = []
    for values in db.execute(sql, params).fetchall():
        row = dict(zip(names, values))
        try:
            row = sealing.open_row(db.ereje_keys, row, SEALED)
        except sealing.Unreadable as problem:
            raise Unreadable(row["id"], problem) from None
        try:
            out.append((storedrow.whole(row, lambda ruling: keptrules.version(db, ruling)), row))
        except storedrow.TextsMissing as problem:
            raise Unreadable(row["id"], problem) from None
    return out


def get_ruling_and_request(db, ruling_id):
    """(ruling, the request it was judged from), read in one go; None if unknown. Raises Unreadable."""
    found = _rows(db, "id = ?", [ruling_id], "request")
    if not found:
        return None
    ruling, row = found[0]
    return ruling, json.loads(row["request"])


def find_by_reference(db, reference):
    """Every ruling stored for an application reference, oldest first. Raises Unreadable."""
    return page_by_reference(db, reference, None)[0]


def page_by_reference(db, reference, limit, after=0):
    """At most `limit` (None: all) rulings stored for an application reference after
    position `after` (where an earlier page ended), oldest first.

    Returns (rulings, the position this page ends at, or None when no more follow).
    Raises Unreadable.
    """
    # rowid is insertion order; ids only sort to the millisecond.
    found = _rows(db, "reference = ? AND rowid > ?", [reference, after],
                  limit=None if limit is None else limit + 1)
    page = found if limit is None else found[:limit]
    more = limit is not None and len(found) > limit
    return [ruling for ruling, _ in page], (page[-1][1]["rowid"] if more else None)


def latest(db, limit):
    """The last `limit` rulings stored (replays included), newest first, each with its
    request: [(ruling, request)]. Raises Unreadable."""
    found = _rows(db, "rowid IN (SELECT rowid FROM rulings ORDER BY rowid DESC LIMIT ?)", [int(limit)], "request")
    return [(ruling, json.loads(row["request"])) for ruling, row in reversed(found)]
