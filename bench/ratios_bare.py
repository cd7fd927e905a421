"""Bare Flask answering `{}` under exactly the server `ereje serve` runs: the reference of part (d).

    python bench/ratios_bare.py serve --port 8081 --db /tmp/bare.db [any `ereje serve` option]

Runs the `ereje serve` command itself (same gunicorn options, worker class, arbiter and
access log) with its app factory, `server.api.app.create_app`, replaced by one building
this app: POST /v1/rulings and GET /healthz answer `{}` and do nothing else. Whatever
`ereje serve` changes in how it serves, this reference changes with it.
"""
from flask import Flask

from server.api import app as factory


def bare_app(config=None):
    app = Flask("bare")

    @app.post("/v1/rulings")
    def rulings():
        return {}

    @app.get("/healthz")
    def healthz():
        return {}
    return app


# Replaced before the CLI is imported (it may bind create_app when imported) and before
# gunicorn forks its workers, which each build their app from this module attribute.
factory.create_app = bare_app

from server.cli import main  # noqa: E402  (after the replacement above)

if __name__ == "__main__":
    main()
