"""The registry of requirements: one record per rule, with a stable ID and its sources.

Owns: :class:`Rule` and :data:`RULES`. A rule says which computer it reads (``side``), which
stage it guards, the failure code that stage produces when it is unmet, when it applies to a
scenario, and how to tell whether a host state meets it. IDs are ``WR`` + three digits whose
first digit is the position of the stage (``WR1xx`` = TCP 135, ``WR8xx`` = callback). An ID is
never reused: retired ones go to :data:`RETIRED_RULE_IDS`.

Each rule also carries two witnesses, ``fulfil`` and ``violate``: the smallest state change
that meets or breaks it (``None`` when no host change can, because the scenario decides). They
exist so properties can be checked over the whole scenario space; remediation with its commands
and least-privilege choices is the plan builder's job.

Must not: do I/O, or import from wmireach above :mod:`wmireach.state` (HResult values are
imported lazily, only by :attr:`Rule.hresult`).

>>> rule("WR101").failure == 0x800706BA
True
>>> [r.id for r in RULES if r.stage is Stage.CALLBACK][:2]
['WR801', 'WR802']
"""

from __future__ import annotations

import ntpath
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final, NamedTuple

import attrs

from wmireach.model import (
    HARDENING_FLOOR,
    AccountKind,
    CallMode,
    Connection,
    NetworkProfile,
    Scenario,
    Side,
    Stage,
)
from wmireach.state import (
    ALLOW_ANONYMOUS_CALLBACK,
    ANONYMOUS_LOGON,
    ENABLE_DCOM,
    ENABLE_LUA,
    FILTER_ADMINISTRATOR_TOKEN,
    LOCAL_ACCOUNT_TOKEN_FILTER_POLICY,
    REMOTE_ADMIN,
    REQUIRE_INTEGRITY_ACTIVATION,
    SVCHOST,
    WBEM_ENABLE,
    WBEM_METHOD_EXECUTE,
    WBEM_READ_CONTROL,
    WBEM_REMOTE_ACCESS,
    WMI_RULES,
    Admission,
    DcomRight,
    FirewallRule,
    HostState,
    NamespaceAce,
    RuleKind,
    WmiHosting,
    network_token,
    normalize_program,
)
from wmireach.windows import FirewallKind, HardeningPhase, hardening_phase

if TYPE_CHECKING:
    from wmireach.hresult import HResult

__all__ = [
    "E_ACCESSDENIED",
    "E_OUTOFMEMORY",
    "RETIRED_RULE_IDS",
    "RPC_S_SERVER_UNAVAILABLE",
    "RULES",
    "WBEM_E_ACCESS_DENIED",
    "Rule",
    "applicable_rules",
    "rule",
]

# The failures stages produce (facts §9.1). Plain unsigned ints; HResult only via Rule.hresult.
RPC_S_SERVER_UNAVAILABLE: Final = 0x800706BA
E_ACCESSDENIED: Final = 0x80070005
E_OUTOFMEMORY: Final = 0x8007000E
WBEM_E_ACCESS_DENIED: Final = 0x80041003

Applies = Callable[[Scenario], bool]
Met = Callable[[Scenario, HostState], bool]
Witness = Callable[[Scenario, HostState], HostState | None]

_ID = re.compile(r"WR\d{3}")


@attrs.frozen(kw_only=True)
class Rule:
    """One requirement: a condition on one computer that one stage of a call needs.

    >>> r = rule("WR601")
    >>> (r.side.value, r.stage.value, hex(r.failure))
    ('target', 'namespace-login', '0x80041003')
    """

    id: str = attrs.field(validator=attrs.validators.matches_re(_ID))
    title: str
    side: Side
    stage: Stage
    failure: int = attrs.field(validator=[attrs.validators.ge(0), attrs.validators.le(0xFFFFFFFF)])
    applies: Applies = attrs.field(repr=False)
    met: Met = attrs.field(repr=False)
    fulfil: Witness = attrs.field(repr=False)
    violate: Witness = attrs.field(repr=False)
    #: Fact-sheet sections with source ids, or Microsoft document titles.
    sources: tuple[str, ...] = attrs.field(validator=attrs.validators.min_len(1))
    #: Why it matters and how it is usually fixed, for people (docs, CLI).
    explanation: str

    @property
    def connection(self) -> Connection:
        """The connection whose stage this rule guards."""
        return self.stage.connection

    @property
    def hresult(self) -> HResult:
        """The failure as an :class:`~wmireach.hresult.HResult` (imported on first use)."""
        from wmireach.hresult import decode

        return decode(self.failure)


# Helpers the predicates share ----------------------------------------------------------------


class _Traffic(NamedTuple):
    """Inbound traffic a firewall must admit: a port (None = dynamic), service and program."""

    port: int | None
    service: str | None
    program: str | None


