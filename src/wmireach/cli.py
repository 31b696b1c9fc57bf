# PYTHON_ARGCOMPLETE_OK  (lets argcomplete's register-python-argcomplete complete `wmireach`)
"""The ``wmireach`` command line.

Owns: argument parsing, reading standard input, printing, exit codes and shell completion.
Everything it prints comes from the library; it decides nothing itself.

Exit codes (docs/cli.md): 0 the command answered (a diagnosis, even of a failure, is an answer);
2 bad input or usage (argparse's convention), with the reason on stderr; 130 interrupted. 1 is
left for a check that finds the call failing (the live probe).

Output is plain text with no colour or other terminal escapes, so ``NO_COLOR`` and dumb
terminals need nothing; ``--json`` gives every command's answer to machines.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from wmireach._version import __version__
from wmireach.errors import WmiReachError

if TYPE_CHECKING:
    from wmireach.events import Event

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

_MAIN_EPILOG = """\
examples:
  wmireach explain "(Exception from HRESULT: 0x800706BA)"
  wmireach diagnose 0x80070005 --trust workgroup --account local-admin
  wmireach plan --client-os win10 --target-os server2019 --trust same-domain \\
      --account domain-admin --call-mode semisync --format powershell --side target
  wmireach model --client-os win11 --target-os 2022 --trust workgroup --json

'wmireach COMMAND --help' shows each command's options and examples. Every command takes
--json. Exit status: 0 answered, 2 bad input or usage (reason on stderr), 130 interrupted.
Shell completion: pip install argcomplete, then eval "$(register-python-argcomplete wmireach)".
"""

_EXPLAIN_EPILOG = """\
examples:
  wmireach explain 0x800706BA
  wmireach explain -2147024891 rpc_s_access_denied "WBEM_E_ACCESS_DENIED (2147749891)"
  wmireach explain "(Exception from HRESULT: 0x800706BA)" --json
  some-tool 2>&1 | wmireach explain --all -
  wmireach explain "event 10036"
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, sized to the terminal as argparse does but without importing
    shutil: argparse builds a formatter for every option it adds, so that import (~3 ms) was
    part of every ``wmireach explain``."""

    def __init__(self, prog: str, *args: Any, **kwargs: Any) -> None:
        if len(args) < 3 and kwargs.get("width") is None:  # width is the third argument
            kwargs["width"] = _terminal_columns() - 2  # what HelpFormatter does through shutil
        super().__init__(prog, *args, **kwargs)


def _terminal_columns() -> int:
    """shutil.get_terminal_size().columns: $COLUMNS, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


#: Sub-commands defined in modules of their own (with ``register`` and ``run``): name ->
#: (module, the one-line summary ``wmireach --help`` lists). The summaries live here so that
#: listing a command does not import it.
_MODULE_COMMANDS = {
    "model": (
        "wmireach._cli_model",
        "show the connections, stages and requirements of a remote WMI call",
    ),
    "plan": (
        "wmireach._cli_plan",
        "the least-privileged steps that make the call work, with verification and rollback",
    ),
    "diagnose": (
        "wmireach._cli_diagnose",
        "rank the causes of a remote WMI failure and what to check for each",
    ),
    "diagram": (
        "wmireach._cli_diagram",
        "draw the call's connection diagram (computers, firewalls, failed stage, steps) as SVG",
    ),
    "probe": (
        "wmireach._cli_probe",
        "probe hosts live: how far a real WMI call gets, and why it stops there",
    ),
}


def _requested(argv: Sequence[str]) -> str | None:
    """The sub-command argv asks for, or None when it asks for none (``--help``, nothing)."""
    for token in argv:
        if token in ("-h", "--help", "--version"):
            return None
        if not token.startswith("-"):
            return token
    return None


