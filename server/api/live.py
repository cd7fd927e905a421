"""The rule set a worker judges under, and how it switches to a newly published one.

Before each request the worker stats the pointer file (`rulesets.stamp`, a few
microseconds). When the pointer has moved, the first thread to notice loads the
snapshot it names and registers its versions with the engine (each under its own
digest) while the worker's other threads wait, so no request that starts after the
pointer moved is judged under the old set, in any worker.
"""
import logging
import threading

from server.api import rulesets
from server.rules import rulebook

log = logging.getLogger("ereje.rules")


class Fixed:
    """One rulebook for the app's life (create_app without a snapshot store: tests, tools)."""

    def __init__(self, book):
        self._book = book

    def book(self):
        return self._book


class Live:
    """The book of the snapshot the pointer in `store` names; `prepare(book)` readies a
    new one for judging (engine, history) before any request sees it."""

    def __init__(self, store, prepare):
        self._store = store
        self._prepare = prepare
        self._lock = threading.Lock()
        self._stamp = self._name = self._book = None
        with self._lock:
            # At boot there is nothing else to serve: a failure here is raised.
            self._switch(rulesets.stamp(store), booting=True)

    def book(self):
        stamp = rulesets.stamp(self._store)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._switch(stamp)
        return self._book

    def _switch(self, stamp, booting=False):
        name = rulesets.current(self._store)
        if name is None and booting:
            raise RuntimeError(f"no rule set published in {self._store}")
        if name is None or name == self._name:
            self._stamp = stamp
            return
        try:
            book = rulebook.load(self._store / name)
            self._prepare(book)
        except Exception:
            if booting:
                raise
            # Published sets were checked by the master, so this is not a rule file's
            # fault; the worker keeps its set and /healthz shows which one it serves.
            log.exception("rule set %s could not be loaded; still serving %s", name, self._name)
            self._stamp = stamp
            return
        # The book first, then the stamp: a thread that sees the new stamp sees the new book.
        self._book, self._name = book, name
        self._stamp = stamp
        if not booting:
            log.info("now serving rule set sha256:%s", name)
