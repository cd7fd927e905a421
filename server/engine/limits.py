"""What durable_rules 2.0.28 can run, and the check that keeps a compiled version inside it.

Measured on this machine, one case per subprocess (docs/rule-limits.md has the
figures). Beyond these the engine fails to create the rule set, fails at ruling
time, hangs or crashes the process, so `ereje check` refuses well before:

- rules in one version: 258 rules waiting on one pattern (every rule waits on its
  stage) fail to load (error 108);
- facts one rule matches together (its stage, the application, each `any(...)`):
  17 crash every ruling (error 304); each `any(...)` also multiplies the matches by
  the length of its list, so the limit is low;
- conditions of one fact that compare it with another fact: 30 fail to load (113);
- conditions on one kind of fact that can hold side by side: 65 fail the ruling
  (error 303), e.g. the "not" of 65 `headcount > n` joined by `and`;
- fields of one fact: about 250 crash the process.
Nothing here imports durable_rules: it reads the JSON-able rule dicts.
"""
import json

MAX_RULES = 200
MAX_FACTS_PER_RULE = 8
MAX_LINKS = 24
MAX_SIDE_BY_SIDE = 48
MAX_FIELDS = 100

_OPS = {"$neq", "$lt", "$lte", "$gt", "$gte"}
_ARITH = {"$add", "$sub", "$mul", "$div"}


def check(entries):
    """[(entry, problem)] for a version's entries, each given as (entry, its rules, the fields read so far).

    A limit of one rule or pattern is the entry's own; a limit of the whole version
    (its number of rules, its conditions on one fact side by side) is reported at the
    entry that adds the most to it.
    """
    found, total, tries, before = [], 0, {}, {}
    for entry, rules, fields in entries:
        problem = _own(rules, {f: names for f, names in fields.items() if len(before.get(f, ())) <= MAX_FIELDS})
        if problem:
            found.append((entry, problem))
        before = fields
        total += len(rules)
        for rule in rules.values():
            for pattern in rule["all"]:
                fact, local = _local(next(iter(pattern.values())))
                _grow(tries.setdefault(fact, {}), local)
    if total > MAX_RULES:
        entry = max(entries, key=lambda e: len(e[1]))[0]
        found.append((entry, f"the version compiles to {total} engine rules (at most {MAX_RULES}), "
                             f"{max(len(e[1]) for e in entries)} of them for this entry; simplify its conditions"))
    for fact, trie in tries.items():
        width = _side_by_side(trie)
        if width > MAX_SIDE_BY_SIDE:
            entry = max(entries, key=lambda e: _own_width(e[1], fact))[0]
            found.append((entry, f"the version's conditions on '{fact}' could hold {width} ways side by side "
                                 f"(at most {MAX_SIDE_BY_SIDE}), most of them here; join alternatives with "
                                 "'in [...]' or split the condition into derived facts"))
    return found


def _own(rules, fields):
    """The first limit one entry's rules pass on their own, or None."""
    for rule in rules.values():
        positive = [p for p in rule["all"] if not next(iter(p)).endswith("$not")]
        if len(positive) > MAX_FACTS_PER_RULE:
            return (f"one of its conditions matches {len(positive)} facts together; at most "
                    f"{MAX_FACTS_PER_RULE} (the stage, the application and the any(...) that must hold at once)")
        for pattern in rule["all"]:
            body = next(iter(pattern.values()))
            fact, local = _local(body)
            links = len(_conditions(body)) - len(local)
            if links > MAX_LINKS:
                return f"one condition compares '{fact}' with other facts {links} times (at most {MAX_LINKS})"
    for fact, names in fields.items():    # only facts that were within the limit before this entry
        if len(names) > MAX_FIELDS:
            return f"'{fact}' would have {len(names)} fields (at most {MAX_FIELDS})"
    return None


def _own_width(rules, fact):
    trie = {}
    for rule in rules.values():
        for pattern in rule["all"]:
            kind, local = _local(next(iter(pattern.values())))
            if kind == fact:
                _grow(trie, local)
    return _side_by_side(trie)


def _conditions(body):
    return (body["$and"] if "$and" in body else [body])[1:]


def _local(body):
    """(fact type, the conditions that read that fact alone, as texts) of one pattern."""
    conds = body["$and"] if "$and" in body else [body]
    return conds[0]["t"], [json.dumps(c, sort_keys=True) for c in conds[1:] if not reads_other(c)]


def _grow(trie, conds):
    for cond in conds:
        trie = trie.setdefault(cond, {})


def reads_other(cond):
    """Whether a condition (`{field: term}`, `{op: {field: term}}`, `{"$or": [...]}`) reads another fact."""
    key, value = next(iter(cond.items()))
    if key in ("$or", "$and"):
        return any(reads_other(c) for c in value)
    if key in _OPS:
        key, value = next(iter(value.items()))
    return _term_reads_other(value)


def _term_reads_other(term):
    """A term is a constant, `{"$m": field}` (the fact itself), arithmetic, or `{var: field}` (another fact)."""
    if not isinstance(term, dict):
        return False
    key, value = next(iter(term.items()))
    if key == "$m":
        return False
    if key in _ARITH:
        return _term_reads_other(value["$l"]) or _term_reads_other(value["$r"])
    return True


def _width(cond_text):
    """How many of the engine's match branches one condition opens when it holds: an `$or` one per
    alternative, except alternatives that test one field for equality (only one can hold)."""
    cond = json.loads(cond_text)
    alts = cond.get("$or") if isinstance(cond, dict) else None
    if not alts:
        return 1
    equalities = {next(iter(a)) for a in alts if len(a) == 1 and not next(iter(a)).startswith("$")}
    return len(equalities) + sum(1 for a in alts if not (len(a) == 1 and not next(iter(a)).startswith("$")))


def _side_by_side(trie):
    """The most branches the engine holds at once while matching one fact against `trie`
    (its conditions in order, shared prefixes merged), counting every condition as true."""
    best, stack = 0, [(trie, 0)]
    while stack:
        node, pending = stack.pop()
        groups = {}
        for cond in node:
            key = _equality_field(cond)
            groups[key or cond] = max(groups.get(key or cond, 0), _width(cond))
        open_now = pending + sum(groups.values())
        best = max(best, open_now)
        stack.extend((child, open_now - 1) for child in node.values() if child)
    return best


def _equality_field(cond_text):
    """The field a plain `{field: constant}` condition tests for equality: such siblings exclude each other."""
    cond = json.loads(cond_text)
    if isinstance(cond, dict) and len(cond) == 1:
        key, value = next(iter(cond.items()))
        if not key.startswith("$") and not isinstance(value, dict):
            return "=" + key
    return None
