"""wmireach.state: host states, their defaults per release, firewall admission, UAC tokens."""

from __future__ import annotations

import attrs
import pytest

from wmireach.errors import ScenarioError
from wmireach.model import Account, AccountKind, NetworkProfile
from wmireach.state import (
    ADMINISTRATORS,
    ANONYMOUS_LOGON,
    AUTHENTICATED_USERS,
    DISTRIBUTED_COM_USERS,
    ENABLE_DCOM,
    ENABLE_LUA,
    EVERYONE,
    FILTER_ADMINISTRATOR_TOKEN,
    LOCAL_ACCOUNT_TOKEN_FILTER_POLICY,
    PERFORMANCE_LOG_USERS,
    REMOTE_ADMIN,
    STANDALONE_DEFAULT_PORT,
    WBEM_ENABLE,
    WBEM_REMOTE_ACCESS,
    WMI_GROUP,
    WMI_RULES,
    Admission,
    DcomRight,
    Direction,
    FirewallRule,
    HostState,
    NamespaceAce,
    RegistryValue,
    WmiHosting,
    default_state,
    namespace_key,
    network_token,
    normalize_program,
)
from wmireach.windows import RELEASES, FirewallKind, release

DOMAIN, PRIVATE, PUBLIC = NetworkProfile.DOMAIN, NetworkProfile.PRIVATE, NetworkProfile.PUBLIC
EPM = {"port": 135, "service": "rpcss", "program": "%windir%\\system32\\svchost.exe"}


def test_wmi_rule_group_as_shipped() -> None:
    """facts §2.1.4 [S49]: eight rules, disabled, Private/Public LocalSubnet, Domain any."""
    assert len(WMI_RULES) == 8
    for rule in WMI_RULES:
        assert not rule.enabled
        assert rule.group == WMI_GROUP == "@FirewallAPI.dll,-34251"
        if rule.name.endswith("-NoScope"):
            assert (rule.profiles, rule.remote_addresses) == ({DOMAIN}, {"any"})
        else:
            assert (rule.profiles, rule.remote_addresses) == ({PRIVATE, PUBLIC}, {"localsubnet"})
    names = {r.name for r in WMI_RULES if r.direction is Direction.IN}
    assert names == {
        "WMI-RPCSS-In-TCP",
        "WMI-RPCSS-In-TCP-NoScope",
        "WMI-WINMGMT-In-TCP",
        "WMI-WINMGMT-In-TCP-NoScope",
        "WMI-ASYNC-In-TCP",
        "WMI-ASYNC-In-TCP-NoScope",
    }


@pytest.mark.parametrize("r", RELEASES, ids=lambda r: r.identifier)
def test_default_state_per_release(r: object) -> None:
    rel = release(r)  # type: ignore[arg-type]
    s = default_state(rel)
    assert s == default_state(rel.identifier)
    assert s.registry_value(ENABLE_DCOM) == "Y"
    assert s.registry_value(ENABLE_LUA) == (1 if rel.uac else None)
    assert s.registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY) is None
    assert s.wmi_hosting is WmiHosting.SHARED
    if rel.firewall is FirewallKind.WFAS:
        assert s.firewall_on == {DOMAIN, PRIVATE, PUBLIC}
        assert s.firewall_rules == tuple(sorted(WMI_RULES, key=lambda x: x.name.casefold()))
    elif rel.firewall is FirewallKind.WINDOWS_FIREWALL:
        rule = s.firewall_rule(REMOTE_ADMIN)
        assert rule is not None
        assert not rule.enabled
    else:
        assert (s.firewall_on, s.firewall_rules) == (frozenset(), ())
    # Namespace defaults (facts §5.2): Administrators have Remote Enable, users do not.
    assert s.namespace_rights("root\\cimv2", {ADMINISTRATORS}) & WBEM_REMOTE_ACCESS
    users = s.namespace_rights("ROOT/CIMV2", {AUTHENTICATED_USERS, EVERYONE})
    assert users == 0x13


def test_xp_sp2_firewall_on_2003_sp1_off() -> None:
    """facts §1.2.2 [S2]."""
    assert default_state("winxp-sp2").firewall_on == {DOMAIN, PRIVATE}
    assert default_state("server2003-sp1").firewall_on == frozenset()


