"""What a fired rule does, carried out in Python: conclude a finding or derive a fact.

Nothing here imports durable_rules: the runner hands each action message over,
and the derived facts come back as engine facts waiting for the next stage.
"""
import orjson

from server.rules import calendar

# In a multi-application session every engine fact starts with its application's
# number, and a message lists the stage fact and then the application (compile.multi).
_APP_MARK = '"application":{"app":'


class Run:
    """What one ruling produced: findings by requirement, derived facts, the trace."""

    def __init__(self):
        self.findings = {}    # requirement id -> status
        self.derived = {}     # fact type -> {id: fact}
        self.trace = []


def app_of(message):
    """The application number of a multi-application action message."""
    start = message.index(_APP_MARK) + len(_APP_MARK)
    return int(message[start:message.index(",", start)])


def apply(message, pending, compiled, session, result, app=None):
    """Carry out one action message `{"<rule>": {matched facts}}` on `result`.

    Findings need only the rule's name, so the (large) matched facts are decoded
    for derivations alone. A derived fact goes to `pending` as the engine gets it.
    """
    rule = message[2:message.index('"', 2)]
    action = compiled.actions[rule]
    if action.kind == "finding":
        _conclude(action, rule, result)
    else:
        _derive(session, action, rule, orjson.loads(message)[rule], result, pending, app)


def _conclude(action, rule, result):
    if action.source_id in result.findings:
        return  # another clause of the same conclusion already fired
    result.findings[action.source_id] = action.status
    result.trace.append({"step": len(result.trace) + 1, "rule": rule, "asserted": {
        "finding": action.source_id, "status": action.status}})


def _derive(session, action, rule, env, result, pending, app):
    step = len(result.trace) + 1
    # Matched facts carry engine ids; the rules, the trace and the findings speak logical ones.
    of = logical(session, env[action.foreach]["id"], app) if action.foreach else None
    key = action.fact if of is None else f"{action.fact}:{of}"
    bucket = result.derived.setdefault(action.fact, {})
    if key in bucket:
        return
    fact = {"t": action.fact, "id": key}
    if of is not None:
        fact["of"] = of
    if action.value is not None:
        fact["value"] = action.value
    for name, fn in action.set.items():
        fact[name] = fn(env, {})
    bucket[key] = fact
    result.trace.append({"step": step, "rule": rule, "asserted": _readable(action.dates, fact)})
    if app is None:
        pending.append({**fact, "id": session.claim(key), "sid": session.sid})
    else:
        pending.append({"app": app, **fact, "id": session.claim(f"{app}/{key}"), "sid": session.sid})


def logical(session, engine_id, app=None):
    """The rules' id of a fact; in a multi-application session without its `<app>/` prefix."""
    found = session.logical(engine_id)
    return found if app is None else found.partition("/")[2]


def _readable(dates, fact):
    out = {"fact": fact["t"]}
    for k, val in fact.items():
        if k not in ("t", "sid"):
            out[k] = calendar.readable(val, True) if k in dates else val
    return out