def _profile_and_peer(s: Scenario, side: Side) -> tuple[NetworkProfile, str | None]:
    """Profile of the computer on ``side`` and the address of the other one."""
    if side is Side.TARGET:
        return s.target.profile, s.client.address
    return s.client.profile, s.target.address


def _admission(
    s: Scenario,
    st: HostState,
    side: Side,
    traffic: _Traffic,
) -> Admission:
    profile, peer = _profile_and_peer(s, side)
    return st.admission(
        profile,
        port=traffic.port,
        service=traffic.service,
        program=traffic.program,
        peer_address=peer,
        same_subnet=s.same_subnet,
    )


def _disable_covering(s: Scenario, st: HostState, side: Side, traffic: _Traffic) -> HostState:
    """Firewall on for the active profile and every inbound rule for this traffic disabled."""
    profile, _ = _profile_and_peer(s, side)
    wanted = None if traffic.program is None else normalize_program(traffic.program)
    st = st.with_firewall(profile, on=True)
    for r in st.firewall_rules:
        if (
            r.enabled
            and profile in r.profiles
            and r.admits(port=traffic.port, service=traffic.service, program=wanted)
        ):
            st = st.with_firewall_rule(attrs.evolve(r, enabled=False))
    return st


_OUTSIDE = ("192.0.2.1", "198.51.100.1")  # RFC 5737 documentation addresses


def _narrow_covering(s: Scenario, st: HostState, side: Side, traffic: _Traffic) -> HostState:
    """Make every enabled rule for this traffic exclude the peer (firewall on)."""
    profile, peer = _profile_and_peer(s, side)
    wanted = None if traffic.program is None else normalize_program(traffic.program)
    outside = _OUTSIDE[1] if peer == _OUTSIDE[0] else _OUTSIDE[0]
    scope = frozenset({"localsubnet"}) if not s.same_subnet else frozenset({outside})
    st = st.with_firewall(profile, on=True)
    for r in st.firewall_rules:
        if (
            r.enabled
            and profile in r.profiles
            and r.admits(port=traffic.port, service=traffic.service, program=wanted)
        ):
            st = st.with_firewall_rule(attrs.evolve(r, remote_addresses=scope))
    return st


def _widen_covering(s: Scenario, st: HostState, side: Side, traffic: _Traffic) -> HostState:
    """Add the peer (or ``any`` when its address is unknown) to every rule for this traffic."""
    profile, peer = _profile_and_peer(s, side)
    wanted = None if traffic.program is None else normalize_program(traffic.program)
    extra = peer if peer is not None else "any"
    for r in st.firewall_rules:
        if (
            r.enabled
            and profile in r.profiles
            and r.admits(port=traffic.port, service=traffic.service, program=wanted)
        ):
            st = st.with_firewall_rule(
                attrs.evolve(r, remote_addresses=r.remote_addresses | {extra})
            )
    return st


def _enable_builtin(st: HostState, profile: NetworkProfile, stem: str) -> HostState:
    """Enable the built-in WMI rule ``stem`` for ``profile`` (the -NoScope twin for Domain)."""
    name = f"{stem}-NoScope" if profile is NetworkProfile.DOMAIN else stem
    existing = st.firewall_rule(name)
    base = existing if existing is not None else next(r for r in WMI_RULES if r.name == name)
    return st.with_firewall_rule(attrs.evolve(base, enabled=True))


def _target_wfas(s: Scenario) -> bool:
    return s.target.release.firewall is FirewallKind.WFAS


def _target_legacy(s: Scenario) -> bool:
    return s.target.release.firewall is not FirewallKind.WFAS


def _is_async(s: Scenario) -> bool:
    return s.call_mode is CallMode.ASYNC


def _client_wfas_async(s: Scenario) -> bool:
    return _is_async(s) and s.client.release.firewall is FirewallKind.WFAS


def _client_legacy_async(s: Scenario) -> bool:
    return _is_async(s) and s.client.release.firewall is not FirewallKind.WFAS


def _always(s: Scenario) -> bool:
    return True


def _reached(admission: Admission) -> bool:
    return admission in (Admission.OPEN, Admission.ADMITTED)


# TCP 135 on the target (WR1xx) ---------------------------------------------------------------

_EPM = _Traffic(port=135, service="rpcss", program=SVCHOST)


def _wr101_met(s: Scenario, st: HostState) -> bool:
    return _admission(s, st, Side.TARGET, _EPM) is not Admission.BLOCKED


def _wr101_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr101_met(s, st):
        return st
    return _enable_builtin(st, s.target.profile, "WMI-RPCSS-In-TCP")


def _wr101_violate(s: Scenario, st: HostState) -> HostState:
    return _disable_covering(s, st, Side.TARGET, _EPM)


def _wr102_met(s: Scenario, st: HostState) -> bool:
    return _reached(_admission(s, st, Side.TARGET, _EPM))


def _wr102_fulfil(s: Scenario, st: HostState) -> HostState:
    return _widen_covering(s, _wr101_fulfil(s, st), Side.TARGET, _EPM)


