"""`ereje serve`: the HTTP API under gunicorn.

The master process only checks the rule files and publishes the good ones as a
snapshot beside the decision log; each worker loads the app itself after the fork
(`server.api.serving`), so the engine's native state is never shared.

Everything a worker would otherwise trip over later is checked here first and is a
bad-input exit (2) naming what to fix: blank tokens, an open API on a non-loopback
address, a malformed EREJE_REGISTRY_URL, a decision log that cannot be written.
"""
import ipaddress
import os
import socket
import sqlite3
from urllib.parse import urlsplit

import click

import adapters
from server import store
from server.api import rulesets
from server.api.serving import Rules, Server, serve_options
from server.api.worker import Limits
from server.cli.common import POLICIES, BadInput


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--db", default="ereje.db", show_default=True, type=click.Path(dir_okay=False),
              help="SQLite decision log.")
@click.option("--policies", default=str(POLICIES), show_default="the repo's policies/",
              type=click.Path(exists=True, file_okay=False), help="Rule file directory.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1), help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1), help="Threads per worker: they take turns running Python and overlap only waiting on registries over HTTP.")
@click.option("--reload-rules", is_flag=True,
              help="Also reload the rule files when they change on disk (as on SIGHUP).")
@click.option("--read-timeout", default=Limits.read_timeout, show_default=True, type=click.FloatRange(0.1, 600),
              help="Seconds a client has to send a whole request (headers and body); then 408.")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="One line per request on stdout: method, path, status, duration, ruling id (no identifiers).")
@click.option("--insecure", is_flag=True,
              help="Serve /v1 without tokens on a non-loopback address (refused otherwise).")
def serve_command(host, port, db, policies, workers, threads, reload_rules, read_timeout, access_log, insecure):
    """Serve the HTTP API (CONTRACT s.4) until SIGTERM or Ctrl-C.

    `kill -HUP <master pid>` checks the rule files again: if they pass, every worker
    switches to them on its next request; if not, the problems are logged and the
    workers keep the last good set.

    With EREJE_TOKENS unset the API is open, so it listens on loopback only unless
    --insecure is given.
    """
    tokens = _tokens(os.environ.get("EREJE_TOKENS"))
    _check_exposure(host, tokens, insecure)
    registries = _registry_source()
    db = _writable_db(db)
    store_dir = rulesets.store_for(db)
    rules = Rules(policies, store_dir, watch=reload_rules)
    _publish(rules, policies)
    auth = f"{len(tokens)} token(s)" if tokens else "open (no tokens)"
    click.echo(f"ereje serve: db {db}; policies {os.path.abspath(policies)}; versions "
               + ", ".join(f"{key} {digest}" for key, digest in rules.versions.items())
               + f"; registries {registries}; auth {auth}; access log {'on' if access_log else 'off'}", err=True)
    limits = Limits(read_timeout=read_timeout)
    app_config = {"DB": db, "RULESETS": str(store_dir), "MAX_CONTENT_LENGTH": limits.max_body}
    options = serve_options(host, port, workers, threads, access_log)
    Server(app_config, options, rules, limits).run()


def _tokens(value):
    """The bearer tokens in EREJE_TOKENS; set but blank (or with a blank item) is an error:
    a typo or an empty secret must not leave /v1 open."""
    if value is None:
        return ()
    tokens = [t.strip() for t in value.split(",")]
    if not all(tokens):
        raise BadInput(f"EREJE_TOKENS={value!r} holds a blank token. Give comma-separated non-blank "
                       "tokens, or unset EREJE_TOKENS to serve without authentication.")
    return tuple(tokens)


def _check_exposure(host, tokens, insecure):
    if tokens or _loopback(host):
        return
    risk = (f"--host {host} is not a loopback address and EREJE_TOKENS is not set: anyone who can "
            "reach this port can post rulings and read every stored ruling, with the IINs and "
            "passports in it.")
    if not insecure:
        raise BadInput(f"{risk} Set EREJE_TOKENS, or pass --insecure to serve it open anyway.")
    click.echo(f"WARNING: {risk} (--insecure)", err=True)


def _loopback(host):
    """Whether every address `host` names is a loopback one."""
    try:
        found = socket.getaddrinfo(host.strip("[]") or None, None)
    except (socket.gaierror, UnicodeError):
        return False
    try:
        return bool(found) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in found)
    except ValueError:
        return False


def _registry_source():
    """Where rulings read registries, as the start line says it; EREJE_REGISTRY_URL checked."""
    url = os.environ.get("EREJE_REGISTRY_URL", "").strip()
    if url:
        parts = urlsplit(url)
        try:
            parts.port  # raises on a port that is not a number in range
            ok = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url
        except ValueError:
            ok = False
        if not ok:
            raise BadInput(f"EREJE_REGISTRY_URL={url!r} is not a URL like http://host[:port][/path].")
    try:
        source = adapters.source_from_env()
    except ValueError as e:  # EREJE_REGISTRY_TIMEOUT
        raise BadInput(str(e)) from None
    if url:
        # Never print credentials a URL may carry.
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        shown = parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")).geturl()
        return f"{shown} (timeout {source.timeout:g} s)"
    return f"fixtures {source.directory.resolve()}"


def _writable_db(db):
    """The decision log's absolute path, once it is known to take a write; else exit 2 naming it."""
    path = os.path.abspath(db)
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise BadInput(f"--db {path}: the directory {directory} does not exist.")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise BadInput(f"--db {path}: the directory {directory} is not writable (the decision log "
                       "keeps its -wal and -shm files beside it).")
    if os.path.exists(path) and (not os.stat(path).st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise BadInput(f"--db {path}: the decision log is read-only.")
    try:
        conn = store.open_db(path)
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock: what a ruling takes to be stored
            conn.conn.rollback()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise BadInput(f"--db {path}: the decision log cannot be written: {e}.") from None
    return path


def _publish(rules, policies):
    """Fail here with file:line messages rather than as a gunicorn worker boot loop.

    The master checks and snapshots the files; the engine is not touched here.
    """
    problems = rules.publish()
    if problems:
        # A file problem reads at the path the lawyer gave; "no rule files" names the directory.
        raise click.BadParameter("\n" + "\n".join(str(p) for p in problems), param_hint="--policies")
