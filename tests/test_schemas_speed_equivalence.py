"""The hand-written fast path of request validation answers exactly as marshmallow does.

server.schemas.RulingRequestSchema.load (and ComparisonRequestSchema.load) first try
`fastload.fast_request`, which either returns the loaded request or gives up (Unsure) and lets
marshmallow load it; adapters.schemas.validate_inline does the same with `fastinline.fast_inline`.
Marshmallow stays the definition. These tests run both over thousands of generated valid
requests and mutants of them (unknown fields at every level, wrong types, nulls, missing
required fields, bad dates and check digits, route/category clashes, negative and huge
counts, bad inline registries...) and require identical results: the same keys in the
same order with the same types and values, fresh containers, or the same error paths
and messages.
"""

import contextlib
import copy
import json
import random
from collections import OrderedDict

import pytest

from adapters import fastinline
from adapters import records as adapter_schemas
from server import errors
from server.contract import fastload, request as schemas

SEED = 20250920
N_VALID = 1500
N_MUTANTS = 3000

SIGNATURE = r"""
RulingRequestSchema unknown=raise hooks=[]
  version: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  as_of: IsoDate(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  application: Nested<ApplicationSchema>(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  registry: InlineRegistry(Dict) required=False allow_none=False default=<class 'dict'> validators=[] data_key=None attribute=None
  regulation: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
ComparisonRequestSchema unknown=raise hooks=[]
  version: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  as_of: IsoDate(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  application: Nested<ApplicationSchema>(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  registry: InlineRegistry(Dict) required=False allow_none=False default=<class 'dict'> validators=[] data_key=None attribute=None
  regulation: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  versions: List[Text](Field) required=False allow_none=True default=None validators=['Length(1,None,None)'] data_key=None attribute=None inner_validators=[] inner_none=False
ApplicationSchema unknown=raise hooks=['validates_schema=["(\'route_rules\', False, {\'pass_original\': True, \'skip_on_field_errors\': False})"]']
  reference: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  submitted_on: IsoDate(String) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  kind: Text(String) required=True allow_none=False default=<marshmallow.missing> validators=["OneOf('issue', 'extension')"] data_key=None attribute=None
  route: Text(String) required=True allow_none=False default=<marshmallow.missing> validators=["OneOf('general', 'seasonal', 'intracompany_transfer')"] data_key=None attribute=None
  category: Count(Integer,strict) required=False allow_none=True default=None validators=['Range(1,4,True,True)'] data_key=None attribute=None
  region: Text(String) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  workers_requested: Count(Integer,strict) required=True allow_none=False default=<marshmallow.missing> validators=['Range(1,1000000000,True,True)'] data_key=None attribute=None
  vacancy_code: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  employer: Nested<EmployerSchema>(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  foreign_workers: List[Nested]<ForeignWorkerSchema>(Field) required=False allow_none=False default=<class 'list'> validators=[] data_key=None attribute=None inner_validators=[] inner_none=False
EmployerSchema unknown=raise hooks=[]
  bin: KzId(String) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  name: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  headcount: Count(Integer,strict) required=True allow_none=False default=<marshmallow.missing> validators=['Range(0,1000000000,True,True)'] data_key=None attribute=None
  small_business: Flag(Boolean) required=False allow_none=False default=False validators=[] data_key=None attribute=None
  staff: Nested<StaffSchema>(Field) required=False allow_none=True default=None validators=[] data_key=None attribute=None
StaffSchema unknown=raise hooks=[]
  managers: Nested<StaffGroupSchema>(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  specialists: Nested<StaffGroupSchema>(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
StaffGroupSchema unknown=raise hooks=[]
  citizens: Count(Integer,strict) required=True allow_none=False default=<marshmallow.missing> validators=['Range(0,1000000000,True,True)'] data_key=None attribute=None
  foreigners: Count(Integer,strict) required=True allow_none=False default=<marshmallow.missing> validators=['Range(0,1000000000,True,True)'] data_key=None attribute=None
ForeignWorkerSchema unknown=raise hooks=[]
  passport: Text(String) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  iin: KzId(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  citizenship: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  contract: Nested<ContractSchema>(Field) required=False allow_none=True default=None validators=[] data_key=None attribute=None
ContractSchema unknown=raise hooks=[]
  number: Text(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  signed_on: IsoDate(String) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  kind: Text(String) required=True allow_none=False default=<marshmallow.missing> validators=["OneOf('labour', 'intracompany_transfer')"] data_key=None attribute=None
InlineRegistry unknown=raise hooks=[]
  labour_exchange: Nested<LabourExchange>(Field) required=False allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  ulcrs: Nested<Ulcrs>(Field) required=False allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  migration_police: Nested<MigrationPolice>(Field) required=False allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  quota: Nested<Quota>(Field) required=False allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  offences: Nested<Offences>(Field) required=False allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
inline.LabourExchange unknown=raise hooks=[]
  vacancy: Nested<Vacancy>(Field) required=True allow_none=True default=<marshmallow.missing> validators=[] data_key=None attribute=None
inline.Vacancy unknown=raise hooks=[]
  code: String(Field) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  employer_bin: Identifier(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  published_on: IsoDate(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  status: String(Field) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
inline.Ulcrs unknown=raise hooks=[]
  contracts: List[Nested]<Contract>(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None inner_validators=[] inner_none=False
inline.Contract unknown=raise hooks=[]
  employer_bin: Identifier(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  employee_iin: Identifier(Field) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  passport: String(Field) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  number: String(Field) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  kind: String(Field) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  registered_on: IsoDate(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
inline.MigrationPolice unknown=raise hooks=[]
  persons: List[Nested]<Person>(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None inner_validators=[] inner_none=False
inline.Person unknown=raise hooks=[]
  passport: String(Field) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  iin: Identifier(Field) required=False allow_none=True default=None validators=[] data_key=None attribute=None
  status: String(Field) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
inline.Quota unknown=raise hooks=[]
  region: String(Field) required=False allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  year: StrictInteger(Integer,strict) required=False allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  category: String(Field) required=False allow_none=False default=<marshmallow.missing> validators=["OneOf('1', '2', '3', '4', 'seasonal')"] data_key=None attribute=None
  remaining: StrictInteger(Integer,strict) required=True allow_none=False default=<marshmallow.missing> validators=['Range(0,None,True,True)'] data_key=None attribute=None
inline.Offences unknown=raise hooks=[]
  records: List[Nested]<Offence>(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None inner_validators=[] inner_none=False
inline.Offence unknown=raise hooks=[]
  employer_bin: Identifier(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
  article: String(Field) required=True allow_none=False default=<marshmallow.missing> validators=['Length(1,None,None)'] data_key=None attribute=None
  decided_on: IsoDate(Field) required=True allow_none=False default=<marshmallow.missing> validators=[] data_key=None attribute=None
"""


