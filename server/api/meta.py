"""Endpoints outside /v1 that stay open: health and the OpenAPI description."""

from flask import Blueprint, current_app

from server.api import health, openapi
from server.api.common import book, db, source
from server.api.respond import responds
from server.contract.response import HealthSchema

bp = Blueprint("meta", __name__)

CHECKS = ("rule_sets", "decision_log", "engine")


@bp.get("/healthz")
@responds(200, HealthSchema)
def healthz():
    """200 when the rule sets are loaded, the decision log takes a write and the engine
    judges a canned request under every version; else 503 with `error` naming what failed.

    `versions` gives the digest of each version this worker judges under.
    """
    loaded = book()
    regulations = {r.id: [v.version for v in r.versions] for r in loaded.regulations.values()}
    versions = {v.key: v.digest for r in loaded.regulations.values() for v in r.versions}
    failed = {
        "rule_sets": None if regulations else "no rule sets are loaded",
        "decision_log": health.decision_log(db()),
        "engine": health.engine(loaded, source()) if regulations else None,
    }
    failed = {name: problem for name, problem in failed.items() if problem}
    checks = {name: failed.get(name, "ok") for name in CHECKS}
    answer = {"status": "ok" if not failed else "unavailable", "regulations": regulations,
              "versions": versions, "checks": checks}
    if not failed:
        return answer
    message = "; ".join(f"{name.replace('_', ' ')}: {problem}" for name, problem in failed.items())
    current_app.logger.error("/healthz: %s", message)
    answer["error"] = {"code": "unavailable", "message": message,
                       "fields": {name: [problem] for name, problem in failed.items()}}
    return answer, 503


@bp.get("/openapi.json")
def spec():
    """OpenAPI 3 description of every endpoint, with the sample applications as examples."""
    return openapi.build(current_app, book())
