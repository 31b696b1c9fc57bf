"""Draw the connection diagram of a failing call and of the plan that fixes it.

Run: python examples/draw_diagram.py [DIRECTORY]

Without a directory it prints a summary of each SVG; with one it writes ``outcome.svg``,
``plan.svg`` and ``diagnosis.svg`` there (open them in a browser). In a notebook, just show the
outcome, plan or diagnosis: their HTML display includes the same picture.
"""

from __future__ import annotations

import sys
from pathlib import Path

import wmireach
from wmireach import Account, AccountKind, CallMode, Computer, Membership, Scenario

workgroup = Membership.workgroup()
scenario = Scenario(
    client=Computer(name="MONITOR", release="win11", membership=workgroup, address="10.0.0.5"),
    target=Computer(name="FILESRV", release="server2022", membership=workgroup),
    account=Account(kind=AccountKind.LOCAL_ADMIN, name="wmiadmin"),
    call_mode=CallMode.ASYNC,
)
pictures = {
    "outcome": wmireach.diagram(
        wmireach.simulate(scenario, *wmireach.default_states(scenario)), scenario=scenario
    ),
    "plan": wmireach.diagram(wmireach.plan(scenario)),
    "diagnosis": wmireach.diagram(
        wmireach.diagnose("Access is denied. (0x80070005)", scenario=scenario), scenario=scenario
    ),
}
for name, svg in pictures.items():
    if len(sys.argv) > 1:
        path = Path(sys.argv[1]) / f"{name}.svg"
        path.write_text(svg, encoding="utf-8")
        print(f"wrote {path}")
    else:
        print(f"{name}: {len(svg)} characters of SVG, {svg.count('<text')} texts")