class StrSub(str):
    pass


class IntSub(int):
    pass


# --- comparing ------------------------------------------------------------------------

def canon(x):
    """`x` with every type and every key order made explicit, so == compares them too."""
    if isinstance(x, dict):
        return (type(x).__name__, [(canon(k), canon(v)) for k, v in x.items()])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [canon(v) for v in x])
    if isinstance(x, float) and x != x:
        return ("float", "nan")
    return (type(x).__name__, x)


def containers(x, seen=None):
    seen = set() if seen is None else seen
    if isinstance(x, (dict, list)):
        seen.add(id(x))
        for v in (x.values() if isinstance(x, dict) else x):
            containers(v, seen)
    return seen


def marshmallow_only(schema_cls):
    schema = schema_cls()
    schema._fast_variant = None      # as if the fast path did not exist
    return schema


SLOW = {cls: marshmallow_only(cls) for cls in (schemas.RulingRequestSchema, schemas.ComparisonRequestSchema)}
FAST = {cls: cls() for cls in SLOW}


@contextlib.contextmanager
def inline_fast_path(enabled):
    # validate_inline, which marshmallow's registry field calls, has a fast path too.
    saved = fastinline.FAST_INLINE
    fastinline.FAST_INLINE = enabled
    try:
        yield
    finally:
        fastinline.FAST_INLINE = saved