def _wr102_violate(s: Scenario, st: HostState) -> HostState:
    return _narrow_covering(s, _wr101_fulfil(s, st), Side.TARGET, _EPM)


def _legacy_admit(st: HostState, s: Scenario, side: Side, rule: FirewallRule) -> HostState:
    """Enable ``rule`` (or the existing one of that name) for the active profile, any scope."""
    profile, _ = _profile_and_peer(s, side)
    existing = st.firewall_rule(rule.name) or rule
    return st.with_firewall_rule(
        attrs.evolve(
            existing,
            enabled=True,
            profiles=existing.profiles | {profile},
            remote_addresses=existing.remote_addresses | {"any"},
        )
    )


def _remote_admin() -> FirewallRule:
    return FirewallRule(
        name=REMOTE_ADMIN,
        kind=RuleKind.SERVICE,
        enabled=True,
        profiles=frozenset({NetworkProfile.DOMAIN, NetworkProfile.PRIVATE}),
        program=SVCHOST,
    )


def _port_135(name: str) -> FirewallRule:
    return FirewallRule(
        name=name,
        kind=RuleKind.PORT_OPENING,
        enabled=True,
        profiles=frozenset({NetworkProfile.DOMAIN, NetworkProfile.PRIVATE}),
        local_port=135,
    )


def _wr103_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr102_met(s, st):
        return st
    if s.target.release.firewall is FirewallKind.WINDOWS_FIREWALL:
        return _legacy_admit(st, s, Side.TARGET, _remote_admin())
    return _legacy_admit(st, s, Side.TARGET, _port_135("DCOM_TCP135"))


# DCOM activation on the target (WR4xx) -------------------------------------------------------


def _wr401_met(s: Scenario, st: HostState) -> bool:
    value = st.registry_value(ENABLE_DCOM)
    return value is None or str(value).strip().upper() == "Y"


def _wr402_met(s: Scenario, st: HostState) -> bool:
    if s.auth_level >= HARDENING_FLOOR:
        return True
    phase = hardening_phase(s.target.patched)
    value = st.registry_value(REQUIRE_INTEGRITY_ACTIVATION)
    if phase is HardeningPhase.OPT_IN:
        return value != 1
    if phase is HardeningPhase.ENABLED_BY_DEFAULT:
        return value == 0
    return phase is HardeningPhase.NONE


def _wr402_fulfil(s: Scenario, st: HostState) -> HostState | None:
    if _wr402_met(s, st):
        return st
    phase = hardening_phase(s.target.patched)
    if phase is HardeningPhase.OPT_IN:
        return st.without_registry_value(REQUIRE_INTEGRITY_ACTIVATION)
    if phase is HardeningPhase.ENABLED_BY_DEFAULT:
        return st.with_registry_value(REQUIRE_INTEGRITY_ACTIVATION, 0)
    return None  # enforced: only the client's authentication level can meet it


def _wr402_violate(s: Scenario, st: HostState) -> HostState | None:
    if s.auth_level >= HARDENING_FLOOR:
        return None  # the scenario's authentication level meets it whatever the host says
    phase = hardening_phase(s.target.patched)
    if phase is HardeningPhase.OPT_IN:
        return st.with_registry_value(REQUIRE_INTEGRITY_ACTIVATION, 1)
    if phase is HardeningPhase.ENABLED_BY_DEFAULT:
        return st.without_registry_value(REQUIRE_INTEGRITY_ACTIVATION)
    return st


def _applies_hardening(s: Scenario) -> bool:
    return s.target_hardening


def _applies_uac(s: Scenario) -> bool:
    return s.target.release.uac and s.account.kind in (
        AccountKind.LOCAL_ADMIN,
        AccountKind.BUILTIN_ADMIN,
    )


_REMOTE_LAUNCH = (DcomRight.REMOTE_LAUNCH, DcomRight.REMOTE_ACTIVATION)


def _launch_ok(st: HostState, principals: frozenset[str]) -> bool:
    return all(st.has_dcom_right(principals, r) for r in _REMOTE_LAUNCH)


def _wr403_met(s: Scenario, st: HostState) -> bool:
    token = network_token(s.account, s.target.release, st)
    return not token.filtered or _launch_ok(st, token.principals)


def _wr403_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr403_met(s, st):
        return st
    return st.with_registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY, 1)


def _wr403_violate(s: Scenario, st: HostState) -> HostState:
    st = st.without_registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY).with_registry_value(
        ENABLE_LUA, 1
    )
    if s.account.kind is AccountKind.BUILTIN_ADMIN:
        st = st.with_registry_value(FILTER_ADMINISTRATOR_TOKEN, 1)
    token = network_token(s.account, s.target.release, st)
    for principal in token.principals:
        st = st.revoking_dcom(principal, *_REMOTE_LAUNCH)
    return st


