"""What an auditor and an operator run over a whole decision log: verify its chain, re-seal it.

`verify` opens the file read-only and changes nothing, so it can run beside a
serving Ereje (it reads one consistent snapshot) or on a copy. `rekey` seals
every row with the first key of EREJE_LOG_KEY, a batch per transaction under
the writers' lock, then rebuilds the file so that no page keeps an old copy.
"""
import os
import sqlite3
from dataclasses import dataclass, field

from server import chain, sealing, store
from server.writelock import writing

_LINK = ("prev_hash", "hash", "sealed_with")


class NotALog(Exception):
    """The path is not a decision log that can be read."""


def verify(path, keys):
    """The chain.Report of the log at `path`, opened with `keys` (None: no EREJE_LOG_KEY). Raises NotALog."""
    conn = _read_only(path)
    try:
        present = {row[1] for row in conn.execute("PRAGMA table_info(rulings)")}
        if not present:
            raise NotALog(f"{path} holds no table `rulings`: not a decision log")
        # A log no Ereje with the chain has opened yet lacks the new columns: all its rows are unchained.
        names = [*_LINK, *chain.COVERED]
        selected = ", ".join(name if name in present else f"NULL AS {name}" for name in names)
        rows = conn.execute(f"SELECT rowid, {selected} FROM rulings ORDER BY rowid")
        return chain.walk(_Row(rowid, dict(zip(names, values)), keys) for rowid, *values in rows)
    except sqlite3.DatabaseError as exc:
        raise NotALog(f"{path} cannot be read as a decision log: {exc}") from None
    finally:
        conn.close()


class _Row(chain.Row):
    def __init__(self, rowid, values, keys):
        super().__init__(rowid, values["id"], values["prev_hash"], values["hash"],
                         lambda: sealing.open_row(keys, values, store.SEALED))


def _read_only(path):
    if not os.path.isfile(path):
        raise NotALog(f"no decision log at {path}")
    try:
        conn = sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise NotALog(f"{path} cannot be read as a decision log: {exc}") from None
    return conn


@dataclass
class Rekeyed:
    sealed: int = 0                       # rows sealed afresh with the first key
    were_clear: int = 0                   # of which rows that were in clear
    unreadable: list = field(default_factory=list)   # chain.Break per row left as it was


def rekey(db, batch=200):
    """Seal every row of `db` not yet sealed with the first of its keys with it; a Rekeyed.

    The hash chain covers clear content, so it holds as it was. Rows that do not
    open (key not held, or altered) are left as they are and listed.
    """
    keys = db.ereje_keys
    # Freed space is zeroed, and the file rebuilt at the end: no old clear or sealed copy stays.
    db.execute("PRAGMA secure_delete=ON")
    done, after = Rekeyed(), 0
    while True:
        with writing(db):
            rows = db.execute(_PENDING, [after, keys.sealing_id, batch]).fetchall()
            for rowid, *values in rows:
                after = rowid
                _reseal(db, keys, rowid, dict(zip(_COLUMNS, values)), done)
        if len(rows) < batch:
            break
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return done


_COLUMNS = ("id", "sealed_with", *store.SEALED)
_PENDING = (f"SELECT rowid, {', '.join(_COLUMNS)} FROM rulings WHERE rowid > ? "
            f"AND (sealed_with IS NULL OR sealed_with != ?) ORDER BY rowid LIMIT ?")
_UPDATE = f"UPDATE rulings SET {', '.join(f'{c} = ?' for c in store.SEALED)}, sealed_with = ? WHERE rowid = ?"


def _reseal(db, keys, rowid, row, done):
    try:
        clear = sealing.open_row(keys, row, store.SEALED)
    except sealing.Unreadable as exc:
        done.unreadable.append(chain.Break(rowid, row["id"], exc.message))
        return
    sealed = sealing.seal_row(keys, clear, store.SEALED)
    db.execute(_UPDATE, [*(sealed[c] for c in store.SEALED), sealed["sealed_with"], rowid])
    done.sealed += 1
    done.were_clear += row["sealed_with"] is None
