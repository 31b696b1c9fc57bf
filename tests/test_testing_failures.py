"""The shipped failure strategy and scenario options keep their promises."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wmireach import RULES, CallMode, Stage, diagnose, rule, simulate
from wmireach._cli_model import _scenario_of, register
from wmireach.errors import ScenarioError, WmiReachError
from wmireach.model import Side
from wmireach.testing import SimulatedFailure, failures
from wmireach.testing.scenario_options import SCENARIO_OPTIONS, scenario_from_options


@given(failures())
def test_a_failure_is_its_one_broken_rule_as_simulated(f: SimulatedFailure) -> None:
    assert simulate(f.scenario, f.client_state, f.target_state) == f.outcome
    assert not f.outcome.passed
    assert f.fault in f.outcome.unmet
    broken = rule(f.fault)
    assert f.stage is broken.stage
    # Meeting the broken rule again (its fulfil witness) takes it off the unmet list. (A witness
    # may touch what other rules read, e.g. turning a legacy firewall on: they may stay unmet.)
    states = {Side.CLIENT: f.client_state, Side.TARGET: f.target_state}
    fixed = broken.fulfil(f.scenario, states[broken.side])
    assert fixed is not None
    states[broken.side] = fixed
    after = simulate(f.scenario, states[Side.CLIENT], states[Side.TARGET])
    assert after.passed or f.fault not in after.unmet


@settings(max_examples=25)
@given(failures(stage=Stage.NAMESPACE_LOGIN))
def test_stage_filter(f: SimulatedFailure) -> None:
    assert f.stage is Stage.NAMESPACE_LOGIN
    assert f.hresult.hex == "0x80041003"


@settings(max_examples=25)
@given(failures(call_mode=st.just(CallMode.ASYNC), stage=Stage.CALLBACK))
def test_callback_failures_are_client_faults(f: SimulatedFailure) -> None:
    assert rule(f.fault).side is Side.CLIENT or f.fault == "WR804"


@settings(max_examples=20)
@given(failures(fault="WR403"))
def test_fault_filter(f: SimulatedFailure) -> None:
    assert f.fault == "WR403"


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_every_rule_can_be_asked_for(rule_id: str) -> None:
    @settings(max_examples=5)
    @given(failures(fault=rule_id))
    def check(f: SimulatedFailure) -> None:
        assert f.fault == rule_id and rule_id in f.outcome.unmet

    check()


@given(failures())
def test_the_diagnosis_with_the_states_ranks_the_fault_in_its_top_3(f: SimulatedFailure) -> None:
    d = diagnose(
        f.failure,
        scenario=f.scenario,
        stage=f.stage,
        client_state=f.client_state,
        target_state=f.target_state,
    )
    assert f.fault in [c.id for c in d.causes[:3]]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scenario": st.nothing(), "call_mode": st.just(CallMode.SYNC)}, "not both"),
        ({"fault": "WR999"}, "WR999"),
        ({"stage": "query"}, "stage 'query' is not a wmireach Stage"),
    ],
)
def test_bad_arguments_are_refused_when_the_strategy_is_made(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(WmiReachError, match=message):
        failures(**options)  # type: ignore[arg-type]


OPTION_VALUES = {
    "client_os": st.sampled_from(["win10", "win11", "winxp-sp2", "server2012r2", "2022"]),
    "target_os": st.sampled_from(["server2019", "server2025", "win10", "server2008", "vista"]),
    "trust": st.sampled_from(["same-domain", "trusted-domain", "untrusted-domain", "workgroup"]),
    "account": st.sampled_from(["domain-admin", "domain-user", "local-admin", "local-user"]),
    "call_mode": st.sampled_from(["sync", "semisync", "async"]),
    "account_name": st.sampled_from(["alice", "CORP\\wmi-reader"]),
    "auth_level": st.sampled_from(["connect", "pkt-integrity", "pkt-privacy"]),
    "fixed_port": st.sampled_from([24158, 30000]),
    "target_patched": st.sampled_from(["2021-01-01", "2023-03-14"]),
    "client_address": st.sampled_from(["10.0.0.5"]),
}


@given(st.fixed_dictionaries({}, optional=OPTION_VALUES))
def test_options_build_the_scenario_the_command_line_builds(options: dict[str, object]) -> None:
    parser = argparse.ArgumentParser(prog="wmireach")
    register(parser.add_subparsers(dest="command"), summary="model")
    argv = ["model"]
    defaults = {"client_os": "win10", "target_os": "server2019", "trust": "same-domain"}
    for name, value in {**defaults, **options}.items():
        argv += ["--" + name.replace("_", "-"), str(value)]
    try:
        expected = _scenario_of(parser.parse_args(argv))
    except WmiReachError as exc:
        with pytest.raises(type(exc)):
            scenario_from_options(**options)  # type: ignore[arg-type]
        return
    assert scenario_from_options(**options) == expected  # type: ignore[arg-type]


def test_every_option_is_a_keyword() -> None:
    import inspect

    assert tuple(inspect.signature(scenario_from_options).parameters) == SCENARIO_OPTIONS


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"trust": "friends"}, "trust 'friends' is not one of: same-domain, trusted-domain"),
        ({"account": "root"}, "account 'root' is not one of: domain-admin"),
        ({"target_patched": "last tuesday"}, "target_patched 'last tuesday' is not a date"),
        ({"target_os": "win95"}, "win95"),
    ],
)
def test_bad_options_name_what_is_accepted(options: dict[str, str], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        scenario_from_options(**options)  # type: ignore[arg-type]
