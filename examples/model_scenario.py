"""Describe a call between two computers and see where the out-of-the-box settings stop it.

Run: python examples/model_scenario.py

A Windows 11 monitoring client queries a Server 2022 host across a workgroup with a local
administrator account, asynchronously. The model lists the connections and stages the call goes
through, the requirements (rules with IDs and sources) each stage needs, and simulates the call
from each release's defaults, then after one change at a time.
"""

from __future__ import annotations

import wmireach
from wmireach import Account, AccountKind, CallMode, Computer, Membership, Scenario, Stage

workgroup = Membership.workgroup()
scenario = Scenario(
    client=Computer(name="MONITOR", release="win11", membership=workgroup, address="10.0.0.5"),
    target=Computer(name="FILESRV", release="server2022", membership=workgroup),
    account=Account(kind=AccountKind.LOCAL_ADMIN, name="wmiadmin"),
    call_mode=CallMode.ASYNC,
)
print("connections:", ", ".join(c.value for c in scenario.connections))
print("stages:     ", " -> ".join(s.value for s in scenario.stages))
print("requirements:")
for r in wmireach.requirements(scenario):
    print(f"  {r.id} [{r.side.value}, {r.stage.value}, fails with 0x{r.failure:08X}] {r.title}")

client, target = wmireach.default_states(scenario)
outcome = wmireach.simulate(scenario, client, target)
print(
    f"\nout of the box: fails at {outcome.stage.value} with {outcome.hresult.hex} "
    f"({outcome.hresult.name}); unmet: {', '.join(outcome.unmet)}"
)

# The same call, semisynchronous: Connection 2 and its requirements disappear.
semisync = Scenario(
    client=scenario.client,
    target=scenario.target,
    account=scenario.account,
    call_mode=CallMode.SEMISYNC,
)
print("semisync stages:", " -> ".join(s.value for s in semisync.stages))
assert Stage.CALLBACK in scenario.stages
assert Stage.CALLBACK not in semisync.stages
