"""The scenario of a remote WMI call: who calls whom, as whom, how.

Owns: :class:`Computer`, :class:`Membership`, :class:`Trust`, :class:`Account`,
:class:`CallMode`, :class:`AuthLevel`, :class:`Scenario`, the :class:`Connection` s a scenario
uses and the ordered :class:`Stage` s of a call, plus the cattrs hooks that read and write them as
JSON. Every value is frozen and validated on construction; an impossible scenario raises
:class:`~wmireach.errors.ScenarioError` saying why.

Must not: do I/O, read the clock, or import from wmireach above :mod:`wmireach.windows`.

>>> s = Scenario(
...     client=Computer(name="A", release="win10", membership=Membership.domain("corp")),
...     target=Computer(name="B", release="server2019", membership=Membership.domain("corp")),
...     account=Account(kind=AccountKind.DOMAIN_ADMIN),
... )
>>> (s.trust.value, [c.value for c in s.connections], s.stages[1].value)
('same-domain', ['connection-1'], 'tcp-135')
"""

from __future__ import annotations

import datetime
import enum
import functools
from collections.abc import Mapping
from typing import Any, Final

import attrs
import cattrs

from wmireach.errors import ScenarioError
from wmireach.windows import (
    Edition,
    FirewallKind,
    HardeningPhase,
    Release,
    hardening_phase,
    release,
)

__all__ = [
    "DEFAULT_NAMESPACE",
    "DEFAULT_SINK_PROGRAM",
    "HARDENING_FLOOR",
    "Account",
    "AccountKind",
    "AuthLevel",
    "CallMode",
    "Computer",
    "Connection",
    "Membership",
    "MembershipKind",
    "NetworkProfile",
    "Scenario",
    "Side",
    "Stage",
    "Trust",
    "converter",
    "register_hooks",
    "scenario_from_json",
    "scenario_to_json",
]

#: The namespace scripts connect to unless told otherwise.
DEFAULT_NAMESPACE: Final = "root\\cimv2"
#: The sink host of script and MMC clients (facts §7.1 [S1][S2]).
DEFAULT_SINK_PROGRAM: Final = "%windir%\\system32\\wbem\\unsecapp.exe"


@functools.cache
def _positions(cls: type[enum.Enum]) -> Mapping[enum.Enum, int]:
    return {member: index for index, member in enumerate(cls)}


class _Ordered(enum.Enum):
    """An enum whose members compare by declaration order."""

    @property
    def order(self) -> int:
        """Position in declaration order, from 0."""
        return _positions(type(self))[self]

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Ordered)
        return self.order < other.order

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Ordered)
        return self.order <= other.order

    def __gt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Ordered)
        return self.order > other.order

    def __ge__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Ordered)
        return self.order >= other.order


class Side(enum.Enum):
    """Which computer a setting lives on."""

    #: Computer A: makes the call, hosts the sink of async calls.
    CLIENT = "client"
    #: Computer B: runs the WMI service being called.
    TARGET = "target"


class MembershipKind(enum.Enum):
    """Joined to a domain, or in a workgroup."""

    DOMAIN = "domain"
    WORKGROUP = "workgroup"


