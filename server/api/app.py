"""The application factory: rule files loaded and registered, decision log open, API mounted."""

import os
from pathlib import Path

from flask import Blueprint, Flask
from flask.sessions import SecureCookieSessionInterface

import adapters
from server import store
from server.api import comparisons, common, live, meta, plans, regulations, rulings
from server.api.jsonprovider import Provider
from server.engine import runner as engine
from server.judging import history
from server import pages
from server.rules import rulebook


def create_app(config=None):
    """Build the Flask app: load the rule sets once, migrate the decision log, mount the API.

    Config keys: POLICIES (rule file directory), RULESETS (instead of POLICIES: the
    snapshot store `ereje serve` publishes checked sets to), DB (decision log path), TOKENS
    (bearer tokens; default EREJE_TOKENS, comma-separated; a blank one is a ValueError), MAX_CONTENT_LENGTH
    (bytes, default 1 MiB), REGISTRY_SOURCE (default from EREJE_REGISTRY_URL), CHECKPOINTS
    (default True; False: commits never checkpoint the WAL, `ereje serve`'s master does), TESTING.
    """
    app = _Flask(__name__)
    app.config.update(
        POLICIES=str(rulebook.POLICIES),
        RULESETS=None,
        DB="ereje.db",
        TOKENS=os.environ.get("EREJE_TOKENS"),
        MAX_CONTENT_LENGTH=1024 * 1024,
        REGISTRY_SOURCE=None,
        CHECKPOINTS=True,
    )
    app.config.update(config or {})
    app.config["TOKENS"] = _tokens(app.config["TOKENS"])
    if app.config["REGISTRY_SOURCE"] is None:
        app.config["REGISTRY_SOURCE"] = adapters.source_from_env()
    # Opened (and migrated) once here and held for the app's life: closing the
    # last connection to a WAL database checkpoints and deletes the WAL, which
    # would otherwise happen at the end of every request.
    app.extensions["ereje.db"] = store.open_db(app.config["DB"], app.config["CHECKPOINTS"])
    prepare = _preparer(app.config["DB"], app.config["CHECKPOINTS"])
    if app.config["RULESETS"]:
        app.extensions["ereje.rules"] = live.Live(Path(app.config["RULESETS"]), prepare)
    else:
        book = rulebook.load(app.config["POLICIES"])
        prepare(book)
        app.extensions["ereje.rules"] = live.Fixed(book)
    _mount(app)
    return app


def _preparer(db_path, checkpoints):
    """What readies a rulebook before it judges: its versions registered with the engine
    here, in the process that will judge (the engine's native state is per process and
    must never be inherited across a fork), and their rule files kept in the decision
    log, so a ruling is always rendered with the texts that judged it."""

    def prepare(book):
        engine.register_all(book)
        kept = [row for row in map(history.files_of, history.versions(book)) if row is not None]
        # Its own connection: a switch happens in whichever request thread notices it.
        db = store.open_db(db_path, checkpoints)
        try:
            store.keep_rule_files(db, kept)
        finally:
            db.close()

    return prepare


def _mount(app):
    """Attach every blueprint, the request hooks and the one error handler to `app`."""
    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    for resource in (rulings, comparisons, regulations, plans):
        v1.register_blueprint(resource.bp)
    app.register_blueprint(v1)
    app.register_blueprint(meta.bp)
    pages.install(app)   # the workbench's HTML pages: not under /v1, not in the OpenAPI description
    common.install(app)


class _Sessions(SecureCookieSessionInterface):
    """The workbench pages' signed cookie session, not opened for the API: no /v1 view
    reads it, and verifying the cookie's signature on every ruling cost more than routing it."""

    def open_session(self, app, request):
        if request.path.startswith(("/v1/", "/healthz")):
            return self.make_null_session(app)
        return super().open_session(app, request)


class _Flask(Flask):
    json_provider_class = Provider
    session_interface = _Sessions()


def _tokens(value):
    """Tokens from a comma-separated string or a list; None for none (the API open).

    A blank token fails: `EREJE_TOKENS=' , '` must not open /v1 to anyone.
    """
    if value is None:
        return ()
    items = [t.strip() for t in (value.split(",") if isinstance(value, str) else value)]
    if not all(items):
        raise ValueError(f"TOKENS {value!r} holds a blank token")
    return tuple(items)
