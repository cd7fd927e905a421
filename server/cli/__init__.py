"""The `ereje` command: judge, check and test rule files, serve the API.

Exit codes: 0 success, 1 a finding (check or test failure), 2 bad usage or bad input.
"""
import click

from server.cli import compare, diff, log, plan, registries, rule, rulefiles, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ereje")
def main():
    """Ereje: regulations as versioned rule files, judged by a rule engine.

    Judge an application with `ereje rule`, check rule files with `ereje check`,
    run the legal team's cases with `ereje test`, serve the API with `ereje serve`,
    see what an amendment changes with `ereje diff` (the rules) and `ereje compare`
    (a file of applications), simulate the registries with `ereje registries`, and
    verify the decision log's hash chain with `ereje log verify`.
    """




for _command in (rule.rule, rulefiles.check, rulefiles.test_cmd, serve.serve_command, diff.diff_command,
                 compare.compare_command, registries.registries, log.log_group,
                 plan.plan_command):
    main.add_command(_command)
