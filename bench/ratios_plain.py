"""Part (a) of bench/ratios.py: a plain durable_rules ruling of the same shape, as durable's docs write one.

The rules are the compiled rule definitions of a version (server.engine.compile), given
to durable's own `Host` with a Python action per rule, as `durable.lang` would build them:
a derivation's action calls `c.assert_fact(...)` with the derived fact (so derivations
chain inside durable), a requirement's action records its finding. One session per ruling:
the input facts are asserted with `host.assert_facts`, then one stage fact per stage with
`host.assert_fact` (each call runs every action it triggers before it returns), then the
session is deleted with `host.delete_state`. The facts asserted are the ones Ereje's engine
sends (the fact types and fields some rule reads), so both run the same rules on the same facts.

Two departures from a plain `durable.lang` script, both neutral to its speed: the Host's
0.2 s dispatch and timer threads are not started (nothing here uses timers or queues, and
they would race the synchronous actions), and "no rule took this fact" answers
(MessageNotHandledException) are ignored, as Ereje's engine ignores them.
"""
import itertools

from durable.engine import Host, MessageNotHandledException

from server.engine import compile as compiler


class QuietHost(Host):
    """durable's Host without its background dispatch and timer threads."""

    def _run(self):
        pass


class PlainRuling:
    """One version's rules registered with a Host under `name`; `judge(facts)` -> findings."""

    def __init__(self, version, name="plain_durable"):
        compiled, problems = compiler.from_model(version)
        if problems:
            raise SystemExit(f"{version.key} does not compile: {problems[0]}")
        self.name, self.stages, self.fields = name, compiled.stages, compiled.fields
        self._sids = itertools.count(1)
        self._ruling = None   # (findings, derived keys) of the ruling in progress
        definition = {rule_name: {**rule, "run": self._action(compiled.actions[rule_name])}
                      for rule_name, rule in compiled.rules.items()}
        self.host = QuietHost()
        self.host.set_rulesets({name: definition})

    def _action(self, action):
        if action.kind == "finding":
            def conclude(c):
                self._ruling[0].setdefault(action.source_id, action.status)
            return conclude

        def derive(c):
            matched = c._m  # the matched facts by pattern name, as the engine sent them
            of = matched[action.foreach]["id"] if action.foreach else None
            key = action.fact if of is None else f"{action.fact}:{of}"
            if key in self._ruling[1]:
                return  # another clause already derived it
            self._ruling[1].add(key)
            fact = {"t": action.fact, "id": key}
            if of is not None:
                fact["of"] = of
            if action.value is not None:
                fact["value"] = action.value
            for field, fn in action.set.items():
                fact[field] = fn(matched, {})
            try:
                c.assert_fact(fact)
            except MessageNotHandledException:
                pass
        return derive

    def engine_facts(self, input_facts):
        """The facts as Ereje's engine sends them: types and fields some rule reads."""
        out = []
        for f in input_facts:
            keep = self.fields.get(f["t"])
            if keep is not None:
                out.append({"t": f["t"], "id": f["id"], **{k: f[k] for k in keep}})
        return out

    def judge(self, facts):
        """Findings (requirement id -> status) of one ruling in a fresh session."""
        sid = str(next(self._sids))
        self._ruling = ({}, set())
        try:
            try:
                self.host.assert_facts(self.name, [{**f, "sid": sid} for f in facts])
            except MessageNotHandledException:
                pass
            for n in range(1, self.stages + 1):
                try:
                    self.host.assert_fact(self.name, {"sid": sid, "id": f"$stage{n}", "t": "$stage", "n": n})
                except MessageNotHandledException:
                    pass
        finally:
            self.host.delete_state(self.name, sid)
        return self._ruling[0]
