"""`ereje serve`: the HTTP API under gunicorn.

The master process only checks the rule files and publishes the good ones as a
snapshot beside the decision log; each worker loads the app itself after the fork
(`server.api.serving`), so the engine's native state is never shared.
"""
import os

import click

from server.api import rulesets
from server.api.serving import Rules, Server
from server.cli.common import POLICIES


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--db", default="ereje.db", show_default=True, type=click.Path(dir_okay=False),
              help="SQLite decision log.")
@click.option("--policies", default=str(POLICIES), show_default="the repo's policies/",
              type=click.Path(exists=True, file_okay=False), help="Rule file directory.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1), help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1), help="Threads per worker.")
@click.option("--reload-rules", is_flag=True,
              help="Also reload the rule files when they change on disk (as on SIGHUP).")
def serve_command(host, port, db, policies, workers, threads, reload_rules):
    """Serve the HTTP API (CONTRACT s.4) until SIGTERM or Ctrl-C.

    `kill -HUP <master pid>` checks the rule files again: if they pass, every worker
    switches to them on its next request; if not, the problems are logged and the
    workers keep the last good set.
    """
    store = rulesets.store_for(db)
    rules = Rules(policies, store, watch=reload_rules)
    _publish(rules, policies)
    app_config = {"DB": os.path.abspath(db), "RULESETS": str(store)}
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": False,
        # Client systems post one ruling after another: the 2 s default closed idle
        # connections just as the next request arrived.
        "keepalive": 30,
        # gunicorn 27 otherwise opens a control socket under $HOME.
        "control_socket_disable": True,
        "proc_name": "ereje",
    }
    Server(app_config, options, rules).run()


def _publish(rules, policies):
    """Fail here with file:line messages rather than as a gunicorn worker boot loop.

    The master checks and snapshots the files; the engine is not touched here.
    """
    problems = rules.publish()
    if problems:
        # A file problem reads at the path the lawyer gave; "no rule files" names the directory.
        raise click.BadParameter("\n" + "\n".join(str(p) for p in problems), param_hint="--policies")
