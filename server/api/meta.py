"""Endpoints outside /v1 that stay open: health and the OpenAPI description."""

from flask import Blueprint, current_app

from server.api import openapi
from server.api.common import book
from server.api.respond import responds
from server.contract.response import HealthSchema

bp = Blueprint("meta", __name__)


@bp.get("/healthz")
@responds(200, HealthSchema)
def healthz():
    """200 when the rule sets are loaded (create_app fails on bad ones); 503 when there are none.

    `versions` gives the digest of each version this worker judges under.
    """
    loaded = book()
    regulations = {r.id: [v.version for v in r.versions] for r in loaded.regulations.values()}
    versions = {v.key: v.digest for r in loaded.regulations.values() for v in r.versions}
    health = {"status": "ok" if regulations else "no rule sets", "regulations": regulations, "versions": versions}
    return health if regulations else (health, 503)


@bp.get("/openapi.json")
def spec():
    """OpenAPI 3 description of every endpoint, with the sample applications as examples."""
    return openapi.build(current_app, book())
