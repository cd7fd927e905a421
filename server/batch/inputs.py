"""Applications read from a file: a JSON array, JSON Lines or CSV.

CSV columns are dotted paths such as `application.employer.bin` or
`application.foreign_workers.0.passport`. Items are streamed: JSON Lines and CSV
line by line; a JSON array is loaded whole. Each item is (line, document or None,
error or None): a line that cannot be read is reported, never fatal.
"""
import csv
import io
import json
from pathlib import Path

from marshmallow import fields

from server.contract.request import RulingRequestSchema
from server.documents import set_path


def typed_paths(schema_cls, kind, prefix=""):
    """Dotted paths (list items as "#") of the fields of `kind` in a request schema."""
    found = set()
    for name, field in schema_cls._declared_fields.items():
        path = f"{prefix}{name}"
        while isinstance(field, fields.List):
            field, path = field.inner, f"{path}.#"
        if isinstance(field, fields.Nested):
            found |= typed_paths(type(field.schema), kind, f"{path}.")
        elif isinstance(field, kind):
            found.add(path)
    return found


# CSV columns whose values are numbers or flags, as the request schema types them.
_INT_PATHS = typed_paths(RulingRequestSchema, fields.Integer)
_BOOL_PATHS = typed_paths(RulingRequestSchema, fields.Boolean)
_TRUE, _FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f"}


class InputError(Exception):
    """The file as a whole cannot be read (exit 2)."""


def detect_format(path, head):
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    stripped = head.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return "jsonl"
    return "csv"


def read_items(raw, fmt=None):
    """Yield (line, document or None, error or None) for each application in `raw`.

    `raw` is a file opened in binary mode; the caller owns it, and its tell() is
    how far the reading has got (for a progress bar).
    """
    fh = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        try:
            head = fh.read(4096)
        except UnicodeDecodeError:
            raise InputError(f"{raw.name}: not UTF-8 text") from None
        fh.seek(0)
        fmt = fmt or detect_format(raw.name, head)
        if fmt == "json":
            yield from _json_array(fh, raw.name)
        elif fmt == "jsonl":
            yield from _json_lines(fh)
        else:
            yield from _csv_rows(fh, raw.name)
    finally:
        if not raw.closed:
            fh.detach()  # else the wrapper, once collected, would close `raw` under its owner


def _json_array(fh, path):
    try:
        doc = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not a JSON array: {e}") from None
    if not isinstance(doc, list):
        raise InputError(f"{path}: a JSON file must hold an array of ruling requests")
    for i, item in enumerate(doc, 1):
        yield (i, item, None) if isinstance(item, dict) else (i, None, "not a JSON object")


def _json_lines(fh):
    n = 0
    while True:
        try:
            text = fh.readline()
        except UnicodeDecodeError:
            n += 1
            yield n, None, "not UTF-8 text"
            continue
        if not text:
            return
        n += 1
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except json.JSONDecodeError as e:
            yield n, None, f"not JSON ({e.msg})"
            continue
        yield (n, item, None) if isinstance(item, dict) else (n, None, "not a JSON object")


def _csv_rows(fh, path):
    reader = csv.reader(fh)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as e:
        raise InputError(f"{path}: not CSV: {e}") from None
    header = [h.strip() for h in header]
    if not any(h.startswith("application.") for h in header):
        raise InputError(f"{path}: the CSV header must name columns such as application.submitted_on")
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield line, None, f"not CSV ({e})"
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield line, None, f"{len(row)} cells but {len(header)} columns"
            continue
        try:
            yield line, row_to_request(header, row), None
        except ValueError as e:
            yield line, None, str(e)


def _convert(path, value):
    generic = ".".join("#" if p.isdigit() else p for p in path)
    if generic in _INT_PATHS:
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{'.'.join(path)}: not a whole number: {value!r}") from None
    if generic in _BOOL_PATHS:
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError(f"{'.'.join(path)}: not true/false: {value!r}")
    return value


def row_to_request(header, row):
    """One CSV row as a nested ruling request; an empty cell means the field is absent."""
    doc = {}
    for name, value in zip(header, row):
        value = value.strip()
        if name and value != "":
            set_path(doc, name, _convert(name.split("."), value))
    return _without_holes(doc)


def _without_holes(node):
    """A copy without the list holes left by skipped indices (e.g. only worker 1 given)."""
    if isinstance(node, dict):
        return {k: _without_holes(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_without_holes(v) for v in node if v is not None]
    return node
