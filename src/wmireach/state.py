"""The settings of one computer that the requirements talk about, and each release's defaults.

Owns: :class:`HostState` (firewall profiles and rules with scope, registry values, DCOM machine
limits, namespace ACEs, group memberships, WMI hosting mode and port), its small record types, the
well-known SIDs and registry locations, :func:`network_token` (what the target sees of the
caller, after UAC remote filtering) and :func:`default_state` (out-of-the-box settings per
release, from the fact sheet).

Must not: do I/O, or import from wmireach above :mod:`wmireach.model`. A HostState is a frozen,
hashable value made of tuples and frozensets: every change returns a new state (cheap, so the plan
builder may apply thousands of actions).

>>> s = default_state("server2019")
>>> s.firewall_rule("WMI-RPCSS-In-TCP").enabled
False
>>> s.with_firewall_rule(attrs.evolve(s.firewall_rule("WMI-RPCSS-In-TCP"), enabled=True)) == s
False
"""

from __future__ import annotations

import bisect
import enum
import functools
import ipaddress
from collections.abc import Iterable
from typing import Any, Final

import attrs

from wmireach.errors import ScenarioError
from wmireach.model import Account, AccountKind, NetworkProfile
from wmireach.windows import FirewallKind, Release, release

__all__ = [
    "ADMINISTRATORS",
    "ALLOW_ANONYMOUS_CALLBACK",
    "ALL_APPLICATION_PACKAGES",
    "ANONYMOUS_LOGON",
    "AUTHENTICATED_USERS",
    "CIMOM",
    "DISTRIBUTED_COM_USERS",
    "ENABLE_DCOM",
    "ENABLE_LUA",
    "EVERYONE",
    "FILTER_ADMINISTRATOR_TOKEN",
    "LOCAL_ACCOUNT_TOKEN_FILTER_POLICY",
    "LOCAL_SERVICE",
    "NETWORK_SERVICE",
    "OLE",
    "OLE_APPCOMPAT",
    "PERFORMANCE_LOG_USERS",
    "POLICIES_SYSTEM",
    "REMOTE_ADMIN",
    "REQUIRE_INTEGRITY_ACTIVATION",
    "STANDALONE_DEFAULT_PORT",
    "SVCHOST",
    "WBEM_ENABLE",
    "WBEM_FULL_WRITE_REP",
    "WBEM_METHOD_EXECUTE",
    "WBEM_PARTIAL_WRITE_REP",
    "WBEM_READ_CONTROL",
    "WBEM_REMOTE_ACCESS",
    "WBEM_WRITE_DAC",
    "WBEM_WRITE_PROVIDER",
    "WMI_GROUP",
    "WMI_RULES",
    "Admission",
    "DcomGrant",
    "DcomRight",
    "Direction",
    "FirewallRule",
    "GroupMember",
    "HostState",
    "NamespaceAce",
    "RegistryKey",
    "RegistryValue",
    "RuleKind",
    "Token",
    "WmiHosting",
    "default_state",
    "namespace_key",
    "network_token",
    "normalize_program",
]

# Well-known SIDs (facts §4.6-4.8 [S33][S77]).
ADMINISTRATORS: Final = "S-1-5-32-544"
EVERYONE: Final = "S-1-1-0"
ANONYMOUS_LOGON: Final = "S-1-5-7"
AUTHENTICATED_USERS: Final = "S-1-5-11"
LOCAL_SERVICE: Final = "S-1-5-19"
NETWORK_SERVICE: Final = "S-1-5-20"
DISTRIBUTED_COM_USERS: Final = "S-1-5-32-562"
PERFORMANCE_LOG_USERS: Final = "S-1-5-32-559"
ALL_APPLICATION_PACKAGES: Final = "S-1-15-2-1"

#: A registry value's location: (key path, value name).
RegistryKey = tuple[str, str]

POLICIES_SYSTEM: Final = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System"
OLE: Final = "HKLM\\SOFTWARE\\Microsoft\\Ole"
OLE_APPCOMPAT: Final = "HKLM\\SOFTWARE\\Microsoft\\Ole\\AppCompat"
CIMOM: Final = "HKLM\\SOFTWARE\\Microsoft\\WBEM\\CIMOM"

