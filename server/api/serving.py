"""`ereje serve`: the API under gunicorn, started from Python.

Worker model: durable_rules is not thread-safe and keeps native state, so the
engine serialises calls with one lock per process and each worker loads the app
itself after the fork (no preload). Throughput scales with processes
(`--workers`); threads (`--threads`, gthread workers) only overlap I/O such as
registry calls and SQLite writes.
"""

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    """gunicorn running `create_app(config)`, one app per worker process."""

    def __init__(self, app_config, options):
        self.app_config = app_config
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Imported here, in the worker after the fork: the master never imports the
        # engine, whose native state must never be shared between processes.
        from server.api.app import create_app

        return create_app(self.app_config)
