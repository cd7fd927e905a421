"""Each version's rule files kept in the decision log by digest, and the version a stored ruling's texts come from.

A version's files are kept when it is first served (server/api/app.py), so a stored
ruling is rendered with the texts that judged it after its files are edited
(server/judging/history.py), and a lean row (server/storedrow.py) finds its
findings' titles and citations again.
"""
import json
from datetime import datetime, timezone

from sqlite_utils.db import NotFoundError

from server import jsontext
from server.judging import history
from server.writelock import writing


def keep_rule_files(db, rows):
    """Keep versions' rule files (rows of history.files_of); a digest already kept stays as it was."""
    fresh = [row for row in rows if not _has_rule_files(db, row["digest"])]
    if not fresh:
        return  # the usual case at a worker's start: no write lock taken
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    with writing(db):
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


def version(db, ruling):
    """The version that judged `ruling`: the one served (`db.ereje_book`, set by the API) if its
    digest matches, else one rebuilt from the rule files the log keeps; None if neither."""
    book = getattr(db, "ereje_book", None)
    return history.version_of(ruling, book() if book else None, lambda digest: rule_files(db, digest))


_KEPT = set()   # (log path, digest) known to be in rule_files: rows are never deleted from it


def kept_version(db, ruling):
    """The served version that judged `ruling` if its rule files are kept in this log (so that
    a lean row can always be read back), else None."""
    book = getattr(db, "ereje_book", None)
    found = None if book is None else history.version_of(ruling, book(), lambda digest: None)
    if found is None:
        return None
    if (db.ereje_path, found.digest) not in _KEPT:
        if not _has_rule_files(db, found.digest):
            return None
        if db.ereje_path:
            _KEPT.add((db.ereje_path, found.digest))
    return found
