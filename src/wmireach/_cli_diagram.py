"""The ``wmireach diagram`` sub-command: draw a call's connection diagram as an SVG file.

Owns: the sub-command's options and writing the SVG to ``-o FILE`` or stdout. It decides
nothing: the plan comes from :func:`wmireach.planning.plan` and the picture from
:func:`wmireach.drawing.diagram`. The scenario options are those of ``wmireach model`` and
``wmireach plan`` (read by :mod:`wmireach._cli_model`).

Errors in the input raise :class:`~wmireach.errors.ScenarioError`; the main command line turns
them into exit code 2 with the reason on stderr.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from wmireach._cli_model import STAGES, add_scenario_arguments, write_output

__all__ = ["register", "run"]


_EPILOG = """\
examples:
  wmireach diagram --client-os win10 --target-os server2019 --trust same-domain -o call.svg
  wmireach diagram --client-os win11 --target-os 2022 --trust workgroup --account local-admin \\
      --call-mode async --failure 0x80070005 -o denied.svg
  wmireach diagram --scenario scenario.toml > call.svg

The diagram shows Computer A and B with their firewalls, Connection 1 (TCP 135, then the WMI
port) and, for async calls, Connection 2 (the callback into A's sink); where the out-of-the-box
settings stop the call (or, with --failure, where that code comes from); and the plan's steps
on the computer each runs on.
"""


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], *, summary: str
) -> None:
    """Add the ``diagram`` sub-command to ``subparsers`` (cheap: imports none of the model).

    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="draw the call")
    >>> parser.parse_args(["diagram", "--client-os", "win10", "-o", "x.svg"]).output
    'x.svg'
    """
    p = subparsers.add_parser(
        "diagram",
        help=summary,
        description="Draw the connection diagram of a remote WMI call from Computer A (client) "
        "to Computer B (target) as SVG: both computers and their firewalls, the connections, "
        "the stage that fails and the steps of the plan that fixes it.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scenario_arguments(p)
    p.add_argument("--failure", metavar="CODE", help="mark where this code comes from")
    p.add_argument("--stage", choices=STAGES, help="the stage --failure was seen at")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument(
        "--json",
        action="store_true",
        help="write JSON instead: the scenario, the focus (code and stage) and the SVG text",
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Write the SVG for the scenario in ``args`` to ``-o FILE`` (or ``out``); returns 0.

    >>> import io
    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="draw")
    >>> out = io.StringIO()
    >>> run(parser.parse_args(["diagram", "--client-os", "win10", "--target-os", "2019"]), out)
    0
    >>> out.getvalue().startswith("<svg")
    True
    """

    from wmireach._cli_model import _scenario_of
    from wmireach.drawing import diagram
    from wmireach.errors import ScenarioError
    from wmireach.model import Stage
    from wmireach.planning import plan

    if args.stage and not args.failure:
        raise ScenarioError("--stage says where --failure was seen; give --failure CODE too")
    scenario = _scenario_of(args)
    result = plan(
        scenario,
        failure=args.failure,
        stage=Stage(args.stage) if args.stage else None,
    )
    text = diagram(result) + "\n"
    if args.json:
        import json

        from wmireach.model import scenario_to_json

        focus = (
            None if result.focus is None else {"failure": result.focus[0], "stage": result.focus[1]}
        )
        text = (
            json.dumps(
                {"scenario": scenario_to_json(scenario), "focus": focus, "svg": text.rstrip("\n")},
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    write_output(text, args.output, out)
    return 0
