"""`ereje serve`: the API under gunicorn, started from Python.

Worker model: durable_rules is not thread-safe and keeps native state, so the
engine serialises calls with one lock per process and each worker loads the app
itself after the fork (no preload). Throughput scales with processes
(`--workers`); a worker's threads (`--threads`) take turns running Python and
overlap only waiting on registries over HTTP (adapters/turns.py).

Rule files reach the workers only through the master (`rulesets`): on SIGHUP, and
with `--reload-rules` when a file changes, the master checks the policies directory
in full and publishes it if it passes; each worker switches to the published set on
its next request (`live`). A broken edit is logged as file:line problems and changes
nothing: workers, including any that restart, keep the last good set.

Clients: the worker class is `server.api.worker.Worker`, whose event loop reads each
request whole (with a deadline and the body limit) before a thread sees it, so slow
or stalled clients never hold a thread; `server.api.accesslog` writes the access log.
"""
import gc
import logging
import sqlite3
import sys
import time

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from server import store
from server.api import rulesets
from server.api.app import create_app
from server.api.balance import Slots
from server.api.worker import Limits

WATCH_INTERVAL_S = 1.0
CHECKPOINT_INTERVAL_S = 1.0


def serve_options(host, port, workers, threads, access_log=True):
    """gunicorn's settings for `ereje serve` (and for the benchmark's bare Flask beside it)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        # gthread whose event loop reads requests whole before a thread sees them.
        "worker_class": "server.api.worker.Worker",
        "threads": threads,
        "preload_app": False,
        # Client systems post one ruling after another: the 2 s default closed idle
        # connections just as the next request arrived.
        "keepalive": 30,
        # gunicorn 27 otherwise opens a control socket under $HOME.
        "control_socket_disable": True,
        "proc_name": "ereje",
        "logger_class": "server.api.accesslog.AccessLog",
        "accesslog": "-" if access_log else None,
    }


class Server(BaseApplication):
    """gunicorn running `create_app(config)`, one app per worker process."""

    def __init__(self, app_config, options, rules, limits=None):
        # The workers' commits never checkpoint the WAL: the master does, between
        # requests (checkpoint below), so no request waits on copying pages and fsyncs.
        self.app_config = {**app_config, "CHECKPOINTS": False} if app_config.get("DB") else app_config
        self.options = options
        self.rules = rules
        self.limits = limits or Limits()  # read by each worker (server/api/worker.py)
        self._next_checkpoint = 0.0
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Called in the worker after the fork: the app (and its engine registrations,
        # native state that must never be shared) is built there, never in the master.
        _log_like_gunicorn(logging.getLogger("ereje"))
        app = create_app(self.app_config)
        # The rule books, compiled versions and modules loaded so far live as long as the
        # worker: out of the collector's sight, a full collection no longer walks them all
        # in the middle of some request.
        gc.freeze()
        return app

    def checkpoint(self, log):
        """In the master, at most every CHECKPOINT_INTERVAL_S: a PASSIVE checkpoint of the
        decision log. Its connection is opened and closed here, never held across a fork."""
        now = time.monotonic()
        if not self.app_config.get("DB") or now < self._next_checkpoint:
            return
        self._next_checkpoint = now + CHECKPOINT_INTERVAL_S
        try:
            store.checkpoint(self.app_config["DB"])
        except sqlite3.Error as e:
            log.warning("checkpoint of %s failed (tried again in %g s): %s", self.app_config["DB"],
                        CHECKPOINT_INTERVAL_S, e)

    def run(self):
        # BaseApplication.run with our arbiter.
        try:
            _Arbiter(self).run()
        except RuntimeError as e:
            print(f"\nError: {e}\n", file=sys.stderr)
            sys.exit(1)


class _Arbiter(Arbiter):
    """gunicorn's master, whose SIGHUP reloads the rule files instead of restarting
    workers: a restart would drop clients' kept-alive connections and leave a gap
    while new workers boot, and switching in place needs neither."""

    def handle_hup(self):
        self.log.info("Hang up: checking the rule files again")
        self.app.rules.reload(self.log)

    def spawn_worker(self):
        # Each worker gets a slot in memory shared with the others, where it says how
        # many connections it holds, so that they take equal shares (balance.py). Made
        # before the first fork; a worker past the slots (after TTINs) just accepts.
        if getattr(self, "_slots", None) is None:
            self._slots = Slots(2 * self.cfg.workers + 2)
        slot = self._slots.assign(set(self.WORKERS))
        self.app.balance = None if slot is None else (self._slots, slot)
        pid = super().spawn_worker()
        if slot is not None:
            self._slots.taken[slot] = pid
        return pid

    def reap_workers(self):
        super().reap_workers()
        if getattr(self, "_slots", None) is not None:
            self._slots.release(set(self.WORKERS))

    def manage_workers(self):
        # Called by the master's loop about once a second: the watch needs no thread,
        # so nothing runs beside the forks that start workers.
        super().manage_workers()
        self.app.rules.poll(self.log)
        self.app.checkpoint(self.log)


class Rules:
    """The master's side of the rule files: check and publish, now or when they change."""

    def __init__(self, policies, store, watch=False):
        self.policies = policies
        self.store = store
        self.watch = watch
        self.serving = rulesets.current(store)
        self.versions = {}
        self._seen = rulesets.signature(policies) if watch else None
        self._changed = False
        self._next_poll = 0.0

    def publish(self):
        """Check and publish: problems (file:line) or []."""
        name, book, problems = rulesets.publish(self.policies, self.store)
        if not problems:
            self.serving = name
            self.versions = {v.key: v.digest for r in book.regulations.values() for v in r.versions}
        return problems

    def reload(self, log):
        before = self.serving
        problems = self.publish()
        if problems:
            log.error("rule files under %s not loaded (%d problem(s)); workers keep rule set sha256:%s\n%s",
                      self.policies, len(problems), before, "\n".join(str(p) for p in problems))
        elif self.serving == before:
            log.info("rule files unchanged: rule set sha256:%s", self.serving)
        else:
            log.info("rule set sha256:%s published; workers switch on their next request: %s", self.serving,
                     ", ".join(f"{key} {digest}" for key, digest in self.versions.items()))

    def poll(self, log):
        """With --reload-rules: reload once the files changed and then stayed unchanged
        for one interval, so an editor's half-written save is not checked."""
        now = time.monotonic()
        if not self.watch or now < self._next_poll:
            return
        self._next_poll = now + WATCH_INTERVAL_S
        seen = rulesets.signature(self.policies)
        if seen != self._seen:
            self._seen, self._changed = seen, True
        elif self._changed:
            self._changed = False
            log.info("rule files under %s changed", self.policies)
            self.reload(log)


def _log_like_gunicorn(logger):
    """Send the app's own messages (a rule set switched to) where gunicorn logs."""
    error_log = logging.getLogger("gunicorn.error")
    logger.handlers = list(error_log.handlers)
    logger.setLevel(error_log.level or logging.INFO)
    logger.propagate = False