def _nonblank(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ScenarioError(f"{attribute.name} must not be blank")


def _casefold(value: str) -> str:
    return value.casefold()


@attrs.frozen(kw_only=True)
class Membership:
    """A domain (by DNS or NetBIOS name) or a workgroup (by name).

    >>> Membership.domain("CORP") == Membership.domain("corp")
    True
    """

    kind: MembershipKind
    name: str = attrs.field(converter=_casefold, validator=_nonblank)

    @classmethod
    def domain(cls, name: str) -> Membership:
        """A domain member of ``name``."""
        return cls(kind=MembershipKind.DOMAIN, name=name)

    @classmethod
    def workgroup(cls, name: str = "WORKGROUP") -> Membership:
        """A workgroup member (``WORKGROUP`` unless named)."""
        return cls(kind=MembershipKind.WORKGROUP, name=name)

    @property
    def is_domain(self) -> bool:
        """True for a domain member."""
        return self.kind is MembershipKind.DOMAIN


class Trust(enum.Enum):
    """The trust between A and B, which decides authentication and anonymous callbacks."""

    SAME_DOMAIN = "same-domain"
    TRUSTED_DOMAIN = "trusted-domain"
    UNTRUSTED_DOMAIN = "untrusted-domain"
    #: At least one side is in a workgroup: no trust relationship.
    WORKGROUP = "workgroup"

    @property
    def trusted(self) -> bool:
        """True when B's machine account can authenticate to A (no anonymous callback)."""
        return self in (Trust.SAME_DOMAIN, Trust.TRUSTED_DOMAIN)


class AccountKind(enum.Enum):
    """Who the call runs as, seen from the target."""

    #: A domain account in the target's Administrators group (full token, facts §3.3 [S21]).
    DOMAIN_ADMIN = "domain-admin"
    DOMAIN_USER = "domain-user"
    #: A local account of the target in its Administrators group (UAC-filtered, facts §3.3).
    LOCAL_ADMIN = "local-admin"
    #: The target's built-in Administrator, RID 500 (facts §3.5-3.6).
    BUILTIN_ADMIN = "builtin-admin"
    LOCAL_USER = "local-user"

    @property
    def is_domain(self) -> bool:
        """A domain account."""
        return self in (AccountKind.DOMAIN_ADMIN, AccountKind.DOMAIN_USER)

    @property
    def is_admin(self) -> bool:
        """A member of the target's Administrators group."""
        return self in (
            AccountKind.DOMAIN_ADMIN,
            AccountKind.LOCAL_ADMIN,
            AccountKind.BUILTIN_ADMIN,
        )


@attrs.frozen(kw_only=True)
class Account:
    """The account of the call, with an optional name (``CORP\\\\alice``, ``wmiuser``).

    >>> Account(kind=AccountKind.LOCAL_USER).principal
    'local-user'
    """

    kind: AccountKind
    name: str | None = attrs.field(default=None)

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str | None], value: str | None) -> None:
        if value is not None and not value.strip():
            raise ScenarioError("account name must not be blank; leave it out instead")

    @property
    def principal(self) -> str:
        """The principal ACEs and group memberships name: the account name, else its kind."""
        return self.name if self.name is not None else self.kind.value


class CallMode(enum.Enum):
    """How the client calls (facts §0.1 [S2])."""

    SYNC = "sync"
    SEMISYNC = "semisync"
    #: Adds Connection 2, the callback from B into A's sink.
    ASYNC = "async"


class AuthLevel(_Ordered):
    """RPC/DCOM authentication level the client activates with (facts §4.12 [S79])."""

    NONE = "none"
    CONNECT = "connect"
    CALL = "call"
    PKT = "pkt"
    PKT_INTEGRITY = "pkt-integrity"
    PKT_PRIVACY = "pkt-privacy"

    @property
    def number(self) -> int:
        """The RPC_C_AUTHN_LEVEL_* constant (NONE is 1, PKT_PRIVACY is 6)."""
        return self.order + 1


#: DCOM hardening rejects activations below this level (facts §8.4 [S17][S18]).
HARDENING_FLOOR: Final = AuthLevel.PKT_INTEGRITY


class NetworkProfile(enum.Enum):
    """The firewall profile of a computer's network (pre-Vista: domain and standard=private)."""

    DOMAIN = "domain"
    PRIVATE = "private"
    PUBLIC = "public"


class Connection(enum.Enum):
    """The TCP connections of a call (facts §0.1 [S2])."""

    #: A to B: TCP 135 then the WMI port.
    CONNECTION_1 = "connection-1"
    #: B to A: the asynchronous callback into A's sink.
    CONNECTION_2 = "connection-2"


class Stage(_Ordered):
    """The steps of a call in order; the live probe reports the same stages."""

    RESOLVE_NAME = "resolve-name"
    TCP_135 = "tcp-135"
    ENDPOINT_MAPPER = "endpoint-mapper"
    AUTHENTICATE = "authenticate"
    DCOM_ACTIVATION = "dcom-activation"
    WMI_PORT = "wmi-port"
    NAMESPACE_LOGIN = "namespace-login"
    QUERY = "query"
    CALLBACK = "callback"

    @property
    def connection(self) -> Connection:
        """The connection this stage belongs to."""
        return Connection.CONNECTION_2 if self is Stage.CALLBACK else Connection.CONNECTION_1


def _release(value: Release | str | int) -> Release:
    return release(value)


def _default_edition(computer: Computer) -> Edition:
    return computer.release.default_edition


def _default_profile(computer: Computer) -> NetworkProfile:
    return NetworkProfile.DOMAIN if computer.membership.is_domain else NetworkProfile.PRIVATE