def outcome(schema, doc):
    before = copy.deepcopy(doc)
    try:
        with inline_fast_path(schema._fast_variant is not None):
            result = schema.load(doc)
    except Exception as exc:  # noqa: BLE001 - any exception must match too
        messages = getattr(exc, "messages", None)
        got = ("raise", type(exc).__name__, canon(messages) if messages is not None else str(exc))
    else:
        assert not containers(result) & containers(doc), "the result shares a container with the input"
        got = ("ok", canon(result), json.dumps(result, ensure_ascii=False))
    assert canon(doc) == canon(before), "loading changed the input"
    return got


_checked = [0]


def assert_same(doc, schema_cls=schemas.RulingRequestSchema):
    slow = outcome(SLOW[schema_cls], doc)
    fast = outcome(FAST[schema_cls], doc)
    assert fast == slow, f"fast path differs on {doc!r}"
    _checked[0] += 1
    if slow[0] == "raise" and slow[1] == "ValidationError" and _checked[0] % 8 == 0:
        # and so does the API's flattened error body
        with pytest.raises(errors.InvalidRequest) as caught:
            schemas.load(schema_cls, doc)
        with pytest.raises(errors.InvalidRequest) as slow_caught, inline_fast_path(False):
            schemas.load(SLOW[schema_cls], doc)
        assert canon(caught.value.fields) == canon(slow_caught.value.fields)
        assert caught.value.message == slow_caught.value.message
    return slow


def took_fast_path(doc, schema_cls=schemas.RulingRequestSchema):
    try:
        fastload.fast_request(doc, schemas._FAST_VARIANTS[schema_cls])
    except fastload.Unsure:
        return False
    return True


# --- generating -----------------------------------------------------------------------

TEXTS = ["A", "ALMATY", "TD-15", "Қазақстан", "日本語", "emoji 🙂", " ", "x" * 300, "tab\t", 'quote"', "\u200b",
         "N1234567", "0", "é"]
# The registries' strings are plain marshmallow Strings: NUL and lone surrogates pass there.
REGISTRY_TEXTS = TEXTS + ["a\x00b", "\ud800", "active", "lawful", "517"]
ROUTES = ["general", "seasonal", "intracompany_transfer"]


def kz_id(rng):
    while True:
        digits = [rng.randrange(10) for _ in range(11)]
        for weights in (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)):
            check = sum(d * w for d, w in zip(digits, weights)) % 11
            if check != 10:
                value = "".join(map(str, digits)) + str(check)
                assert schemas.valid_kz_id(value)
                return value


def iso_date(rng):
    special = ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "2025-09-20", "2025-03-01"]
    if rng.random() < 0.3:
        return rng.choice(special)
    return f"{rng.randrange(1900, 2100):04d}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def count(rng, minimum=0):
    return rng.choice([minimum, minimum + 1, rng.randrange(minimum, 1000), schemas.MAX_COUNT])


def optional(rng, out, key, make, nullable=True):
    """Omit `key`, set it to null, or give it a value."""
    r = rng.random()
    if r < 0.25:
        return
    if nullable and r < 0.45:
        out[key] = None
    else:
        out[key] = make()


def shuffled(rng, d):
    if rng.random() < 0.3:
        items = list(d.items())
        rng.shuffle(items)
        return dict(items)
    return d


def worker(rng):
    w = {"passport": rng.choice(TEXTS)}
    optional(rng, w, "iin", lambda: kz_id(rng))
    optional(rng, w, "citizenship", lambda: rng.choice(["UZB", "CHN", "Қаз"]))

    def contract():
        c = {"kind": rng.choice(["labour", "intracompany_transfer"])}
        optional(rng, c, "number", lambda: rng.choice(TEXTS))
        optional(rng, c, "signed_on", lambda: iso_date(rng))
        return shuffled(rng, c)

    optional(rng, w, "contract", contract)
    return shuffled(rng, w)


def application(rng):
    route = rng.choice(ROUTES)
    app = {"submitted_on": iso_date(rng), "kind": rng.choice(["issue", "extension"]), "route": route,
           "region": rng.choice(TEXTS), "workers_requested": count(rng, 1)}
    if route == "general":
        app["category"] = rng.randint(1, 4)
    elif rng.random() < 0.3:
        app["category"] = None
    optional(rng, app, "reference", lambda: rng.choice(TEXTS))
    optional(rng, app, "vacancy_code", lambda: rng.choice(TEXTS))
    employer = {"bin": kz_id(rng), "headcount": count(rng)}
    optional(rng, employer, "name", lambda: rng.choice(TEXTS))
    optional(rng, employer, "small_business", lambda: rng.random() < 0.5, nullable=False)

    def staff():
        return {"managers": {"citizens": count(rng), "foreigners": count(rng)},
                "specialists": shuffled(rng, {"citizens": count(rng), "foreigners": count(rng)})}

    if route == "general":
        employer["staff"] = staff()
    else:
        optional(rng, employer, "staff", staff)
    app["employer"] = shuffled(rng, employer)
    optional(rng, app, "foreign_workers", lambda: [worker(rng) for _ in range(rng.choice([0, 1, 2, 4]))],
             nullable=False)
    return shuffled(rng, app)


