"""/v1/comparisons: one request judged under several versions (nothing is stored)."""

from flask import Blueprint

from server import rulings
from server.api.http import book, json_body, language, source
from server.schemas import ComparisonRequestSchema, load

bp = Blueprint("comparisons", __name__, url_prefix="/comparisons")


@bp.post("")
def create():
    """Every chosen version's ruling and, per requirement, its status under each."""
    facts = load(ComparisonRequestSchema, json_body())
    versions = facts.pop("versions")
    return rulings.compare(book(), facts, source=source(), versions=versions, lang=language())
