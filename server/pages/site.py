"""The pages' one blueprint: language, access, CSRF, the shared page frame and HTML errors.

The views (law, amendment, trying, decisions) attach their routes to `bp`; nothing
here is under /v1 or in the OpenAPI description.
"""
import hashlib
import hmac
import os
import secrets
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import Forbidden, HTTPException

from server import errors
from server.api import common
from server.languages import LANGUAGES
from server.pages.words import LANGUAGE_NAMES, word

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/pages/static")

LANG_COOKIE = "ereje_lang"
SECRET_ENV = "EREJE_PAGES_SECRET"
OPEN = {"pages.login", "pages.static"}   # reachable before a token is given


def secret_key(tokens):
    """The key that signs the pages' session cookie: EREJE_PAGES_SECRET; else one derived
    from the tokens (the same in every worker, and as secret as they are); else random."""
    given = os.environ.get(SECRET_ENV)
    if given:
        return given
    if tokens:
        return hmac.new(b"ereje pages session", "\n".join(tokens).encode(), hashlib.sha256).hexdigest()
    return secrets.token_hex(32)


def lang():
    """The page language: ?lang=, else the remembered choice, else Accept-Language."""
    found = g.get("pages_lang")
    if found is None:
        asked = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
        found = g.pages_lang = asked if asked in LANGUAGES else common.language()
    return found


def csrf_token():
    """The form token of this browser's session (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def page(template, http_status=200, **context):
    """A page in the chosen language, with the frame's links."""
    return render_template(template, **context), http_status


@bp.context_processor
def _frame():
    here = g.get("pages_here") or request.path
    args = {k: v for k, v in request.args.items() if k != "lang"} if request.method == "GET" else {}
    switch = {code: f"{here}?{urlencode({**args, 'lang': code})}" for code in LANGUAGES}
    current = lang()
    return {"lang": current, "t": lambda key: word(key, current), "switch": switch,
            "language_names": LANGUAGE_NAMES, "csrf_token": csrf_token,
            "default_regulation": common.book().default_regulation,
            "signed_in": bool(current_app.config["TOKENS"]) and session.get("in")}


@bp.before_request
def _guard():
    if current_app.config["TOKENS"] and not session.get("in") and request.endpoint not in OPEN:
        return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
    if request.method == "POST" and request.endpoint != "pages.static":
        given = request.form.get("csrf", "")
        kept = session.get("csrf", "")
        if not kept or not hmac.compare_digest(given.encode(), kept.encode()):
            raise Forbidden("The form's security token is missing or stale: reload the page and send it again.")
    return None


@bp.after_request
def _remember(response):
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="Strict", httponly=True)
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
    return response


@bp.errorhandler(Exception)
def _error(exc):
    if isinstance(exc, HTTPException):
        status, message = exc.code or 500, exc.description
    elif isinstance(exc, errors.EREJEError) and exc.status < 500:
        status, message = exc.status, exc.message
    else:
        current_app.logger.error("page %s %s failed", request.method, request.path, exc_info=exc)
        status, message = 500, f"Internal error; quote request id {g.get('request_id', '')} when reporting it."
    return page("error.html", status, status=status, message=message)