def registry_text(rng):
    return rng.choice(REGISTRY_TEXTS)


def registry(rng):
    def iin(record, key):
        optional(rng, record, key, lambda: kz_id(rng))

    def vacancy():
        return {"code": registry_text(rng), "employer_bin": kz_id(rng), "published_on": iso_date(rng),
                "status": registry_text(rng)}

    def contract():
        c = {"employer_bin": kz_id(rng), "passport": registry_text(rng), "number": registry_text(rng),
             "kind": registry_text(rng), "registered_on": iso_date(rng)}
        iin(c, "employee_iin")
        return shuffled(rng, c)

    def person():
        p = {"passport": registry_text(rng), "status": registry_text(rng)}
        iin(p, "iin")
        return shuffled(rng, p)

    def quota():
        q = {"remaining": rng.choice([0, 1, 12, 10**12])}
        optional(rng, q, "region", lambda: registry_text(rng), nullable=False)
        optional(rng, q, "year", lambda: rng.choice([2025, 0, -1, 10**20]), nullable=False)
        optional(rng, q, "category", lambda: rng.choice(adapter_schemas.QUOTA_CATEGORIES), nullable=False)
        return shuffled(rng, q)

    def offence():
        return {"employer_bin": kz_id(rng), "article": registry_text(rng), "decided_on": iso_date(rng)}

    makers = {
        "labour_exchange": lambda: {"vacancy": vacancy() if rng.random() < 0.7 else None},
        "ulcrs": lambda: {"contracts": [contract() for _ in range(rng.choice([0, 1, 3]))]},
        "migration_police": lambda: {"persons": [person() for _ in range(rng.choice([0, 1, 3]))]},
        "quota": quota,
        "offences": lambda: {"records": [offence() for _ in range(rng.choice([0, 1, 2]))]},
    }
    names = [n for n in makers if rng.random() < 0.6]
    rng.shuffle(names)
    return {n: makers[n]() for n in names}


def request(rng, comparison=False):
    doc = {"application": application(rng)}
    optional(rng, doc, "version", lambda: rng.choice(["2025-09-01", "2023-07-01", "Қ"]))
    optional(rng, doc, "as_of", lambda: iso_date(rng))
    optional(rng, doc, "regulation", lambda: rng.choice(["kz-foreign-labour", "x"]))
    optional(rng, doc, "registry", lambda: registry(rng), nullable=False)
    if comparison:
        optional(rng, doc, "versions", lambda: [rng.choice(TEXTS) for _ in range(rng.randint(1, 3))])
    return shuffled(rng, doc)


# --- mutating -------------------------------------------------------------------------

def flip_check_digit(value):
    return value[:11] + str((int(value[11]) + 1) % 10)


BAD_VALUES = [
    None, 0, -1, 1, 4, 5, True, False, 1.0, 1.5, float("nan"), 10**9, 10**9 + 1, 2**70, -(2**70),
    "", " ", "x", "\x00", "a\x00b", "\ud800", "Issue", "issue", "extension", "general", "seasonal",
    "intracompany_transfer", "labour", "1", "seasonal",
    "2025-02-30", "2025-13-01", "2025-9-1", "2025-09-20T00:00:00", "20250920", "２０２５-09-20", "2025-09-2０",
    "0000-01-01", "2024-02-29", "2025-02-29",
    "850808310738", "850808310737", "85080831073", "8508083107380", "85080831073a", "８５０８０８３１０７３８",
    "000000000101", "000000000100", "000000000281" "0", 850808310738,
    [], [{}], {}, {"x": 1}, (), ("a",), b"abc", StrSub("x"), StrSub("850808310738"), StrSub("2025-09-20"),
    IntSub(1), IntSub(3),
]
UNKNOWN_KEYS = ["extra", "Kind", "bin ", "registry", "version", "application", "contracts", "persons", "vacancy",
                "remaining", "", 1, None]


