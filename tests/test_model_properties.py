"""Properties of the model over the whole scenario space (issue 3 acceptance)."""

from __future__ import annotations

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

from wmireach.model import HARDENING_FLOOR, CallMode, Scenario, Side
from wmireach.simulation import default_states, requirements, simulate
from wmireach.state import HostState
from wmireach.testing import host_states, satisfying_states, scenario_with_states, scenarios

Triple = tuple[Scenario, HostState, HostState]


@given(scenario_with_states())
def test_simulate_is_deterministic(triple: Triple) -> None:
    scenario, client, target = triple
    first = simulate(scenario, client, target)
    copies = (attrs.evolve(scenario), attrs.evolve(client), attrs.evolve(target))
    assert simulate(*copies) == first
    assert simulate(scenario, client, target) == first


@given(
    scenario_with_states(call_mode=st.sampled_from((CallMode.SYNC, CallMode.SEMISYNC))),
    st.data(),
)
def test_sync_and_semisync_never_depend_on_client_state(
    triple: Triple, data: st.DataObject
) -> None:
    scenario, client, target = triple
    other = data.draw(host_states(scenario.client.release))
    assert simulate(scenario, client, target) == simulate(scenario, other, target)


@given(scenario_with_states())
def test_a_state_meeting_every_requirement_passes(triple: Triple) -> None:
    scenario, client, target = triple
    met = satisfying_states(scenario, client, target)
    if met is None:
        # Only the scenario itself can fail the call: a hardened target and a low auth level.
        assert scenario.auth_level < HARDENING_FLOOR
        return
    assert simulate(scenario, *met).passed


@given(scenario_with_states())
def test_breaking_any_one_requirement_fails_its_stage_with_its_code(triple: Triple) -> None:
    scenario, client, target = triple
    met = satisfying_states(scenario, client, target)
    assume(met is not None)
    assert met is not None
    for rule in requirements(scenario):
        states = {Side.CLIENT: met[0], Side.TARGET: met[1]}
        broken = rule.violate(scenario, states[rule.side])
        if broken is None:
            continue  # the scenario (its authentication level) meets it whatever the host says
        states[rule.side] = broken
        outcome = simulate(scenario, states[Side.CLIENT], states[Side.TARGET])
        assert not outcome.passed, rule.id
        assert outcome.stage is rule.stage, rule.id
        assert rule.id in outcome.unmet, rule.id
        assert outcome.failure == rule.failure, rule.id


@given(scenarios())
def test_async_only_adds_requirements(scenario: Scenario) -> None:
    semi = {r.id for r in requirements(attrs.evolve(scenario, call_mode=CallMode.SEMISYNC))}
    asyn = {r.id for r in requirements(attrs.evolve(scenario, call_mode=CallMode.ASYNC))}
    assert semi <= asyn


@given(scenarios())
def test_defaults_fail_only_at_stages_the_scenario_has(scenario: Scenario) -> None:
    outcome = simulate(scenario, *default_states(scenario))
    assert outcome.passed or outcome.stage in scenario.stages
