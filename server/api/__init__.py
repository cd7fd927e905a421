"""The HTTP API (CONTRACT s.4): one blueprint per resource under /v1, plus /healthz and /openapi.json."""

from flask import Blueprint

from server.api import comparisons, http, meta, regulations, rulings


def register(app):
    """Attach every blueprint, the request hooks and the one error handler to `app`."""
    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    for resource in (rulings, comparisons, regulations):
        v1.register_blueprint(resource.bp)
    app.register_blueprint(v1)
    app.register_blueprint(meta.bp)
    http.install(app)