def places(doc):
    """Every (container, key) in `doc`, and every dict in it."""
    slots, dicts = [], []

    def walk(x):
        if isinstance(x, dict):
            dicts.append(x)
            for k, v in x.items():
                slots.append((x, k))
                walk(v)
        elif isinstance(x, list):
            for i, v in enumerate(x):
                slots.append((x, i))
                walk(v)

    walk(doc)
    return slots, dicts


def mutate(rng, doc):
    slots, dicts = places(doc)
    kind = rng.random()
    if kind < 0.15 or not slots:
        rng.choice(dicts)[rng.choice(UNKNOWN_KEYS)] = rng.choice(["x", 1, None, {}])
        return
    container, key = rng.choice(slots)
    value = container[key]
    if kind < 0.3:
        if isinstance(container, dict):
            del container[key]
        else:
            container.pop(key)
    elif kind < 0.4 and isinstance(value, str) and len(value) == 12 and value.isdigit():
        container[key] = rng.choice([flip_check_digit(value), value[:11], value + "0", int(value)])
    elif kind < 0.5:
        # reshape: a tuple for a list, an OrderedDict for a dict, a subclass for a str or int
        if isinstance(value, list):
            container[key] = tuple(value)
        elif isinstance(value, dict):
            container[key] = OrderedDict(value)
        elif isinstance(value, str):
            container[key] = StrSub(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            container[key] = rng.choice([IntSub(value), -value - 1, float(value), str(value)])
        else:
            container[key] = rng.choice(BAD_VALUES)
    elif kind < 0.6:
        app = doc.get("application") if isinstance(doc, dict) else None
        if isinstance(app, dict):
            app["route"] = rng.choice(ROUTES)
            choice = rng.choice(["omit", None, 0, 1, 4, 5, "3", True])
            if choice == "omit":
                app.pop("category", None)
            else:
                app["category"] = choice
            if isinstance(app.get("employer"), dict) and rng.random() < 0.3:
                app["employer"]["staff"] = None
    else:
        container[key] = rng.choice(BAD_VALUES)


# --- the tests ------------------------------------------------------------------------

def test_the_fast_paths_mirror_these_schema_declarations():
    # If this fails, a schema changed: update fast_request (server/fastload.py) or
    # fast_inline (adapters/fastinline.py) to match it, then this snapshot.
    assert schemas._FAST and fastinline.FAST_INLINE
    assert signature() == SIGNATURE.strip().splitlines()


def validator_text(v):
    if hasattr(v, "choices"):
        return f"OneOf{tuple(v.choices)}"
    if hasattr(v, "equal"):
        return f"Length({v.min},{v.max},{v.equal})"
    if hasattr(v, "min_inclusive"):
        return f"Range({v.min},{v.max},{v.min_inclusive},{v.max_inclusive})"
    return repr(v)


def signature():
    s, a = schemas, adapter_schemas
    classes = {c.__name__: c for c in [s.RulingRequestSchema, s.ComparisonRequestSchema, s.ApplicationSchema,
               s.EmployerSchema, s.StaffSchema, s.StaffGroupSchema, s.ForeignWorkerSchema, s.ContractSchema,
               a.InlineRegistry]}
    for cls in a.INLINE.values():
        classes["inline." + cls.__name__] = cls
        for f in cls._declared_fields.values():
            n = getattr(getattr(f, "inner", f), "nested", None)
            if n is not None:
                classes["inline." + n.__name__] = n
    lines = []
    for label, cls in classes.items():
        hooks = sorted(f"{k}={sorted(str(x) for x in v)}" for k, v in cls._hooks.items() if v)
        lines.append(f"{label} unknown={cls.opts.unknown} hooks={hooks}")
        for name, f in cls._declared_fields.items():
            inner = getattr(f, "inner", None)
            nested = getattr(inner or f, "nested", None)
            kind = type(f).__name__ + (f"[{type(inner).__name__}]" if inner is not None else "")
            kind += f"<{nested.__name__}>" if nested is not None else ""
            extra = [type(f).__mro__[1].__name__]
            if getattr(f, "strict", False):
                extra.append("strict")
            lines.append(f"  {name}: {kind}({','.join(extra)}) required={f.required} allow_none={f.allow_none}"
                         f" default={f.load_default!r} validators={[validator_text(v) for v in f.validators]}"
                         f" data_key={f.data_key} attribute={f.attribute}"
                         + (f" inner_validators={[validator_text(v) for v in inner.validators]}"
                            f" inner_none={inner.allow_none}" if inner is not None else ""))
    return lines


@pytest.mark.parametrize("schema_cls", [schemas.RulingRequestSchema, schemas.ComparisonRequestSchema])
def test_valid_requests_take_the_fast_path_and_load_exactly_as_marshmallow(schema_cls):
    rng = random.Random(SEED)
    comparison = schema_cls is schemas.ComparisonRequestSchema
    n = N_VALID if not comparison else N_VALID // 5
    for _ in range(n):
        doc = request(rng, comparison)
        assert assert_same(doc, schema_cls)[0] == "ok"
        assert took_fast_path(doc, schema_cls), doc


def test_mutated_requests_answer_exactly_as_marshmallow():
    rng = random.Random(SEED + 1)
    answers, fast, messages = {"ok": 0, "raise": 0}, 0, set()
    for i in range(N_MUTANTS):
        comparison = i % 10 == 0
        schema_cls = schemas.ComparisonRequestSchema if comparison else schemas.RulingRequestSchema
        doc = request(rng, comparison)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            mutate(rng, doc)
        result = assert_same(doc, schema_cls)
        answers[result[0]] += 1
        fast += took_fast_path(doc, schema_cls)
        if result[0] == "raise":
            flat = schemas.field_errors(_messages(SLOW[schema_cls], doc))
            messages.update(m for msgs in flat.values() for m in msgs)
    # The mutants are mostly invalid, and reach a wide range of marshmallow's errors.
    assert answers["raise"] > N_MUTANTS * 0.6, answers
    # Valid mutants with a tuple, OrderedDict or str subclass in them are left to marshmallow.
    assert 0 < fast <= answers["ok"], (fast, answers)
    for expected in ["Unknown field.", "Field may not be null.", "Missing data for required field.",
                     "Not a valid integer.", "Not a valid string.", "Must be exactly 12 digits.",
                     "Check digit does not match (CONTRACT s.2).", "Must be absent for route seasonal.",
                     "Required for route general (1..4).", "Required for route general.",
                     "Not a valid date.", "Not a valid BIN/IIN: 12 digits ending in the check digit expected.",
                     "Invalid input type.", "Not a valid list.", "Must not contain NUL characters.",
                     "Not valid Unicode text.", "Not a valid boolean; expected true or false."]:
        assert expected in messages, expected
    assert any(m.startswith("Not a valid date: '") for m in messages)
    assert any(m.startswith("Must be greater than or equal to") for m in messages)
    assert any(m.startswith("Must be one of:") for m in messages)


def _messages(schema, doc):
    try:
        with inline_fast_path(False):
            schema.load(doc)
    except Exception as exc:  # noqa: BLE001
        return getattr(exc, "messages", {"$": [type(exc).__name__]})
    return {}


def full_request(rng):
    """A request with every optional field given, every registry and one record of each."""
    doc = json.loads(json.dumps({
        "version": "2025-09-01", "as_of": "2025-09-20", "regulation": "kz-foreign-labour",
        "application": {
            "reference": "APP-1", "submitted_on": "2025-09-20", "kind": "issue", "route": "general",
            "category": 3, "region": "ALMATY", "workers_requested": 1, "vacancy_code": "4012345",
            "employer": {"bin": "150540000106", "name": "Steppe Steel LLP", "headcount": 120,
                         "small_business": False,
                         "staff": {"managers": {"citizens": 9, "foreigners": 1},
                                   "specialists": {"citizens": 95, "foreigners": 5}}},
            "foreign_workers": [{"passport": "N1", "iin": "850808310738", "citizenship": "UZB",
                                 "contract": {"number": "TD-1", "signed_on": "2025-03-01", "kind": "labour"}}],
        },
        "registry": {
            "labour_exchange": {"vacancy": {"code": "4012345", "employer_bin": "150540000106",
                                            "published_on": "2025-09-01", "status": "active"}},
            "ulcrs": {"contracts": [{"employer_bin": "150540000106", "employee_iin": "850808310738",
                                     "passport": "N1", "number": "TD-1", "kind": "labour",
                                     "registered_on": "2025-03-04"}]},
            "migration_police": {"persons": [{"passport": "N1", "iin": "850808310738", "status": "lawful"}]},
            "quota": {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 12},
            "offences": {"records": [{"employer_bin": "150540000106", "article": "517",
                                      "decided_on": "2024-01-10"}]},
        },
    }))
    return doc


def paths(doc, prefix=()):
    if isinstance(doc, dict):
        yield prefix
        for k, v in doc.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, prefix + (i,))


