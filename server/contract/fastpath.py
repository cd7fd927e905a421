"""A fast path generated from the marshmallow schemas: msgspec structs built from the declared fields.

Marshmallow is the one definition of a request and words every error, but loading
a ruling request with it costs more than judging it. `loader(Schema)` translates the
schema's declared fields into msgspec structs (required or defaulted, nullable,
bounds, choices, patterns, nested objects and lists, unknown fields forbidden) that
decode body bytes directly; each field's `check` and the schema's `@validates_schema`
hooks run on the decoded values. A value the structs accept is exactly what
`Schema().load` returns; anything they reject is loaded again by marshmallow, which
decides and words the error. A schema using anything the translation does not know
(another field class, validator or hook) gets no fast path: marshmallow loads it.
"""
import functools
from typing import Annotated, Literal, Optional, Union

import msgspec
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, missing, validate

from adapters import fields as kinds


class Unsupported(Exception):
    """The schema uses something this translation does not know."""


class Loader:
    """Loads with one schema's generated structs; None means "ask marshmallow"."""

    def __init__(self, schema_cls):
        self.type = struct_for(schema_cls)
        self._decoder = msgspec.json.Decoder(self.type)

    def from_bytes(self, raw):
        """The loaded request from JSON bytes, or None."""
        # Text's rule, checked once for the whole body: msgspec decodes only valid
        # UTF-8 and never a lone surrogate, so a NUL is all that is left, and JSON
        # can only write it as an escape. Any other string field falls back too: safe.
        if _NUL in raw:
            return None
        try:
            return msgspec.to_builtins(self._decoder.decode(raw))
        except (msgspec.MsgspecError, RecursionError):
            return None

    def from_object(self, obj):
        """The loaded request from parsed JSON, or None."""
        try:
            raw = _encoder.encode(obj)   # fails on what JSON cannot hold, a lone surrogate included
        except (TypeError, ValueError, OverflowError, RecursionError):
            return None
        return self.from_bytes(raw)


_NUL = b"\\u0000"
_encoder = msgspec.json.Encoder()


@functools.cache
def loader(schema_cls):
    """The fast Loader for `schema_cls`, or None when it has none."""
    try:
        return Loader(schema_cls)
    except Unsupported:
        return None


# Field classes translated as they are (exact classes: a subclass may add rules).
_SCALARS = {
    fields.String: str,
    kinds.Text: str,   # its pattern is checked on the whole body (Loader.from_bytes)
    kinds.KzId: str,   # and its check
    kinds.IsoDate: str,   # and its check: YYYY-MM-DD within the date window
    kinds.Flag: bool,
    kinds.Count: int,
}
_POLICIES = {RAISE: True, EXCLUDE: False}   # unknown policy -> forbid_unknown_fields


@functools.cache
def struct_for(schema_cls):
    """The msgspec struct for one schema class (raises Unsupported)."""
    if schema_cls.opts.unknown not in _POLICIES:
        raise Unsupported(schema_cls.opts.unknown)
    hooks = _hooks(schema_cls)
    specs, checks = [], []
    for name, field in schema_cls._declared_fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            raise Unsupported(name)
        kind, check = _annotation(field)
        specs.append(_spec(name, field, kind))
        if check is not None:
            checks.append((name, _remembering(check)))
    namespace = {}
    if checks or hooks:
        namespace["__post_init__"] = _post_init(checks, hooks, schema_cls() if hooks else None)
    return msgspec.defstruct(schema_cls.__name__, specs, kw_only=True, namespace=namespace,
                             forbid_unknown_fields=_POLICIES[schema_cls.opts.unknown])


def _spec(name, field, kind):
    if field.allow_none:
        kind = Optional[kind]
    if field.required:
        return (name, kind)
    default = field.load_default
    if default is missing:
        return (name, Union[kind, msgspec.UnsetType], msgspec.UNSET)  # absent stays absent
    if callable(default):
        return (name, kind, msgspec.field(default_factory=default))
    return (name, kind, default)


def _annotation(field):
    """(msgspec type, per-value check or None) for one field."""
    check = None
    if type(field) is fields.Nested:
        kind = struct_for(nested_class(field))
    elif type(field) is fields.List:
        inner, check = _annotation(field.inner)
        kind = list[Optional[inner] if field.inner.allow_none else inner]
    elif type(field) in _SCALARS:
        kind = _SCALARS[type(field)]
        check = getattr(field, "check", None)
        if isinstance(field, fields.Integer) and not field.strict:
            raise Unsupported("a lenient integer")
    else:
        raise Unsupported(type(field).__name__)
    return _constrained(kind, field.validators), check


def nested_class(field):
    """The schema class a Nested field loads with (raises Unsupported for options)."""
    nested = field.nested
    if isinstance(nested, Schema) and not (nested.only or nested.exclude or nested.partial or nested.many):
        nested = type(nested)
    if not (isinstance(nested, type) and issubclass(nested, Schema)) or field.many or field.only \
            or field.exclude or field.unknown:
        raise Unsupported(field)
    return nested


def _constrained(kind, validators):
    meta = {}
    for v in validators:
        if type(v) is validate.Length:
            meta.update(_length(v))
        elif type(v) is validate.Range:
            if v.min is not None:
                meta["ge" if v.min_inclusive else "gt"] = v.min
            if v.max is not None:
                meta["le" if v.max_inclusive else "lt"] = v.max
        elif type(v) is validate.OneOf and all(type(c) is str for c in v.choices):
            kind = Literal[tuple(v.choices)]
        elif type(v) is validate.Regexp and v.regex.pattern.startswith("^") and v.regex.pattern.endswith("$"):
            meta["pattern"] = v.regex.pattern   # anchored: msgspec's search is marshmallow's match
        else:
            raise Unsupported(v)
    return Annotated[kind, msgspec.Meta(**meta)] if meta else kind


def _length(v):
    if v.equal is not None:
        return {"min_length": v.equal, "max_length": v.equal}
    return {k: n for k, n in (("min_length", v.min), ("max_length", v.max)) if n is not None}


def _remembering(check, limit=50_000):
    """`check`, answering at once for values it already passed: the same BINs recur in every request."""
    passed = set()

    def remembered(value):
        if value in passed:
            return True
        if not check(value):
            return False
        if len(passed) >= limit:
            passed.clear()
        passed.add(value)
        return True

    return remembered


def _hooks(schema_cls):
    """The schema's @validates_schema methods (name, pass_original); other load hooks: Unsupported."""
    found = []
    for tag, entries in schema_cls._hooks.items():
        if not entries or tag in ("pre_dump", "post_dump"):
            continue
        if tag != "validates_schema" or any(many for _, many, _ in entries):
            raise Unsupported(tag)
        found += [(name, kwargs.get("pass_original", False)) for name, _, kwargs in entries]
    return found


def _post_init(checks, hooks, schema):
    """A struct's __post_init__: every field check, then the schema's hooks on the loaded value."""

    def post_init(self):
        for name, check in checks:
            value = getattr(self, name)
            for item in value if type(value) is list else (value,):
                if type(item) is str and not check(item):
                    raise ValueError(f"{name} fails its check")
        if hooks:
            data = msgspec.to_builtins(self)
            try:
                for name, pass_original in hooks:
                    # A value the fields accepted reads the same as the request it came from.
                    args = (data, data) if pass_original else (data,)
                    getattr(schema, name)(*args, partial=None, many=False, unknown=RAISE)
            except ValidationError as err:
                raise ValueError(str(err.messages)) from None

    return post_init
