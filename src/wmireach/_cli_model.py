"""The ``wmireach model`` sub-command: print a scenario's connections, stages and requirements.

Owns: the sub-command's options, reading ``--scenario FILE`` (JSON, or TOML by extension), and
its text and ``--json`` output. It decides nothing: everything printed comes from
:mod:`wmireach.rules` and :mod:`wmireach.simulation`.

Errors in the input raise :class:`~wmireach.errors.ScenarioError` (a ``WmiReachError``); the main
command line turns them into exit code 2 with the reason on stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

import attrs

if TYPE_CHECKING:
    import datetime

    from wmireach.model import Computer, Membership, Scenario
    from wmireach.simulation import Outcome

__all__ = ["add_scenario_arguments", "register", "run"]

# The choices argparse offers. Kept literal so that building the parser (which every wmireach
# command does) imports none of the model; tests/test_cli_model.py checks them against the
# enums and defaults of wmireach.model.
TRUSTS = ("same-domain", "trusted-domain", "untrusted-domain", "workgroup")
ACCOUNTS = ("domain-admin", "domain-user", "local-admin", "builtin-admin", "local-user")
CALL_MODES = ("sync", "semisync", "async")
AUTH_LEVELS = ("none", "connect", "call", "pkt", "pkt-integrity", "pkt-privacy")
PROFILES = ("domain", "private", "public")
#: The stages in call order (wmireach.model.Stage's values; a test keeps them equal).
STAGES = (
    "resolve-name",
    "tcp-135",
    "endpoint-mapper",
    "authenticate",
    "dcom-activation",
    "wmi-port",
    "namespace-login",
    "query",
    "callback",
)
NAMESPACE = "root\\cimv2"
SINK_PROGRAM = "%windir%\\system32\\wbem\\unsecapp.exe"
AUTH_LEVEL = "pkt-integrity"

_EPILOG = """\
examples:
  wmireach model --client-os win10 --target-os server2019 --trust same-domain \\
      --account domain-admin --call-mode semisync
  wmireach model --client-os win11 --target-os 2022 --trust workgroup --account local-admin \\
      --call-mode async --json
  wmireach model --scenario scenario.toml

