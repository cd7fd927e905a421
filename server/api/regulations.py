"""/v1/regulations: what the server knows, each version described, versions diffed."""

from flask import Blueprint, request

from server import errors
from server.rules.describe import describe
from server.diff import between
from server.languages import text_in
from server.api.common import book, language
from server.api.respond import responds
from server.contract.queries import DiffQuerySchema
from server.contract.request import load
from server.contract.response import DiffSchema, RegulationsSchema, VersionDescriptionSchema

bp = Blueprint("regulations", __name__, url_prefix="/regulations")


@bp.get("")
@responds(200, RegulationsSchema)
def index():
    """Every regulation with its versions and their effective periods."""
    return {
        "default": book().default_regulation,
        "regulations": [_summary(r, language()) for r in book().regulations.values()],
    }


@bp.get("/<regulation>/versions/<version>")
@responds(200, VersionDescriptionSchema)
def version(regulation, version):
    """One version's requirements, parameters and citations."""
    return describe(_version(regulation, version), language())


@bp.get("/<regulation>/diff")
@responds(200, DiffSchema)
def diff(regulation):
    """Requirements added, removed and changed between versions `from` and `to`."""
    _regulation(regulation)
    query = load(DiffQuerySchema, request.args.to_dict())
    return between(book(), regulation, query["from"], query["to"], language())


def _summary(regulation, lang):
    return {
        "id": regulation.id,
        "title": text_in(regulation.title, lang),
        "versions": [
            {"version": v.version, "effective": {"from": v.effective_from, "to": v.effective_to}, "digest": v.digest}
            for v in regulation.versions
        ],
    }


def _regulation(regulation_id):
    found = book().regulations.get(regulation_id)
    if found is None:
        raise errors.NotFound(f"No regulation {regulation_id!r}.")
    return found


def _version(regulation_id, version_id):
    for v in _regulation(regulation_id).versions:
        if v.version == version_id:
            return v
    raise errors.NotFound(f"Regulation {regulation_id!r} has no version {version_id!r}.")
