"""What a loaded version is: its requirements, derived facts, parameters and texts.

`rulebook` makes these, once, from what `consolidate` and `elaborate` return;
the engine compiles them; judging, diff and the API read them. All are frozen.
"""
from dataclasses import dataclass, field

from server.rules.source import Located, Location


@dataclass(frozen=True)
class Template:
    text: str
    parts: tuple         # str | (source, node, compiled function, type)
    lang: str = "en"     # the language it is written in, and so renders its numbers, dates and plurals in


@dataclass(frozen=True)
class Requirement(Located):
    id: str
    title: dict
    citation: dict       # language -> text, parameters quoted
    effect: str
    scope_src: str
    condition_src: str
    scope: object
    condition: object
    explain: dict        # status -> lang -> Template
    readings: list
    facts: set           # fact types named directly
    registries: set      # registries needed, through derived facts too
    raw: dict            # as the rule file writes it (plain data)
    at: Location
    reads: dict = field(default_factory=dict)   # fact type -> fields its conditions and texts read
    scope_facts: frozenset = frozenset()         # fact types its scope reads
    shown: tuple = ()    # what a finding shows: (fact, singleton, application fields or None, date fields)
    params: frozenset = frozenset()              # parameters its scope and condition read
    # `without_registries:` "met" / "unmet" -> (source text, node over the application's own facts): the finding
    # when a registry it needs is missing (docs/rule-files.md)
    without: dict = field(default_factory=dict)
    key_at: dict = field(default_factory=dict)   # key as written -> Location, for problems found later


@dataclass(frozen=True)
class Derivation(Located):
    id: str
    fact: str
    foreach: tuple | None    # (var, fact type)
    when: object
    value: object
    set: dict                # field -> node
    raw: dict                # as the rule file writes it (plain data)
    at: Location
    stage: int = 1
    registries: set = field(default_factory=set)
    params: frozenset = frozenset()          # parameters its `when`/`value` read
    set_params: dict = field(default_factory=dict)   # field -> parameters its `set:` value reads
    key_at: dict = field(default_factory=dict)   # key as written -> Location, for problems found later


@dataclass(frozen=True)
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
    stages: int = 1
    reading_texts: dict = field(default_factory=dict)   # reading id -> {language: text}, parameters quoted
    reading_citations: dict = field(default_factory=dict)   # reading id -> {language: citation}

    @property
    def key(self):
        return f"{self.regulation}@{self.version}"

    def in_force_on(self, day):
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def requirement(self, rid):
        return next((r for r in self.requirements if r.id == rid), None)


@dataclass(frozen=True)
class Regulation:
    id: str
    versions: list

    @property
    def title(self):
        return self.versions[-1].title if self.versions else {}