Without --client-domain/--target-domain the memberships follow --trust: same-domain puts both
in domain 'corp', trusted-domain and untrusted-domain in 'corp' and 'other', workgroup both in
WORKGROUP. Releases: identifiers (winxp ... server2025), aliases ('2019', 'Windows 10') or
builds; an unknown one is answered with the full list.
"""

_CONNECTION_TEXT = {
    "connection-1": "A -> B: TCP 135 (endpoint mapper), then the WMI port",
    "connection-2": "B -> A: the asynchronous callback into A's sink",
}


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], *, summary: str
) -> None:
    """Add the ``model`` sub-command to ``subparsers`` (cheap: imports none of the model).

    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="show a call")
    >>> parser.parse_args(["model", "--client-os", "win10", "--target-os", "2019"]).call_mode
    'semisync'
    """
    p = subparsers.add_parser(
        "model",
        help=summary,
        description="Print what a remote WMI call from Computer A (client) to Computer B "
        "(target) passes through and needs, each requirement with its computer, rule ID, "
        "failure code and sources, and how the call fares on out-of-the-box settings.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_scenario_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")


def add_scenario_arguments(p: argparse.ArgumentParser) -> None:
    """Add the options that describe a scenario (or ``--scenario FILE``) to ``p``.

    :func:`_scenario_of` reads them back.

    >>> p = argparse.ArgumentParser()
    >>> add_scenario_arguments(p)
    >>> p.parse_args(["--client-os", "win10"]).account
    'domain-admin'
    """
    p.add_argument("--scenario", metavar="FILE", help="read the scenario from JSON or TOML")
    p.add_argument("--client-os", metavar="RELEASE", help="Computer A's Windows release")
    p.add_argument("--target-os", metavar="RELEASE", help="Computer B's Windows release")
    p.add_argument("--trust", choices=TRUSTS, help="derived from the domains when omitted")
    p.add_argument("--client-domain", metavar="NAME", help="A's domain (default: from --trust)")
    p.add_argument("--target-domain", metavar="NAME", help="B's domain (default: from --trust)")
    p.add_argument("--account", choices=ACCOUNTS, default="domain-admin")
    p.add_argument("--account-name", metavar="NAME", help="e.g. CORP\\alice")
    p.add_argument("--call-mode", choices=CALL_MODES, default="semisync")
    p.add_argument("--namespace", default=NAMESPACE)
    p.add_argument("--sink-program", default=SINK_PROGRAM)
    p.add_argument("--fixed-port", type=int, metavar="PORT", help="WMI on a fixed port")
    p.add_argument("--auth-level", choices=AUTH_LEVELS, default=AUTH_LEVEL)
    p.add_argument("--client-profile", choices=PROFILES)
    p.add_argument("--target-profile", choices=PROFILES)
    p.add_argument("--target-patched", metavar="YYYY-MM-DD", help="B's latest update")
    p.add_argument(
        "--client-address",
        metavar="IP",
        help="Computer A's address (or network); plans scope B's firewall to it",
    )
    p.add_argument(
        "--target-address",
        metavar="IP",
        help="Computer B's address (or network); plans scope A's sink rule to it",
    )
    p.add_argument("--other-subnet", action="store_true", help="A and B are on different subnets")


def _memberships(args: argparse.Namespace) -> tuple[Membership, Membership]:
    from wmireach.model import Membership

    if args.client_domain or args.target_domain:
        a = Membership.domain(args.client_domain) if args.client_domain else Membership.workgroup()
        b = Membership.domain(args.target_domain) if args.target_domain else Membership.workgroup()
        return a, b
    from wmireach.matrix import MEMBERSHIPS
    from wmireach.model import Trust

    return MEMBERSHIPS[Trust(args.trust or "same-domain")]


def _date(text: str | None) -> datetime.date | None:
    import datetime

    from wmireach.errors import ScenarioError

    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ScenarioError(f"--target-patched {text!r} is not a date (use YYYY-MM-DD)") from None


def _computer(
    name: str, os: str, member: Membership, profile: str | None, address: str | None
) -> Computer:
    from wmireach.model import Computer, NetworkProfile

    fields: dict[str, Any] = {"name": name, "release": os, "membership": member, "address": address}
    if profile is not None:
        fields["profile"] = NetworkProfile(profile)
    return Computer(**fields)


def _from_options(args: argparse.Namespace) -> Scenario:
    import attrs

    from wmireach.errors import ScenarioError
    from wmireach.model import Account, AccountKind, AuthLevel, CallMode, Scenario, Trust

    if not args.client_os or not args.target_os:
        raise ScenarioError("give --client-os and --target-os, or --scenario FILE")
    a, b = _memberships(args)
    client = _computer("A", args.client_os, a, args.client_profile, args.client_address)
    target = _computer("B", args.target_os, b, args.target_profile, args.target_address)
    target = attrs.evolve(target, patched=_date(args.target_patched))
    extra: dict[str, Any] = {"trust": Trust(args.trust)} if args.trust else {}
    return Scenario(
        client=client,
        target=target,
        account=Account(kind=AccountKind(args.account), name=args.account_name),
        call_mode=CallMode(args.call_mode),
        namespace=args.namespace,
        sink_program=args.sink_program,
        fixed_port=args.fixed_port,
        auth_level=AuthLevel(args.auth_level),
        same_subnet=not args.other_subnet,
        **extra,
    )


def _toml_loads(text: str) -> dict[str, Any]:
    from wmireach.errors import ScenarioError

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 only
        try:
            import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:
            raise ScenarioError(
                "reading TOML on Python 3.10 needs the 'tomli' package (pip install tomli); "
                "or give the scenario as JSON"
            ) from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}") from None
    return data


def _from_file(path_text: str) -> Scenario:
    import json
    from pathlib import Path

    from wmireach.errors import ScenarioError
    from wmireach.model import scenario_from_json

    path = Path(path_text)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read {path_text}: {exc.strerror or exc}") from None
    if path.suffix.casefold() == ".toml":
        data = _toml_loads(text)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"{path_text} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path_text} must hold one scenario object")
    # A golden-case file keeps its scenario under [scenario]; accept that shape too.
    scenario = data.get("scenario", data)
    if not isinstance(scenario, dict):
        raise ScenarioError(f"{path_text}: 'scenario' must be an object")
    return scenario_from_json(scenario)


_OPTIONS_WITH_SCENARIO = ("client_os", "target_os", "trust", "client_domain", "target_domain")


def write_output(text: str, path: str | None, out: TextIO) -> None:
    """Write ``text`` to the file ``path`` (``-o FILE``, exactly as given: no newline
    translation), or to ``out`` when there is none; a file that can't be written is a
    :class:`~wmireach.errors.ScenarioError` naming it."""
    if not path:
        out.write(text)
        return
    from pathlib import Path

    from wmireach.errors import ScenarioError

    try:
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ScenarioError(f"cannot write {path}: {exc.strerror or exc}") from None


def _scenario_of(args: argparse.Namespace) -> Scenario:
    """The scenario the options (or ``--scenario FILE``) describe."""
    from wmireach.errors import ScenarioError

    if args.scenario:
        given = [o for o in _OPTIONS_WITH_SCENARIO if getattr(args, o)]
        if given:
            flags = ", ".join("--" + o.replace("_", "-") for o in given)
            raise ScenarioError(f"--scenario FILE replaces {flags}; give one or the other")
        return _from_file(args.scenario)
    return _from_options(args)


@attrs.frozen
class _Requirement:
    """A rule as the ``model`` command reports it."""

    id: str
    side: str
    stage: str
    connection: str
    failure: str
    title: str
    sources: tuple[str, ...]


@attrs.frozen
class _Defaults:
    """How the call fares with both computers' out-of-the-box settings."""

    passed: bool
    stage: str | None
    failure: str | None
    unmet: tuple[str, ...]