#: REG_DWORD, 1 = local admins keep a full token on network logons (facts §3.1 [S3][S22]).
LOCAL_ACCOUNT_TOKEN_FILTER_POLICY: Final[RegistryKey] = (
    POLICIES_SYSTEM,
    "LocalAccountTokenFilterPolicy",
)
#: REG_DWORD, 1 = the built-in Administrator is filtered too (facts §3.5 [S23][S24]).
FILTER_ADMINISTRATOR_TOKEN: Final[RegistryKey] = (POLICIES_SYSTEM, "FilterAdministratorToken")
#: REG_DWORD, 0 = UAC off, so no remote filtering (facts §3.7 [S72]).
ENABLE_LUA: Final[RegistryKey] = (POLICIES_SYSTEM, "EnableLUA")
#: REG_SZ, "Y" or "N" (facts §4.1 [S29][S31]).
ENABLE_DCOM: Final[RegistryKey] = (OLE, "EnableDCOM")
#: REG_DWORD, DCOM hardening switch (facts §8.2 [S17][S18]).
REQUIRE_INTEGRITY_ACTIVATION: Final[RegistryKey] = (
    OLE_APPCOMPAT,
    "RequireIntegrityActivationAuthenticationLevel",
)
#: REG_DWORD, 1 = WMI may call the client back anonymously (facts §7.3 [S1]).
ALLOW_ANONYMOUS_CALLBACK: Final[RegistryKey] = (CIMOM, "AllowAnonymousCallback")

# Namespace rights, WBEM_SECURITY_FLAGS and standard rights (facts §5.1 [S7][S8][S9]).
WBEM_ENABLE: Final = 0x1
WBEM_METHOD_EXECUTE: Final = 0x2
WBEM_FULL_WRITE_REP: Final = 0x4
WBEM_PARTIAL_WRITE_REP: Final = 0x8
WBEM_WRITE_PROVIDER: Final = 0x10
WBEM_REMOTE_ACCESS: Final = 0x20
WBEM_READ_CONTROL: Final = 0x20000
WBEM_WRITE_DAC: Final = 0x40000

SVCHOST: Final = "%systemroot%\\system32\\svchost.exe"
#: The endpoint of ``winmgmt /standalonehost`` (facts §6.1 [S5]).
STANDALONE_DEFAULT_PORT: Final = 24158
#: Locale-independent id of the "Windows Management Instrumentation (WMI)" group (facts §2.1.3).
WMI_GROUP: Final = "@FirewallAPI.dll,-34251"
#: The legacy Windows Firewall "Remote Administration" service exception (facts §2.4.1).
REMOTE_ADMIN: Final = "RemoteAdmin"


def normalize_program(path: str) -> str:
    """Canonical spelling of a program path, for comparing firewall program exceptions.

    >>> normalize_program("%WINDIR%\\\\System32\\\\wbem\\\\unsecapp.exe")
    '%systemroot%\\\\system32\\\\wbem\\\\unsecapp.exe'
    """
    p = path.strip().strip('"').casefold().replace("/", "\\")
    for alias in ("%windir%", "c:\\windows"):
        if p.startswith(alias):
            p = "%systemroot%" + p[len(alias) :]
    return p


def namespace_key(namespace: str) -> str:
    """Canonical spelling of a namespace path (case-insensitive, backslashes).

    >>> namespace_key("ROOT/CIMV2")
    'root\\\\cimv2'
    """
    return namespace.strip().casefold().replace("/", "\\").strip("\\")


class DcomRight(enum.Enum):
    """A right in the machine-wide DCOM limits (facts §4.2, §4.4 [S25][S26][S27])."""

    LOCAL_LAUNCH = "local-launch"
    REMOTE_LAUNCH = "remote-launch"
    LOCAL_ACTIVATION = "local-activation"
    REMOTE_ACTIVATION = "remote-activation"
    LOCAL_ACCESS = "local-access"
    REMOTE_ACCESS = "remote-access"

    @property
    def restriction(self) -> str:
        """The registry value holding this right: MachineLaunchRestriction or ...Access..."""
        if self in (DcomRight.LOCAL_ACCESS, DcomRight.REMOTE_ACCESS):
            return "MachineAccessRestriction"
        return "MachineLaunchRestriction"

    @property
    def mask(self) -> int:
        """COM_RIGHTS_* bits of an ACE granting this right, EXECUTE included (facts §4.4)."""
        return 0x1 | _COM_BITS[self]


_COM_BITS: Final = {
    DcomRight.LOCAL_LAUNCH: 0x2,
    DcomRight.REMOTE_LAUNCH: 0x4,
    DcomRight.LOCAL_ACTIVATION: 0x8,
    DcomRight.REMOTE_ACTIVATION: 0x10,
    DcomRight.LOCAL_ACCESS: 0x2,
    DcomRight.REMOTE_ACCESS: 0x4,
}


@attrs.frozen(kw_only=True)
class DcomGrant:
    """One principal holding one right in the machine DCOM limits.

    >>> DcomGrant(principal=ANONYMOUS_LOGON, right=DcomRight.REMOTE_ACCESS) in (
    ...     default_state("server2003-sp1").dcom_limits)
    True
    """

    principal: str
    right: DcomRight


@attrs.frozen(kw_only=True)
class NamespaceAce:
    """An allow ACE on a WMI namespace; ``inherit`` = CONTAINER_INHERIT (facts §5.4 [S10]).

    >>> NamespaceAce(namespace="ROOT/CIMV2", principal="alice", mask=0x21).namespace
    'root\\\\cimv2'
    """

    namespace: str = attrs.field(converter=namespace_key)
    principal: str
    mask: int = attrs.field(validator=attrs.validators.ge(0))
    inherit: bool = True


