"""Get the least-privileged steps that make a call work, as scripts, with their rollback.

Run: python examples/plan_scripts.py [DIRECTORY]

Without a directory it prints the steps and the first lines of each script; with one it writes
the PowerShell and netsh scripts for Computer B, the .reg file and the Markdown runbook, and the
rollback of each, there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import wmireach
from wmireach import Account, AccountKind, Computer, Membership, Scenario, Side
from wmireach.render import Format, render

workgroup = Membership.workgroup()
scenario = Scenario(
    client=Computer(name="MONITOR", release="win10", membership=workgroup, address="10.0.0.5"),
    target=Computer(name="FILESRV", release="server2019", membership=workgroup),
    account=Account(kind=AccountKind.LOCAL_ADMIN, name="wmiadmin"),
)
plan = wmireach.plan(scenario)
for step in plan.steps:
    risk = f"  (widens attack surface: {step.risk})" if step.risk else ""
    print(f"{step.id} on {step.on.value}: {step.title}{risk}")

# The plan is checked by the model: applied to the defaults the call passes, and the rollback
# puts the states back exactly.
assert plan.outcome().passed
assert plan.rollback().apply(*plan.apply()) == wmireach.default_states(scenario)

documents = {
    f"{name}{fmt.suffix}": render(candidate, fmt, side=Side.TARGET if fmt.per_computer else None)
    for name, candidate in (("fix-filesrv", plan), ("undo-filesrv", plan.rollback()))
    for fmt in (Format.POWERSHELL, Format.NETSH, Format.REG, Format.MARKDOWN)
}
for name, text in documents.items():
    if len(sys.argv) > 1:
        path = Path(sys.argv[1]) / name
        path.write_text(text, encoding="utf-8", newline="")
        print(f"wrote {path}")
    else:
        print(f"\n--- {name}: {len(text.splitlines())} lines")
        print("\n".join(text.splitlines()[:3]))
