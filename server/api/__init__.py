"""The HTTP API (CONTRACT s.4): Flask, one module per resource.

`app.create_app` builds the application: it loads the rule files, registers them
with the engine, opens the decision log and mounts the blueprints (`rulings`,
`comparisons`, `regulations` under /v1; `meta` for /healthz and /openapi.json).
`common` holds what every view shares: the request's rulebook, store and
language, JSON bodies, access control and the one error shape. `serving` runs
the app under gunicorn.
"""
