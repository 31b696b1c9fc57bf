"""Probe scripted WMI peers on loopback and diagnose each failure (no network needed).

Each peer is wmireach's scripted MS-RPC responder playing one fault; the probe runs every stage
against it (NTLM at PKT_PRIVACY) and the diagnosis ranks the causes.

Run: python examples/probe_scripted_faults.py
"""

from __future__ import annotations

from wmireach.diagnosis import diagnose
from wmireach.model import AccountKind, Stage
from wmireach.probe import Budget, Credentials, probe
from wmireach.testing.responder import DEFAULT_ACCOUNTS, Script, scripted_responder

user, password = next(iter(DEFAULT_ACCOUNTS.items()))
admin = Credentials.with_password(user, password, account=AccountKind.LOCAL_ADMIN)
wrong = Credentials.with_password(user, "not-the-password")

PEERS = [
    ("healthy", Script(), admin),
    ("wrong password", Script(), wrong),
    ("activation denied", Script(fault_at=Stage.DCOM_ACTIVATION), admin),
    ("namespace denied", Script(fault_at=Stage.NAMESPACE_LOGIN), admin),
    ("NAT: advertises 192.0.2.10", Script(advertise=("192.0.2.10",)), admin),
    ("stalls at the query", Script(stall_at=Stage.QUERY), admin),
]

for label, script, credentials in PEERS:
    with scripted_responder(script) as peer:
        report = probe(f"127.0.0.1:{peer.port}", credentials, budget=Budget(connect=0.5, stage=0.5))
    failure = report.failure
    if failure is None and not report.nat:
        print(f"{label:<28} every stage passed in {report.elapsed * 1000:.0f} ms")
        continue
    where = (
        f"{failure.stage.value} {failure.status.value}"
        + (f" {failure.hresult.name}" if failure.hresult else "")
        if failure is not None
        else "passed here, but no advertised address is reachable"
    )
    top = diagnose(report).causes
    cause = f"{top[0].id}: {top[0].title}" if top else "no known cause"
    print(f"{label:<28} {where}\n{'':<28} -> {cause}")
