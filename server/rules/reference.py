"""The whole-version reference judge: a version's statuses by plain-Python evaluation.

It reads the same checked model the engine compiles, but evaluates it with
`interpret` instead of durable_rules: the golden test and the benchmark compare
the two on generated applications.
"""
from server.rules import decided, interpret


def python_statuses(version, input_facts):
    """Judge with the plain-Python reading: derived facts stage by stage, then findings."""
    by_type = {}
    for f in input_facts:
        by_type.setdefault(f["t"], []).append(f)
    for d in sorted(version.derivations, key=lambda d: d.stage):
        bucket = {x["id"]: x for x in by_type.get(d.fact, [])}
        elements = by_type.get(d.foreach[1], []) if d.foreach else [None]
        for el in elements:
            env = {d.foreach[0]: el} if d.foreach else {}
            key = f"{d.fact}:{el['id']}" if el else d.fact
            if key in bucket:
                continue
            if d.value is not None:
                fact = {"t": d.fact, "id": key, "value": interpret.evaluate(d.value, env, by_type)}
            elif interpret.evaluate(d.when, env, by_type):
                fact = {"t": d.fact, "id": key}
            else:
                continue
            for name, node in d.set.items():
                fact[name] = interpret.evaluate(node, {**env, **{k: v[0] for k, v in by_type.items() if len(v) == 1 and k not in env}}, by_type)
            bucket[key] = fact
        by_type[d.fact] = list(bucket.values())
    app = by_type["application"][0]
    out = {}
    for r in version.requirements:
        if not interpret.evaluate(r.scope, {}, by_type):
            out[r.id] = "not_applicable"
        elif not all(app[f"ok_{g}"] for g in r.registries):
            out[r.id] = decided.status(r, by_type) or "unknown"
        else:
            out[r.id] = "met" if interpret.evaluate(r.condition, {}, by_type) else "unmet"
    return out
