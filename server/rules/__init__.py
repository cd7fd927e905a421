"""Rule files, from text to a checked, frozen model. Nothing here runs rule text.

`source` reads YAML keeping each key's line (`Location`, `Entry`, `Problem`);
`nodes` is the typed intermediate form of the condition language and
`expressions` (with `syntax` and `calls`) parses rule text into it against a whitelist; `facts`
and `calendar` say which facts rules may name and how dates become day numbers.
Loading is a line of passes (`rulebook`): `consolidate` turns a file and the
versions it amends into one version's raw content (`entries` and `parameters`:
what an amendment may add, change and remove), `elaborate` types its expressions
(`known`: what they may name; `decided`: a requirement's `without_registries:`) and texts (`quotes`), `usage` refuses what is
defined and never used, and the `model` Version is made from both; `checks` are
the text, key and date checks they share. `interpret` evaluates the model in plain
Python and `reference` judges a whole version with it, as the engine's
independent check; `describe` shows a version to people.
"""
