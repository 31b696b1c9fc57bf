"""Hypothesis strategies over scenarios and host states.

Owns: strategies that draw only valid values (every drawn :class:`~wmireach.model.Scenario`
constructs), host states spread around each release's defaults, and
:func:`satisfying_states`, which makes a pair of states meet every requirement of a scenario.

Must not: be imported by the core (Hypothesis is a test dependency), or do I/O.

>>> from hypothesis import given
>>> @given(scenarios())
... def test(s):
...     assert s.stages[0].value == "resolve-name"
>>> test()
"""

from __future__ import annotations

import datetime
from typing import Final

import attrs
from hypothesis import find  # noqa: F401 - the docstring examples use it
from hypothesis import strategies as st

from wmireach.model import (
    DEFAULT_NAMESPACE,
    DEFAULT_SINK_PROGRAM,
    Account,
    AccountKind,
    AuthLevel,
    CallMode,
    Computer,
    Membership,
    NetworkProfile,
    Scenario,
    Trust,
)
from wmireach.state import (
    ADMINISTRATORS,
    ALLOW_ANONYMOUS_CALLBACK,
    ANONYMOUS_LOGON,
    AUTHENTICATED_USERS,
    DISTRIBUTED_COM_USERS,
    ENABLE_DCOM,
    ENABLE_LUA,
    EVERYONE,
    FILTER_ADMINISTRATOR_TOKEN,
    LOCAL_ACCOUNT_TOKEN_FILTER_POLICY,
    REQUIRE_INTEGRITY_ACTIVATION,
    STANDALONE_DEFAULT_PORT,
    WBEM_ENABLE,
    WBEM_REMOTE_ACCESS,
    DcomGrant,
    DcomRight,
    FirewallRule,
    HostState,
    NamespaceAce,
    RegistryKey,
    RuleKind,
    WmiHosting,
    default_state,
)
from wmireach.testing.faults import satisfying_states
from wmireach.windows import (
    HARDENING_ENABLED_BY_DEFAULT,
    HARDENING_ENFORCED,
    HARDENING_OPT_IN,
    RELEASES,
    Release,
)

__all__ = [
    "PRINCIPALS",
    "accounts",
    "computers",
    "host_states",
    "memberships",
    "releases",
    "satisfying_states",
    "scenario_with_states",
    "scenarios",
]

_ACCOUNT_NAMES: Final = (None, "alice", "CORP\\wmi-reader")
#: Principals host states talk about: well-known SIDs and the accounts scenarios draw.
PRINCIPALS: Final[tuple[str, ...]] = (
    ADMINISTRATORS,
    EVERYONE,
    AUTHENTICATED_USERS,
    ANONYMOUS_LOGON,
    DISTRIBUTED_COM_USERS,
    "alice",
    "CORP\\wmi-reader",
    *(k.value for k in AccountKind),
)
_NAMESPACES: Final = (DEFAULT_NAMESPACE, "root\\StandardCimv2", "root\\virtualization\\v2")
_SINKS: Final = (DEFAULT_SINK_PROGRAM, "C:\\Tools\\Monitor\\sink.exe")
_ADDRESSES: Final = (None, "10.0.0.5", "10.1.2.3")
_DATES: Final = (
    None,
    HARDENING_OPT_IN - datetime.timedelta(days=1),
    HARDENING_OPT_IN,
    HARDENING_ENABLED_BY_DEFAULT,
    HARDENING_ENFORCED,
)


def releases() -> st.SearchStrategy[Release]:
    """Any known release.

    >>> find(releases(), lambda r: r.uac).identifier
    'vista'
    """
    return st.sampled_from(RELEASES)


def memberships() -> st.SearchStrategy[Membership]:
    """Domains ``corp``/``other`` and workgroups ``WORKGROUP``/``LAB``.

    >>> find(memberships(), lambda m: not m.is_domain).name
    'workgroup'
    """
    return st.sampled_from(
        (
            Membership.domain("corp"),
            Membership.domain("other"),
            Membership.workgroup(),
            Membership.workgroup("LAB"),
        )
    )