def _wr404_met(s: Scenario, st: HostState) -> bool:
    return _launch_ok(st, network_token(s.account, s.target.release, st).principals)


def _wr404_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr404_met(s, st):
        return st
    return st.granting_dcom(
        s.account.principal, DcomRight.LOCAL_LAUNCH, DcomRight.LOCAL_ACTIVATION, *_REMOTE_LAUNCH
    )


def _wr404_violate(s: Scenario, st: HostState) -> HostState:
    for principal in network_token(s.account, s.target.release, st).principals:
        st = st.revoking_dcom(principal, *_REMOTE_LAUNCH)
    return st


def _wr405_met(s: Scenario, st: HostState) -> bool:
    token = network_token(s.account, s.target.release, st)
    return st.has_dcom_right(token.principals, DcomRight.REMOTE_ACCESS)


def _wr405_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr405_met(s, st):
        return st
    return st.granting_dcom(s.account.principal, DcomRight.LOCAL_ACCESS, DcomRight.REMOTE_ACCESS)


def _wr405_violate(s: Scenario, st: HostState) -> HostState:
    for principal in network_token(s.account, s.target.release, st).principals:
        st = st.revoking_dcom(principal, DcomRight.REMOTE_ACCESS)
    return st


# WMI port on the target (WR5xx) --------------------------------------------------------------


def _wmi_traffic(st: HostState) -> _Traffic:
    return _Traffic(port=st.wmi_port, service="winmgmt", program=SVCHOST)


def _wr501_met(s: Scenario, st: HostState) -> bool:
    return _admission(s, st, Side.TARGET, _wmi_traffic(st)) is not Admission.BLOCKED


def _wr501_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr501_met(s, st):
        return st
    return _enable_builtin(st, s.target.profile, "WMI-WINMGMT-In-TCP")


def _keep_135(s: Scenario, st: HostState) -> HostState:
    """Re-admit TCP 135 when switching the firewall on closed it too (only the WMI port may
    stay closed when a WMI-port witness breaks its rule)."""
    return st if _wr102_met(s, st) else _wr102_fulfil(s, st)


def _wr501_violate(s: Scenario, st: HostState) -> HostState:
    return _keep_135(s, _disable_covering(s, st, Side.TARGET, _wmi_traffic(st)))


def _wr502_met(s: Scenario, st: HostState) -> bool:
    return _reached(_admission(s, st, Side.TARGET, _wmi_traffic(st)))


def _wr502_fulfil(s: Scenario, st: HostState) -> HostState:
    st = _wr501_fulfil(s, st)
    return _widen_covering(s, st, Side.TARGET, _wmi_traffic(st))


def _wr502_violate(s: Scenario, st: HostState) -> HostState:
    st = _wr501_fulfil(s, st)
    return _keep_135(s, _narrow_covering(s, st, Side.TARGET, _wmi_traffic(st)))


def _wr503_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr502_met(s, st):
        return st
    if s.target.release.firewall is FirewallKind.WINDOWS_FIREWALL:
        return _legacy_admit(st, s, Side.TARGET, _remote_admin())
    # ICF opens ports only; the dynamic RPC ports cannot be listed, so it has to be off.
    return st.with_firewall(s.target.profile, on=False)


def _wr503_violate(s: Scenario, st: HostState) -> HostState:
    # RemoteAdmin opens TCP 135 too: keep 135 open with a port opening, so only the
    # dynamic ports stay closed (the situation [S2] warns about).
    st = _disable_covering(s, st, Side.TARGET, _wmi_traffic(st))
    if _wr102_met(s, st):
        return st
    return _legacy_admit(st, s, Side.TARGET, _port_135("DCOM_TCP135"))


def _applies_fixed_port(s: Scenario) -> bool:
    return s.fixed_port is not None


def _wr504_met(s: Scenario, st: HostState) -> bool:
    return st.wmi_hosting is WmiHosting.STANDALONE and st.wmi_port == s.fixed_port


def _wr504_fulfil(s: Scenario, st: HostState) -> HostState:
    return st.with_wmi_hosting(WmiHosting.STANDALONE, s.fixed_port)


def _wr504_violate(s: Scenario, st: HostState) -> HostState:
    return st.with_wmi_hosting(WmiHosting.SHARED)


# Namespace login on the target (WR6xx) -------------------------------------------------------

_NEEDED = WBEM_ENABLE | WBEM_REMOTE_ACCESS


def _wr601_met(s: Scenario, st: HostState) -> bool:
    token = network_token(s.account, s.target.release, st)
    return st.namespace_rights(s.namespace, token.principals) & _NEEDED == _NEEDED


def _wr601_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr601_met(s, st):
        return st
    # Microsoft's sample ACE: READ_CONTROL|REMOTE_ACCESS|METHOD_EXECUTE|ENABLE (facts §5.5 [S10]).
    mask = WBEM_READ_CONTROL | WBEM_REMOTE_ACCESS | WBEM_METHOD_EXECUTE | WBEM_ENABLE
    ace = NamespaceAce(namespace=s.namespace, principal=s.account.principal, mask=mask)
    return st.with_namespace_ace(ace)


