"""Golden snapshots of rendered plans for representative scenarios (issue 4).

Each scenario is planned from its releases' defaults and rendered in every format for every
computer that has steps, plus the rollback as a runbook. The files under tests/cases/plans/ are
what a person would run; review a diff to them like a diff to code. Regenerate after an
intended change with:  WMIREACH_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_plan_snapshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wmireach.model import (
    Account,
    AccountKind,
    CallMode,
    Computer,
    Membership,
    Scenario,
    Side,
    Trust,
)
from wmireach.planning import Plan, plan
from wmireach.render import Format, render

SNAPSHOTS = Path(__file__).parent / "cases" / "plans"
UPDATE = os.environ.get("WMIREACH_UPDATE_SNAPSHOTS") == "1"
EXTENSIONS = {
    Format.NETSH: "cmd",
    Format.POWERSHELL: "ps1",
    Format.REG: "reg",
    Format.MARKDOWN: "md",
    Format.JSON: "json",
}

_WG = Membership.workgroup()
_CORP = Membership.domain("corp.example")
_OTHER = Membership.domain("partner.example")


def _computer(name: str, release: str, membership: Membership, **kw: object) -> Computer:
    return Computer(name=name, release=release, membership=membership, **kw)  # type: ignore[arg-type]


SCENARIOS: dict[str, Scenario] = {
    # The seed "Connecting Through Windows Firewall": XP SP2 to 2003 SP1, async, workgroup.
    "xp-sp2-to-2003-sp1-async-workgroup": Scenario(
        client=_computer("A", "winxp-sp2", _WG),
        target=_computer("B", "server2003-sp1", _WG),
        account=Account(kind=AccountKind.LOCAL_ADMIN, name="wmiadmin"),
        call_mode=CallMode.ASYNC,
    ),
    "win11-to-2025-same-domain-semisync": Scenario(
        client=_computer("A", "win11", _CORP),
        target=_computer("B", "server2025", _CORP),
        account=Account(kind=AccountKind.DOMAIN_ADMIN, name="CORP\\wmiops"),
    ),
    "workgroup-local-admin-to-win10": Scenario(
        client=_computer("A", "win11", _WG, address="192.0.2.10"),
        target=_computer("B", "win10", _WG),
        account=Account(kind=AccountKind.LOCAL_ADMIN, name="wmiadmin"),
    ),
    "domain-user-to-2022": Scenario(
        client=_computer("A", "win10", _CORP),
        target=_computer("B", "server2022", _CORP),
        account=Account(kind=AccountKind.DOMAIN_USER, name="CORP\\monitor"),
    ),
    "fixed-port-2019": Scenario(
        client=_computer("A", "win10", _CORP),
        target=_computer("B", "server2019", _CORP),
        account=Account(kind=AccountKind.DOMAIN_ADMIN),
        fixed_port=24158,
    ),
    "win7-to-2008r2-netsh-only": Scenario(
        client=_computer("A", "win7", _CORP),
        target=_computer("B", "server2008r2", _CORP),
        account=Account(kind=AccountKind.DOMAIN_ADMIN),
    ),
    "vista-to-2008-untrusted-async": Scenario(
        client=_computer("A", "vista", _CORP),
        target=_computer("B", "server2008", _OTHER),
        account=Account(kind=AccountKind.LOCAL_ADMIN, name="B\\wmiadmin"),
        call_mode=CallMode.ASYNC,
        trust=Trust.UNTRUSTED_DOMAIN,
    ),
    "win10-to-2019-same-domain-async": Scenario(
        client=_computer("A", "win10", _CORP),
        target=_computer("B", "server2019", _CORP),
        account=Account(kind=AccountKind.DOMAIN_ADMIN),
        call_mode=CallMode.ASYNC,
    ),
    "builtin-admin-workgroup-to-win11": Scenario(
        client=_computer("A", "win10", _WG),
        target=_computer("B", "win11", _WG),
        account=Account(kind=AccountKind.BUILTIN_ADMIN, name="Administrator"),
    ),
    "domain-user-win81-to-2012r2-trusted": Scenario(
        client=_computer("A", "win8.1", _CORP),
        target=_computer("B", "server2012r2", _OTHER),
        account=Account(kind=AccountKind.DOMAIN_USER, name="CORP\\monitor"),
        trust=Trust.TRUSTED_DOMAIN,
    ),
    "scoped-to-client-address-2016": Scenario(
        client=_computer("A", "win10", _CORP, address="198.51.100.7"),
        target=_computer("B", "server2016", _CORP),
        account=Account(kind=AccountKind.DOMAIN_ADMIN),
        same_subnet=False,
    ),
    "local-user-to-server2022-workgroup-namespace": Scenario(
        client=_computer("A", "win11", _WG),
        target=_computer("B", "server2022", _WG),
        account=Account(kind=AccountKind.LOCAL_USER, name="reader"),
        namespace="root\\StandardCimv2",
    ),
}


def _documents(name: str, p: Plan) -> dict[str, str]:
    docs: dict[str, str] = {}
    sides = sorted({step.on for step in p.steps}, key=lambda s: s.value)
    for side in sides:
        for fmt, ext in EXTENSIONS.items():
            docs[f"{name}.{side.value}.{ext}"] = render(p, fmt, side=side)
    docs[f"{name}.rollback.md"] = render(p.rollback(), Format.MARKDOWN)
    return docs


def _all_documents() -> dict[str, str]:
    docs: dict[str, str] = {}
    for name, scenario in SCENARIOS.items():
        docs.update(_documents(name, plan(scenario)))
    return docs


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_rendered_plans_match_their_snapshots(name: str) -> None:
    docs = _documents(name, plan(SCENARIOS[name]))
    assert docs, f"{name}: the plan has no steps"
    for file_name, text in docs.items():
        path = SNAPSHOTS / file_name
        if UPDATE:
            path.write_text(text, encoding="utf-8", newline="")
            continue
        assert path.exists(), f"missing snapshot {path}; run with WMIREACH_UPDATE_SNAPSHOTS=1"
        # Bytes, not read_text(): .cmd and .reg files end lines with CRLF, as Windows wants.
        assert path.read_bytes().decode("utf-8") == text, f"{file_name} differs from its snapshot"


def test_no_stale_snapshots() -> None:
    expected = set(_all_documents())
    present = {p.name for p in SNAPSHOTS.iterdir() if p.suffix != ".md" or p.name != "README.md"}
    assert present - expected == set(), "snapshots no scenario produces any more"


def test_every_side_of_every_scenario_was_rendered() -> None:
    for name, scenario in SCENARIOS.items():
        p = plan(scenario)
        assert not p.unresolved or name.startswith("xp-"), (name, p.unresolved)
        assert {step.on for step in p.steps} <= {Side.CLIENT, Side.TARGET}