@attrs.frozen(kw_only=True, cache_hash=True)
class Computer:
    """One computer: name, release, membership, network profile, edition, patch date.

    >>> c = Computer(name="B", release="2019", membership=Membership.workgroup())
    >>> (c.release.identifier, c.profile.value, c.edition.value)
    ('server2019', 'private', 'server')
    """

    name: str = attrs.field(validator=_nonblank)
    #: Shown by its identifier in ``repr``, which the converter reads back.
    release: Release = attrs.field(converter=_release, repr=lambda r: repr(r.identifier))
    membership: Membership
    profile: NetworkProfile = attrs.field(default=attrs.Factory(_default_profile, takes_self=True))
    edition: Edition = attrs.field(default=attrs.Factory(_default_edition, takes_self=True))
    #: Date of the latest installed update; ``None`` when unknown (then read as fully patched).
    patched: datetime.date | None = None
    #: The address the other computer sees, for firewall scopes; ``None`` when unknown.
    address: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.profile is NetworkProfile.DOMAIN and not self.membership.is_domain:
            raise ScenarioError(
                f"{self.name}: the domain profile needs domain membership, "
                f"but {self.name} is in workgroup {self.membership.name!r}"
            )
        if self.profile is NetworkProfile.PUBLIC and self.release.firewall is not FirewallKind.WFAS:
            raise ScenarioError(
                f"{self.name}: {self.release.display_name} has only domain and standard firewall "
                "profiles (facts §2.4.3); use 'private' for the standard profile"
            )
        if self.edition not in self.release.editions:
            raise ScenarioError(
                f"{self.name}: {self.release.display_name} has no {self.edition.value} edition"
            )


def _derive_trust(scenario: Scenario) -> Trust:
    a, b = scenario.client.membership, scenario.target.membership
    if not (a.is_domain and b.is_domain):
        return Trust.WORKGROUP
    if a.name == b.name:
        return Trust.SAME_DOMAIN
    raise ScenarioError(
        f"{scenario.client.name} is in domain {a.name!r} and {scenario.target.name} in "
        f"{b.name!r}: say whether the domains trust each other "
        "(trust 'trusted-domain' or 'untrusted-domain')"
    )


