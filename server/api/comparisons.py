"""/v1/comparisons: one request judged under several versions (nothing is stored)."""

from flask import Blueprint

from server.judging import comparisons
from server.api.common import book, language, load_body, source
from server.api.respond import responds
from server.contract.request import ComparisonRequestSchema
from server.contract.response import ComparisonSchema

bp = Blueprint("comparisons", __name__, url_prefix="/comparisons")


@bp.post("")
@responds(200, ComparisonSchema)
def create():
    """Every chosen version's ruling and, per requirement, its status under each."""
    facts = load_body(ComparisonRequestSchema)
    versions = facts.pop("versions")
    return comparisons.compare(book(), facts, source=source(), versions=versions, lang=language())
