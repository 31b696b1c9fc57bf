"""wmireach.simulation: the seed scenarios end to end, and Outcome's contract."""

from __future__ import annotations

import importlib.util

import attrs
import pytest

from wmireach.model import CallMode, Membership, Side, Stage, _example
from wmireach.rules import RULES
from wmireach.simulation import Outcome, default_states, requirements, simulate
from wmireach.state import WMI_GROUP, HostState, default_state


def _group_on(state: HostState) -> HostState:
    for rule in state.firewall_rules:
        if rule.group == WMI_GROUP:
            state = state.with_firewall_rule(attrs.evolve(rule, enabled=True))
    return state


def test_seed_win10_to_server2019_same_domain_domain_admin() -> None:
    """Issue 3 acceptance: defaults fail at TCP 135 with 0x800706BA; the WMI group fixes it;
    async adds nothing on the target but needs the sink exception on the client."""
    semi = _example()
    client, target = default_states(semi)
    outcome = simulate(semi, client, target)
    assert (outcome.passed, outcome.stage, outcome.failure) == (False, Stage.TCP_135, 0x800706BA)
    target = _group_on(target)
    assert simulate(semi, client, target).passed

    asyn = attrs.evolve(semi, call_mode=CallMode.ASYNC)
    on_target = {r.id for r in requirements(asyn) if r.side is Side.TARGET}
    assert on_target == {r.id for r in requirements(semi)}
    failed = simulate(asyn, client, target)
    assert (failed.stage, failed.failure) == (Stage.CALLBACK, 0x800706BA)
    assert {RULES_BY_ID[i].side for i in failed.unmet} == {Side.CLIENT}
    sink = client.firewall_rule("WMI-ASYNC-In-TCP-NoScope")
    assert sink is not None
    assert simulate(
        asyn, client.with_firewall_rule(attrs.evolve(sink, enabled=True)), target
    ).passed


RULES_BY_ID = {r.id: r for r in RULES}


def test_semisync_ignores_the_client_state() -> None:
    s = _example()
    _, target = default_states(s)
    target = _group_on(target)
    hostile = default_state("win10").with_firewall(s.client.profile, on=True)
    for rule in hostile.firewall_rules:
        hostile = hostile.without_firewall_rule(rule.name)
    assert simulate(s, hostile, target) == simulate(s, default_state("win10"), target)


def test_all_unmet_rules_of_the_failing_stage_are_listed_first_by_priority() -> None:
    s = attrs.evolve(_example(), call_mode=CallMode.ASYNC)
    wg = Membership.workgroup()
    s = attrs.evolve(
        s,
        client=attrs.evolve(s.client, membership=wg, profile=s.client.profile.PRIVATE),
        target=attrs.evolve(s.target, membership=wg, profile=s.target.profile.PRIVATE),
        account=attrs.evolve(s.account, kind=s.account.kind.BUILTIN_ADMIN),
        trust=s.trust.WORKGROUP,
    )
    client, target = default_states(s)
    outcome = simulate(s, client, _group_on(target))
    assert outcome.stage is Stage.CALLBACK
    assert outcome.unmet == ("WR801", "WR802", "WR804", "WR805")
    assert outcome.failure == RULES_BY_ID["WR801"].failure


def test_requirements_are_in_stage_order_and_cover_only_scenario_stages() -> None:
    reqs = requirements(_example())
    assert [r.stage for r in reqs] == sorted(r.stage for r in reqs)
    assert all(r.stage in _example().stages for r in reqs)


def test_outcome_contract() -> None:
    assert Outcome(passed=True).hresult is None
    with pytest.raises(ValueError, match="passed outcome"):
        Outcome(passed=True, stage=Stage.QUERY)
    with pytest.raises(ValueError, match="failed outcome"):
        Outcome(passed=False, stage=Stage.QUERY, failure=5)
    with pytest.raises(ValueError, match="failed outcome"):
        Outcome(passed=False)


@pytest.mark.skipif(importlib.util.find_spec("wmireach.hresult") is None, reason="no hresult yet")
def test_outcome_hresult() -> None:
    s = _example()
    outcome = simulate(s, *default_states(s))
    assert outcome.hresult is not None
    assert outcome.hresult.name == "RPC_S_SERVER_UNAVAILABLE"


def test_the_example_in_docs_model_md_runs_as_described() -> None:
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "model.md").read_text("utf-8")
    code = re.search(r"```python\n(.*?)```", page, re.DOTALL)
    assert code is not None
    namespace: dict[str, object] = {}
    exec(code.group(1), namespace)
    outcome = namespace["outcome"]
    assert isinstance(outcome, Outcome)
    assert (outcome.stage, outcome.failure, outcome.unmet) == (
        Stage.TCP_135,
        0x800706BA,
        ("WR101", "WR102"),
    )


def test_a_legacy_client_sink_exception_must_include_the_target_in_its_scope() -> None:
    from wmireach.model import Computer
    from wmireach.state import FirewallRule, RuleKind

    corp = Membership.domain("corp")
    s = attrs.evolve(
        _example(),
        client=Computer(name="A", release="winxp-sp2", membership=corp),
        target=Computer(name="B", release="server2003-sp1", membership=corp, address="10.5.0.1"),
        call_mode=CallMode.ASYNC,
    )
    client, target = default_states(s)
    profiles = {s.client.profile}
    port = FirewallRule(
        name="DCOM_TCP135",
        kind=RuleKind.PORT_OPENING,
        enabled=True,
        profiles=profiles,
        local_port=135,
    )
    sink = FirewallRule(
        name="UNSECAPP",
        kind=RuleKind.ALLOWED_PROGRAM,
        enabled=True,
        profiles=profiles,
        program=s.sink_program,
        remote_addresses={"10.9.0.0/16"},
    )
    client = client.with_firewall_rule(port).with_firewall_rule(sink)
    outcome = simulate(s, client, target)
    assert (outcome.stage, outcome.unmet) == (Stage.CALLBACK, ("WR801",))
    widened = client.with_firewall_rule(attrs.evolve(sink, remote_addresses={"10.5.0.0/16"}))
    assert simulate(s, widened, target).passed


def test_the_model_core_imports_neither_hypothesis_nor_io_modules() -> None:
    import json
    import subprocess
    import sys

    probe = (
        "import sys, json, wmireach._cli_model, wmireach.simulation; "
        "from wmireach.model import _example; from wmireach.simulation import simulate, "
        "default_states; s = _example(); simulate(s, *default_states(s)); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    roots = {m.split(".")[0] for m in loaded}
    assert not roots & {"hypothesis", "socket", "asyncio", "subprocess", "ssl", "http", "impacket"}
    assert "wmireach.hresult" not in loaded  # HResult values are decoded lazily
