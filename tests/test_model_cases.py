"""Golden cases: one scenario per rule ID, from the seeds and the fact sheet (tests/cases/model).

Each case names its rule and source, a scenario (the JSON shape, written in TOML) and steps that
change the default client and target states cumulatively, each with the expected outcome.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from wmireach.model import NetworkProfile, scenario_from_json
from wmireach.rules import RULES
from wmireach.simulation import default_states, simulate
from wmireach.state import (
    ALLOW_ANONYMOUS_CALLBACK,
    ENABLE_DCOM,
    ENABLE_LUA,
    FILTER_ADMINISTRATOR_TOKEN,
    LOCAL_ACCOUNT_TOKEN_FILTER_POLICY,
    REQUIRE_INTEGRITY_ACTIVATION,
    WMI_GROUP,
    DcomRight,
    FirewallRule,
    HostState,
    NamespaceAce,
    RuleKind,
    WmiHosting,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    tomllib = pytest.importorskip("tomli")

CASES = sorted((Path(__file__).parent / "cases" / "model").glob("*.toml"))
_REGISTRY = {
    key[1]: key
    for key in (
        ALLOW_ANONYMOUS_CALLBACK,
        ENABLE_DCOM,
        ENABLE_LUA,
        FILTER_ADMINISTRATOR_TOKEN,
        LOCAL_ACCOUNT_TOKEN_FILTER_POLICY,
        REQUIRE_INTEGRITY_ACTIVATION,
    )
}
_KNOWN_CHANGES = {
    "enable_group",
    "enable_rules",
    "scope",
    "firewall_on",
    "registry",
    "grant_dcom",
    "revoke_dcom",
    "add_group_members",
    "namespace_aces",
    "add_rules",
    "standalone_port",
}


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        data: dict[str, Any] = tomllib.load(f)
    return data


def _enable(state: HostState, rule: FirewallRule) -> HostState:
    return state.with_firewall_rule(attrs.evolve(rule, enabled=True))


def _apply(state: HostState, changes: dict[str, Any]) -> HostState:
    unknown = set(changes) - _KNOWN_CHANGES
    assert not unknown, f"unknown change keys {unknown}"
    if changes.get("enable_group"):
        for rule in state.firewall_rules:
            if rule.group == WMI_GROUP:
                state = _enable(state, rule)
    for name in changes.get("enable_rules", []):
        rule = state.firewall_rule(name)
        assert rule is not None, f"no rule {name}"
        state = _enable(state, rule)
    for name, addresses in changes.get("scope", {}).items():
        rule = state.firewall_rule(name)
        assert rule is not None, f"no rule {name}"
        state = state.with_firewall_rule(attrs.evolve(rule, remote_addresses=addresses))
    if "firewall_on" in changes:
        state = attrs.evolve(state, firewall_on={NetworkProfile(p) for p in changes["firewall_on"]})
    for entry in changes.get("registry", []):
        state = state.with_registry_value(_REGISTRY[entry["name"]], entry["value"])
    for entry in changes.get("grant_dcom", []):
        rights = [DcomRight(r) for r in entry["rights"]]
        state = state.granting_dcom(entry["principal"], *rights)
    for entry in changes.get("revoke_dcom", []):
        rights = [DcomRight(r) for r in entry["rights"]]
        state = state.revoking_dcom(entry["principal"], *rights)
    for entry in changes.get("add_group_members", []):
        state = state.with_group_member(entry["group"], entry["principal"])
    for entry in changes.get("namespace_aces", []):
        state = state.with_namespace_ace(NamespaceAce(**entry))
    for entry in changes.get("add_rules", []):
        fields = dict(entry)
        fields["kind"] = RuleKind(fields.get("kind", "wfas"))
        fields["profiles"] = frozenset(NetworkProfile(p) for p in fields["profiles"])
        state = state.with_firewall_rule(FirewallRule(**fields))
    if "standalone_port" in changes:
        state = state.with_wmi_hosting(WmiHosting.STANDALONE, changes["standalone_port"])
    return state


def test_there_is_a_golden_case_for_every_rule() -> None:
    covered = {_load(path)["rule"] for path in CASES}
    assert covered == {r.id for r in RULES}


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(path: Path) -> None:
    case = _load(path)
    assert case["source"].strip(), "every case names its source"
    scenario = scenario_from_json(case["scenario"])
    client, target = default_states(scenario)
    for step in case["steps"]:
        client = _apply(client, step.get("client", {}))
        target = _apply(target, step.get("target", {}))
        outcome = simulate(scenario, client, target)
        expect = step["expect"]
        got = {"passed": outcome.passed}
        if not outcome.passed:
            assert outcome.stage is not None
            assert outcome.failure is not None
            got |= {
                "stage": outcome.stage.value,
                "failure": f"0x{outcome.failure:08X}",
                "unmet": list(outcome.unmet),
            }
        assert got == expect, f"{path.name}, step {step['name']!r}"