@attrs.frozen(kw_only=True)
class GroupMember:
    """``principal`` is a member of the local group ``group`` (a SID).

    >>> s = default_state("win10").with_group_member(DISTRIBUTED_COM_USERS, "alice")
    >>> GroupMember(group=DISTRIBUTED_COM_USERS, principal="alice") in s.group_members
    True
    """

    group: str
    principal: str


class Direction(enum.Enum):
    """Firewall rule direction."""

    IN = "in"
    OUT = "out"


class RuleKind(enum.Enum):
    """Where a firewall rule lives, which decides the command that changes it (facts §2)."""

    #: A WFAS rule (Vista+): ``netsh advfirewall``, NetSecurity cmdlets.
    WFAS = "wfas"
    #: A legacy service exception such as RemoteAdmin (``netsh firewall set service``).
    SERVICE = "service"
    #: A legacy port opening (``netsh firewall add portopening``).
    PORT_OPENING = "portopening"
    #: A legacy program exception (``netsh firewall add allowedprogram``).
    ALLOWED_PROGRAM = "allowedprogram"


def _profiles(values: Iterable[NetworkProfile]) -> frozenset[NetworkProfile]:
    return frozenset(values)


def _dcom_grants(values: Iterable[DcomGrant]) -> frozenset[DcomGrant]:
    return frozenset(values)


def _namespace_aces(values: Iterable[NamespaceAce]) -> frozenset[NamespaceAce]:
    return frozenset(values)


def _group_members(values: Iterable[GroupMember]) -> frozenset[GroupMember]:
    return frozenset(values)


def _addresses(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values)


def _program(value: str | None) -> str | None:
    return None if value is None else normalize_program(value)


@attrs.frozen(kw_only=True)
class FirewallRule:
    """An inbound or outbound allow rule, keyed by its stable name.

    ``local_port``, ``service`` and ``program`` are ``None`` for "any".
    ``remote_addresses`` holds ``any``, ``localsubnet``, addresses or networks.

    >>> r = WMI_RULES[0]
    >>> (r.name, r.local_port, sorted(p.value for p in r.profiles), sorted(r.remote_addresses))
    ('WMI-RPCSS-In-TCP', 135, ['private', 'public'], ['localsubnet'])
    """

    name: str = attrs.field(validator=attrs.validators.min_len(1))
    enabled: bool
    profiles: frozenset[NetworkProfile] = attrs.field(converter=_profiles)
    kind: RuleKind = RuleKind.WFAS
    direction: Direction = Direction.IN
    remote_addresses: frozenset[str] = attrs.field(
        default=frozenset({"any"}), converter=_addresses, validator=attrs.validators.min_len(1)
    )
    local_port: int | None = None
    service: str | None = None
    program: str | None = attrs.field(default=None, converter=_program)
    group: str | None = None
    display_name: str | None = None

    def admits(self, *, port: int | None, service: str | None, program: str | None) -> bool:
        """True when this rule's filter matches traffic to ``port``/``service``/``program``.

        ``port=None`` means "a dynamic port": only a rule for any port matches it.
        """
        return (
            (self.local_port is None or self.local_port == port)
            and (self.service is None or self.service == service)
            and (self.program is None or self.program == program)
        )

    def in_scope(self, peer_address: str | None, *, same_subnet: bool) -> bool:
        """True when a peer at ``peer_address`` (or on the same subnet) is inside the scope."""
        addresses = self.remote_addresses
        if "any" in addresses or ("localsubnet" in addresses and same_subnet):
            return True
        if peer_address is None:
            return False
        peer = peer_address.strip().casefold()
        if peer in addresses:
            return True
        try:
            ip = ipaddress.ip_address(peer)
        except ValueError:
            return False
        for entry in addresses:
            if "/" in entry:
                try:
                    if ip in ipaddress.ip_network(entry, strict=False):
                        return True
                except ValueError:
                    continue
        return False


def _registry_key(key: RegistryKey) -> RegistryKey:
    return (key[0].casefold(), key[1].casefold())


@attrs.frozen(kw_only=True)
class RegistryValue:
    """One registry value: REG_DWORD as ``int``, REG_SZ as ``str``.

    >>> RegistryValue(path=CIMOM, name="AllowAnonymousCallback", value=1).key[1]
    'allowanonymouscallback'
    """

    path: str = attrs.field(validator=attrs.validators.min_len(1))
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    value: int | str

    @property
    def key(self) -> RegistryKey:
        """The case-insensitive (path, name) key."""
        return _registry_key((self.path, self.name))


