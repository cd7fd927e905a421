"""One writer at a time on a decision log, across the threads and worker processes that share it."""

import fcntl
import threading
from contextlib import contextmanager


@contextmanager
def writing(db):
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
