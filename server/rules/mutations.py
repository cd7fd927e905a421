"""Rule-file mutants: versions that differ from the rule files by one small change.

Each mutant changes one thing a requirement's status depends on, where the rule
file writes it: a comparison operator to its neighbour (< <=, > >=, == !=), a
number in an expression or a parameter by one (a days parameter by a day, a
months one by a month, a count or percent by one), a date by a day (a date
parameter, date("..."), effective_from/effective_to), a list member dropped,
`and`/`or` swapped, a `not` removed, a true/false parameter flipped. What only a
text reads is not mutated: it cannot change a status. A mutant is applied to the
loaded document of its file, so a base version's change is seen by every version
that amends it (`build`). `server.judging.mutants` runs the cases against them.
"""
import copy
from dataclasses import dataclass

from server.rules import relevance, rulebook
from server.rules.changes import expression_changes, value_changes
from server.rules.source import line_of

EXPRESSION_KEYS = {"requirements": ("scope", "condition"), "derive": ("when", "value")}


@dataclass(frozen=True)
class Mutant:
    """One change: `value` written at `path` (keys from the document's root) of rule file `file`."""

    file: str
    line: int
    path: tuple
    value: object
    before: str
    after: str
    operator: str       # comparison | number | date | list-member | and-or | not | bool
    entry: str          # what the change is in: "requirement quota-available condition", "parameter bar_months"
    requirements: tuple = ()   # the requirements whose status may depend on it

    @property
    def change(self):
        return f"{self.before} -> {self.after}"

    def __str__(self):
        return f"{self.file}:{self.line}: {self.change} ({self.operator}, {self.entry})"


def mutants(files_by_reg, book):
    """Every mutant of the rule files read by `rulebook.read`, whose checked rulebook is `book`."""
    out = []
    for reg_id, files in sorted(files_by_reg.items()):
        versions = book.regulations[reg_id].versions
        needs = relevance.needs(versions)
        types = {name: p.get("type") for v in versions for name, p in v.parameters.items()}
        for name in sorted(files):
            rel, doc, text = files[name]
            lines = text.decode("utf-8").splitlines()
            out += _entry_mutants(rel, doc, lines, needs)
            out += _parameter_mutants(rel, doc, types, needs)
            out += _period_mutants(rel, doc, [r.id for v in versions if v.version == name for r in v.requirements])
    return out


def build(files_by_reg, directory, mutant):
    """(Rulebook, problems) of the rule files with `mutant` applied: its file's document changed, the rest shared."""
    changed = {}
    for reg_id, files in files_by_reg.items():
        changed[reg_id] = dict(files)
        for name, (rel, doc, text) in files.items():
            if rel == mutant.file:
                # The bytes name the change too: the version's digest, and so its engine ruleset, is its own.
                changed[reg_id][name] = (rel, _replaced(doc, mutant.path, mutant.value),
                                         text + f"\n# mutant: {mutant}\n".encode("utf-8"))
    return rulebook.build(changed, directory)


def _replaced(doc, path, value):
    out = copy.deepcopy(doc)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


# --- where the rule files write what a status depends on ------------------------------

def _entry_items(doc, section):
    """(path, item) of each entry the file writes in `section`: a list, or an amendment's add/replace/change."""
    val = doc.get(section)
    if isinstance(val, list):
        return [((section, i), item) for i, item in enumerate(val) if isinstance(item, dict)]
    if not isinstance(val, dict):
        return []
    return [((section, op, i), item) for op in ("add", "replace", "change")
            for i, item in enumerate(val.get(op) or []) if isinstance(item, dict)]


def _entry_mutants(rel, doc, lines, needs):
    out = []
    for section, keys in EXPRESSION_KEYS.items():
        kind = "requirement" if section == "requirements" else "derive"
        for path, item in _entry_items(doc, section):
            sites = [(k, item, k, (kind, item["id"], k), (k,)) for k in keys if k in item]
            for group, tag in (("set", "set"), ("without_registries", "without")):
                if isinstance(item.get(group), dict):
                    sites += [(f, item[group], f"{group}.{f}", (kind, item["id"], tag, f), (group, f))
                              for f in item[group]]
            for key, holder, label, need, inner in sites:
                reqs = needs.get(need)
                if not reqs or isinstance(holder[key], bool):
                    continue
                sub = path + inner
                out += [Mutant(rel, _line(lines, line_of(holder, key), text, offset), sub, text, before, after,
                               op, f"{kind} {item['id']} {label}", reqs)
                        for op, before, after, text, offset in expression_changes(holder[key])]
    return out


def _parameter_mutants(rel, doc, types, needs):
    params = doc.get("parameters")
    if not isinstance(params, dict):
        return []
    found = []
    for group, names in [((), params)] + [((op,), params.get(op)) for op in ("add", "change")]:
        if not isinstance(names, dict):
            continue
        for name, spec in names.items():
            if name in ("add", "change", "remove") and not group:
                continue
            if isinstance(spec, dict) and "value" in spec:
                found.append((("parameters",) + group + (name, "value"), name, spec["value"], line_of(spec, "value")))
            elif not isinstance(spec, dict):
                found.append((("parameters",) + group + (name,), name, spec, line_of(names, name)))
    out = []
    for path, name, value, line in found:
        reqs = needs.get(("parameter", name))
        if reqs:
            out += [Mutant(rel, line, path, new, *_values_shown(value, new), op, f"parameter {name}", reqs)
                    for op, new in value_changes(types.get(name), value)]
    return out


def _period_mutants(rel, doc, requirement_ids):
    out = []
    for key in ("effective_from", "effective_to"):
        if isinstance(doc.get(key), str):
            out += [Mutant(rel, line_of(doc, key), (key,), new, doc[key], new, op, f"version {key}",
                           tuple(requirement_ids))
                    for op, new in value_changes("date", doc[key])]
    return out


def _shown(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _values_shown(value, new):
    """(before, after) of a parameter's change; a list member dropped is named rather than the whole list shown."""
    if isinstance(value, list) and isinstance(new, list):
        dropped = next(m for i, m in enumerate(value) if i >= len(new) or new[i] != m)
        return f"{dropped} in the list", f"{dropped} dropped from the list"
    return _shown(value), _shown(new)


def _line(lines, key_line, text, offset):
    """The line of character `offset` of expression `text` (as joined on one line) in the file.

    Folding a YAML scalar changes only whitespace: the offset's count of non-blank
    characters finds it among the file's lines from where the value starts.
    """
    head = lines[key_line - 1] if 0 < key_line <= len(lines) else ""
    rest = head.split(":", 1)[1].strip() if ":" in head else ""
    if rest in ("", ">", ">-", ">+", "|", "|-", "|+"):
        row, col = key_line, 0              # a block scalar starts on the next line
    else:
        quoted = rest[0] in "'\"" and not str(text).startswith(rest[0])
        row, col = key_line - 1, head.index(rest) + quoted
    want = sum(1 for c in " ".join(str(text).split("\n")).strip()[:offset] if not c.isspace())
    while row < len(lines):
        for c in lines[row][col:]:
            if not c.isspace():
                if want == 0:
                    return row + 1
                want -= 1
        row, col = row + 1, 0
    return key_line
