"""`ereje serve`: the HTTP API under gunicorn.

The master process only checks the rule files; each worker loads the app itself
after the fork (`server.api.serving`), so the engine's native state is never shared.
"""
import os

import click

from server.api.serving import Server
from server.cli.common import POLICIES
from server.rules import rulebook


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--db", default="ereje.db", show_default=True, type=click.Path(dir_okay=False),
              help="SQLite decision log.")
@click.option("--policies", default=str(POLICIES), show_default="the repo's policies/",
              type=click.Path(exists=True, file_okay=False), help="Rule file directory.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1), help="Worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1), help="Threads per worker.")
def serve_command(host, port, db, policies, workers, threads):
    """Serve the HTTP API (CONTRACT s.4) until SIGTERM or Ctrl-C."""
    _check_policies(policies)
    app_config = {"DB": os.path.abspath(db), "POLICIES": os.path.abspath(policies)}
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
    Server(app_config, options).run()


def _check_policies(policies):
    """Fail here with file:line messages rather than as a gunicorn worker boot loop.

    `check` only parses and validates: the engine is not touched in the master.
    """
    book, problems = rulebook.check(policies)
    if problems:
        raise click.BadParameter("\n" + "\n".join(str(p) for p in problems), param_hint="--policies")
    if not book.regulations:
        raise click.BadParameter(f"no rule files under {policies}", param_hint="--policies")
