"""Figures for the live probe: a fleet of hosts behind a real firewall, by the probe and by hand.

Builds a network namespace (tests/probe/netlab.py) whose addresses are the targets: a third
open (a scripted responder answers every stage), a third REJECT (TCP 135 refused), a third DROP
(filtered). Then:

1. ``probe_many`` over every target, all at once, with a 2 s connect timeout, twice: the
   anonymous stages (TCP 135, endpoint mapper, NTLM fingerprint) and every stage with an NTLM
   logon: total wall (target: at most 1.5 x the timeout), CPU of the probe and of the lab's
   responder, peak memory (RSS), and whether every host ended the way its firewall says;
2. the same set the way a user does it by hand: a ``ThreadPoolExecutor`` of the same size, each
   thread running impacket's ``DCOMConnection`` with its defaults (30 s connect timeout) and an
   ``NTLMLogin``, in a child process; its wall and the ratio to the probe's.

Prints figures, asserts nothing. Needs root (``ip netns``, ``nft``); when namespaces cannot be
created it says why and exits 0 in ``--quick`` mode (1 otherwise).

Usage: python bench/bench_probe.py [--quick] [--targets N] [--timeout S] [--no-by-hand]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "probe"))

import netlab

from wmireach.model import Stage
from wmireach.probe import Budget, Credentials, StageStatus, probe_many
from wmireach.testing.responder import DEFAULT_ACCOUNTS

USER, PASSWORD = next(iter(DEFAULT_ACCOUNTS.items()))


def _targets(lab: netlab.Lab, n: int) -> list[tuple[str, str]]:
    kinds = ("open", "reject", "drop")
    return [(kinds[i % 3], lab.address(kinds[i % 3], i // 3)) for i in range(n)]


def _expected(kind: str, report: object, credentials: object) -> bool:
    from wmireach.probe import ProbeReport

    assert isinstance(report, ProbeReport)
    failure = report.failure
    if kind == "open" and credentials is None:
        return failure is None and report.build is not None
    if kind == "open":
        return report.passed
    if failure is None or failure.stage is not Stage.TCP_135:
        return False
    wanted = StageStatus.FAILED if kind == "reject" else StageStatus.TIMED_OUT
    return failure.status is wanted


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (the responder), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _by_hand_child(addresses: list[str]) -> None:
    """One thread per target, each running impacket's DCOMConnection with its defaults."""
    from impacket.dcerpc.v5.dcom import wmi
    from impacket.dcerpc.v5.dcomrt import DCOMConnection
    from impacket.dcerpc.v5.dtypes import NULL

    def one(address: str) -> str:
        try:
            dcom = DCOMConnection(address, USER, PASSWORD, "")
        except Exception as exc:
            return type(exc).__name__
        try:
            interface = dcom.CoCreateInstanceEx(wmi.CLSID_WbemLevel1Login, wmi.IID_IWbemLevel1Login)
            login = wmi.IWbemLevel1Login(interface)
            login.NTLMLogin("//./root/cimv2", NULL, NULL)
            return "ok"
        except Exception as exc:
            return type(exc).__name__
        finally:
            dcom.disconnect()

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(addresses)) as pool:
        outcomes = list(pool.map(one, addresses))
    wall = time.perf_counter() - start
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    print(json.dumps({"wall": wall, "rss_mb": _peak_rss_mb(), "outcomes": counts}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 targets instead of 1,000")
    parser.add_argument("--targets", type=int, help="how many targets (default 1000, quick 60)")
    parser.add_argument("--timeout", type=float, default=2.0, help="connect timeout (2 s)")
    parser.add_argument("--no-by-hand", action="store_true", help="skip the DCOMConnection run")
    parser.add_argument("--by-hand-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.by_hand_child:
        _by_hand_child(json.loads(args.by_hand_child))
        return 0
    n = args.targets or (60 if args.quick else 1000)
    why = netlab.unavailable()
    if why is not None:
        print(f"bench_probe: skipped, {why}")
        return 0 if args.quick else 1
    timeout = args.timeout
    credentials = Credentials.with_password(USER, PASSWORD)
    with netlab.lab() as lab:
        lab.serve_ranges(processes=os.cpu_count() or 1)
        responder_pids = [p.pid for p in lab.processes]
        targets = _targets(lab, n)
        kind_of = {address: kind for kind, address in targets}
        # The connect timeout is the figure's unit; an RPC exchange may take longer when the
        # lab's one responder process serves hundreds of logons at once on a shared CPU.
        budget = Budget(connect=timeout, stage=max(5.0, 2 * timeout), host=max(20.0, 6 * timeout))
        print(
            f"{n} targets (open/REJECT/DROP thirds) in a network namespace, connect timeout "
            f"{timeout:g} s, concurrency {n}; {os.cpu_count()} CPUs shared with "
            f"{len(responder_pids)} responder processes"
        )
        for label, creds in (("anonymous stages", None), ("all stages, NTLM", credentials)):
            rss_before = _peak_rss_mb()
            cpu_before, peer_before = time.process_time(), sum(map(_cpu_seconds, responder_pids))
            start = time.perf_counter()
            reports = list(
                probe_many([a for _, a in targets], creds, budget=budget, concurrency=len(targets))
            )
            wall = time.perf_counter() - start
            cpu = time.process_time() - cpu_before
            peer = sum(map(_cpu_seconds, responder_pids)) - peer_before
            wrong = [r.target for r in reports if not _expected(kind_of[r.target], r, creds)]
            print(f"probe_many, {label}:")
            print(
                f"  wall {wall:.2f} s = {wall / timeout:.2f} x the connect timeout "
                f"(target <= 1.5 x); {len(wrong)} hosts ended unlike their firewall says"
                + (f" (e.g. {wrong[:3]})" if wrong else "")
            )
            print(
                f"  CPU: probe {cpu:.2f} s ({1000 * cpu / n:.1f} ms a host), "
                f"responder {peer:.2f} s; peak RSS {_peak_rss_mb():.1f} MB "
                f"(before {rss_before:.1f} MB)"
            )
        if args.no_by_hand:
            return 0
        child = subprocess.run(
            [sys.executable, __file__, "--by-hand-child", json.dumps([a for _, a in targets])],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            by_hand = json.loads(child.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            print(f"by hand: the child failed: {child.stderr.strip()[-500:]}")
            return 0
        print(f"by hand: ThreadPoolExecutor({n}) x impacket DCOMConnection (defaults) + NTLMLogin")
        print(
            f"  wall {by_hand['wall']:.2f} s, peak RSS {by_hand['rss_mb']:.1f} MB, "
            f"outcomes {by_hand['outcomes']}"
        )
        print(f"  ratio by hand / probe: {by_hand['wall'] / wall:.1f} x the wall time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
