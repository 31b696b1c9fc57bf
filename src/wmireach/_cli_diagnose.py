"""The ``wmireach diagnose`` sub-command: ranked causes of a pasted error, with what to check.

Owns: the sub-command's options and its text and ``--json`` output. It decides nothing: every
cause, likelihood and check comes from :func:`wmireach.diagnosis.diagnose`.

Errors in the input raise a :class:`~wmireach.errors.WmiReachError`; the main command line turns
them into exit code 2 with the reason on stderr. A diagnosis, even "not a remote-WMI failure",
exits 0.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, TextIO

from wmireach._cli_model import STAGES

if TYPE_CHECKING:
    from wmireach.diagnosis import Diagnosis
    from wmireach.model import Scenario

__all__ = ["register", "run"]

# Literal so that building the parser imports none of the model (as in _cli_model).
TRUSTS = ("same-domain", "trusted-domain", "untrusted-domain", "workgroup")
ACCOUNTS = ("domain-admin", "domain-user", "local-admin", "builtin-admin", "local-user")
CALL_MODES = ("sync", "semisync", "async")
AUTH_LEVELS = ("none", "connect", "call", "pkt", "pkt-integrity", "pkt-privacy")

_EPILOG = """\
examples:
  wmireach diagnose "Get-WmiObject : Access is denied. (0x80070005)" --account local-admin \\
      --trust workgroup
  wmireach diagnose 0x800706BA --target-os 2019 --call-mode semisync --json
  wmireach diagnose "event 10036" --client-os linux --client-auth-level connect
  some-tool 2>&1 | wmireach diagnose -