@attrs.frozen
class _Report:
    """Everything the command prints, in the shape of its JSON."""

    scenario: dict[str, Any]
    connections: tuple[str, ...]
    stages: tuple[str, ...]
    requirements: tuple[_Requirement, ...]
    defaults: _Defaults


def _defaults(outcome: Outcome) -> _Defaults:
    return _Defaults(
        passed=outcome.passed,
        stage=None if outcome.stage is None else outcome.stage.value,
        failure=None if outcome.failure is None else f"0x{outcome.failure:08X}",
        unmet=outcome.unmet,
    )


def _report(scenario: Scenario) -> _Report:
    from wmireach.model import scenario_to_json
    from wmireach.simulation import default_states, requirements, simulate

    return _Report(
        scenario=scenario_to_json(scenario),
        connections=tuple(c.value for c in scenario.connections),
        stages=tuple(s.value for s in scenario.stages),
        requirements=tuple(
            _Requirement(
                id=r.id,
                side=r.side.value,
                stage=r.stage.value,
                connection=r.connection.value,
                failure=f"0x{r.failure:08X}",
                title=r.title,
                sources=r.sources,
            )
            for r in requirements(scenario)
        ),
        defaults=_defaults(simulate(scenario, *default_states(scenario))),
    )


def _describe(outcome: _Defaults) -> str:
    if outcome.passed:
        return "passes"
    return f"fails at {outcome.stage} with {outcome.failure} (unmet: {', '.join(outcome.unmet)})"


def _text(scenario: Scenario, report: _Report) -> str:
    a, b = scenario.client, scenario.target
    lines = [
        f"Scenario: {a.name} ({a.release.display_name}) -> {b.name} ({b.release.display_name}), "
        f"{scenario.trust.value}, {scenario.account.kind.value}, {scenario.call_mode.value}, "
        f"{scenario.namespace}",
        "Connections:",
        *(f"  {c}: {_CONNECTION_TEXT[c]}" for c in report.connections),
        "Stages: " + ", ".join(report.stages),
        "Requirements (stage, computer, rule, failure when unmet):",
    ]
    for r in report.requirements:
        lines.append(f"  {r.stage:<16} {r.side:<7} {r.id}  {r.failure}  {r.title}")
        lines.extend(f"{'':<27}source: {s}" for s in r.sources)
    lines.append("Out of the box: " + _describe(report.defaults))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Print the model of the scenario in ``args``; returns the exit code (0).

    Raises :class:`~wmireach.errors.ScenarioError` for an impossible or unreadable scenario.

    >>> import io
    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="show a call")
    >>> out = io.StringIO()
    >>> run(parser.parse_args(["model", "--client-os", "win10", "--target-os", "2019"]), out)
    0
    >>> out.getvalue().splitlines()[-1]
    'Out of the box: fails at tcp-135 with 0x800706BA (unmet: WR101, WR102)'
    """
    import json

    from wmireach.model import converter

    scenario = _scenario_of(args)
    report = _report(scenario)
    if args.json:
        json.dump(converter.unstructure(report), out, indent=2)
        out.write("\n")
    else:
        out.write(_text(scenario, report))
    return 0
