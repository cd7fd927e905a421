"""Read YAML keeping line numbers, so every problem in a rule file points at its line."""
from dataclasses import dataclass

import yaml


@dataclass
class Problem:
    file: str
    line: int
    message: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}"


class LDict(dict):
    """A mapping that remembers the line of itself and of each key."""

    line = 0
    key_lines: dict


class LList(list):
    line = 0


class _Loader(yaml.SafeLoader):
    pass


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
    if isinstance(obj, LDict) and key is not None and key in getattr(obj, "key_lines", {}):
        return obj.key_lines[key]
    if isinstance(obj, dict) and "__line" in obj:   # an entry already made plain by the loader
        return obj.get("__lines", {}).get(key, obj["__line"])
    return getattr(obj, "line", default) or default
