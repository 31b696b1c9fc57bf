"""The ``wmireach plan`` sub-command: what to run, on which computer, and how to undo it.

Owns: the sub-command's options and writing the rendered plan to stdout or ``-o FILE``. It
decides nothing: the steps come from :func:`wmireach.planning.plan`, the text from
:mod:`wmireach.render`. The scenario options are those of ``wmireach model`` (read by
:mod:`wmireach._cli_model`).

Errors in the input raise :class:`~wmireach.errors.ScenarioError`; the main command line turns
them into exit code 2 with the reason on stderr.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from wmireach._cli_model import STAGES, add_scenario_arguments, write_output

__all__ = ["register", "run"]

FORMATS = ("netsh", "powershell", "reg", "markdown", "json")
SIDES = ("client", "target")

_EPILOG = """\
examples:
  wmireach plan --client-os win11 --target-os server2025 --trust same-domain \\
      --account domain-user --account-name CORP\\alice --format markdown
  wmireach plan --client-os win10 --target-os 2022 --trust workgroup --account local-admin \\
      --account-name wmiadmin --client-address 10.0.0.5 --format powershell -o fix-b.ps1
  wmireach plan --client-os winxp-sp2 --target-os server2003-sp1 --trust workgroup \\
      --account local-admin --call-mode async --format netsh --side client
  wmireach plan --scenario scenario.toml --failure 0x80041003 --format json
  wmireach plan --scenario scenario.toml --format powershell --side target --rollback

Scripts (netsh, powershell, reg) are for one computer: when the plan has steps on both, give
--side target (run it first) and --side client.
"""


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], *, summary: str
) -> None:
    """Add the ``plan`` sub-command to ``subparsers`` (cheap: imports none of the model).

    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="plan a fix")
    >>> parser.parse_args(["plan", "--client-os", "win10", "--target-os", "2019", "--json"]).json
    True
    """
    p = subparsers.add_parser(
        "plan",
        help=summary,
        description="Print the least-privileged steps that make a remote WMI call from "
        "Computer A (client) to Computer B (target) work, as a script or a runbook, each step "
        "with why (rule ID, source), how to verify it and how to undo it.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scenario_arguments(p)
    p.add_argument("--failure", metavar="CODE", help="only the steps for causes of this code")
    p.add_argument("--stage", choices=STAGES, help="the stage --failure was seen at")
    p.add_argument("--format", choices=FORMATS, help="default: markdown")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--side", choices=SIDES, help="the computer a script is for")
    p.add_argument("--rollback", action="store_true", help="the plan that undoes the plan")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Print (or write to ``-o FILE``) the plan for the scenario in ``args``; returns 0.

    >>> import io
    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="plan a fix")
    >>> out = io.StringIO()
    >>> run(parser.parse_args(["plan", "--client-os", "win10", "--target-os", "2019",
    ...                        "--format", "json"]), out)
    0
    >>> '"id": "s1"' in out.getvalue()
    True
    """

    from wmireach._cli_model import _scenario_of
    from wmireach.errors import ScenarioError
    from wmireach.model import Side, Stage
    from wmireach.planning import plan
    from wmireach.render import render

    if args.stage and not args.failure:
        raise ScenarioError("--stage says where --failure was seen; give --failure CODE too")
    if args.json and args.format not in (None, "json"):
        raise ScenarioError(f"--json and --format {args.format} disagree; give one of them")
    fmt = "json" if args.json else args.format or "markdown"
    scenario = _scenario_of(args)
    result = plan(
        scenario,
        failure=args.failure,
        stage=Stage(args.stage) if args.stage else None,
    )
    if args.rollback:
        result = result.rollback()
    text = render(result, fmt, side=Side(args.side) if args.side else None)
    if fmt == "json":  # people read the command's output: indent it
        import json

        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    write_output(text, args.output, out)
    return 0
