"""What a loaded version is: its requirements, derived facts, parameters and texts.

`rulebook` builds these from rule files; `compiler` adds the engine rules; the
engine, rulings, diff and API read them.
"""
from dataclasses import dataclass, field

@dataclass
class Template:
    text: str
    parts: list          # [str | (source, node)]


@dataclass
class Requirement:
    id: str
    title: dict
    citation: str
    effect: str
    scope_src: str
    condition_src: str
    scope: object
    condition: object
    explain: dict        # status -> lang -> Template
    readings: list
    facts: set           # fact types named directly
    registries: set      # registries needed, through derived facts too
    raw: dict
    line: int = 0
    reads: dict = field(default_factory=dict)   # fact type -> fields its conditions and texts read
    scope_facts: frozenset = frozenset()         # fact types its scope reads
    shown: tuple = ()    # what a finding shows: (fact, singleton, application fields or None, date fields)


@dataclass
class Derivation:
    id: str
    fact: str
    foreach: tuple | None    # (var, fact type)
    when: object
    value: object
    set: dict                # field -> node
    raw: dict
    stage: int = 1
    registries: set = field(default_factory=set)


@dataclass
class Version:
    regulation: str
    version: str
    effective_from: str
    effective_to: str | None
    title: dict
    acts: list
    readings: list
    parameters: dict         # name -> {"value", ...}
    derivations: list
    requirements: list
    fact_types: dict
    shifts: dict
    digest: str
    files: list
    amends: str | None = None
    rules: dict = field(default_factory=dict)       # engine rule dicts
    actions: dict = field(default_factory=dict)     # rule name -> compiler.Action
    stages: int = 1
    engine_name: str = ""
    engine_fields: dict = field(default_factory=dict)   # fact type -> fields the rules read

    @property
    def key(self):
        return f"{self.regulation}@{self.version}"

    def in_force_on(self, day):
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def requirement(self, rid):
        return next((r for r in self.requirements if r.id == rid), None)

    def describe(self, lang="en"):
        """This version's requirements, parameters, citations and readings, for people and clients."""
        return {
            "regulation": self.regulation, "version": self.version,
            "effective": {"from": self.effective_from, "to": self.effective_to},
            "title": text_in(self.title, lang), "amends": self.amends,
            "acts": self.acts, "digest": self.digest,
            "readings": [{"id": r["id"], "text": text_in(r.get("text"), lang),
                          **({"source": r["source"]} if r.get("source") else {})} for r in self.readings],
            "parameters": {k: {f: plain(x) for f, x in v.items() if f not in ("file", "line")}
                           for k, v in self.parameters.items()},
            "requirements": [{
                "id": r.id, "title": text_in(r.title, lang), "citation": r.citation, "effect": r.effect,
                "scope": r.scope_src, "condition": r.condition_src, "readings": r.readings,
                "registries": sorted(r.registries)} for r in self.requirements],
            "derived_facts": [{"id": d.id, "fact": d.fact, **plain({k: d.raw[k] for k in ("for_each", "when", "value", "set") if k in d.raw})}
                              for d in self.derivations],
        }


@dataclass
class Regulation:
    id: str
    versions: list

    @property
    def title(self):
        return self.versions[-1].title if self.versions else {}


def text_in(texts, lang):
    if isinstance(texts, dict):
        return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")
    return texts or ""


def plain(obj):
    """YAML-loaded values as plain dicts and lists (without the loader's line bookkeeping)."""
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    return obj
