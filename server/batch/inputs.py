"""Applications read from a file: a JSON array, JSON Lines or CSV.

CSV columns are dotted paths such as `application.employer.bin` or
`application.foreign_workers.0.passport`. Items are streamed: JSON Lines and CSV
line by line; a JSON array is loaded whole. Each item is (line, document or None,
error or None): a line that cannot be read is reported, never fatal. JSON Lines
and CSV can also be read in parts (byte ranges split at line starts), each on its
own, as cluster workers read them.
"""
import csv
import io
import json
import re
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


def sniff(raw, fmt=None):
    """The format of the binary file `raw` (InputError if its head is not UTF-8); `raw` is left at its start."""
    fh = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        head = fh.read(4096)
    except UnicodeDecodeError:
        raise InputError(f"{raw.name}: not UTF-8 text") from None
    finally:
        fh.detach()  # else the wrapper, once collected, would close `raw` under its owner
    raw.seek(0)
    return fmt or detect_format(raw.name, head)


def read_items(raw, fmt=None):
    """Yield (line, document or None, error or None) for each application in `raw`.

    `raw` is a file opened in binary mode; the caller owns it, and its tell() is
    how far the reading has got (for a progress bar).
    """
    fmt = sniff(raw, fmt)
    if fmt == "json":
        yield from _json_array(raw)
    elif fmt == "jsonl":
        yield from json_lines(Lines(raw))
    else:
        yield from csv_rows(Lines(raw), raw.name)


def _json_array(raw):
    fh = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        doc = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{raw.name}: not a JSON array: {e}") from None
    finally:
        fh.detach()
    if not isinstance(doc, list):
        raise InputError(f"{raw.name}: a JSON file must hold an array of ruling requests")
    for i, item in enumerate(doc, 1):
        yield (i, item, None) if isinstance(item, dict) else (i, None, "not a JSON object")


class NotUTF8(ValueError):
    """One line of the file is not UTF-8 text (the reading goes on with the next)."""


class Lines:
    """The text lines of a binary file from its position on, each decoded on its own.

    Lines end as Python's universal newlines end them (\\n, \\r\\n or \\r), so the
    numbering is that of a text editor; `count` is how many lines were taken and
    `pos` the byte offset after the last. A line that is not UTF-8 raises NotUTF8,
    and the next call goes on with the following line (a csv reader survives it).
    """

    def __init__(self, raw):
        self.raw, self.pos, self.count = raw, raw.tell(), 0
        self._pending = []     # the rest of a binary line cut at lone carriage returns

    def __iter__(self):
        return self

    def before(self, end):
        """Whether a line remains that starts before byte `end` (None: the end of the file), where a part stops.

        The pieces of a binary line cut at carriage returns all belong to the part where it starts.
        """
        return end is None or self.pos < end or bool(self._pending)

    def __next__(self):
        if self._pending:
            piece = self._pending.pop()
        else:
            piece = self.raw.readline()
            if not piece:
                raise StopIteration
            if self.pos == 0 and piece.startswith(_BOM):
                self.pos, piece = len(_BOM), piece[len(_BOM):]
            if b"\r" in piece[:-2]:
                self._pending = _CR_LINES.findall(piece)[::-1]
                piece = self._pending.pop()
        self.pos += len(piece)
        self.count += 1
        try:
            return piece.decode("utf-8")
        except UnicodeDecodeError:
            raise NotUTF8() from None


_BOM = b"\xef\xbb\xbf"
_CR_LINES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def json_lines(lines, end=None):
    """Items of JSON Lines from `lines`, numbered by it, up to the line that starts at byte `end`."""
    while lines.before(end):
        try:
            text = next(lines)
        except NotUTF8:
            yield lines.count, None, "not UTF-8 text"
            continue
        except StopIteration:
            return
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except json.JSONDecodeError as e:
            yield lines.count, None, f"not JSON ({e.msg})"
            continue
        yield (lines.count, item, None) if isinstance(item, dict) else (lines.count, None, "not a JSON object")


def csv_header(lines, path):
    """The column names of a CSV file read from its first line (InputError if it has none that fit)."""
    try:
        header = next(csv.reader(lines))
    except StopIteration:
        return None
    except (csv.Error, NotUTF8) as e:
        raise InputError(f"{path}: not CSV: {e or 'not UTF-8 text'}") from None
    header = [h.strip() for h in header]
    if not any(h.startswith("application.") for h in header):
        raise InputError(f"{path}: the CSV header must name columns such as application.submitted_on")
    return header


def csv_rows(lines, path, header=None, end=None):
    """Items of CSV rows from `lines` (after the header, read first unless given), up to byte `end`.

    With `end`, a row must fit on one line: a quoted cell holding a line break
    raises SplitError, since a split at a line inside it would misread the rest.
    """
    header = header or csv_header(lines, path)
    if header is None:
        return
    reader = csv.reader(lines)
    while lines.before(end):
        line = lines.count + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield line, None, f"not CSV ({e})"
            continue
        except NotUTF8:
            yield line, None, "not UTF-8 text"
            continue
        if end is not None and lines.count > line:
            raise SplitError(line, "a quoted cell holds a line break; such a CSV file can only be read whole "
                                   "(run without --cluster)")
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            yield line, None, f"{len(row)} cells but {len(header)} columns"
            continue
        try:
            yield line, row_to_request(header, row), None
        except ValueError as e:
            yield line, None, str(e)


def part_items(raw, fmt, start, end, name=None):
    """(Lines, items) of the lines of `raw` that start in bytes [start, end), numbered from 1 at the part's
    first line (its Lines' count, once read, is how many lines the part spans). A CSV part after the first
    reads the header from the file's first line. A JSON array cannot be split. `name` (default: raw's)
    names the file in messages.
    """
    name = name or raw.name
    header = None
    if fmt == "csv" and start > 0:
        raw.seek(0)
        header = csv_header(Lines(raw), name)
    raw.seek(max(start - 1, 0))
    if start > 0:
        raw.readline()       # the line that holds byte start - 1 belongs to the part before
    lines = Lines(raw)
    if fmt == "jsonl":
        return lines, json_lines(lines, end)
    if start > 0 and header is None:
        return lines, iter(())
    return lines, csv_rows(lines, name, header, end)


class SplitError(InputError):
    """A part of the file cannot be read on its own; `line` counts from the part's first line."""

    def __init__(self, line, reason):
        super().__init__(line, reason)     # both in args: a cluster worker's exception is pickled
        self.line, self.reason = line, reason

    def __str__(self):
        return self.reason


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