def test_default_dcom_limits() -> None:
    """facts §4.6, §12.6 [S25][S26][S27][S76]."""
    win10 = default_state("win10")
    assert win10.has_dcom_right({ADMINISTRATORS}, DcomRight.REMOTE_ACTIVATION)
    assert win10.has_dcom_right({DISTRIBUTED_COM_USERS}, DcomRight.REMOTE_LAUNCH)
    assert win10.has_dcom_right({PERFORMANCE_LOG_USERS}, DcomRight.REMOTE_LAUNCH)
    assert not win10.has_dcom_right({EVERYONE}, DcomRight.REMOTE_LAUNCH)
    assert win10.has_dcom_right({EVERYONE}, DcomRight.REMOTE_ACCESS)
    assert not win10.has_dcom_right({ANONYMOUS_LOGON}, DcomRight.REMOTE_ACCESS)
    assert win10.has_dcom_right({ANONYMOUS_LOGON}, DcomRight.LOCAL_ACCESS)
    xp = default_state("winxp-sp2")
    assert not xp.has_dcom_right({DISTRIBUTED_COM_USERS}, DcomRight.REMOTE_LAUNCH)
    assert not xp.has_dcom_right({ANONYMOUS_LOGON}, DcomRight.REMOTE_ACCESS)
    s2003 = default_state("server2003-sp1")
    assert s2003.has_dcom_right({DISTRIBUTED_COM_USERS}, DcomRight.REMOTE_ACTIVATION)
    assert s2003.has_dcom_right({ANONYMOUS_LOGON}, DcomRight.REMOTE_ACCESS)
    rtm = default_state("winxp")
    assert rtm.has_dcom_right({EVERYONE}, DcomRight.REMOTE_LAUNCH)


def test_dcom_right_masks_and_restrictions() -> None:
    """facts §4.4 [S27][S28]: EXECUTE always present; launch vs access values."""
    assert DcomRight.REMOTE_ACTIVATION.mask == 0x11
    assert DcomRight.REMOTE_ACCESS.mask == 0x5
    assert DcomRight.LOCAL_LAUNCH.restriction == "MachineLaunchRestriction"
    assert DcomRight.REMOTE_ACCESS.restriction == "MachineAccessRestriction"


def test_admission() -> None:
    s = default_state("server2019")
    assert s.admission(DOMAIN, **EPM, peer_address=None, same_subnet=True) is Admission.BLOCKED
    off = s.with_firewall(DOMAIN, on=False)
    assert off.admission(DOMAIN, **EPM, peer_address=None, same_subnet=True) is Admission.OPEN
    on = s
    for rule in s.firewall_rules:
        on = on.with_firewall_rule(attrs.evolve(rule, enabled=True))
    assert on.admission(DOMAIN, **EPM, peer_address=None, same_subnet=False) is Admission.ADMITTED
    assert on.admission(PUBLIC, **EPM, peer_address=None, same_subnet=True) is Admission.ADMITTED
    assert (
        on.admission(PRIVATE, **EPM, peer_address="10.9.9.9", same_subnet=False)
        is Admission.OUT_OF_SCOPE
    )
    rule = on.firewall_rule("wmi-rpcss-in-tcp")
    assert rule is not None
    scoped = on.with_firewall_rule(attrs.evolve(rule, remote_addresses={"10.9.0.0/16"}))
    for peer, expected in (
        ("10.9.9.9", Admission.ADMITTED),
        ("10.8.0.1", Admission.OUT_OF_SCOPE),
        (None, Admission.OUT_OF_SCOPE),
        ("not-an-ip", Admission.OUT_OF_SCOPE),
    ):
        assert scoped.admission(PRIVATE, **EPM, peer_address=peer, same_subnet=False) is expected
    # A dynamic-port service is not admitted by a rule for one port.
    port_rule = FirewallRule(name="p", enabled=True, profiles={PRIVATE}, local_port=24158)
    only = attrs.evolve(s, firewall_rules=[port_rule])
    traffic = {"service": "winmgmt", "program": EPM["program"]}
    assert only.admission(PRIVATE, port=None, **traffic, peer_address=None, same_subnet=True) is (
        Admission.BLOCKED
    )
    assert only.admission(PRIVATE, port=24158, **traffic, peer_address=None, same_subnet=True) is (
        Admission.ADMITTED
    )


def test_rule_matching_by_program_and_service() -> None:
    sink = FirewallRule(
        name="UNSECAPP",
        enabled=True,
        profiles={PRIVATE},
        program="C:\\Windows\\System32\\wbem\\UNSECAPP.EXE",
    )
    assert sink.program == "%systemroot%\\system32\\wbem\\unsecapp.exe"
    assert sink.admits(port=None, service=None, program=sink.program)
    assert not sink.admits(port=135, service="rpcss", program=normalize_program(EPM["program"]))
    assert (
        normalize_program('"%WinDir%/system32/svchost.exe"')
        == "%systemroot%\\system32\\svchost.exe"
    )


def test_registry_is_case_insensitive_and_unique() -> None:
    s = default_state("win10").with_registry_value(
        (
            "hklm\\software\\microsoft\\windows\\currentversion\\policies\\system",
            "localaccounttokenfilterpolicy",
        ),
        1,
    )
    assert s.registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY) == 1
    assert (
        s.with_registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY, 0).registry_value(
            LOCAL_ACCOUNT_TOKEN_FILTER_POLICY
        )
        == 0
    )
    assert s.without_registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY) == default_state("win10")
    duplicate = RegistryValue(path=ENABLE_DCOM[0].upper(), name=ENABLE_DCOM[1], value="N")
    with pytest.raises(ScenarioError, match="unique"):
        attrs.evolve(s, registry=(*s.registry, duplicate))


