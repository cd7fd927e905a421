"""The fast path for ruling requests.

The marshmallow schemas in server/schemas.py define the ruling request, word every
error and describe the API in OpenAPI. Loading with them costs ~15 µs per nested
object, a third of a ruling. `fast_request` checks a request by hand and returns exactly what marshmallow
returns (same keys in the same order, same values, fresh containers) -- but only when
it is certain the request is valid. Anything invalid or unusual (a str subclass, a
tuple for a list, a non-ASCII identifier, an unknown field...) raises Unsure, and
marshmallow loads the request again and words the errors. So errors always come from
marshmallow; tests/test_schemas_speed_equivalence.py proves the valid results agree.
"""
from adapters.fields import Unsure, fast_date, fast_id, fast_int, fast_object, required
from adapters.fastinline import fast_inline

# Beyond any real employer; keeps every count an exact small integer for the engine.
MAX_COUNT = 10**9

_MISSING = object()


def _f_text(v):                       # Text, not null
    if type(v) is str and "\x00" not in v and (v.isascii() or _encodes(v)):
        return v
    raise Unsure


def _encodes(v):
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _f_opt_text(v):                   # Text(load_default=None, allow_none=True), given
    return None if v is None else _f_text(v)


def _f_count(v, minimum=0, maximum=MAX_COUNT):
    return fast_int(v, minimum, maximum)


def _f_choice(v, choices):
    if type(v) is str and v in choices:   # every choice is plain ASCII text
        return v
    raise Unsure


_REQUEST_KEYS = frozenset(("version", "as_of", "application", "registry", "regulation"))
_COMPARISON_KEYS = _REQUEST_KEYS | {"versions"}
_APPLICATION_KEYS = frozenset(("reference", "submitted_on", "kind", "route", "category", "region",
                               "workers_requested", "vacancy_code", "employer", "foreign_workers"))
_EMPLOYER_KEYS = frozenset(("bin", "name", "headcount", "small_business", "staff"))
_STAFF_KEYS = frozenset(("managers", "specialists"))
_GROUP_KEYS = frozenset(("citizens", "foreigners"))
_WORKER_KEYS = frozenset(("passport", "iin", "citizenship", "contract"))
_CONTRACT_KEYS = frozenset(("number", "signed_on", "kind"))
_KINDS = ("issue", "extension")
_ROUTES = ("general", "seasonal", "intracompany_transfer")
_CONTRACT_KINDS = ("labour", "intracompany_transfer")


def _f_group(v):
    v = fast_object(v, _GROUP_KEYS)
    return {"citizens": _f_count(required(v, "citizens")),
            "foreigners": _f_count(required(v, "foreigners"))}


def _f_employer(v):
    v = fast_object(v, _EMPLOYER_KEYS)
    out = {"bin": fast_id(required(v, "bin")),
           "name": _f_opt_text(v.get("name")),
           "headcount": _f_count(required(v, "headcount"))}
    small = v.get("small_business", False)
    if type(small) is not bool:
        raise Unsure
    out["small_business"] = small
    staff = v.get("staff")
    if staff is not None:
        staff = fast_object(staff, _STAFF_KEYS)
        staff = {"managers": _f_group(required(staff, "managers")),
                 "specialists": _f_group(required(staff, "specialists"))}
    out["staff"] = staff
    return out


def _f_worker(v):
    v = fast_object(v, _WORKER_KEYS)
    passport = _f_text(required(v, "passport"))
    if not passport:
        raise Unsure
    iin = v.get("iin")
    contract = v.get("contract")
    if contract is not None:
        contract = fast_object(contract, _CONTRACT_KEYS)
        signed_on = contract.get("signed_on")
        contract = {"number": _f_opt_text(contract.get("number")),
                    "signed_on": None if signed_on is None else fast_date(signed_on),
                    "kind": _f_choice(_f_text(required(contract, "kind")), _CONTRACT_KINDS)}
    return {"passport": passport,
            "iin": None if iin is None else fast_id(iin),
            "citizenship": _f_opt_text(v.get("citizenship")),
            "contract": contract}


def _f_application(v):
    v = fast_object(v, _APPLICATION_KEYS)
    route = _f_choice(_f_text(required(v, "route")), _ROUTES)
    category = v.get("category")
    if category is not None:
        category = _f_count(category, 1, 4)
    # ApplicationSchema.route_rules: general needs a category and staff; others no category.
    if (route == "general") is (category is None):
        raise Unsure
    region = _f_text(required(v, "region"))
    if not region:
        raise Unsure
    out = {"reference": _f_opt_text(v.get("reference")),
           "submitted_on": fast_date(required(v, "submitted_on")),
           "kind": _f_choice(_f_text(required(v, "kind")), _KINDS),
           "route": route,
           "category": category,
           "region": region,
           "workers_requested": _f_count(required(v, "workers_requested"), 1),
           "vacancy_code": _f_opt_text(v.get("vacancy_code")),
           "employer": _f_employer(required(v, "employer"))}
    if route == "general" and out["employer"]["staff"] is None:
        raise Unsure
    workers = v.get("foreign_workers", _MISSING)
    if workers is _MISSING:
        out["foreign_workers"] = []
    elif type(workers) is list:
        out["foreign_workers"] = [_f_worker(w) for w in workers]
    else:
        raise Unsure
    return out


def _f_registry(v):
    if type(v) is not dict:
        raise Unsure
    checked = fast_inline(v)
    if checked is None:
        raise Unsure
    return checked


def fast_request(data, variant):
    """RulingRequestSchema().load(data) (variant "comparison": ComparisonRequestSchema),
    or Unsure when unsure."""
    data = fast_object(data, _COMPARISON_KEYS if variant == "comparison" else _REQUEST_KEYS)
    as_of = data.get("as_of")
    out = {"version": _f_opt_text(data.get("version")),
           "as_of": None if as_of is None else fast_date(as_of),
           "application": _f_application(required(data, "application"))}
    registry = data.get("registry", _MISSING)
    out["registry"] = {} if registry is _MISSING else _f_registry(registry)
    out["regulation"] = _f_opt_text(data.get("regulation"))
    if variant == "comparison":
        versions = data.get("versions")
        if versions is not None:
            if type(versions) is not list or not versions:
                raise Unsure
            versions = [_f_text(x) for x in versions]
        out["versions"] = versions
    return out
