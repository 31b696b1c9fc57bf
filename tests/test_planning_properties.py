"""Properties of remediation plans over the whole scenario space (wmireach.testing strategies).

The plan is checked by the model: applied to the default states it makes ``simulate`` pass, its
rollback restores the states exactly, applying it twice equals applying it once, and no step is
superfluous (dropping any one makes the call fail).
"""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from wmireach.actions import apply_all
from wmireach.model import CallMode, Computer, Scenario, Side, Stage
from wmireach.planning import Plan, _planned, plan
from wmireach.rules import rule
from wmireach.simulation import default_states, simulate
from wmireach.state import ALLOW_ANONYMOUS_CALLBACK, LOCAL_ACCOUNT_TOKEN_FILTER_POLICY, HostState
from wmireach.testing import satisfying_states, scenario_with_states, scenarios


def _apply_twice(p: Plan) -> tuple[object, object]:
    client, target = p.apply()
    return p.apply(client, target)


@given(scenarios())
def test_plan_on_default_states_makes_the_call_pass(scenario: Scenario) -> None:
    p = plan(scenario)

    assert p.unresolved == ()
    assert p.outcome().passed


@given(scenarios())
def test_rollback_restores_the_default_states_exactly(scenario: Scenario) -> None:
    p = plan(scenario)
    undo = p.rollback()

    assert undo.apply(*p.apply()) == default_states(scenario)
    assert undo.scenario_after == scenario
    again = undo.rollback()
    assert [(s.id, s.on, s.title, s.actions, s.rollback) for s in again.steps] == [
        (s.id, s.on, s.title, s.actions, s.rollback) for s in p.steps if s.actions
    ]


@given(scenarios())
def test_applying_a_plan_twice_equals_once(scenario: Scenario) -> None:
    p = plan(scenario)

    assert _apply_twice(p) == p.apply()


@given(scenarios())
def test_dropping_any_single_step_makes_the_call_fail(scenario: Scenario) -> None:
    p = plan(scenario)

    for index in range(len(p.steps)):
        reduced = attrs.evolve(p, steps=p.steps[:index] + p.steps[index + 1 :])
        assert not reduced.outcome().passed, p.steps[index].id


@given(scenarios())
def test_steps_never_disable_a_firewall_or_uac_filtering(scenario: Scenario) -> None:
    p = plan(scenario)
    client, target = p.apply()
    start = default_states(scenario)

    assert (client.firewall_on, target.firewall_on) == (start[0].firewall_on, start[1].firewall_on)
    assert target.registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY) is None


@given(scenarios())
def test_connection_2_steps_only_for_async_and_anonymous_only_without_trust(
    scenario: Scenario,
) -> None:
    p = plan(scenario)
    stages = {rule(r).stage for s in p.steps for r in s.rules}
    _, target = p.apply()

    assert (Stage.CALLBACK in stages) <= (scenario.call_mode.value == "async")
    if not scenario.anonymous_callback:
        assert target.registry_value(ALLOW_ANONYMOUS_CALLBACK) is None
    if scenario.call_mode.value != "async":
        assert all(s.on is Side.TARGET or s.rules == ("WR402",) for s in p.steps)


@given(scenarios())
def test_risky_steps_say_so(scenario: Scenario) -> None:
    for step in plan(scenario).steps:
        if {"WR804", "WR805"} & set(step.rules):
            assert step.risk is not None
            assert step.risk.startswith("RISKY")


@settings(max_examples=150)
@given(scenario_with_states())
def test_plan_from_any_fixable_state_passes_and_rolls_back(
    drawn: tuple[Scenario, object, object],
) -> None:
    scenario, client, target = drawn
    assert satisfying_states is not None
    p = plan(scenario, client_state=client, target_state=target)  # type: ignore[arg-type]

    if not p.unresolved:
        assert p.outcome().passed
    assert p.rollback().apply(*p.apply()) == (client, target)
    assert _apply_twice(p) == p.apply()


@given(scenarios(), st.data())
def test_each_step_rollback_restores_the_state_it_was_built_on(
    scenario: Scenario, data: st.DataObject
) -> None:
    p = plan(scenario)
    states = {Side.CLIENT: p.client_state, Side.TARGET: p.target_state}
    for step in p.steps:
        before = states[step.on]
        after = apply_all(step.actions, before)
        assert apply_all(step.rollback, after) == before
        states[step.on] = after
    assert simulate(p.scenario_after, states[Side.CLIENT], states[Side.TARGET]).passed


@given(scenario_with_states(call_mode=st.sampled_from([CallMode.SYNC, CallMode.SEMISYNC])))
def test_sync_and_semisync_plans_shared_across_clients_equal_planning_from_scratch(
    drawn: tuple[Scenario, HostState, HostState],
) -> None:
    # plan() works out a sync or semisync call once per target (and its state) for every client
    # release and client state; this is the from-scratch plan it must equal, whatever the
    # client, its state and the plans worked out before.
    scenario, client, target = drawn
    assert plan(scenario, client_state=client, target_state=target) == _planned(
        scenario, client, target
    )
    assert plan(scenario) == _planned(scenario, None, None)
    other = attrs.evolve(
        scenario,
        client=Computer(
            name=scenario.client.name,
            release="win11",
            membership=scenario.client.membership,
            address=scenario.client.address,
        ),
        call_mode=CallMode.SYNC if scenario.call_mode is CallMode.SEMISYNC else CallMode.SEMISYNC,
    )
    assert plan(other, target_state=target) == _planned(other, None, target)