def _wr601_violate(s: Scenario, st: HostState) -> HostState:
    principals = network_token(s.account, s.target.release, st).principals
    for ace in st.namespace_aces:
        if ace.principal in principals and ace.mask & WBEM_REMOTE_ACCESS:
            st = st.without_namespace_ace(ace).with_namespace_ace(
                attrs.evolve(ace, mask=ace.mask & ~WBEM_REMOTE_ACCESS)
            )
    return st


# The callback, Connection 2 (WR8xx) ----------------------------------------------------------


def _sink(s: Scenario) -> _Traffic:
    return _Traffic(port=None, service=None, program=s.sink_program)


def _wr801_met(s: Scenario, st: HostState) -> bool:
    admission = _admission(s, st, Side.CLIENT, _sink(s))
    if s.client.release.firewall is FirewallKind.WFAS:
        return admission is not Admission.BLOCKED  # the scope is WR802's business
    return _reached(admission)  # legacy firewalls have no separate scope rule


def _sink_rule(s: Scenario) -> FirewallRule:
    legacy = s.client.release.firewall is not FirewallKind.WFAS
    name = ntpath.basename(normalize_program(s.sink_program)).removesuffix(".exe").upper()
    return FirewallRule(
        name=name,
        kind=RuleKind.ALLOWED_PROGRAM if legacy else RuleKind.WFAS,
        enabled=True,
        profiles=frozenset({s.client.profile}),
        program=s.sink_program,
    )


def _wr801_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr801_met(s, st):
        return st
    kind = s.client.release.firewall
    if kind is FirewallKind.ICF:
        # ICF has no program exceptions and the sink listens on a dynamic port.
        return st.with_firewall(s.client.profile, on=False)
    unsecapp = normalize_program(s.sink_program) == WMI_RULES[4].program
    if kind is FirewallKind.WFAS and unsecapp:
        return _enable_builtin(st, s.client.profile, "WMI-ASYNC-In-TCP")
    return _legacy_admit(st, s, Side.CLIENT, _sink_rule(s))


def _wr801_violate(s: Scenario, st: HostState) -> HostState:
    return _disable_covering(s, st, Side.CLIENT, _sink(s))


def _wr802_met(s: Scenario, st: HostState) -> bool:
    return _reached(_admission(s, st, Side.CLIENT, _sink(s)))


def _wr802_fulfil(s: Scenario, st: HostState) -> HostState:
    return _widen_covering(s, _wr801_fulfil(s, st), Side.CLIENT, _sink(s))


def _wr802_violate(s: Scenario, st: HostState) -> HostState:
    return _narrow_covering(s, _wr801_fulfil(s, st), Side.CLIENT, _sink(s))


def _wr803_met(s: Scenario, st: HostState) -> bool:
    return _reached(_admission(s, st, Side.CLIENT, _EPM))


def _wr803_fulfil(s: Scenario, st: HostState) -> HostState:
    if _wr803_met(s, st):
        return st
    return _legacy_admit(st, s, Side.CLIENT, _port_135("DCOM_TCP135"))


def _wr803_violate(s: Scenario, st: HostState) -> HostState:
    return _disable_covering(s, st, Side.CLIENT, _EPM)


def _anonymous(s: Scenario) -> bool:
    return s.anonymous_callback


def _wr804_met(s: Scenario, st: HostState) -> bool:
    return st.registry_value(ALLOW_ANONYMOUS_CALLBACK) == 1


def _wr805_met(s: Scenario, st: HostState) -> bool:
    return st.has_dcom_right((ANONYMOUS_LOGON,), DcomRight.REMOTE_ACCESS)


_FW_TARGET = "facts §2.1.4, §2.1.6 [S1][S49][S53]; §9.1 [S13][S16]: 0x800706BA"
_FW_LEGACY = "facts §2.4.1 [S2][S38]: RemoteAdmin opens TCP 135, 445 and dynamic RPC ports"
_SCOPE = "facts §2.1.4 [S49], §12.1: Private/Public WMI rules are scoped to LocalSubnet"
_DCOM_ACCESS = "facts §9.1 [S13][S6][S2]: 0x80070005 at DCOM launch/activation/access"

