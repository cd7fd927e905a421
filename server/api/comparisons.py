"""/v1/comparisons: one request judged under several versions (nothing is stored)."""

from flask import Blueprint

from server.judging import comparisons
from server.api.common import book, json_body, language, source
from server.contract.request import ComparisonRequestSchema, load

bp = Blueprint("comparisons", __name__, url_prefix="/comparisons")


@bp.post("")
def create():
    """Every chosen version's ruling and, per requirement, its status under each."""
    facts = load(ComparisonRequestSchema, json_body())
    versions = facts.pop("versions")
    return comparisons.compare(book(), facts, source=source(), versions=versions, lang=language())
