"""`ereje compare FILE`: a file of applications judged under several versions (CONTRACT 4.4)."""
import contextlib
import itertools
import json
import os
import sys
from pathlib import Path

import click

from server import errors
from server.batch import cluster as cluster_mod
from server.batch import report as report_mod
from server.batch.inputs import InputError, read_items, sniff
from server.batch.run import Summary, run, text_summary
from server.cli.common import LANGUAGE, POLICIES, BadInput, load_book


@click.command("compare")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--versions", help="Comma-separated versions in order (default: all versions of the regulation).")
@click.option("--regulation", help="Regulation id (default: kz-foreign-labour).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPU count).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write one JSON line per application here.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report here.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--input-format", type=click.Choice(["json", "jsonl", "csv"]), help="Override detection by file name/content.")
@click.option("--lang", type=LANGUAGE, default="en", show_default=True)
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal).")
@click.option("--policies", type=click.Path(file_okay=False, path_type=Path), default=None, help="Directory of rule files.")
@click.option("--cluster", metavar="ADDRESS",
              help="Judge on a Dask cluster: its scheduler (tcp://host:port), or 'local' for --jobs processes here.")
def compare_command(file, versions, regulation, jobs, out, report, fmt, input_format, lang, progress, policies,
                    cluster):
    """Judge every application in FILE under each version and summarise what changes.

    FILE is a JSON array of ruling requests, JSON Lines (one per line) or CSV whose
    header names dotted paths (application.employer.bin, application.foreign_workers.0.passport,
    registry.quota.remaining, ...). Lines that cannot be read are reported with their
    line numbers and the run goes on.
    """
    policies = policies or POLICIES
    reg, chosen = _chosen_versions(load_book(policies, register=False), regulation, versions)
    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    if not os.access(file, os.R_OK):
        raise BadInput(f"{file}: cannot be read")
    summary = Summary(reg.id, chosen, str(file))
    judging = {"policies": policies, "regulation": reg.id, "versions": chosen, "lang": lang,
               "jobs": jobs or os.cpu_count() or 1}
    show = sys.stderr.isatty() if progress is None else progress
    try:
        cluster = cluster and cluster_mod.check_address(cluster)
        _judge_file(file, input_format, judging, summary, out, show, cluster)
    except (InputError, cluster_mod.ClusterError) as e:
        raise BadInput(str(e)) from None
    except OSError as e:
        raise BadInput(f"{e.filename or out}: {e.strerror or e}") from None
    s = summary.as_dict()
    if report:
        try:
            report.write_text(report_mod.render(s, lang), encoding="utf-8")
        except OSError as e:
            raise BadInput(f"{report}: {e.strerror or e}") from None
    if fmt == "json":
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))
    else:
        click.echo(text_summary(s, lang))


def _chosen_versions(book, regulation, versions):
    """(regulation, the versions to compare in order), or BadInput."""
    try:
        reg = book.regulation(regulation)
        chosen = [v.strip() for v in versions.split(",") if v.strip()] if versions else [v.version for v in reg.versions]
        for v in chosen:
            book.version(reg.id, v, "versions")
    except errors.EREJEError as e:
        raise BadInput(e.message) from None
    if len(chosen) < 1 or len(set(chosen)) != len(chosen):
        raise BadInput("--versions: name each version once")
    return reg, chosen


def _judge_file(file, input_format, judging, summary, out, show, cluster=None):
    """Judge every application in `file` into `summary`, one JSON line each into `out` if given."""
    # The bar follows the bytes of the file read (or, on a cluster, judged) so far.
    bar = click.progressbar(length=max(file.stat().st_size, 1), label="judging", file=sys.stderr,
                            show_eta=True, show_percent=True,
                            item_show_func=lambda _: f"{summary.read} application(s)") if show else None
    judge = _on_cluster if cluster else _here
    with judge(file, input_format, judging, cluster) as (results, position):
        with open(out, "w", encoding="utf-8") if out else contextlib.nullcontext() as out_fh:
            for result in results:
                summary.add(result)
                if out_fh:
                    out_fh.write(json.dumps(result, ensure_ascii=False) + "\n")
                if bar is not None and summary.read % 100 == 0:
                    bar.update(position() - bar.pos, summary.read)
    if bar is not None:
        # The bar may have reached the end of the file before the last results came
        # back; update() draws nothing without a step, so draw the final count.
        bar.update(bar.length - bar.pos, summary.read)
        bar.render_progress()
        bar.render_finish()


@contextlib.contextmanager
def _here(file, input_format, judging, _cluster):
    """(results, bytes read so far) judged by worker processes on this machine."""
    with open(file, "rb") as raw:
        items = read_items(raw, input_format)
        first = next(items, None)   # surfaces an unreadable file before any work
        items = itertools.chain([first], items) if first is not None else iter(())
        yield run(items, **judging), raw.tell


@contextlib.contextmanager
def _on_cluster(file, input_format, judging, address):
    """(results, bytes judged so far) judged on a Dask cluster; the file is read by its workers."""
    with open(file, "rb") as raw:
        fmt = sniff(raw, input_format)          # a head that is not UTF-8 fails here, as in a local run
    with cluster_mod.connect(address, judging["jobs"]) as client:
        workers = cluster_mod.check_workers(client, address, str(Path(judging["policies"]).resolve()),
                                            cluster_mod.policies_digest(judging["policies"]))
        judged = cluster_mod.Judged(client, file, fmt, judging, workers)
        yield iter(judged), lambda: judged.position
