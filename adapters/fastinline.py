"""The fast path for a request's inline `registry` object.

Marshmallow (adapters/records.py) defines the inline registry and words every error;
loading with it costs ~15 µs per nested object. `fast_inline` checks the common, valid shapes by hand
and returns exactly what `_INLINE_SCHEMA.load` would (same keys, same order, fresh
containers). Whenever it is not certain -- anything invalid or unusual, such as a str
subclass, a tuple for a list, a non-ASCII identifier -- it returns None and
marshmallow decides. tests/test_schemas_speed_equivalence.py proves the two agree.
"""
from adapters.fields import Unsure, fast_date, fast_id, fast_int, fast_list, fast_object, required
from adapters.records import INLINE, QUOTA_CATEGORIES, InlineRegistry


def _f_text(v):                       # _text(): a non-empty string
    if type(v) is str and v:
        return v
    raise Unsure


_VACANCY_KEYS = frozenset(("code", "employer_bin", "published_on", "status"))
_CONTRACT_KEYS = frozenset(("employer_bin", "employee_iin", "passport", "number", "kind", "registered_on"))
_PERSON_KEYS = frozenset(("passport", "iin", "status"))
_OFFENCE_KEYS = frozenset(("employer_bin", "article", "decided_on"))
_QUOTA_KEYS = frozenset(("region", "year", "category", "remaining"))
_REGISTRY_KEYS = frozenset(("labour_exchange", "ulcrs", "migration_police", "quota", "offences"))


def _f_vacancy(v):
    v = fast_object(v, _VACANCY_KEYS)
    return {"code": _f_text(required(v, "code")),
            "employer_bin": fast_id(required(v, "employer_bin")),
            "published_on": fast_date(required(v, "published_on")),
            "status": _f_text(required(v, "status"))}


def _f_contract(v):
    v = fast_object(v, _CONTRACT_KEYS)
    iin = v.get("employee_iin")
    return {"employer_bin": fast_id(required(v, "employer_bin")),
            "employee_iin": None if iin is None else fast_id(iin),
            "passport": _f_text(required(v, "passport")),
            "number": _f_text(required(v, "number")),
            "kind": _f_text(required(v, "kind")),
            "registered_on": fast_date(required(v, "registered_on"))}


def _f_person(v):
    v = fast_object(v, _PERSON_KEYS)
    iin = v.get("iin")
    return {"passport": _f_text(required(v, "passport")),
            "iin": None if iin is None else fast_id(iin),
            "status": _f_text(required(v, "status"))}


def _f_offence(v):
    v = fast_object(v, _OFFENCE_KEYS)
    return {"employer_bin": fast_id(required(v, "employer_bin")),
            "article": _f_text(required(v, "article")),
            "decided_on": fast_date(required(v, "decided_on"))}


def _f_quota(v):
    v = fast_object(v, _QUOTA_KEYS)
    out = {}
    if "region" in v:
        out["region"] = _f_text(v["region"])
    if "year" in v:
        out["year"] = fast_int(v["year"])
    if "category" in v:
        category = v["category"]
        if type(category) is not str or category not in QUOTA_CATEGORIES:
            raise Unsure
        out["category"] = category
    out["remaining"] = fast_int(required(v, "remaining"), 0)
    return out


def _f_labour_exchange(v):
    vacancy = required(fast_object(v, _LABOUR_EXCHANGE_KEYS), "vacancy")
    return {"vacancy": None if vacancy is None else _f_vacancy(vacancy)}


def _f_ulcrs(v):
    return {"contracts": [_f_contract(c) for c in fast_list(required(fast_object(v, _ULCRS_KEYS), "contracts"))]}


def _f_migration_police(v):
    return {"persons": [_f_person(p) for p in fast_list(required(fast_object(v, _POLICE_KEYS), "persons"))]}


def _f_offences(v):
    return {"records": [_f_offence(r) for r in fast_list(required(fast_object(v, _OFFENCES_KEYS), "records"))]}


_LABOUR_EXCHANGE_KEYS = frozenset(("vacancy",))
_ULCRS_KEYS = frozenset(("contracts",))
_POLICE_KEYS = frozenset(("persons",))
_OFFENCES_KEYS = frozenset(("records",))

# In InlineRegistry's field order, which is the order of its output.
_F_REGISTRIES = (
    ("labour_exchange", _f_labour_exchange),
    ("ulcrs", _f_ulcrs),
    ("migration_police", _f_migration_police),
    ("quota", _f_quota),
    ("offences", _f_offences),
)

# The fields the fast path was written for. Should a schema change, the fast path
# switches itself off (and the equivalence test fails) rather than answer differently.
_FAST_SHAPES = {
    "labour_exchange": ["vacancy"],
    "ulcrs": ["contracts"],
    "migration_police": ["persons"],
    "quota": ["region", "year", "category", "remaining"],
    "offences": ["records"],
}
_FAST_RECORD_SHAPES = {
    "Vacancy": ["code", "employer_bin", "published_on", "status"],
    "Contract": ["employer_bin", "employee_iin", "passport", "number", "kind", "registered_on"],
    "Person": ["passport", "iin", "status"],
    "Offence": ["employer_bin", "article", "decided_on"],
}


def _fast_path_matches_schemas():
    if list(InlineRegistry._declared_fields) != [name for name, _ in _F_REGISTRIES]:
        return False
    records = {}
    for name, cls in INLINE.items():
        if list(cls._declared_fields) != _FAST_SHAPES.get(name):
            return False
        for field in cls._declared_fields.values():
            inner = getattr(field, "inner", field)
            nested = getattr(inner, "nested", None)
            if nested is not None:
                records[nested.__name__] = list(nested._declared_fields)
    return records == _FAST_RECORD_SHAPES


FAST_INLINE = _fast_path_matches_schemas()


def fast_inline(registry_obj):
    """What validate_inline returns for `registry_obj`, or None when unsure (e.g. it is invalid)."""
    if not FAST_INLINE:
        return None
    try:
        obj = fast_object(registry_obj, _REGISTRY_KEYS)
        return {name: check(obj[name]) for name, check in _F_REGISTRIES if name in obj}
    except Unsure:
        return None