#: Every rule, in stage order and, within a stage, by priority (the first unmet decides the code).
RULES: Final[tuple[Rule, ...]] = (
    Rule(
        id="WR101",
        title="Computer B's firewall has an enabled inbound rule for TCP 135 (WMI DCOM-In) "
        "on its active profile",
        side=Side.TARGET,
        stage=Stage.TCP_135,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_target_wfas,
        met=_wr101_met,
        fulfil=_wr101_fulfil,
        violate=_wr101_violate,
        sources=(_FW_TARGET, "Setting up a Remote WMI Connection (Microsoft Learn)"),
        explanation="The WMI rules ship disabled; enable the group @FirewallAPI.dll,-34251 or "
        "WMI-RPCSS-In-TCP (Private/Public) / WMI-RPCSS-In-TCP-NoScope (Domain).",
    ),
    Rule(
        id="WR102",
        title="The TCP 135 rule's remote scope includes Computer A",
        side=Side.TARGET,
        stage=Stage.TCP_135,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_target_wfas,
        met=_wr102_met,
        fulfil=_wr102_fulfil,
        violate=_wr102_violate,
        sources=(_SCOPE, _FW_TARGET),
        explanation="On Private/Public networks the built-in rule admits only the local subnet: "
        "a client on another subnet stays blocked until the scope is widened per rule "
        "(Set-NetFirewallRule -RemoteAddress, or netsh ... name= ... new remoteip=).",
    ),
    Rule(
        id="WR103",
        title="Computer B's legacy firewall admits TCP 135 (RemoteAdmin exception or a port "
        "opening): XP SP2 has it on by default, Server 2003 SP1 off",
        side=Side.TARGET,
        stage=Stage.TCP_135,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_target_legacy,
        met=_wr102_met,
        fulfil=_wr103_fulfil,
        violate=_wr101_violate,
        sources=(
            _FW_LEGACY,
            "facts §1.2.2, §12.11 [S2][S38]: firewall on by default on XP SP2, off on 2003 SP1",
            "Connecting Through Windows Firewall (MSDN)",
        ),
        explanation="netsh firewall set service RemoteAdmin enable (Group Policy: Windows "
        "Firewall: Allow remote administration exception).",
    ),
    Rule(
        id="WR401",
        title="DCOM is enabled on Computer B (EnableDCOM=Y)",
        side=Side.TARGET,
        stage=Stage.DCOM_ACTIVATION,
        failure=E_ACCESSDENIED,
        applies=_always,
        met=_wr401_met,
        fulfil=lambda s, st: st.with_registry_value(ENABLE_DCOM, "Y"),
        violate=lambda s, st: st.with_registry_value(ENABLE_DCOM, "N"),
        sources=(
            "facts §4.1 [S29][S31][S32]: EnableDCOM=N refuses remote clients; reboot to change",
            _DCOM_ACCESS + " (the code for EnableDCOM=N is Derived)",
        ),
        explanation="HKLM\\SOFTWARE\\Microsoft\\Ole EnableDCOM (REG_SZ) must be Y.",
    ),
    Rule(
        id="WR402",
        title="Computer A activates at PKT_INTEGRITY or higher when Computer B has the DCOM "
        "hardening (KB5004442)",
        side=Side.TARGET,
        stage=Stage.DCOM_ACTIVATION,
        failure=E_ACCESSDENIED,
        applies=_applies_hardening,
        met=_wr402_met,
        fulfil=_wr402_fulfil,
        violate=_wr402_violate,
        sources=(
            "facts §8.1-8.4 [S17][S18][S19]: hardening phases and the PKT_INTEGRITY floor",
            "facts §8.6 [S18]: symptoms 0x80070005 and 0x800706BA, server event 10036",
            "KB5004442 Manage changes for Windows DCOM Server Security Feature Bypass "
            "(CVE-2021-26414)",
        ),
        explanation="Fixed on the client (authentication level pkt-integrity or pkt-privacy); "
        "before March 14, 2023 the target's RequireIntegrityActivationAuthenticationLevel=0 "
        "could postpone it.",
    ),
    Rule(
        id="WR403",
        title="Remote UAC does not strip the local administrator's rights on Computer B "
        "(LocalAccountTokenFilterPolicy=1; RID 500 only if FilterAdministratorToken=1), or the "
        "account holds DCOM remote launch and activation itself",
        side=Side.TARGET,
        stage=Stage.DCOM_ACTIVATION,
        failure=E_ACCESSDENIED,
        applies=_applies_uac,
        met=_wr403_met,
        fulfil=_wr403_fulfil,
        violate=_wr403_violate,
        sources=(
            "facts §3.1-3.7 [S3][S21][S22][S23][S16]: remote token filtering of local accounts",
            "facts §3.9 (Derived): a filtered token fails at activation with 0x80070005",
            "User Account Control and WMI (Microsoft Learn)",
        ),
        explanation="A local (non-RID-500) administrator logs on over the network with a "
        "standard-user token. Prefer granting the account DCOM and namespace rights; "
        "LocalAccountTokenFilterPolicy=1 is Microsoft's last resort for workgroups.",
    ),
    Rule(
        id="WR404",
        title="The caller holds Remote Launch and Remote Activation in Computer B's machine "
        "launch limits",
        side=Side.TARGET,
        stage=Stage.DCOM_ACTIVATION,
        failure=E_ACCESSDENIED,
        applies=_always,
        met=_wr404_met,
        fulfil=_wr404_fulfil,
        violate=_wr404_violate,
        sources=(
            "facts §4.6, §4.10 [S25][S27][S76]: by default only Administrators, Distributed "
            "COM Users and Performance Log Users have remote launch/activation",
            "facts §4.7 [S16][S33]: adding the account to Distributed COM Users grants it",
            "Connecting Through Windows Firewall (MSDN): non-admins need Remote Launch and "
            "Remote Activation, else 0x80070005",
        ),
        explanation="dcomcnfg > My Computer > COM Security > Launch and Activation Permissions "
        "> Edit Limits, or add the account to Distributed COM Users.",
    ),
    Rule(
        id="WR405",
        title="The caller holds Remote Access in Computer B's machine access limits",
        side=Side.TARGET,
        stage=Stage.DCOM_ACTIVATION,
        failure=E_ACCESSDENIED,
        applies=_always,
        met=_wr405_met,
        fulfil=_wr405_fulfil,
        violate=_wr405_violate,
        sources=(
            "facts §4.2, §4.6 [S26][S27]: Everyone has remote access by default",
            _DCOM_ACCESS,
        ),
        explanation="dcomcnfg > COM Security > Access Permissions > Edit Limits.",
    ),
    Rule(
        id="WR501",
        title="Computer B's firewall lets Computer A reach winmgmt (WMI-In; RPC dynamic port or "
        "the fixed port)",
        side=Side.TARGET,
        stage=Stage.WMI_PORT,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_target_wfas,
        met=_wr501_met,
        fulfil=_wr501_fulfil,
        violate=_wr501_violate,
        sources=(_FW_TARGET, "facts §6.3 [S1]: the WMI exception also works with a fixed port"),
        explanation="Enable WMI-WINMGMT-In-TCP (Private/Public) / WMI-WINMGMT-In-TCP-NoScope "
        "(Domain), or the whole WMI group.",
    ),
    Rule(
        id="WR502",
        title="The WMI-In rule's remote scope includes Computer A",
        side=Side.TARGET,
        stage=Stage.WMI_PORT,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_target_wfas,
        met=_wr502_met,
        fulfil=_wr502_fulfil,
        violate=_wr502_violate,
        sources=(_SCOPE, _FW_TARGET),
        explanation="Widen the scope of WMI-WINMGMT-In-TCP to Computer A's address.",
    ),
    Rule(
        id="WR503",
        title="Computer B's legacy firewall admits the RPC dynamic ports (RemoteAdmin exception)",
        side=Side.TARGET,
        stage=Stage.WMI_PORT,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_target_legacy,
        met=_wr502_met,
        fulfil=_wr503_fulfil,
        violate=_wr503_violate,
        sources=(_FW_LEGACY, "Connecting Through Windows Firewall (MSDN)"),
        explanation="A TCP 135 port opening alone is not enough: winmgmt listens on a dynamic "
        "port that only the RemoteAdmin exception opens (ICF cannot open it at all).",
    ),
    Rule(
        id="WR504",
        title="WMI runs in its own host on the fixed port (winmgmt /standalonehost)",
        side=Side.TARGET,
        stage=Stage.WMI_PORT,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_applies_fixed_port,
        met=_wr504_met,
        fulfil=_wr504_fulfil,
        violate=_wr504_violate,
        sources=(
            "facts §6.1-6.4 [S4][S5][S30]: standalone host, endpoint TCP 24158 by default",
            "Setting Up a Fixed Port for WMI (Microsoft Learn)",
        ),
        explanation="winmgmt /standalonehost 6, restart winmgmt, allow the port; TCP 135 is "
        "still needed for the endpoint mapper. The code when only the fixed port is open is "
        "Derived (the dynamic port is unreachable).",
    ),
    Rule(
        id="WR601",
        title="The caller holds Enable Account and Remote Enable on the namespace on Computer B",
        side=Side.TARGET,
        stage=Stage.NAMESPACE_LOGIN,
        failure=WBEM_E_ACCESS_DENIED,
        applies=_always,
        met=_wr601_met,
        fulfil=_wr601_fulfil,
        violate=_wr601_violate,
        sources=(
            "facts §5.1-5.3 [S6][S8][S16]: Remote Enable is Administrators-only by default; "
            "missing it gives 0x80041003",
            "facts §5.4 [S10]: inherited (container-inherit) ACEs count",
            "Securing a Remote WMI Connection (Microsoft Learn)",
        ),
        explanation="wmimgmt.msc > WMI Control > Properties > Security > namespace > Remote "
        "Enable (applies to this namespace and subnamespaces).",
    ),
    Rule(
        id="WR801",
        title="Computer A's firewall lets the callback reach the sink program (ASync-In, or "
        "the client's own sink)",
        side=Side.CLIENT,
        stage=Stage.CALLBACK,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_is_async,
        met=_wr801_met,
        fulfil=_wr801_fulfil,
        violate=_wr801_violate,
        sources=(
            "facts §2.1.6, §7.1-7.2 [S1][S2]: unsecapp.exe (WMI-ASYNC-In-TCP) or the client's "
            "own sink program must be allowed on A",
            "facts §9.1 [S87]: a client firewall blocking callbacks gives 0x800706BA",
        ),
        explanation="Enable WMI-ASYNC-In-TCP (Private/Public) / WMI-ASYNC-In-TCP-NoScope "
        "(Domain); XP SP2: netsh firewall add allowedprogram ...unsecapp.exe. Prefer "
        "semisynchronous calls, which need no Connection 2.",
    ),
    Rule(
        id="WR802",
        title="The sink rule's remote scope on Computer A includes Computer B",
        side=Side.CLIENT,
        stage=Stage.CALLBACK,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_client_wfas_async,
        met=_wr802_met,
        fulfil=_wr802_fulfil,
        violate=_wr802_violate,
        sources=(_SCOPE, "facts §7.2 [S2]"),
        explanation="WMI-ASYNC-In-TCP is LocalSubnet-scoped on Private/Public networks.",
    ),
    Rule(
        id="WR803",
        title="Computer A's legacy firewall admits TCP 135 for the callback (port opening "
        "DCOM_TCP135 or RemoteAdmin)",
        side=Side.CLIENT,
        stage=Stage.CALLBACK,
        failure=RPC_S_SERVER_UNAVAILABLE,
        applies=_client_legacy_async,
        met=_wr803_met,
        fulfil=_wr803_fulfil,
        violate=_wr803_violate,
        sources=("facts §2.4.4 [S2]: open TCP 135 on A or the callback fails with 0x800706BA",),
        explanation="netsh firewall add portopening protocol=tcp port=135 name=DCOM_TCP135.",
    ),
    Rule(
        id="WR804",
        title="Computer B's WMI may call back anonymously (AllowAnonymousCallback=1) when A and "
        "B share no trust",
        side=Side.TARGET,
        stage=Stage.CALLBACK,
        failure=E_ACCESSDENIED,
        applies=_anonymous,
        met=_wr804_met,
        fulfil=lambda s, st: st.with_registry_value(ALLOW_ANONYMOUS_CALLBACK, 1),
        violate=lambda s, st: st.with_registry_value(ALLOW_ANONYMOUS_CALLBACK, 0),
        sources=(
            "facts §7.3-7.4 [S1][S83]: AllowAnonymousCallback, needed only without trust",
            "facts §7.2 [S2]: anonymous callbacks fail with 0x80070005 or 0x8007000E "
            "(which code for which side is Derived)",
        ),
        explanation="HKLM\\SOFTWARE\\Microsoft\\WBEM\\CIMOM AllowAnonymousCallback=1 (REG_DWORD) "
        "on Computer B; do not set it between same-domain or trusted-domain computers. Its "
        "default is unverified (facts §13.3); absent is read as 0.",
    ),
    Rule(
        id="WR805",
        title="Computer A's machine access limits give ANONYMOUS LOGON Remote Access when A "
        "and B share no trust",
        side=Side.CLIENT,
        stage=Stage.CALLBACK,
        failure=E_OUTOFMEMORY,
        applies=_anonymous,
        met=_wr805_met,
        fulfil=lambda s, st: st.granting_dcom(ANONYMOUS_LOGON, DcomRight.REMOTE_ACCESS),
        violate=lambda s, st: st.revoking_dcom(ANONYMOUS_LOGON, DcomRight.REMOTE_ACCESS),
        sources=(
            "facts §7.2, §4.8, §12.5-12.6 [S2][S6][S16]: the callback arrives as ANONYMOUS "
            "LOGON; default limits give it local access only; 0x8007000E",
            "Connecting Through Windows Firewall (MSDN)",
        ),
        explanation="dcomcnfg on Computer A > COM Security > Access Permissions > Edit Limits "
        "> ANONYMOUS LOGON > Remote Access.",
    ),
)

#: IDs that were used once and must never be reused, with what became of them.
RETIRED_RULE_IDS: Final[Mapping[str, str]] = {}

_BY_ID: Final[Mapping[str, Rule]] = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    """The rule with ID ``rule_id`` (case-insensitive).

    >>> rule("wr804").side.value
    'target'
    """
    found = _BY_ID.get(rule_id.upper())
    if found is None:
        raise KeyError(f"no rule {rule_id!r}; known: {', '.join(_BY_ID)}")
    return found


def applicable_rules(scenario: Scenario) -> tuple[Rule, ...]:
    """The rules that apply to ``scenario``, in stage order then priority.

    >>> from wmireach.model import _example
    >>> [r.id for r in applicable_rules(_example())][:3]
    ['WR101', 'WR102', 'WR401']
    """
    stages = frozenset(scenario.stages)
    return tuple(r for r in RULES if r.stage in stages and r.applies(scenario))
