"""What /healthz checks beyond the rule sets being loaded: that the decision log takes a
write and that the engine judges a canned request under every loaded version.

The write is a committed heartbeat row (table `health`, one row, created here on first
use): a rolled-back write never reaches the disk, so it would not notice a full one.
The canned request carries every registry inline, so no registry is asked.
"""
import sqlite3
from datetime import datetime, timezone

from server.contract.request import RulingRequestSchema, load
from server.judging import rulings

CANNED = {
    "application": {
        "reference": "HEALTHZ", "submitted_on": "2025-09-20", "kind": "issue", "route": "general",
        "category": 3, "region": "ALMATY", "workers_requested": 1, "vacancy_code": "4012345",
        "employer": {"bin": "150540000106", "name": "Health check", "headcount": 120, "small_business": False,
                     "staff": {"managers": {"citizens": 9, "foreigners": 1},
                               "specialists": {"citizens": 95, "foreigners": 5}}},
        "foreign_workers": [{"passport": "N1234567", "iin": "900101300007", "citizenship": "UZB",
                             "contract": {"number": "TD-15", "signed_on": "2025-03-01", "kind": "labour"}}],
    },
    "registry": {
        "labour_exchange": {"vacancy": None},
        "ulcrs": {"contracts": []},
        "migration_police": {"persons": []},
        "quota": {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 12},
        "offences": {"records": []},
    },
}


def decision_log(db):
    """None when a write to the decision log commits; else what SQLite said."""
    conn = db.conn
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at TEXT)")
            conn.execute("INSERT INTO health (id, checked_at) VALUES (1, ?) "
                         "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at", (now,))
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
    except sqlite3.Error as e:
        return str(e)
    return None


def engine(book, source=None):
    """None when every version judges the canned request; else which one failed and how."""
    request = load(RulingRequestSchema, CANNED)
    for regulation in book.regulations.values():
        for version in regulation.versions:
            try:
                rulings.judge_under(version, request, source=source, detail=False)
            except Exception as e:  # whatever broke, /healthz reports it instead of failing
                return f"{version.key}: {type(e).__name__}: {e}"
    return None
