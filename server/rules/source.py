"""Read YAML keeping line numbers, so every problem in a rule file points at its line."""
from dataclasses import dataclass, field

import yaml

from server.documents import plain


@dataclass(frozen=True)
class Location:
    """Where something is written: a rule file and a line in it."""

    file: str
    line: int


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    @classmethod
    def at(cls, where, message):
        """A problem at Location `where`."""
        return cls(where.file, where.line, message)

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}"


class Located:
    """Something written in a rule file, with the Location `at` of itself and `key_at` of each key."""

    def where(self, key):
        """The location of `key`, or of the entry when the key is absent."""
        return self.key_at.get(key, self.at)


@dataclass(frozen=True)
class Entry(Located):
    """One requirement or derived fact as written: plain data and where it and each of its keys are."""

    id: str
    data: dict                                   # plain dicts and lists, no line bookkeeping
    at: Location
    key_at: dict = field(default_factory=dict)   # top-level key -> Location

    @classmethod
    def of(cls, item, file):
        """The entry for a mapping loaded by `load` (an LDict with an `id`) in `file`."""
        return cls(item["id"], plain(item), Location(file, item.line),
                   {k: Location(file, line) for k, line in item.key_lines.items()})


class LDict(dict):
    """A mapping that remembers the line of itself and of each key."""

    line = 0
    key_lines: dict


class LList(list):
    line = 0


# A rule file is a few levels deep (a requirement's explain.met.en is 6); the limit
# keeps PyYAML's recursive composer and every walker after it far from Python's stack.
MAX_YAML_DEPTH = 32


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases (`*name`: one line could stand for gigabytes) and
    with a bounded nesting depth, both reported at their line."""

    depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in rule files: write the value out",
                self.peek_event().start_mark)
        if self.depth >= MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", self.peek_event().start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _mapping(loader, node):
    loader.flatten_mapping(node)
    out = LDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader, node):
    out = LList(loader.construct_object(n, deep=True) for n in node.value)
    out.line = node.start_mark.line + 1
    return out


def _timestamp_as_string(loader, node):
    # Dates stay text: the rule file's "2025-09-01" must not become a datetime.date
    # in some places and a string in others.
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_string)


def load(text):
    """Parse YAML text; raises yaml.YAMLError with a mark on bad syntax."""
    return yaml.load(text, Loader=_Loader)


def line_of(obj, key=None, default=1):
    """The line of `key` in a loaded mapping, else of `obj` itself, else `default` (plain values have none)."""
    if isinstance(obj, LDict) and key is not None and key in getattr(obj, "key_lines", {}):
        return obj.key_lines[key]
    return getattr(obj, "line", default) or default
