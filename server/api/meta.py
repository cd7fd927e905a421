"""Endpoints outside /v1 that stay open: health and the OpenAPI description."""

from flask import Blueprint

from server.api import openapi
from server.api.common import book

bp = Blueprint("meta", __name__)


@bp.get("/healthz")
def healthz():
    """200 when rule sets are loaded (create_app fails on bad ones); 503 when there are none."""
    regulations = {r.id: [v.version for v in r.versions] for r in book().regulations.values()}
    return {"status": "ok" if regulations else "no rule sets", "regulations": regulations}, 200 if regulations else 503


@bp.get("/openapi.json")
def spec():
    """OpenAPI 3 description of every endpoint, with the sample applications as examples."""
    return openapi.build()
