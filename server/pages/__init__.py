"""The legal team's workbench: server-rendered pages under `/` (not /v1, not in OpenAPI).

`site` holds the blueprint and what every page shares; one module per page group
attaches its views: `law` (regulations, versions), `amendment` (diff), `trying`
(try a case, record it), `decisions` (the decision log, replay), `drafts` (what a draft
would change), `reports` (comparison reports),
`savedreports` (reports made on the command line), `access` (sign in).
"""
from server.pages import access, amendment, decisions, drafts, law, reports, savedreports, trying
from server.pages.site import bp, secret_key

# Importing a page module attaches its views to `bp`; named here so that the import is visibly used.
VIEWS = (access, amendment, decisions, drafts, law, reports, savedreports, trying)


def install(app):
    """Mount the pages on `app`: the blueprint and the signed, HttpOnly, SameSite=Strict session."""
    if not app.secret_key:
        app.secret_key = secret_key(app.config["TOKENS"])
    app.config["SESSION_COOKIE_NAME"] = "ereje_pages"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    app.register_blueprint(bp)