@st.composite
def computers(
    draw: st.DrawFn,
    *,
    name: str = "A",
    release: st.SearchStrategy[Release] | None = None,
    membership: st.SearchStrategy[Membership] | None = None,
    remote_wmi: bool = False,
) -> Computer:
    """A valid computer; ``remote_wmi=True`` excludes editions that refuse remote WMI.

    >>> find(computers(name="B"), lambda c: c.release.server).release.identifier
    'server2003'
    """
    rel = draw(release if release is not None else releases())
    member = draw(membership if membership is not None else memberships())
    editions = sorted(
        rel.editions - (rel.editions_without_remote_wmi if remote_wmi else set()),
        key=lambda e: e.value,
    )
    profiles = [NetworkProfile.PRIVATE]
    if member.is_domain:
        profiles.append(NetworkProfile.DOMAIN)
    if rel.firewall.value == "wfas":
        profiles.append(NetworkProfile.PUBLIC)
    return Computer(
        name=name,
        release=rel,
        membership=member,
        profile=draw(st.sampled_from(profiles)),
        edition=draw(st.sampled_from(editions)),
        patched=draw(st.sampled_from(_DATES)),
        address=draw(st.sampled_from(_ADDRESSES)),
    )


def accounts(*, domain: bool = True) -> st.SearchStrategy[Account]:
    """Accounts of every kind (only local kinds when ``domain=False``), maybe named.

    >>> find(accounts(domain=False), lambda a: True).kind.value
    'local-admin'
    """
    kinds = [k for k in AccountKind if domain or not k.is_domain]
    return st.builds(Account, kind=st.sampled_from(kinds), name=st.sampled_from(_ACCOUNT_NAMES))


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    call_mode: st.SearchStrategy[CallMode] | None = None,
) -> Scenario:
    """Any valid scenario: every combination the model accepts, nothing it rejects.

    >>> find(scenarios(), lambda s: s.call_mode is CallMode.ASYNC).connections[-1].value
    'connection-2'
    """
    client = draw(computers(name="A"))
    target = draw(computers(name="B", remote_wmi=True))
    a, b = client.membership, target.membership
    trust: Trust | None = None
    if a.is_domain and b.is_domain and a.name != b.name:
        trust = draw(st.sampled_from((Trust.TRUSTED_DOMAIN, Trust.UNTRUSTED_DOMAIN)))
    fixed_port = None
    if target.release.standalone_wmi_host:
        fixed_port = draw(st.none() | st.just(STANDALONE_DEFAULT_PORT) | st.integers(1024, 65535))
    kwargs = {} if trust is None else {"trust": trust}
    return Scenario(
        client=client,
        target=target,
        account=draw(accounts(domain=b.is_domain)),
        call_mode=draw(call_mode if call_mode is not None else st.sampled_from(CallMode)),
        namespace=draw(st.sampled_from(_NAMESPACES)),
        sink_program=draw(st.sampled_from(_SINKS)),
        fixed_port=fixed_port,
        auth_level=draw(st.sampled_from(AuthLevel)),
        same_subnet=draw(st.booleans()),
        **kwargs,
    )


