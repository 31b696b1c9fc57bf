"""The ``wmireach probe`` sub-command: how far a real WMI call gets to each host, and why.

Owns: the sub-command's options, reading the secret (a prompt or ``WMIREACH_PASSWORD``, never
the command line), the text and JSON-lines output, the progress bar on a terminal, and
``--diagnose``. It decides nothing: the stages come from :mod:`wmireach.probe`, the causes from
:func:`wmireach.diagnosis.diagnose`.

Must not: take a secret from the command line or print one.

Exit status (docs/cli.md): 0 when every host passed every stage run, 1 when the call fails on
any host, 2 for bad input: unusable options, or a malformed host (reported on its own line while
the others are probed, as ``explain`` prints the good inputs).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from wmireach._cli_model import ACCOUNTS, STAGES

if TYPE_CHECKING:
    from wmireach.probe import Credentials, ProbeReport

__all__ = ["PASSWORD_ENV", "register", "run"]

#: The environment variable the secret (password, or NT hash with --hashes) is read from.
PASSWORD_ENV = "WMIREACH_PASSWORD"
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
#: The stages a probe can stop after: every stage but the callback, which it does not probe.
PROBE_STAGES = STAGES[: STAGES.index("callback")]
# Literal so that building the parser imports none of the model (as in _cli_model).
AUTH_LEVELS = ("connect", "pkt-integrity", "pkt-privacy")

_EPILOG = f"""\
examples:
  wmireach probe b.corp.example                      anonymous stages and NTLM fingerprint
  wmireach probe 10.0.0.5 -u wmiadmin --domain B --diagnose
  WMIREACH_PASSWORD=... wmireach probe $(cat hosts.txt) -u CORP\\\\alice --json > probe.jsonl
  wmireach probe 10.0.0.5:1135 -u alice --hashes       (the secret read is LMHASH:NTHASH)