def at(doc, path):
    for p in path:
        doc = doc[p]
    return doc


@pytest.mark.parametrize("schema_cls", [schemas.RulingRequestSchema, schemas.ComparisonRequestSchema])
def test_every_field_at_every_level_unknown_missing_null_or_wrong(schema_cls):
    rng = random.Random(SEED + 2)
    base = full_request(rng)
    if schema_cls is schemas.ComparisonRequestSchema:
        # The rest of the request is the same as a ruling's: vary the top level only.
        base = {**base, "versions": ["2023-07-01", "2025-09-01"]}
        base["application"] = {k: v for k, v in base["application"].items() if k != "foreign_workers"}
        base["registry"] = {"quota": {"remaining": 1}}
    assert_same(base, schema_cls)
    assert took_fast_path(base, schema_cls)
    dict_paths = list(paths(base))
    for path in dict_paths:
        doc = copy.deepcopy(base)
        at(doc, path)["unexpected"] = 1
        assert assert_same(doc, schema_cls)[0] == "raise"
        for key in list(at(base, path)):
            for change in ["delete", *BAD_VALUES]:
                doc = copy.deepcopy(base)
                if change == "delete":
                    del at(doc, path)[key]
                else:
                    at(doc, path)[key] = change
                assert_same(doc, schema_cls)


