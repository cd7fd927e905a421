"""The engine: a checked version compiled for durable_rules, and rulings run on it.

`compile` turns a version (server.rules.model) into a `Compiled` value: rule dicts
in disjunctive normal form, one per clause, stratified by stage facts, with their
actions as data, kept within what the engine can run (`limits`). `runner` is the only module that imports durable_rules: it
registers compiled versions once per process and runs rulings one at a time in one reused
session per version (`run`), or a chunk of applications in one session of the version's
multi-application form (`run_many`), with fact and session ids that `ids` has made
distinct under the engine's 32-bit hash; `actions` carries out what fired rules do.
"""
