"""Signing in to the pages once with a token of EREJE_TOKENS, and signing out."""
import hmac

from flask import current_app, redirect, request, session, url_for

from server.pages.site import bp, lang, page
from server.pages.words import word


@bp.route("/login", methods=["GET", "POST"])
def login():
    """A form asking for a token; a right one sets the signed session cookie and goes on."""
    target = _local(request.values.get("next", ""))
    if request.method == "GET":
        return page("login.html", target=target, problem=None)
    given = request.form.get("token", "").strip().encode()
    matched = False
    for token in current_app.config["TOKENS"]:   # every token compared, so timing reveals nothing
        matched |= hmac.compare_digest(given, token.encode())
    if not matched:
        return page("login.html", 401, target=target, problem=word("wrong_token", lang()))
    session.clear()   # a new session on signing in: a token planted earlier is not kept
    session["in"] = True
    return redirect(target, 303)


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("pages.login"), 303)


def _local(target):
    """Only a path on this server is followed after signing in (never another host)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.index")