Unknown context is not guessed: every release, trust, account and call mode it could be is
considered. --client-os accepts a release or 'linux' (any non-Windows client).
"""


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], *, summary: str
) -> None:
    """Add the ``diagnose`` sub-command to ``subparsers`` (imports none of the model).

    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="why it failed")
    >>> parser.parse_args(["diagnose", "0x5", "--event", "10036"]).event
    [10036]
    """
    p = subparsers.add_parser(
        "diagnose",
        help=summary,
        description="Rank the causes of a remote WMI failure from the error text (any code, "
        "message or log excerpt; '-' reads standard input) and whatever is known, with what "
        "to check for each cause and how to fix it.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("text", metavar="ERROR_TEXT")
    p.add_argument("--client-os", metavar="RELEASE", help="Computer A's release, or 'linux'")
    p.add_argument("--target-os", metavar="RELEASE", help="Computer B's release")
    p.add_argument("--trust", choices=TRUSTS)
    p.add_argument("--account", choices=ACCOUNTS)
    p.add_argument("--call-mode", choices=CALL_MODES)
    p.add_argument("--client-auth-level", choices=AUTH_LEVELS)
    p.add_argument("--patched", metavar="YYYY-MM-DD", help="B's latest update date")
    p.add_argument("--stage", choices=STAGES, help="the stage the call reached, when known")
    p.add_argument("--event", type=int, action="append", metavar="ID", help="a DCOM event seen")
    local = p.add_mutually_exclusive_group()
    local.add_argument("--works-locally", dest="works_locally", action="store_true", default=None)
    local.add_argument("--fails-locally", dest="works_locally", action="store_false")
    other = p.add_mutually_exclusive_group()
    other.add_argument(
        "--works-with-other-account",
        dest="works_with_other_account",
        action="store_true",
        default=None,
    )
    other.add_argument(
        "--fails-with-other-account", dest="works_with_other_account", action="store_false"
    )
    p.add_argument("--top", type=int, default=5, metavar="N", help="causes shown (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--format",
        choices=("netsh", "powershell", "reg", "markdown", "json"),
        help="also print the plan that fixes the diagnosed failure, as 'wmireach plan' would "
        "(needs --client-os, --target-os, --trust, --account and --call-mode)",
    )


def _known(args: argparse.Namespace) -> dict[str, Any]:
    known: dict[str, Any] = {
        "client_os": args.client_os,
        "target_os": args.target_os,
        "trust": args.trust,
        "account": args.account,
        "call_mode": args.call_mode,
        "client_auth_level": args.client_auth_level,
        "patched": args.patched,
        "event_id": args.event,
        "works_locally": args.works_locally,
        "works_with_other_account": args.works_with_other_account,
    }
    return {k: v for k, v in known.items() if v is not None}


_SCENARIO_OPTIONS = ("client_os", "target_os", "trust", "account", "call_mode")


def _scenario(args: argparse.Namespace) -> Scenario | None:
    """The whole scenario when the options name all of it (and the client is Windows)."""
    if any(getattr(args, name) is None for name in _SCENARIO_OPTIONS) or args.client_os == "linux":
        return None
    from wmireach.matrix import MEMBERSHIPS
    from wmireach.model import Account, AccountKind, AuthLevel, CallMode, Computer, Scenario, Trust

    trust = Trust(args.trust)
    a, b = MEMBERSHIPS[trust]
    extra: dict[str, Any] = {}
    if args.client_auth_level is not None:
        extra["auth_level"] = AuthLevel(args.client_auth_level)
    return Scenario(
        client=Computer(name="A", release=args.client_os, membership=a),
        target=Computer(name="B", release=args.target_os, membership=b),
        account=Account(kind=AccountKind(args.account)),
        call_mode=CallMode(args.call_mode),
        trust=trust,
        **extra,
    )


def _text(d: Diagnosis, top: int) -> str:
    lines = [d.summary]
    if d.codes:
        lines.append("codes: " + ", ".join(f"{c.hex} {c.name or '?'}" for c in d.codes))
    if d.events:
        lines.append("events: " + "; ".join(str(e) for e in d.events))
    if d.known:
        lines.append("known: " + ", ".join(f"{k}={v}" for k, v in d.known))
    lines.append(f"scenarios considered: {d.scenarios}")
    for c in d.causes[:top]:
        where = f"{c.side.value}, " if c.side else ""
        stage = f"{c.stage.value}, " if c.stage else ""
        lines.append("")
        lines.append(f"#{c.rank} {c.id} ({where}{stage}{c.likelihood:.0%}) {c.title}")
        lines.extend(f"   why: {r}" for r in c.reasoning)
        for e in c.evidence:
            lines.append(f"   check on {e.where}: {e.check}")
            lines.append(f"      confirms it when: {e.confirms}")
        lines.append(f"   fix: {c.fix}")
        lines.extend(f"   step [{st.on.value}] {st.id}: {st.title}" for st in c.steps)
        lines.extend(f"   source: {s}" for s in c.sources)
    if len(d.causes) > top:
        lines.append(f"\n({len(d.causes) - top} less likely causes left out; --top N shows more)")
    return "\n".join(lines) + "\n"


def _json(d: Diagnosis) -> dict[str, Any]:
    return {
        "summary": d.summary,
        "explained": d.explained,
        "codes": [c.hex for c in d.codes],
        "stage": None if d.stage is None else d.stage.value,
        "events": [e.id for e in d.events],
        "known": dict(d.known),
        "scenarios": d.scenarios,
        "causes": [
            {
                "id": c.id,
                "title": c.title,
                "kind": c.kind,
                "side": None if c.side is None else c.side.value,
                "stage": None if c.stage is None else c.stage.value,
                "failures": [f"0x{f:08X}" for f in c.failures],
                "likelihood": round(c.likelihood, 4),
                "rank": c.rank,
                "evidence": [
                    {"check": e.check, "where": e.where, "confirms": e.confirms} for e in c.evidence
                ],
                "fix": c.fix,
                "rules": list(c.rules),
                "sources": list(c.sources),
                "reasoning": list(c.reasoning),
                "steps": [{"id": st.id, "on": st.on.value, "title": st.title} for st in c.steps],
            }
            for c in d.causes
        ],
    }


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Diagnose the text in ``args``; returns the exit code (0, even for "not remote WMI").

    >>> import io
    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="why it failed")
    >>> out = io.StringIO()
    >>> run(parser.parse_args(["diagnose", "0x8004100E"]), out)
    0
    >>> out.getvalue().splitlines()[0]  # doctest: +ELLIPSIS
    '0x8004100E WBEM_E_INVALID_NAMESPACE: most likely WX06 (100%): ...'
    """
    import json

    from wmireach.diagnosis import diagnose

    text = sys.stdin.read() if args.text == "-" else args.text
    scenario = _scenario(args)
    if args.format and scenario is None:  # refuse before printing anything
        from wmireach.errors import ScenarioError

        raise ScenarioError(
            "--format renders the fixing plan, which needs the whole scenario: give "
            "--client-os, --target-os, --trust, --account and --call-mode"
        )
    if scenario is None:
        d = diagnose(text, stage=args.stage, **_known(args))
    else:  # the whole scenario: causes come with the plan steps that fix them
        rest = {
            k: v
            for k, v in _known(args).items()
            if k not in (*_SCENARIO_OPTIONS, "client_auth_level")
        }
        d = diagnose(text, scenario=scenario, stage=args.stage, **rest)
    if args.json:
        json.dump(_json(d), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(_text(d, args.top))
    if args.format:
        out.write(_rendered_plan(d, scenario, args.format))
    return 0


def _rendered_plan(d: Diagnosis, scenario: Scenario | None, fmt: str) -> str:
    """The plan focused on the diagnosed failure, rendered per computer."""
    from wmireach.errors import ScenarioError
    from wmireach.planning import plan
    from wmireach.render import Format, render

    assert scenario is not None  # run() refuses --format without one
    code = next((c for c in d.codes), None)
    try:
        fixing = plan(scenario, failure=code, stage=d.stage) if code else plan(scenario)
    except ScenarioError:  # the scenario cannot give this code: show its whole plan
        fixing = plan(scenario)
    target = Format(fmt)
    sides = fixing.sides if target.per_computer and fixing.sides else (None,)
    parts = []
    for side in sides:
        where = f" ({side.value})" if side is not None else ""
        parts.append(f"\n----- plan{where}, {target.value} -----\n")
        parts.append(render(fixing, target, side=side))
    return "".join(parts)