class WmiHosting(enum.Enum):
    """Where winmgmt runs (facts §6.1 [S5])."""

    #: In the shared svchost, on a dynamic port.
    SHARED = "shared"
    #: In its own svchost with a fixed endpoint (``winmgmt /standalonehost``).
    STANDALONE = "standalone"


class Admission(enum.Enum):
    """How a computer's firewall treats one kind of inbound traffic from the peer."""

    #: The firewall is off for the active profile.
    OPEN = "open"
    #: An enabled rule for the profile matches and its scope includes the peer.
    ADMITTED = "admitted"
    #: An enabled rule matches, but the peer is outside its scope (e.g. LocalSubnet).
    OUT_OF_SCOPE = "out-of-scope"
    #: No enabled rule for the active profile matches.
    BLOCKED = "blocked"


def _sorted_rules(rules: Iterable[FirewallRule]) -> tuple[FirewallRule, ...]:
    return tuple(sorted(rules, key=lambda r: r.name.casefold()))


def _unique_rules(
    instance: HostState,
    attribute: attrs.Attribute[tuple[FirewallRule, ...]],
    value: tuple[FirewallRule, ...],
) -> None:
    names = [r.name.casefold() for r in value]
    if len(names) != len(set(names)):
        raise ScenarioError("firewall rule names must be unique (case-insensitive)")


def _sorted_registry(values: Iterable[RegistryValue]) -> tuple[RegistryValue, ...]:
    return tuple(sorted(values, key=lambda v: v.key))


def _unique_registry(
    instance: HostState,
    attribute: attrs.Attribute[tuple[RegistryValue, ...]],
    value: tuple[RegistryValue, ...],
) -> None:
    keys = [v.key for v in value]
    if len(keys) != len(set(keys)):
        raise ScenarioError("registry values must be unique per (path, name)")


