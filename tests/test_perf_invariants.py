"""The caches behind the fast paths agree with the plain computations they replace."""

from __future__ import annotations

import json

import attrs
from hypothesis import given
from hypothesis import strategies as st

from wmireach.model import NetworkProfile
from wmireach.planning import plan
from wmireach.render.json import plan_to_data, to_json
from wmireach.state import (
    ENABLE_DCOM,
    ENABLE_LUA,
    LOCAL_ACCOUNT_TOKEN_FILTER_POLICY,
    WMI_RULES,
    Admission,
    DcomGrant,
    DcomRight,
    Direction,
    HostState,
    network_token,
    normalize_program,
)
from wmireach.testing import PRINCIPALS, accounts, host_states, releases, scenario_with_states


def _rebuilt(state: HostState) -> HostState:
    """The same state through the validating constructor (no cached indexes)."""
    return attrs.evolve(state)


def _admission(state: HostState, profile: NetworkProfile, **kw: object) -> Admission:
    if profile not in state.firewall_on:
        return Admission.OPEN
    covered = False
    program = kw["program"]
    wanted = None if program is None else normalize_program(str(program))
    for rule in state.firewall_rules:
        if (
            rule.enabled
            and rule.direction is Direction.IN
            and profile in rule.profiles
            and rule.admits(port=kw["port"], service=kw["service"], program=wanted)  # type: ignore[arg-type]
        ):
            if rule.in_scope(kw["peer_address"], same_subnet=bool(kw["same_subnet"])):  # type: ignore[arg-type]
                return Admission.ADMITTED
            covered = True
    return Admission.OUT_OF_SCOPE if covered else Admission.BLOCKED


@given(host_states(), st.sampled_from([r.name for r in WMI_RULES] + ["wmi-rpcss-in-tcp", "x"]))
def test_lookups_agree_with_scans(state: HostState, name: str) -> None:
    folded = name.casefold()
    assert state.firewall_rule(name) == next(
        (r for r in state.firewall_rules if r.name.casefold() == folded), None
    )
    for key in (ENABLE_DCOM, ENABLE_LUA, LOCAL_ACCOUNT_TOKEN_FILTER_POLICY):
        wanted = (key[0].casefold(), key[1].casefold())
        assert state.registry_value(key) == next(
            (v.value for v in state.registry if v.key == wanted), None
        )
    for right in DcomRight:
        for principals in (PRINCIPALS[:2], PRINCIPALS[2:], ()):
            assert state.has_dcom_right(principals, right) == any(
                DcomGrant(principal=p, right=right) in state.dcom_limits for p in principals
            )
    for principal in PRINCIPALS:
        assert state.groups_of(principal) == frozenset(
            m.group for m in state.group_members if m.principal == principal
        )


@given(
    host_states(),
    st.sampled_from(NetworkProfile),
    st.sampled_from([(135, "rpcss"), (None, "winmgmt"), (None, None)]),
    st.sampled_from([None, "%windir%\\system32\\svchost.exe", "C:\\sink.exe"]),
    st.sampled_from([None, "10.0.0.5", "10.1.2.3"]),
    st.booleans(),
)
def test_admission_agrees_with_a_scan(  # noqa: PLR0917 - one argument per strategy
    state: HostState,
    profile: NetworkProfile,
    traffic: tuple[int | None, str | None],
    program: str | None,
    peer: str | None,
    same_subnet: bool,
) -> None:
    kw = {
        "port": traffic[0],
        "service": traffic[1],
        "program": program,
        "peer_address": peer,
        "same_subnet": same_subnet,
    }
    expected = _admission(state, profile, **kw)
    assert state.admission(profile, **kw) is expected  # type: ignore[arg-type]
    assert state.admission(profile, **kw) is expected  # type: ignore[arg-type]  # memoized
    assert _rebuilt(state).admission(profile, **kw) is expected  # type: ignore[arg-type]


@given(host_states(), accounts(), releases())
def test_network_token_memo(state: HostState, account: object, rel: object) -> None:
    first = network_token(account, rel, state)  # type: ignore[arg-type]
    assert network_token(account, rel, _rebuilt(state)) == first  # type: ignore[arg-type]
    assert network_token(account, rel, state) == first  # type: ignore[arg-type]


@given(host_states(), st.data())
def test_fast_copies_equal_validated_copies(state: HostState, data: st.DataObject) -> None:
    rule = data.draw(st.sampled_from(WMI_RULES))
    changed = state.with_firewall_rule(attrs.evolve(rule, enabled=True))
    assert changed == _rebuilt(changed)
    assert changed.firewall_rules == _rebuilt(changed).firewall_rules
    removed = changed.without_firewall_rule(rule.name)
    assert removed == _rebuilt(removed)
    value = data.draw(st.sampled_from([0, 1, "Y"]))
    registry = state.with_registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY, value)
    assert registry == _rebuilt(registry)
    assert registry.registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY) == value
    assert registry.without_registry_value(ENABLE_LUA) == _rebuilt(
        registry.without_registry_value(ENABLE_LUA)
    )
    # Indexes a copy inherits answer for the copy.
    principal = data.draw(st.sampled_from(PRINCIPALS))
    granted = registry.granting_dcom(principal, DcomRight.REMOTE_ACCESS)
    assert granted.has_dcom_right([principal], DcomRight.REMOTE_ACCESS)
    assert granted.firewall_rule(rule.name) == _rebuilt(granted).firewall_rule(rule.name)
    assert hash(granted) == hash(_rebuilt(granted))


@given(scenario_with_states())
def test_compact_json_is_json_dumps(case: tuple[object, HostState, HostState]) -> None:
    scenario, client, target = case
    p = plan(scenario, client_state=client, target_state=target)  # type: ignore[arg-type]
    for candidate in (p, p.rollback()):
        expected = json.dumps(plan_to_data(candidate), ensure_ascii=False) + "\n"
        assert to_json(candidate) == expected
        assert to_json(candidate) == expected  # memoized steps
