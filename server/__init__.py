"""Ereje's rule server. Packages in the order a request flows through them:

    contract  request JSON validated (marshmallow) -> a plain request dict
    rules     rule files -> checked, consolidated, frozen version models
    engine    a version compiled for durable_rules; rulings run on it
    judging   request + registries (adapters) + engine -> ruling
    store     the decision log (SQLite)
    diff      what changed between two versions
    coverage  what the legal team's cases reach (`ereje test --coverage`)
    batch     files of applications judged under several versions
    api       the Flask app; cli the `ereje` command (both on top)

Imports only point down this list; `errors` and `jsontext` are shared by all.
"""
