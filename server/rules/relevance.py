"""What each requirement's status depends on: the expressions and parameters behind its scope and condition.

A requirement reads facts in its scope and condition; a derived fact it reads depends
on its derivation's `when` and `value`, and each field it reads on that field's `set:`
value, which read further facts, and so on. Texts are left out: they never change a
status. Mutation testing (`mutations`) changes only what some status depends on.
"""
from server.rules.nodes import fields_used


def needs(versions):
    """{site: sorted requirement ids} over `versions`, a site being ("requirement", id, "scope" | "condition"),
    ("requirement", id, "without", "met" | "unmet"), ("derive", id, "when" | "value"),
    ("derive", id, "set", field) or ("parameter", name)."""
    out = {}
    for v in versions:
        for r in v.requirements:
            for site in _sites(v, r):
                out.setdefault(site, set()).add(r.id)
    return {site: tuple(sorted(ids)) for site, ids in out.items()}


def _sites(version, requirement):
    """The sites `requirement` of `version` depends on."""
    sites = {("requirement", requirement.id, "scope"), ("requirement", requirement.id, "condition")}
    # `without_registries:` decides the status while a registry is missing; it reads only the application.
    sites |= {("requirement", requirement.id, "without", k) for k in requirement.without}
    sites |= {("parameter", p) for p in requirement.params}
    read = {}
    for node in (requirement.scope, requirement.condition):
        if node is not None:
            fields_used(node, read)
    done = set()
    while True:
        todo = [d for d in version.derivations if d.fact in read and d.id not in done] + \
               [(d, f) for d in version.derivations if d.fact in read
                for f in d.set if f in read[d.fact] and ("derive", d.id, "set", f) not in sites]
        if not todo:
            return sites
        for item in todo:
            if isinstance(item, tuple):
                d, f = item
                sites.add(("derive", d.id, "set", f))
                sites |= {("parameter", p) for p in d.set_params.get(f, ())}
                fields_used(d.set[f], read)
                continue
            done.add(item.id)
            sites |= {("derive", item.id, "when"), ("derive", item.id, "value")}
            sites |= {("parameter", p) for p in item.params}
            for node in (item.when, item.value):
                if node is not None:
                    fields_used(node, read)