def _check_namespace(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    parts = value.replace("/", "\\").split("\\")
    if parts[0].casefold() != "root" or any(not p for p in parts):
        raise ScenarioError(f"namespace {value!r} must be a path under root, like root\\cimv2")


def _check_port(
    instance: object, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None and not 1024 <= value <= 65535:
        raise ScenarioError(f"fixed port {value} is outside 1024-65535 (facts §6.4 [S30])")


@attrs.frozen(kw_only=True, cache_hash=True)
class Scenario:
    """A remote WMI call from Computer A (client) to Computer B (target).

    ``trust`` is derived from the two memberships when it can be; it must be stated for two
    different domains, and a stated trust must agree with the memberships.

    >>> from wmireach.model import *
    >>> s = Scenario(
    ...     client=Computer(name="A", release="win11", membership=Membership.workgroup()),
    ...     target=Computer(name="B", release="win10", membership=Membership.workgroup()),
    ...     account=Account(kind=AccountKind.LOCAL_ADMIN),
    ...     call_mode=CallMode.ASYNC,
    ... )
    >>> [c.value for c in s.connections]
    ['connection-1', 'connection-2']
    """

    client: Computer
    target: Computer
    account: Account
    call_mode: CallMode = CallMode.SEMISYNC
    trust: Trust = attrs.field(default=attrs.Factory(_derive_trust, takes_self=True))
    namespace: str = attrs.field(default=DEFAULT_NAMESPACE, validator=_check_namespace)
    sink_program: str = attrs.field(default=DEFAULT_SINK_PROGRAM, validator=_nonblank)
    #: The port WMI must use (``winmgmt /standalonehost``), or ``None`` for dynamic ports.
    fixed_port: int | None = attrs.field(default=None, validator=_check_port)
    auth_level: AuthLevel = HARDENING_FLOOR
    #: Whether A and B share a subnet (the built-in rules' LocalSubnet scope, facts §2.1.4).
    same_subnet: bool = True

    def __attrs_post_init__(self) -> None:
        self._check_trust()
        target = self.target
        if target.edition in target.release.editions_without_remote_wmi:
            raise ScenarioError(
                f"remote WMI to {target.release.display_name} {target.edition.value} edition is "
                "not possible: Starter, Basic and Home editions refuse it (facts §1.2.9 [S14])"
            )
        if self.account.kind.is_domain and not target.membership.is_domain:
            raise ScenarioError(
                f"a {self.account.kind.value} account cannot log on to {target.name}, which is in "
                f"workgroup {target.membership.name!r}; use a local account of {target.name}"
            )
        if self.fixed_port is not None and not target.release.standalone_wmi_host:
            raise ScenarioError(
                f"a fixed WMI port needs winmgmt /standalonehost, which "
                f"{target.release.display_name} lacks (minimum Vista/2008, facts §6.1 [S5])"
            )

    def _check_trust(self) -> None:
        a, b = self.client.membership, self.target.membership
        both_domains = a.is_domain and b.is_domain
        expected: tuple[Trust, ...]
        if not both_domains:
            expected = (Trust.WORKGROUP,)
        elif a.name == b.name:
            expected = (Trust.SAME_DOMAIN,)
        else:
            expected = (Trust.TRUSTED_DOMAIN, Trust.UNTRUSTED_DOMAIN)
        if self.trust not in expected:
            raise ScenarioError(
                f"trust {self.trust.value!r} contradicts the memberships "
                f"({a.kind.value} {a.name!r}, {b.kind.value} {b.name!r}); expected "
                + " or ".join(repr(t.value) for t in expected)
            )

    @property
    def connections(self) -> tuple[Connection, ...]:
        """Connection 1 always; Connection 2 only for asynchronous calls (facts §0.1 [S2])."""
        if self.call_mode is CallMode.ASYNC:
            return (Connection.CONNECTION_1, Connection.CONNECTION_2)
        return (Connection.CONNECTION_1,)

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The stages the call passes, in order (the callback only for async calls)."""
        return tuple(s for s in Stage if s.connection in self.connections)

    @property
    def anonymous_callback(self) -> bool:
        """True when Connection 2 arrives as ANONYMOUS LOGON (no trust; facts §7.2 [S2])."""
        return self.call_mode is CallMode.ASYNC and not self.trust.trusted

    @property
    def target_hardening(self) -> bool:
        """True when the target has some phase of the DCOM hardening (facts §8.1)."""
        return hardening_phase(self.target.patched) is not HardeningPhase.NONE

    def computer(self, side: Side) -> Computer:
        """The computer on ``side``."""
        return self.client if side is Side.CLIENT else self.target

    def _repr_html_(self) -> str:
        """The notebook display: both computers, the call and its diagram."""
        from wmireach.display import scenario_html  # above this layer: only when displayed

        return scenario_html(self)


#: The converter that reads and writes the model as JSON-ready data.
converter: Final = cattrs.Converter(detailed_validation=False)


def register_hooks(target: cattrs.Converter) -> None:
    """Teach ``target`` the model's JSON shapes (releases as identifiers, dates as ISO).

    >>> c = cattrs.Converter()
    >>> register_hooks(c)
    >>> c.unstructure(release("win7"))
    'win7'
    """
    target.register_unstructure_hook(Release, lambda r: r.identifier)
    target.register_structure_hook(Release, lambda v, _: release(v))
    target.register_unstructure_hook(datetime.date, lambda d: d.isoformat())
    target.register_structure_hook(datetime.date, _structure_date)


def _structure_date(value: object, _: object) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ScenarioError(f"not a date: {value!r} (use YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(f"not a date: {value!r} (use YYYY-MM-DD)") from None


register_hooks(converter)


def scenario_from_json(data: Mapping[str, Any]) -> Scenario:
    """Read a scenario from JSON-ready data (as parsed from JSON or TOML).

    >>> corp = {"kind": "domain", "name": "corp"}
    >>> s = scenario_from_json({
    ...     "client": {"name": "A", "release": "win10", "membership": corp},
    ...     "target": {"name": "B", "release": "2019", "membership": corp},
    ...     "account": {"kind": "domain-admin"},
    ... })
    >>> s.target.release.identifier
    'server2019'
    """
    try:
        return converter.structure(dict(data), Scenario)
    except ScenarioError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ScenarioError(f"not a valid scenario: {detail}") from None


def scenario_to_json(scenario: Scenario) -> dict[str, Any]:
    """Write a scenario as JSON-ready data (the inverse of :func:`scenario_from_json`).

    >>> scenario_to_json(scenario_from_json(scenario_to_json(_example())))["trust"]
    'same-domain'
    """
    result: dict[str, Any] = converter.unstructure(scenario)
    return result


def _example() -> Scenario:
    corp = Membership.domain("corp")
    return Scenario(
        client=Computer(name="A", release="win10", membership=corp),
        target=Computer(name="B", release="server2019", membership=corp),
        account=Account(kind=AccountKind.DOMAIN_ADMIN),
    )