The password (or NT hash with --hashes) is read from ${PASSWORD_ENV} or prompted for; it is
never taken from the command line and never printed. HOST is a name or address, optionally
:PORT for the endpoint mapper ([v6]:PORT for IPv6).
"""


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], *, summary: str
) -> None:
    """Add the ``probe`` sub-command to ``subparsers`` (imports none of the probe).

    >>> parser = argparse.ArgumentParser(prog="wmireach")
    >>> register(parser.add_subparsers(dest="command"), summary="probe hosts")
    >>> parser.parse_args(["probe", "b", "c", "--timeout", "1"]).timeout
    1.0
    """
    p = subparsers.add_parser(
        "probe",
        help=summary,
        description="Run the stages of a remote WMI call against each HOST (name resolution, "
        "TCP 135, endpoint mapper, NTLM logon, DCOM activation, WMI port, namespace login, "
        "query) and report how far it gets and why it stops there.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("hosts", nargs="+", metavar="HOST")
    p.add_argument("-u", "--user", metavar="USER", help="log on as USER (DOMAIN\\user works)")
    p.add_argument("--domain", default="", help="the user's domain (B for B's local accounts)")
    p.add_argument(
        "--hashes",
        action="store_true",
        help=f"the secret read (${PASSWORD_ENV} or prompt) is an NT hash, as NTHASH or LM:NT",
    )
    p.add_argument("--account", choices=ACCOUNTS, help="what kind of account USER is on HOST")
    p.add_argument(
        "--timeout", type=float, default=2.0, metavar="S", help="each connect and call (2)"
    )
    p.add_argument(
        "--budget", type=float, metavar="S", help="each host in all (default: max(20, 5 x S))"
    )
    p.add_argument("--concurrency", type=int, default=256, metavar="N", help="hosts at once")
    p.add_argument("--stage", choices=PROBE_STAGES, help="stop after this stage")
    p.add_argument("--auth-level", choices=AUTH_LEVELS, default="pkt-privacy")
    p.add_argument("--namespace", default="root\\cimv2")
    p.add_argument("--json", action="store_true", help="JSON lines, one report per host")
    p.add_argument("--diagnose", action="store_true", help="rank the causes of each host's failure")


def _secret(args: argparse.Namespace) -> str:
    from wmireach.probe import InvalidTarget

    secret = os.environ.get(PASSWORD_ENV)
    if secret is not None:
        return secret
    if not sys.stdin.isatty():
        raise InvalidTarget(
            f"-u needs a secret: set {PASSWORD_ENV} or run on a terminal to be prompted "
            "(it is never read from the command line)"
        )
    import getpass

    what = "NT hash" if args.hashes else "password"
    return getpass.getpass(f"{what} for {args.user}: ")


def _credentials(args: argparse.Namespace) -> Credentials | None:
    from wmireach.model import AccountKind
    from wmireach.probe import Credentials, InvalidTarget

    if args.user is None:
        if args.hashes or args.account:
            raise InvalidTarget("--hashes and --account need -u USER")
        return None
    account = AccountKind(args.account) if args.account else None
    secret = _secret(args)
    if args.hashes:
        return Credentials.with_hashes(args.user, secret, domain=args.domain, account=account)
    return Credentials.with_password(args.user, secret, domain=args.domain, account=account)


def _diagnosis_json(report: ProbeReport) -> dict[str, Any] | None:
    from wmireach.diagnosis import diagnose

    if report.observed_failure() is None:
        return None
    d = diagnose(report)
    return {
        "summary": d.summary,
        "causes": [
            {"id": c.id, "likelihood": round(c.likelihood, 4), "title": c.title}
            for c in d.causes[:5]
        ],
    }


def _text(report: ProbeReport, diagnosis: dict[str, Any] | None) -> str:
    head = (
        report.target
        if report.address in (None, report.target)
        else (f"{report.target} ({report.address})")
    )
    if report.error is not None:
        return f"{head}: {report.error}\n"
    verdict = "passed" if report.passed else "FAILED"
    lines = [f"{head}: {verdict} in {report.elapsed:.2f} s"]
    for r in report.results:
        code = f" {r.hresult.hex} {r.hresult.name or ''}".rstrip() if r.hresult else ""
        lines.append(f"  {r.stage.value:<16} {r.status.value:<9} {r.elapsed * 1000:7.1f} ms{code}")
        if r.detail and r.status.value != "passed":
            lines.append(f"  {'':<16} {r.detail}")
        verdict_fact = r.fact("verdict")
        if verdict_fact:
            lines.append(f"  {'':<16} {verdict_fact}")
    identity = dict(report.identity)
    if identity:
        shown = ", ".join(
            f"{k} {identity[k]}"
            for k in ("netbios-name", "netbios-domain", "dns-domain", "build", "membership")
            if k in identity
        )
        lines.append(f"  identity         {shown}")
    if diagnosis is not None:
        lines.append(f"  diagnosis        {diagnosis['summary']}")
        lines.extend(
            f"    {c['id']:<6} {c['likelihood']:>4.0%}  {c['title']}"
            for c in diagnosis["causes"][:3]
        )
    return "\n".join(lines) + "\n"


class _Progress:
    """A one-line bar on stderr when it is a terminal and more than one host is probed."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.shown = total > 1 and sys.stderr.isatty()

    def step(self, passed: bool) -> None:
        self.done += 1
        self.failed += not passed
        if self.shown:
            width = 30
            filled = width * self.done // self.total
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} hosts, "
                f"{self.failed} failed"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Probe every host in ``args``; print text or JSON lines as hosts finish."""
    import json

    from wmireach.model import AuthLevel, Stage
    from wmireach.probe import Budget, InvalidTarget, probe_many

    if args.timeout <= 0 or (args.budget is not None and args.budget <= 0):
        raise InvalidTarget("--timeout and --budget must be > 0 seconds")
    if args.concurrency < 1:
        raise InvalidTarget("--concurrency must be at least 1")
    credentials = _credentials(args)
    budget = Budget(
        connect=args.timeout,
        stage=args.timeout,
        host=args.budget if args.budget is not None else max(20.0, 5 * args.timeout),
    )
    progress = _Progress(len(args.hosts))
    status = 0
    try:
        for report in probe_many(
            args.hosts,
            credentials,
            budget=budget,
            stages=Stage(args.stage) if args.stage else None,
            auth_level=AuthLevel(args.auth_level),
            namespace=args.namespace,
            concurrency=args.concurrency,
        ):
            diagnosis = _diagnosis_json(report) if args.diagnose else None
            if args.json:
                data = report.to_json()
                if args.diagnose:
                    data["diagnosis"] = diagnosis
                out.write(json.dumps(data) + "\n")
            else:
                out.write(_text(report, diagnosis))
            out.flush()
            progress.step(report.passed)
            if report.error is not None:
                status = EXIT_BAD_INPUT
            elif not report.passed and status != EXIT_BAD_INPUT:
                status = EXIT_FAILED
    finally:
        progress.close()
    return status
