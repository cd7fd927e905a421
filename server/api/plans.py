"""/v1/plans: the earliest date within a horizon on which a request would be approved (nothing is stored)."""

from flask import Blueprint

from server.api.common import book, language, load_body, source
from server.api.respond import responds
from server.contract.request import PlanRequestSchema
from server.contract.response import PlanSchema
from server.judging import plans

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.post("")
@responds(200, PlanSchema)
def create():
    """The earliest approvable filing date, the findings deciding it and the actions no date can fix."""
    body = load_body(PlanRequestSchema)
    horizon = body.pop("horizon_days")
    return plans.plan(book(), body, horizon_days=horizon, source=source(), lang=language())