def test_registry_objects_validate_exactly_as_marshmallow():
    rng = random.Random(SEED + 3)
    schema = adapter_schemas._INLINE_SCHEMA
    for i in range(N_MUTANTS):
        doc = registry(rng)
        if i % 2:
            for _ in range(rng.choice([1, 2])):
                mutate(rng, doc)
        fast = fastinline.fast_inline(doc)
        try:
            slow = ("ok", canon(schema.load(doc)))   # marshmallow alone
        except Exception as exc:  # noqa: BLE001
            slow = ("raise", type(exc).__name__, canon(getattr(exc, "messages", str(exc))))
        if fast is not None:
            assert ("ok", canon(fast)) == slow, doc
            assert not containers(fast) & containers(doc)
        elif i % 2 == 0:
            pytest.fail(f"a valid registry object left the fast path: {doc!r}")
        try:
            public = ("ok", canon(adapter_schemas.validate_inline(doc)))
        except Exception as exc:  # noqa: BLE001
            public = ("raise", type(exc).__name__, canon(adapter_schemas._string_keys(getattr(exc, "messages", {}))))
        expected = slow if slow[0] == "ok" else ("raise", slow[1], canon(adapter_schemas._string_keys(
            _messages(schema, doc))))
        assert public == expected


def test_a_schema_with_options_never_takes_the_fast_path():
    doc = full_request(random.Random(0))
    del doc["application"]["region"]
    # partial=True lets a required field be missing: only marshmallow knows that.
    assert "region" not in schemas.RulingRequestSchema(partial=True).load(doc)["application"]
    assert schemas.RulingRequestSchema().load(doc, partial=True)["application"].get("region") is None
    doc["application"]["region"] = "ALMATY"
    doc["extra"] = 1
    assert "extra" not in schemas.RulingRequestSchema(unknown="exclude").load(doc)


def test_bench_cases_load_identically():
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    try:
        import validation_bench
    finally:
        sys.path.pop(0)
    for workers in (0, 3, 20):
        for with_registry in (False, True):
            doc = validation_bench.request_with(workers, with_registry)
            assert assert_same(doc)[0] == "ok"
            assert took_fast_path(doc)
