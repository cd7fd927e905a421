"""The application factory: rule files loaded and registered, decision log open, API mounted."""

import os
from pathlib import Path

from flask import Blueprint, Flask

import adapters
from server import store
from server.api import comparisons, common, meta, regulations, rulings
from server.api.jsonprovider import Provider
from server.engine import runner as engine
from server.rules import rulebook

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def create_app(config=None):
    """Build the Flask app: load the rule sets once, migrate the decision log, mount the API.

    Config keys: POLICIES (rule file directory), DB (decision log path), TOKENS
    (bearer tokens; default EREJE_TOKENS, comma-separated), MAX_CONTENT_LENGTH
    (bytes, default 1 MiB), REGISTRY_SOURCE (default from EREJE_REGISTRY_URL), TESTING.
    """
    app = _Flask(__name__)
    app.config.update(
        POLICIES=str(POLICIES),
        DB="ereje.db",
        TOKENS=os.environ.get("EREJE_TOKENS", ""),
        MAX_CONTENT_LENGTH=1024 * 1024,
        REGISTRY_SOURCE=None,
    )
    app.config.update(config or {})
    app.config["TOKENS"] = _tokens(app.config["TOKENS"])
    if app.config["REGISTRY_SOURCE"] is None:
        app.config["REGISTRY_SOURCE"] = adapters.source_from_env()
    book = app.extensions["ereje.book"] = rulebook.load(app.config["POLICIES"])
    # Registered here, in the process that will judge: the engine's native state
    # is per process and must never be inherited across a fork.
    engine.register_all(book)
    # Opened (and migrated) once here and held for the app's life: closing the
    # last connection to a WAL database checkpoints and deletes the WAL, which
    # would otherwise happen at the end of every request.
    app.extensions["ereje.db"] = store.open_db(app.config["DB"])
    _mount(app)
    return app


def _mount(app):
    """Attach every blueprint, the request hooks and the one error handler to `app`."""
    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    for resource in (rulings, comparisons, regulations):
        v1.register_blueprint(resource.bp)
    app.register_blueprint(v1)
    app.register_blueprint(meta.bp)
    common.install(app)


class _Flask(Flask):
    json_provider_class = Provider


def _tokens(value):
    """Tokens from a comma-separated string or a list; blanks dropped."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(t.strip() for t in items if t and t.strip())