def _parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The full parser for the requested sub-command; the others get a one-line entry.

    Building every sub-command's options costs more than decoding a code, so ``wmireach explain``
    builds only its own (``--help`` with no command still lists every command).
    """
    parser = argparse.ArgumentParser(
        prog="wmireach",
        description="Why can't Computer A reach WMI on Computer B, and what to run to fix it.",
        epilog=_MAIN_EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"wmireach {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    explain = commands.add_parser(
        "explain",
        help="decode Windows error codes (hex, decimal, names, whole messages)",
        description="Decode each argument: a code in any spelling, a symbolic name, or a whole "
        "error message as another tool printed it. '-' reads the text from standard input.",
        epilog=_EXPLAIN_EPILOG,
        formatter_class=_Formatter,
    )
    explain.add_argument("inputs", nargs="+", metavar="CODE_OR_TEXT")
    explain.add_argument(
        "--json", action="store_true", help="print a JSON array, one object per code"
    )
    explain.add_argument(
        "--all",
        action="store_true",
        help="every code found in each input (a log, a traceback), not only the main one",
    )
    requested = _requested(argv)
    for name, (module_name, summary) in _MODULE_COMMANDS.items():
        if requested in (name, None):
            importlib.import_module(module_name).register(commands, summary=summary)
        else:
            commands.add_parser(name, help=summary, formatter_class=_Formatter)
    return parser


def _events_in(text: str) -> tuple[Event, ...]:
    if "event" not in text.lower():  # the events table loads the model: only when it can help
        return ()
    from wmireach.events import decode_event

    return decode_event(text)


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    from wmireach.hresult import HResult, candidates, find_codes

    results: list[tuple[str, HResult, tuple[HResult, ...]]] = []
    events: list[tuple[str, Event]] = []
    status = EXIT_OK
    for raw in args.inputs:
        given = stdin.read() if raw == "-" else raw
        named_events = _events_in(given)
        events.extend((given, e) for e in named_events)
        try:
            readings = candidates(given)
        except WmiReachError as exc:
            if not named_events:  # "event 10036" alone holds no code, and is no error
                print(f"wmireach explain: {exc}", file=err)
                status = EXIT_BAD_INPUT
            continue
        if args.all:
            matches = find_codes(given)
            seen = dict.fromkeys(m.hresult for m in matches) or {readings[0]: None}
            results.extend((given, hresult, ()) for hresult in seen)
        else:
            results.append((given, readings[0], readings[1:]))
    if args.json:
        import json

        from wmireach.convert import converter

        rows = [
            {"input": given, "kind": "code", **converter.unstructure(hr)}
            for given, hr, _ in results
        ]
        rows += [
            {"input": given, "kind": "event", **converter.unstructure(e)} for given, e in events
        ]
        json.dump(rows, out, indent=2)
        out.write("\n")
    else:
        blocks = [_breakdown(given, hr, others) for given, hr, others in results]
        blocks += [_event_breakdown(e) for _given, e in events]
        out.write("\n".join(blocks))
    return status


def _event_breakdown(e: Event) -> str:
    rows = [
        ("source", f"{e.source}, {e.log} log on the {e.logged_on.value}"),
        ("meaning", e.meaning),
        ("stage", e.stage.value if e.stage else "-"),
        ("codes", ", ".join(f"0x{code:08X}" for code in e.codes) or "-"),
        ("causes", ", ".join(e.causes) or "-"),
        ("sources", "; ".join(e.sources)),
    ]
    lines = [f"event {e.id}  {e.title}"]
    lines.extend(f"  {label:<9} {value}" for label, value in rows)
    return "\n".join(lines) + "\n"


def _yes(flag: bool) -> str:
    return "1" if flag else "0"


def _breakdown(given: str, hr: object, others: tuple[object, ...]) -> str:
    from wmireach.hresult import HResult

    assert isinstance(hr, HResult)
    shown = given if len(given) <= 70 else given[:67] + "..."
    lines = [f"{hr.hex}  {hr.name or '(no known name)'}"]
    rows = [
        ("input", shown.replace("\n", " ")),
        ("message", hr.message or "-"),
        ("read as", hr.note or "the value itself"),
        ("decimal", f"{hr.signed} (signed), {hr.value} (unsigned)"),
        (
            "severity",
            f"{hr.severity.value} (S={_yes(hr.s)} R={_yes(hr.r)} C={_yes(hr.c)} "
            f"N={_yes(hr.n)} X={_yes(hr.x)})",
        ),
        ("facility", f"{hr.facility.value} {hr.facility.name or '(unknown facility)'}"),
        ("code", f"{hr.code} (0x{hr.code:04X})"),
        ("win32", "-" if hr.win32 is None else str(hr.win32)),
        ("ntstatus", "-" if hr.ntstatus is None else f"0x{hr.ntstatus:08X}"),
        ("names", ", ".join(hr.names) or "-"),
    ]
    lines.extend(f"  {label:<9} {value}" for label, value in rows)
    for other in others:
        assert isinstance(other, HResult)
        lines.append(f"  also      {other.hex} {other.name or '(no known name)'}: {other.note}")
    return "\n".join(lines) + "\n"


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command line; returns the exit code instead of exiting (tests call it in-process).

    >>> main(["explain", "0x800706BA"])  # doctest: +ELLIPSIS
    0x800706BA  RPC_S_SERVER_UNAVAILABLE
    ...
    0
    """
    out = out or sys.stdout
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(argv)
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (register-python-argcomplete)
        return _complete(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_BAD_INPUT
    try:
        return _dispatch(args, out, err, stdin or sys.stdin)
    except BrokenPipeError:  # the reader went away (`wmireach explain ... | head`): stop quietly
        if out is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C (a long diagnosis, or waiting on stdin): no traceback
        print(f"wmireach {args.command}: interrupted", file=err)
        return EXIT_INTERRUPTED


def _complete(parser: argparse.ArgumentParser) -> int:
    """Print completions and exit, through argcomplete when it is installed (optional)."""
    try:
        import argcomplete  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # completion was set up, then argcomplete removed: offer nothing
        return EXIT_BAD_INPUT
    argcomplete.autocomplete(parser)  # exits the process once it has printed the completions
    return EXIT_BAD_INPUT  # pragma: no cover - only when argcomplete finds no completion request


def _dispatch(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    if args.command == "explain":
        return _explain(args, out, err, stdin)
    if args.command in _MODULE_COMMANDS:
        module = importlib.import_module(_MODULE_COMMANDS[args.command][0])
        try:
            code: int = module.run(args, out)
        except WmiReachError as exc:
            print(f"wmireach {args.command}: {exc}", file=err)
            return EXIT_BAD_INPUT
        return code
    raise AssertionError(f"unknown command {args.command}")  # pragma: no cover - argparse
