"""The decision log: every ruling served, with the facts it rests on, in SQLite.

One row per ruling (a replay is a ruling with `replay_of` set), written in one
transaction. The schema evolves by sqlite-utils migrations, applied in order
when a database is opened. sqlite3 connections must not cross threads: the API
keeps one per thread.
"""

import fcntl
import json
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlite_utils
from sqlite_utils import Migrations
from sqlite_utils.db import NotFoundError

from server import jsontext

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


def open_db(path):
    """Open (creating and migrating if needed) the decision log at `path`."""
    conn = sqlite3.connect(os.fspath(path), timeout=BUSY_TIMEOUT_S)
    db = sqlite_utils.Database(conn)
    db.ereje_path = os.path.abspath(os.fspath(path)) if os.fspath(path) != ":memory:" else None
    db.enable_wal()
    # In WAL mode NORMAL never corrupts and never loses a commit when a process
    # dies; only a power cut or OS crash can drop the last commits. FULL would
    # add an fsync to every ruling (7 ms here against 0.8 ms).
    db.execute("PRAGMA synchronous=NORMAL")
    _migrate(db)
    return db


@contextmanager
def _writing(db):
    """One write transaction, holding the write lock from its first statement.

    A plain BEGIN would read first (sqlite-utils inspects the table) and then
    upgrade to a write, which SQLite refuses at once under concurrency instead
    of waiting for the busy timeout. Statements inside nest as savepoints.

    Writers queue on a lock of their own first (a thread lock, then a file lock
    shared by the worker processes): SQLite's busy handler sleeps 1 to 100 ms
    between retries, which under load cost more than the writes themselves.
    """
    with _writer_lock(db):
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.rollback()
            raise
        db.commit()


_LOCKS = {}
_LOCKS_GUARD = threading.Lock()


@contextmanager
def _writer_lock(db):
    path = getattr(db, "ereje_path", None)
    if path is None:
        yield
        return
    with _LOCKS_GUARD:
        entry = _LOCKS.get(path)
        if entry is None:
            entry = _LOCKS[path] = (threading.Lock(), open(path + ".lock", "a+b"))
    thread_lock, lock_file = entry
    with thread_lock:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _migrate(db):
    if not MIGRATIONS.pending(db):
        return  # the usual case: no write lock taken on every open
    # Applied under the write lock, so pending ones are read again there: two
    # workers starting together must not both apply the same migration.
    with _writing(db):
        MIGRATIONS.apply(db)


def keep_rule_files(db, rows):
    """Keep versions' rule files (rows of history.files_of); a digest already kept stays as it was."""
    fresh = [row for row in rows if not _has_rule_files(db, row["digest"])]
    if not fresh:
        return  # the usual case at a worker's start: no write lock taken
    now = _now()
    with _writing(db):
        db["rule_files"].insert_all(
            ({**row, "files": jsontext.dumps(row["files"]), "kept_at": now} for row in fresh), ignore=True)


def rule_files(db, digest):
    """A version's kept rule files ({digest, regulation, version, files: [[name, text]]}), or None."""
    try:
        row = db["rule_files"].get(digest)
    except NotFoundError:
        return None
    return {**row, "files": json.loads(row["files"])}


def _has_rule_files(db, digest):
    return db.execute("SELECT 1 FROM rule_files WHERE digest = ?", [digest]).fetchone() is not None


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id():
    """An opaque id that sorts by creation time: 48-bit milliseconds + 80 random bits, hex."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"


def save_ruling(db, ruling, request, lang, replay_of=None):
    """Store `ruling` (judged from `request`) and return it with `id` and `created_at`."""
    stored = {"id": new_id(), "created_at": _now(), **ruling}
    if replay_of:
        stored["replay_of"] = replay_of
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
        "findings": jsontext.dumps(ruling.get("findings", [])),
        "trace": jsontext.dumps(ruling.get("trace", [])),
        # The whole ruling without the parts that have columns of their own;
        # reading puts them back.
        "ruling": jsontext.dumps({k: v for k, v in stored.items() if k not in _SPLIT}),
    }
    with _writing(db):
        db.conn.execute(_INSERT, [row[c] for c in _COLUMNS])
    return stored


_SPLIT = ("registry", "findings", "trace")
_COLUMNS = ("id", "created_at", "reference", "regulation", "version", "ruleset_digest", "outcome",
            "lang", "replay_of", "request", "registry", "findings", "trace", "ruling")
_INSERT = f"INSERT INTO rulings ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _whole(row):
    """A stored ruling with its split-out parts put back where the contract lists them."""
    ruling = json.loads(row["ruling"])
    parts = {k: json.loads(row[k]) for k in _SPLIT if k not in ruling and row.get(k) is not None}
    out = {}
    for k, v in ruling.items():
        out[k] = v
        if k == "ruleset_digest" and "findings" in parts:
            out["findings"] = parts.pop("findings")
        elif k == "missing":
            out.update((name, parts.pop(name)) for name in ("registry", "trace") if name in parts)
    out.update(parts)
    return out


def get_ruling_and_request(db, ruling_id):
    """(ruling, the request it was judged from), read in one go; None if unknown."""
    try:
        row = db["rulings"].get(ruling_id)
    except NotFoundError:
        return None
    return _whole(row), json.loads(row["request"])


def find_by_reference(db, reference):
    """Every ruling stored for an application reference, oldest first."""
    # rowid is insertion order; ids only sort to the millisecond.
    rows = db["rulings"].rows_where("reference = ?", [reference], select="ruling, registry, findings, trace",
                                    order_by="rowid")
    return [_whole(row) for row in rows]
