"""Judging: a validated request under a version, from facts to a ruling.

`facts` flattens the request and registry data into engine facts; `rulings` runs
one ruling end to end (registries, engine, findings, outcome); `texts` renders
titles and explanations in a language; `comparisons` judges one request under
several versions; `cases` runs the legal team's YAML cases.
"""