def _check_port(
    instance: HostState, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if (value is None) != (instance.wmi_hosting is WmiHosting.SHARED):
        raise ScenarioError("a WMI port is set exactly when WMI runs standalone")
    if value is not None and not 1024 <= value <= 65535:
        raise ScenarioError(f"WMI port {value} is outside 1024-65535 (facts §6.4 [S30])")


@attrs.frozen(kw_only=True, cache_hash=True)
class HostState:
    """The settings of one computer that requirements read. Changes return new states.

    >>> s = default_state("win10").with_registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY, 1)
    >>> s.registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY)
    1
    """

    #: Profiles on which the firewall is on.
    firewall_on: frozenset[NetworkProfile] = attrs.field(converter=_profiles)
    firewall_rules: tuple[FirewallRule, ...] = attrs.field(
        converter=_sorted_rules, validator=_unique_rules
    )
    registry: tuple[RegistryValue, ...] = attrs.field(
        converter=_sorted_registry, validator=_unique_registry
    )
    dcom_limits: frozenset[DcomGrant] = attrs.field(converter=_dcom_grants)
    namespace_aces: frozenset[NamespaceAce] = attrs.field(converter=_namespace_aces)
    group_members: frozenset[GroupMember] = attrs.field(
        default=frozenset(), converter=_group_members
    )
    wmi_hosting: WmiHosting = WmiHosting.SHARED
    wmi_port: int | None = attrs.field(default=None, validator=_check_port)

    # Derived indexes ------------------------------------------------------------------------
    # A HostState is immutable, so each index is built on first use and kept with the instance
    # (cached_property slots: not attrs fields, so not part of eq, hash, repr or pickling).

    @functools.cached_property
    def _rules_by_name(self) -> dict[str, FirewallRule]:
        return {r.name.casefold(): r for r in self.firewall_rules}

    @functools.cached_property
    def _inbound(self) -> dict[object, tuple[FirewallRule, ...]]:
        """Per profile, filled on first use: the enabled inbound rules for it, in order."""
        return {}

    @functools.cached_property
    def _admissions(self) -> dict[tuple[object, ...], Admission]:
        """Memo of :meth:`admission` (it reads only the arguments, the profiles and rules)."""
        return {}

    @functools.cached_property
    def _tokens(self) -> dict[tuple[Account, Release], Token]:
        """Memo of :func:`network_token` (it reads only its arguments, groups and registry)."""
        return {}

    @functools.cached_property
    def _registry_by_key(self) -> dict[RegistryKey, int | str]:
        return {v.key: v.value for v in self.registry}

    @functools.cached_property
    def _dcom_by_principal(self) -> dict[str, list[DcomRight]]:
        rights: dict[str, list[DcomRight]] = {}
        for grant in self.dcom_limits:
            held = rights.get(grant.principal)
            if held is None:
                rights[grant.principal] = [grant.right]
            else:
                held.append(grant.right)
        return rights

    @functools.cached_property
    def _groups_by_principal(self) -> dict[str, frozenset[str]]:
        groups: dict[str, set[str]] = {}
        for member in self.group_members:
            groups.setdefault(member.principal, set()).add(member.group)
        return {principal: frozenset(names) for principal, names in groups.items()}

    def _changed(self, field: str, value: object) -> HostState:
        """A copy with ``field`` set to ``value``, for the methods below that keep the
        invariants themselves.

        ``value`` is already in converted form (a frozenset; firewall rules sorted by folded
        name and unique; registry values sorted by key and unique), so the converters and
        validators :func:`attrs.evolve` would run could neither change nor refuse it.
        """
        if type(self) is not HostState:  # a subclass may add fields: the general path
            changes: dict[str, Any] = {field: value}
            return attrs.evolve(self, **changes)
        new = object.__new__(HostState)
        for name in _HOST_FIELDS:
            _SETATTR(new, name, _GETATTR(self, name))
        _SETATTR(new, field, value)
        _SETATTR(new, "_attrs_cached_hash", None)
        # An index built from fields that did not change is the copy's index too.
        for index in _KEPT_INDEXES[field]:
            try:
                _SETATTR(new, index, _GETATTR(self, index))
            except AttributeError:  # not built on this state
                continue
        return new

    # Firewall -------------------------------------------------------------------------------

    def firewall_rule(self, name: str) -> FirewallRule | None:
        """The rule called ``name`` (case-insensitive), or ``None``."""
        return self._rules_by_name.get(name.casefold())

    def with_firewall_rule(self, rule: FirewallRule) -> HostState:
        """This state with ``rule`` added, or replacing the rule of the same name."""
        folded = rule.name.casefold()
        kept = [r for r in self.firewall_rules if r.name.casefold() != folded]
        # ``kept`` is sorted by folded name and holds no other rule of this name: inserting at
        # the bisection point gives what sorting (*kept, rule) would.
        at = bisect.bisect_right([r.name.casefold() for r in kept], folded)
        kept.insert(at, rule)
        return self._changed("firewall_rules", tuple(kept))

    def without_firewall_rule(self, name: str) -> HostState:
        """This state without the rule called ``name``."""
        folded = name.casefold()
        return self._changed(
            "firewall_rules", tuple(r for r in self.firewall_rules if r.name.casefold() != folded)
        )

    def with_firewall(self, profile: NetworkProfile, *, on: bool) -> HostState:
        """This state with the firewall switched on or off for ``profile``."""
        profiles = self.firewall_on | {profile} if on else self.firewall_on - {profile}
        return self._changed("firewall_on", profiles)

    def admission(
        self,
        profile: NetworkProfile,
        *,
        port: int | None,
        service: str | None,
        program: str | None,
        peer_address: str | None,
        same_subnet: bool,
    ) -> Admission:
        """How inbound traffic from the peer to ``port``/``service``/``program`` fares."""
        key = (profile, port, service, program, peer_address, same_subnet)
        memo = self._admissions
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable argument: no memo
            return self._admission(
                profile,
                port=port,
                service=service,
                program=program,
                peer_address=peer_address,
                same_subnet=same_subnet,
            )
        result = self._admission(
            profile,
            port=port,
            service=service,
            program=program,
            peer_address=peer_address,
            same_subnet=same_subnet,
        )
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = result
        return result

    def _admission(
        self,
        profile: NetworkProfile,
        *,
        port: int | None,
        service: str | None,
        program: str | None,
        peer_address: str | None,
        same_subnet: bool,
    ) -> Admission:
        if profile not in self.firewall_on:
            return Admission.OPEN
        covered = False
        wanted = _program(program)
        inbound = self._inbound
        rules = inbound.get(profile)
        if rules is None:
            rules = tuple(
                r
                for r in self.firewall_rules
                if r.enabled and r.direction is Direction.IN and profile in r.profiles
            )
            inbound[profile] = rules
        for rule in rules:
            if rule.admits(port=port, service=service, program=wanted):
                if rule.in_scope(peer_address, same_subnet=same_subnet):
                    return Admission.ADMITTED
                covered = True
        return Admission.OUT_OF_SCOPE if covered else Admission.BLOCKED

    # Registry -------------------------------------------------------------------------------

    def registry_value(self, key: RegistryKey) -> int | str | None:
        """The value at ``key`` (case-insensitive), or ``None`` when absent."""
        return self._registry_by_key.get(_registry_key(key))

    def with_registry_value(self, key: RegistryKey, value: int | str) -> HostState:
        """This state with ``key`` set to ``value``."""
        folded = _registry_key(key)
        kept = [v for v in self.registry if v.key != folded]
        new = RegistryValue(path=key[0], name=key[1], value=value)
        # ``kept`` is sorted by key and holds no other value at this key (see with_firewall_rule).
        kept.insert(bisect.bisect_right([v.key for v in kept], new.key), new)
        return self._changed("registry", tuple(kept))

    def without_registry_value(self, key: RegistryKey) -> HostState:
        """This state with ``key`` deleted."""
        folded = _registry_key(key)
        return self._changed("registry", tuple(v for v in self.registry if v.key != folded))

    # DCOM limits, namespaces, groups --------------------------------------------------------

    def has_dcom_right(self, principals: Iterable[str], right: DcomRight) -> bool:
        """True when any of ``principals`` holds ``right`` in the machine limits."""
        index = self._dcom_by_principal
        for p in principals:
            held = index.get(p)
            # ``in`` on a list compares by identity first, so no enum is hashed.
            if held is not None and right in held:
                return True
        return False

    def granting_dcom(self, principal: str, *rights: DcomRight) -> HostState:
        """This state with ``principal`` granted ``rights`` in the machine limits."""
        new = {DcomGrant(principal=principal, right=r) for r in rights}
        return self._changed("dcom_limits", self.dcom_limits | new)

    def revoking_dcom(self, principal: str, *rights: DcomRight) -> HostState:
        """This state with ``rights`` of ``principal`` removed from the machine limits."""
        old = {DcomGrant(principal=principal, right=r) for r in rights}
        return self._changed("dcom_limits", self.dcom_limits - old)

    def namespace_rights(self, namespace: str, principals: Iterable[str]) -> int:
        """The rights mask ``principals`` hold on ``namespace``, inherited ACEs included."""
        target = namespace_key(namespace)
        wanted = frozenset(principals)
        mask = 0
        for ace in self.namespace_aces:
            if ace.principal not in wanted:
                continue
            if ace.namespace == target or (ace.inherit and target.startswith(ace.namespace + "\\")):
                mask |= ace.mask
        return mask

    def with_namespace_ace(self, ace: NamespaceAce) -> HostState:
        """This state with ``ace`` added."""
        return self._changed("namespace_aces", self.namespace_aces | {ace})

    def without_namespace_ace(self, ace: NamespaceAce) -> HostState:
        """This state with ``ace`` removed."""
        return self._changed("namespace_aces", self.namespace_aces - {ace})

    def groups_of(self, principal: str) -> frozenset[str]:
        """The local groups ``principal`` was added to in this state."""
        return self._groups_by_principal.get(principal, _NO_GROUPS)

    def with_group_member(self, group: str, principal: str) -> HostState:
        """This state with ``principal`` added to ``group``."""
        member = GroupMember(group=group, principal=principal)
        return self._changed("group_members", self.group_members | {member})

    def without_group_member(self, group: str, principal: str) -> HostState:
        """This state with ``principal`` removed from ``group``."""
        member = GroupMember(group=group, principal=principal)
        return self._changed("group_members", self.group_members - {member})

    def with_wmi_hosting(self, hosting: WmiHosting, port: int | None = None) -> HostState:
        """This state with WMI shared (no port) or standalone (default port 24158)."""
        if hosting is WmiHosting.SHARED:
            return attrs.evolve(self, wmi_hosting=hosting, wmi_port=None)
        return attrs.evolve(
            self, wmi_hosting=hosting, wmi_port=STANDALONE_DEFAULT_PORT if port is None else port
        )


_HOST_FIELDS: Final = tuple(a.name for a in attrs.fields(HostState))
_SETATTR: Final = object.__setattr__
#: Reads a slot without computing a missing cached_property (attrs' __getattr__ does that).
_GETATTR: Final = object.__getattribute__
#: Each derived index and the fields it is computed from.
_INDEX_SOURCES: Final = (
    ("_rules_by_name", frozenset({"firewall_rules"})),
    ("_inbound", frozenset({"firewall_rules"})),
    ("_admissions", frozenset({"firewall_on", "firewall_rules"})),
    ("_tokens", frozenset({"group_members", "registry"})),
    ("_registry_by_key", frozenset({"registry"})),
    ("_dcom_by_principal", frozenset({"dcom_limits"})),
    ("_groups_by_principal", frozenset({"group_members"})),
)
#: Per field: the indexes a copy with only that field changed keeps.
_KEPT_INDEXES: Final = {
    field: tuple(index for index, sources in _INDEX_SOURCES if field not in sources)
    for field in _HOST_FIELDS
}
_NO_GROUPS: Final[frozenset[str]] = frozenset()
#: Size at which a memo of one state (and the states derived from it) starts again.
_MEMO_LIMIT: Final = 4096


@attrs.frozen(kw_only=True)
class Token:
    """What the target sees of the caller on a network logon.

    >>> t = network_token(Account(kind=AccountKind.DOMAIN_ADMIN), release("win10"),
    ...                   default_state("win10"))
    >>> (t.filtered, ADMINISTRATORS in t.principals)
    (False, True)
    """

    principals: frozenset[str]
    #: The caller is in the target's Administrators group.
    admin_member: bool
    #: Remote UAC filtering removed Administrators from the token (facts §3.3-3.6).
    filtered: bool


def network_token(account: Account, target: Release, state: HostState) -> Token:
    """The caller's token on the target after remote UAC filtering (facts §3.3-3.7).

    Local accounts in Administrators are filtered on UAC releases unless
    LocalAccountTokenFilterPolicy=1; the built-in Administrator only when
    FilterAdministratorToken=1; domain accounts never; nobody when EnableLUA=0.

    >>> admin = Account(kind=AccountKind.LOCAL_ADMIN)
    >>> t = network_token(admin, release("win10"), default_state("win10"))
    >>> (t.admin_member, t.filtered, ADMINISTRATORS in t.principals)
    (True, True, False)
    """
    key = (account, target)
    memo = state._tokens
    token = memo.get(key)
    if token is None:
        token = _network_token(account, target, state)
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = token
    return token


def _network_token(account: Account, target: Release, state: HostState) -> Token:
    groups = state.groups_of(account.principal)
    admin_member = account.kind.is_admin or ADMINISTRATORS in groups
    filtered = False
    uac_on = target.uac and state.registry_value(ENABLE_LUA) != 0
    if admin_member and not account.kind.is_domain and uac_on:
        keeps_full = state.registry_value(LOCAL_ACCOUNT_TOKEN_FILTER_POLICY) == 1
        if account.kind is AccountKind.BUILTIN_ADMIN:
            filtered = state.registry_value(FILTER_ADMINISTRATOR_TOKEN) == 1 and not keeps_full
        else:
            filtered = not keeps_full
    principals = {EVERYONE, AUTHENTICATED_USERS, account.principal, *groups}
    if admin_member and not filtered:
        principals.add(ADMINISTRATORS)
    else:
        principals.discard(ADMINISTRATORS)
    return Token(principals=frozenset(principals), admin_member=admin_member, filtered=filtered)


def _wmi_rule(
    name: str, display: str, profiles: Iterable[NetworkProfile], **kw: object
) -> FirewallRule:
    scoped = "NoScope" not in name
    return FirewallRule(
        name=name,
        display_name=f"Windows Management Instrumentation ({display})",
        group=WMI_GROUP,
        enabled=False,
        profiles=frozenset(profiles),
        remote_addresses=frozenset({"localsubnet" if scoped else "any"}),
        **kw,  # type: ignore[arg-type]
    )


_PP = (NetworkProfile.PRIVATE, NetworkProfile.PUBLIC)
_DOM = (NetworkProfile.DOMAIN,)
_UNSECAPP = "%systemroot%\\system32\\wbem\\unsecapp.exe"

#: The WMI rule group as shipped: all disabled; Private/Public scoped to LocalSubnet, the Domain
#: "-NoScope" twins to any address (facts §2.1.4 [S49][S48][S51][S52]).
WMI_RULES: Final[tuple[FirewallRule, ...]] = (
    _wmi_rule("WMI-RPCSS-In-TCP", "DCOM-In", _PP, local_port=135, service="rpcss", program=SVCHOST),
    _wmi_rule(
        "WMI-RPCSS-In-TCP-NoScope",
        "DCOM-In",
        _DOM,
        local_port=135,
        service="rpcss",
        program=SVCHOST,
    ),
    _wmi_rule("WMI-WINMGMT-In-TCP", "WMI-In", _PP, service="winmgmt", program=SVCHOST),
    _wmi_rule("WMI-WINMGMT-In-TCP-NoScope", "WMI-In", _DOM, service="winmgmt", program=SVCHOST),
    _wmi_rule("WMI-ASYNC-In-TCP", "ASync-In", _PP, program=_UNSECAPP),
    _wmi_rule("WMI-ASYNC-In-TCP-NoScope", "ASync-In", _DOM, program=_UNSECAPP),
    _wmi_rule(
        "WMI-WINMGMT-Out-TCP",
        "WMI-Out",
        _PP,
        direction=Direction.OUT,
        service="winmgmt",
        program=SVCHOST,
    ),
    _wmi_rule(
        "WMI-WINMGMT-Out-TCP-NoScope",
        "WMI-Out",
        _DOM,
        direction=Direction.OUT,
        service="winmgmt",
        program=SVCHOST,
    ),
)

#: The legacy "Remote Administration" exception: TCP 135, 445 and RPC dynamic ports for
#: svchost/lsass, disabled as shipped (facts §2.4.1 [S2][S38]); scope ALL assumed (§13.9).
_REMOTE_ADMIN_RULE: Final = FirewallRule(
    name=REMOTE_ADMIN,
    kind=RuleKind.SERVICE,
    enabled=False,
    profiles=frozenset({NetworkProfile.DOMAIN, NetworkProfile.PRIVATE}),
    program=SVCHOST,
)

_LAUNCH = (
    DcomRight.LOCAL_LAUNCH,
    DcomRight.REMOTE_LAUNCH,
    DcomRight.LOCAL_ACTIVATION,
    DcomRight.REMOTE_ACTIVATION,
)
_LOCAL_LAUNCH = (DcomRight.LOCAL_LAUNCH, DcomRight.LOCAL_ACTIVATION)
_ACCESS = (DcomRight.LOCAL_ACCESS, DcomRight.REMOTE_ACCESS)


def _grants(*entries: tuple[str, tuple[DcomRight, ...]]) -> frozenset[DcomGrant]:
    return frozenset(DcomGrant(principal=p, right=r) for p, rights in entries for r in rights)


def _dcom_defaults(rel: Release) -> frozenset[DcomGrant]:
    if not rel.dcom_machine_limits:
        # No machine-wide limits before XP SP2 / 2003 SP1 (facts §4.10 [S27]): nothing is capped.
        return _grants((EVERYONE, tuple(DcomRight)), (ANONYMOUS_LOGON, tuple(DcomRight)))
    if rel.uac:
        # Observed Windows 10 / Server 2016+ SDDL (facts §4.6 [S25][S26][S76]); assumed for
        # Vista-8.1 too (facts §13.5: no authoritative per-release default).
        return _grants(
            (ADMINISTRATORS, _LAUNCH),
            (EVERYONE, _LOCAL_LAUNCH + _ACCESS),
            (DISTRIBUTED_COM_USERS, _LAUNCH + _ACCESS),
            (PERFORMANCE_LOG_USERS, _LAUNCH + _ACCESS),
            (ALL_APPLICATION_PACKAGES, (*_LOCAL_LAUNCH, DcomRight.LOCAL_ACCESS)),
            (ANONYMOUS_LOGON, (DcomRight.LOCAL_ACCESS,)),
        )
    if rel.distributed_com_users:
        # Server 2003 SP1 (facts §4.6 [S27]).
        return _grants(
            (ADMINISTRATORS, _LAUNCH),
            (EVERYONE, _LOCAL_LAUNCH + _ACCESS),
            (DISTRIBUTED_COM_USERS, _LAUNCH + _ACCESS),
            (ANONYMOUS_LOGON, _ACCESS),
        )
    # XP SP2 (facts §4.6 [S27]).
    return _grants(
        (ADMINISTRATORS, _LAUNCH),
        (EVERYONE, _LOCAL_LAUNCH + _ACCESS),
        (ANONYMOUS_LOGON, (DcomRight.LOCAL_ACCESS,)),
    )


#: Default ACEs of ``root``, inherited by every namespace (facts §5.2 [S8][S76]).
_ROOT_ACES: Final = frozenset(
    {
        NamespaceAce(
            namespace="root",
            principal=ADMINISTRATORS,
            mask=0x3F | WBEM_READ_CONTROL | WBEM_WRITE_DAC,
        ),
        *(
            NamespaceAce(
                namespace="root",
                principal=p,
                mask=WBEM_ENABLE | WBEM_METHOD_EXECUTE | WBEM_WRITE_PROVIDER,
            )
            for p in (AUTHENTICATED_USERS, LOCAL_SERVICE, NETWORK_SERVICE)
        ),
    }
)

_LEGACY_PROFILES = frozenset({NetworkProfile.DOMAIN, NetworkProfile.PRIVATE})


def default_state(of: Release | str | int) -> HostState:
    """A computer's settings out of the box, per the fact sheet.

    Firewall: WFAS on for every profile with the WMI group present but disabled (§2.1.4); XP SP2
    Windows Firewall on, Server 2003 SP1 off, with RemoteAdmin disabled (§1.2.2, §2.4); ICF off
    (§1.2.1). Registry: EnableDCOM=Y (§4.1), EnableLUA=1 on UAC releases (§3.7); everything else
    absent. DCOM limits per §4.6; namespace ACEs per §5.2; WMI in the shared host (§6.1).

    >>> default_state("winxp-sp2").firewall_on == default_state("server2003-sp1").firewall_on
    False
    """
    return _default_state(release(of))


@functools.cache
def _default_state(rel: Release) -> HostState:
    rules: tuple[FirewallRule, ...]
    if rel.firewall is FirewallKind.WFAS:
        profiles = frozenset(NetworkProfile)
        rules = WMI_RULES
    elif rel.firewall is FirewallKind.WINDOWS_FIREWALL:
        profiles = _LEGACY_PROFILES
        rules = (_REMOTE_ADMIN_RULE,)
    else:
        profiles = _LEGACY_PROFILES
        rules = ()
    registry = [RegistryValue(path=ENABLE_DCOM[0], name=ENABLE_DCOM[1], value="Y")]
    if rel.uac:
        registry.append(RegistryValue(path=ENABLE_LUA[0], name=ENABLE_LUA[1], value=1))
    return HostState(
        firewall_on=profiles if rel.firewall_on_by_default else frozenset(),
        firewall_rules=rules,
        registry=registry,
        dcom_limits=_dcom_defaults(rel),
        namespace_aces=_ROOT_ACES,
    )
