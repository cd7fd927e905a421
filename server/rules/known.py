"""What a version's expressions may name while it is elaborated, and what they did name.

It grows with each derived fact, in file order. It also keeps one mistake to one
message: an expression that reads a fact or parameter whose own definition is
wrong is not reported again, a name that is unknown is reported where it is first
used only, and an expression of a file the lawyer did not edit that fails with the
values of the file they did edit is reported in that file.
"""
import re
from dataclasses import replace

from server.rules import checks, expressions, facts
from server.rules.source import Problem

_UNKNOWN = re.compile(r"unknown (?:name|fact|list) '([^']+)'")
_NO_FIELD = re.compile(r"'([^']+)' has no field '([^']+)'; its fields: ([^;]*)")


class Recording(dict):
    """Parameter values that remember which names were read (expressions fold them into constants)."""

    def __init__(self, values):
        super().__init__(values)
        self.read = set()

    def __getitem__(self, name):
        self.read.add(name)
        return super().__getitem__(name)


class Known:
    """Facts, parameters and readings a version's expressions may name, and what went wrong."""

    def __init__(self, raw, problems):
        self.raw, self.problems = raw, problems
        self.values = Recording({k: p["value"] for k, p in raw.parameters.values.items()})
        self.reading_ids = {r.id for r in raw.readings}
        self.fact_types = {k: replace(ft, fields=dict(ft.fields)) for k, ft in facts.INPUT_FACTS.items()}
        self.shifts = {}     # fact -> {(field, shift)}: calendar shifts the parser asks for
        self.stage_of = {k: 0 for k in self.fact_types}
        self.regs_of = {k: ({ft.registry} if ft.registry else set()) for k, ft in self.fact_types.items()}
        self.broken = set()          # facts and parameters whose definition is wrong
        self.reported = set()        # unknown names and fields already reported
        self.owner = None            # ("requirement" | "derive" | "reading", id) being elaborated
        self.facts_by, self.params_by = {}, {}   # owner -> facts, parameters its expressions and texts read

    def scope(self, variables=None, allow_ifelse=False):
        return expressions.Scope(self.fact_types, self.values, variables, self.shifts, allow_ifelse=allow_ifelse)

    def registries(self, refs):
        return set().union(*(self.regs_of.get(r, set()) for r in refs))

    def parse(self, src, scope):
        """(node, parameters it reads) of rule text `src`; raises ExpressionError."""
        self.values.read = set()
        try:
            node = expressions.parse(src, scope)
        finally:
            self.params_by.setdefault(self.owner, set()).update(self.values.read)
        self.facts_by.setdefault(self.owner, set()).update(scope.used_facts)
        return node, frozenset(self.values.read)

    def fail(self, at, message, src, error):
        """Report `error` of expression `src` written at `at`, unless it repeats a mistake already reported."""
        text = str(error)
        if self.broken & set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(src))):
            return
        unknown, no_field = _UNKNOWN.search(text), _NO_FIELD.search(text)
        if unknown:
            name = unknown.group(1)
            if name in self.reported:
                return
            self.reported.add(name)
            names = set(self.values) | set(self.fact_types) | {ft.collection for ft in self.fact_types.values() if ft.collection}
            text = text.replace(f"'{name}'", f"'{name}'{checks.did_you_mean(name, names)}", 1)
        elif no_field:
            fact, name, _ = no_field.groups()
            if (fact, name) in self.reported:
                return
            self.reported.add((fact, name))
            fields = [f for f in self.fact_types[fact].fields if not f.startswith("ok_")] if fact in self.fact_types else []
            text = _NO_FIELD.sub(f"'{fact}' has no field '{name}'{checks.did_you_mean(name, fields)}; "
                                 f"its fields: {', '.join(sorted(fields))}", text, 1)
        self.report(at, f"{message}{text}")

    def report(self, at, message):
        """Report a problem at `at`, or, when `at` is in a file this version amends (which passed alone),
        at the line of this file that sets a parameter the expression reads, else at its `amends:`."""
        self.problems.append(self._in_edited_file(at, message))

    def _in_edited_file(self, at, message):
        raw = self.raw
        if at.file == raw.file or raw.amends_at is None:
            return Problem.at(at, message)
        mine = sorted((raw.parameters.value_at[p] for p in self.values.read
                       if p in raw.parameters.value_at and raw.parameters.value_at[p].file == raw.file),
                      key=lambda loc: loc.line)
        where = mine[0] if mine else raw.amends_at
        return Problem.at(where, f"with this value, {at.file}:{at.line} fails: {message}" if mine else
                          f"with this amendment, {at.file}:{at.line} fails: {message}")