def test_changes_return_new_equal_hashable_states() -> None:
    base = default_state("server2022")
    changed = (
        base.granting_dcom("alice", DcomRight.REMOTE_LAUNCH)
        .with_group_member(DISTRIBUTED_COM_USERS, "alice")
        .with_namespace_ace(NamespaceAce(namespace="root", principal="alice", mask=0x21))
        .with_wmi_hosting(WmiHosting.STANDALONE)
        .with_firewall_rule(FirewallRule(name="x", enabled=True, profiles={DOMAIN}))
    )
    assert changed != base
    assert changed.wmi_port == STANDALONE_DEFAULT_PORT
    assert changed.groups_of("alice") == {DISTRIBUTED_COM_USERS}
    undone = (
        changed.revoking_dcom("alice", DcomRight.REMOTE_LAUNCH)
        .without_group_member(DISTRIBUTED_COM_USERS, "alice")
        .without_namespace_ace(NamespaceAce(namespace="ROOT", principal="alice", mask=0x21))
        .with_wmi_hosting(WmiHosting.SHARED)
        .without_firewall_rule("X")
    )
    assert undone == base
    assert hash(undone) == hash(base)
    assert len({base, undone, changed}) == 2


def test_state_validation() -> None:
    s = default_state("win10")
    with pytest.raises(ScenarioError, match="unique"):
        attrs.evolve(
            s,
            firewall_rules=(*s.firewall_rules, attrs.evolve(WMI_RULES[0], name="wmi-rpcss-in-tcp")),
        )
    with pytest.raises(ScenarioError, match="exactly when WMI runs standalone"):
        attrs.evolve(s, wmi_port=24158)
    with pytest.raises(ScenarioError, match="exactly when WMI runs standalone"):
        attrs.evolve(s, wmi_hosting=WmiHosting.STANDALONE)
    with pytest.raises(ScenarioError, match="outside 1024-65535"):
        s.with_wmi_hosting(WmiHosting.STANDALONE, 135)


def test_namespace_inheritance() -> None:
    """facts §5.4 [S10]: only container-inherit ACEs reach child namespaces."""
    s = default_state("win10")
    flat = s.with_namespace_ace(
        NamespaceAce(namespace="root", principal="bob", mask=WBEM_REMOTE_ACCESS, inherit=False)
    )
    assert flat.namespace_rights("root", {"bob"}) == WBEM_REMOTE_ACCESS
    assert flat.namespace_rights("root\\cimv2", {"bob"}) == 0
    deep = s.with_namespace_ace(
        NamespaceAce(namespace="root\\cim", principal="bob", mask=WBEM_ENABLE)
    )
    assert deep.namespace_rights("root\\cimv2", {"bob"}) == 0  # a prefix is not a parent
    assert namespace_key("\\Root\\CIMV2\\") == "root\\cimv2"


@pytest.mark.parametrize(
    ("kind", "rel", "registry", "filtered", "admin"),
    [
        (AccountKind.DOMAIN_ADMIN, "win10", {}, False, True),
        (AccountKind.DOMAIN_USER, "win10", {}, False, False),
        (AccountKind.LOCAL_ADMIN, "win10", {}, True, True),
        (AccountKind.LOCAL_ADMIN, "win10", {LOCAL_ACCOUNT_TOKEN_FILTER_POLICY: 1}, False, True),
        (AccountKind.LOCAL_ADMIN, "win10", {ENABLE_LUA: 0}, False, True),
        (AccountKind.LOCAL_ADMIN, "winxp-sp2", {}, False, True),
        (AccountKind.BUILTIN_ADMIN, "win10", {}, False, True),
        (AccountKind.BUILTIN_ADMIN, "win10", {FILTER_ADMINISTRATOR_TOKEN: 1}, True, True),
        (
            AccountKind.BUILTIN_ADMIN,
            "win10",
            {FILTER_ADMINISTRATOR_TOKEN: 1, LOCAL_ACCOUNT_TOKEN_FILTER_POLICY: 1},
            False,
            True,
        ),
        (AccountKind.LOCAL_USER, "win10", {}, False, False),
    ],
)
def test_network_token_uac_filtering(
    kind: AccountKind, rel: str, registry: dict[tuple[str, str], int], filtered: bool, admin: bool
) -> None:
    """facts §3.3-3.7 [S3][S21][S23][S71][S72]."""
    state = default_state(rel)
    for key, value in registry.items():
        state = state.with_registry_value(key, value)
    token = network_token(Account(kind=kind), release(rel), state)
    assert (token.filtered, token.admin_member) == (filtered, admin)
    assert (ADMINISTRATORS in token.principals) is (admin and not filtered)
    assert {EVERYONE, AUTHENTICATED_USERS, kind.value} <= token.principals


def test_a_local_user_added_to_administrators_is_filtered_like_a_local_admin() -> None:
    state = default_state("win11").with_group_member(ADMINISTRATORS, "bob")
    token = network_token(Account(kind=AccountKind.LOCAL_USER, name="bob"), release("win11"), state)
    assert (token.admin_member, token.filtered) == (True, True)
    domain = network_token(
        Account(kind=AccountKind.DOMAIN_USER, name="bob"), release("win11"), state
    )
    assert ADMINISTRATORS in domain.principals
    assert isinstance(state, HostState)