_REGISTRY_CHOICES: Final[tuple[tuple[RegistryKey, tuple[int | str, ...]], ...]] = (
    (LOCAL_ACCOUNT_TOKEN_FILTER_POLICY, (0, 1)),
    (FILTER_ADMINISTRATOR_TOKEN, (0, 1)),
    (ENABLE_LUA, (0, 1)),
    (ENABLE_DCOM, ("Y", "N")),
    (ALLOW_ANONYMOUS_CALLBACK, (0, 1)),
    (REQUIRE_INTEGRITY_ACTIVATION, (0, 1)),
)
_SCOPES: Final = (
    frozenset({"any"}),
    frozenset({"localsubnet"}),
    frozenset({"10.0.0.5"}),
    frozenset({"10.1.0.0/16"}),
)
_EXTRA_RULES: Final = (
    FirewallRule(
        name="DCOM_TCP135",
        kind=RuleKind.PORT_OPENING,
        enabled=True,
        profiles=frozenset(NetworkProfile),
        local_port=135,
    ),
    FirewallRule(
        name="WMIFixedPort", enabled=True, profiles=frozenset(NetworkProfile), local_port=24158
    ),
    FirewallRule(name="SINK", enabled=True, profiles=frozenset(NetworkProfile), program=_SINKS[1]),
)


@st.composite
def host_states(draw: st.DrawFn, release: Release | None = None) -> HostState:
    """A host state near ``release``'s defaults: firewall, registry, rights and groups varied.

    >>> everywhere = find(host_states(RELEASES[12]), lambda h: len(h.firewall_on) == 3)
    >>> everywhere.firewall_on == set(NetworkProfile)
    True
    """
    rel = release if release is not None else draw(releases())
    state = default_state(rel)
    on = draw(st.sets(st.sampled_from(NetworkProfile)))
    state = attrs.evolve(state, firewall_on=on)
    rules = [
        attrs.evolve(
            r, enabled=draw(st.booleans()), remote_addresses=draw(st.sampled_from(_SCOPES))
        )
        for r in state.firewall_rules
    ]
    rules += draw(st.lists(st.sampled_from(_EXTRA_RULES), unique_by=lambda r: r.name))
    state = attrs.evolve(state, firewall_rules=rules)
    for key, values in _REGISTRY_CHOICES:
        value = draw(st.none() | st.sampled_from(values))
        if value is None:
            state = state.without_registry_value(key)
        else:
            state = state.with_registry_value(key, value)
    grants = st.builds(
        DcomGrant, principal=st.sampled_from(PRINCIPALS), right=st.sampled_from(DcomRight)
    )
    added = draw(st.frozensets(grants, max_size=6))
    removed = (
        draw(st.frozensets(st.sampled_from(sorted(state.dcom_limits, key=repr)), max_size=3))
        if state.dcom_limits
        else frozenset()
    )
    state = attrs.evolve(state, dcom_limits=(state.dcom_limits - removed) | added)
    aces = st.builds(
        NamespaceAce,
        namespace=st.sampled_from(("root", *_NAMESPACES)),
        principal=st.sampled_from(PRINCIPALS),
        mask=st.sampled_from((WBEM_ENABLE, WBEM_ENABLE | WBEM_REMOTE_ACCESS, 0x13, 0x3F)),
        inherit=st.booleans(),
    )
    state = attrs.evolve(
        state, namespace_aces=state.namespace_aces | draw(st.frozensets(aces, max_size=3))
    )
    for _ in range(draw(st.integers(0, 2))):
        group = draw(st.sampled_from((ADMINISTRATORS, DISTRIBUTED_COM_USERS)))
        state = state.with_group_member(group, draw(st.sampled_from(PRINCIPALS[5:])))
    if rel.standalone_wmi_host and draw(st.booleans()):
        state = state.with_wmi_hosting(
            WmiHosting.STANDALONE, draw(st.sampled_from((STANDALONE_DEFAULT_PORT, 30000)))
        )
    return state


@st.composite
def scenario_with_states(
    draw: st.DrawFn, *, call_mode: st.SearchStrategy[CallMode] | None = None
) -> tuple[Scenario, HostState, HostState]:
    """A scenario with a client state and a target state of its two releases.

    >>> scenario, client, target = find(scenario_with_states(), lambda t: True)
    >>> isinstance(client, HostState) and isinstance(target, HostState)
    True
    """
    scenario = draw(scenarios(call_mode=call_mode))
    client = draw(host_states(scenario.client.release))
    target = draw(host_states(scenario.target.release))
    return scenario, client, target
