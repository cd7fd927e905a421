"""Rule files, from text to a checked, frozen model. Nothing here runs rule text.

`source` reads YAML keeping each key's line; `expressions` is the condition
language (parsed against a whitelist into typed nodes); `facts` and `calendar`
say which facts rules may name and how dates become day numbers;
`consolidate` turns a file and the versions it amends into one version, and
`elaborate` types its expressions and texts into the `model`; `rulebook` loads a
policies directory and chooses a version by date. `interpret` evaluates the
model in plain Python and `reference` judges a whole version with it, as the
engine's independent check; `describe` shows a version to people.
"""
