"""The changes a remediation plan makes, as data: each applies to a HostState and has an inverse.

Owns: the :data:`Action` union (firewall rules, registry values, DCOM machine limits, namespace
ACEs, local group members, WMI hosting, and the one change that lives in the client program
rather than in a host's settings: its authentication level), :func:`apply_all` and
:func:`inverse_all`.

Every action is a "make it so" assignment, never a toggle, so applying it twice equals applying
it once. ``inverse(before)`` returns the actions that take ``action.apply(before)`` back to
``before`` exactly: it reads the prior value from ``before``, which is why a plan records its
rollback while it is built against a known state.

Must not: do I/O, render anything (that is :mod:`wmireach.render`), or import from wmireach above
:mod:`wmireach.state`.

>>> from wmireach.state import default_state, LOCAL_ACCOUNT_TOKEN_FILTER_POLICY as LATFP
>>> before = default_state("win10")
>>> act = SetRegistryValue(path=LATFP[0], name=LATFP[1], value=1)
>>> after = act.apply(before)
>>> apply_all(act.inverse(before), after) == before
True
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import ClassVar, Final, Union

import attrs

from wmireach.model import AuthLevel, Scenario
from wmireach.state import (
    STANDALONE_DEFAULT_PORT,
    DcomGrant,
    DcomRight,
    FirewallRule,
    HostState,
    NamespaceAce,
    WmiHosting,
)

__all__ = [
    "WMI_APPID",
    "Action",
    "AddGroupMember",
    "DeleteFirewallRule",
    "DeleteRegistryValue",
    "GrantDcomRights",
    "GrantNamespaceRights",
    "RegistryType",
    "RemoveGroupMember",
    "RevokeDcomRights",
    "RevokeNamespaceRights",
    "SetAuthenticationLevel",
    "SetFirewallRule",
    "SetRegistryValue",
    "SetWmiHosting",
    "apply_all",
    "inverse_all",
]

#: The WMI AppID, where the fixed-port ``Endpoints`` value lives (facts §0.3, §6.4 [S30][S58]).
WMI_APPID: Final = "HKLM\\SOFTWARE\\Classes\\AppID\\{8BC3F05E-D86B-11D0-A075-00C04FB68820}"


def _rights(values: Iterable[DcomRight]) -> frozenset[DcomRight]:
    return frozenset(values)


class RegistryType(enum.Enum):
    """The registry types plans write."""

    DWORD = "REG_DWORD"
    SZ = "REG_SZ"


@attrs.frozen(kw_only=True)
class SetFirewallRule:
    """Make the state hold exactly ``rule`` (enable a built-in rule, or add a new one).

    ``created`` says the rule did not exist before (scripts add it instead of changing it).

    >>> from wmireach.state import WMI_RULES, default_state
    >>> act = SetFirewallRule(rule=attrs.evolve(WMI_RULES[1], enabled=True), created=False)
    >>> act.apply(default_state("server2019")).firewall_rule("WMI-RPCSS-In-TCP-NoScope").enabled
    True
    """

    rule: FirewallRule
    created: bool

    kind: ClassVar[str] = "set-firewall-rule"

    def apply(self, state: HostState) -> HostState:
        """``state`` holding ``rule``, replacing the rule of the same name."""
        return state.with_firewall_rule(self.rule)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Put back the rule ``before`` had under this name, or delete the added one."""
        prior = before.firewall_rule(self.rule.name)
        if prior is None:
            return (DeleteFirewallRule(rule=self.rule),)
        if prior == self.rule:
            return ()
        return (SetFirewallRule(rule=prior, created=False),)


@attrs.frozen(kw_only=True)
class DeleteFirewallRule:
    """Remove the rule called ``rule.name`` (the whole rule is kept for the scripts' syntax).

    >>> from wmireach.state import WMI_RULES, default_state
    >>> act = DeleteFirewallRule(rule=WMI_RULES[0])
    >>> act.apply(default_state("win10")).firewall_rule("WMI-RPCSS-In-TCP") is None
    True
    """

    rule: FirewallRule

    kind: ClassVar[str] = "delete-firewall-rule"

    def apply(self, state: HostState) -> HostState:
        """``state`` without the rule."""
        return state.without_firewall_rule(self.rule.name)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Re-create the rule ``before`` had, if any."""
        prior = before.firewall_rule(self.rule.name)
        return () if prior is None else (SetFirewallRule(rule=prior, created=True),)


@attrs.frozen(kw_only=True)
class SetRegistryValue:
    """Set a REG_DWORD (``int``) or REG_SZ (``str``) value.

    >>> SetRegistryValue(path="HKLM\\\\X", name="Y", value="N").type.value
    'REG_SZ'
    """

    path: str
    name: str
    value: int | str

    kind: ClassVar[str] = "set-registry-value"

    @property
    def type(self) -> RegistryType:
        """REG_DWORD for integers, REG_SZ for text."""
        return RegistryType.DWORD if isinstance(self.value, int) else RegistryType.SZ

    def apply(self, state: HostState) -> HostState:
        """``state`` with the value set."""
        return state.with_registry_value((self.path, self.name), self.value)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Restore the prior value, or delete the value when there was none."""
        for prior in before.registry:
            if prior.key == (self.path.casefold(), self.name.casefold()):
                if (
                    prior.path == self.path
                    and prior.name == self.name
                    and prior.value == self.value
                ):
                    return ()
                return (SetRegistryValue(path=prior.path, name=prior.name, value=prior.value),)
        return (DeleteRegistryValue(path=self.path, name=self.name),)


@attrs.frozen(kw_only=True)
class DeleteRegistryValue:
    """Delete a registry value (absent is fine).

    >>> from wmireach.state import ENABLE_LUA, default_state
    >>> DeleteRegistryValue(path=ENABLE_LUA[0], name=ENABLE_LUA[1]).apply(
    ...     default_state("win10")).registry_value(ENABLE_LUA) is None
    True
    """

    path: str
    name: str

    kind: ClassVar[str] = "delete-registry-value"

    def apply(self, state: HostState) -> HostState:
        """``state`` without the value."""
        return state.without_registry_value((self.path, self.name))

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Restore the prior value, if any."""
        for prior in before.registry:
            if prior.key == (self.path.casefold(), self.name.casefold()):
                return (SetRegistryValue(path=prior.path, name=prior.name, value=prior.value),)
        return ()


@attrs.frozen(kw_only=True)
class GrantDcomRights:
    """Grant ``principal`` rights in the machine-wide DCOM limits (facts §4.2, §4.4 [S25][S26]).

    >>> from wmireach.state import default_state
    >>> act = GrantDcomRights(principal="alice", rights=[DcomRight.REMOTE_LAUNCH])
    >>> act.apply(default_state("win10")).has_dcom_right(["alice"], DcomRight.REMOTE_LAUNCH)
    True
    """

    principal: str
    rights: frozenset[DcomRight] = attrs.field(converter=_rights)

    kind: ClassVar[str] = "grant-dcom-rights"

    def apply(self, state: HostState) -> HostState:
        """``state`` with the rights granted."""
        return state.granting_dcom(self.principal, *self.rights)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Revoke the rights the principal did not hold before."""
        new = frozenset(
            r
            for r in self.rights
            if DcomGrant(principal=self.principal, right=r) not in (before.dcom_limits)
        )
        return (RevokeDcomRights(principal=self.principal, rights=new),) if new else ()


@attrs.frozen(kw_only=True)
class RevokeDcomRights:
    """Remove rights of ``principal`` from the machine-wide DCOM limits.

    >>> from wmireach.state import ANONYMOUS_LOGON, default_state
    >>> act = RevokeDcomRights(principal=ANONYMOUS_LOGON, rights=[DcomRight.LOCAL_ACCESS])
    >>> act.apply(default_state("win10")).has_dcom_right([ANONYMOUS_LOGON], DcomRight.LOCAL_ACCESS)
    False
    """

    principal: str
    rights: frozenset[DcomRight] = attrs.field(converter=_rights)

    kind: ClassVar[str] = "revoke-dcom-rights"

    def apply(self, state: HostState) -> HostState:
        """``state`` with the rights removed."""
        return state.revoking_dcom(self.principal, *self.rights)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Grant back the rights the principal held before."""
        held = frozenset(
            r
            for r in self.rights
            if DcomGrant(principal=self.principal, right=r) in (before.dcom_limits)
        )
        return (GrantDcomRights(principal=self.principal, rights=held),) if held else ()


@attrs.frozen(kw_only=True)
class GrantNamespaceRights:
    """Add an allow ACE on a WMI namespace (``ace.inherit``: also its subnamespaces; §5.4 [S10]).

    >>> from wmireach.state import default_state, WBEM_REMOTE_ACCESS
    >>> ace = NamespaceAce(namespace="root\\\\cimv2", principal="alice", mask=WBEM_REMOTE_ACCESS)
    >>> GrantNamespaceRights(ace=ace).apply(default_state("win10")).namespace_rights(
    ...     "root\\\\cimv2", ["alice"]) == WBEM_REMOTE_ACCESS
    True
    """

    ace: NamespaceAce

    kind: ClassVar[str] = "grant-namespace-rights"

    def apply(self, state: HostState) -> HostState:
        """``state`` with the ACE added."""
        return state.with_namespace_ace(self.ace)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Remove the ACE unless it was there before."""
        return () if self.ace in before.namespace_aces else (RevokeNamespaceRights(ace=self.ace),)


@attrs.frozen(kw_only=True)
class RevokeNamespaceRights:
    """Remove an allow ACE from a WMI namespace.

    >>> from wmireach.state import default_state
    >>> s = default_state("win10")
    >>> ace = next(iter(s.namespace_aces))
    >>> ace in RevokeNamespaceRights(ace=ace).apply(s).namespace_aces
    False
    """

    ace: NamespaceAce

    kind: ClassVar[str] = "revoke-namespace-rights"

    def apply(self, state: HostState) -> HostState:
        """``state`` without the ACE."""
        return state.without_namespace_ace(self.ace)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Put the ACE back if it was there before."""
        return (GrantNamespaceRights(ace=self.ace),) if self.ace in before.namespace_aces else ()


@attrs.frozen(kw_only=True)
class AddGroupMember:
    """Add ``principal`` to the local group with SID ``group`` (e.g. Distributed COM Users).

    >>> from wmireach.state import DISTRIBUTED_COM_USERS, default_state
    >>> s = AddGroupMember(group=DISTRIBUTED_COM_USERS, principal="alice").apply(
    ...     default_state("win10"))
    >>> s.groups_of("alice") == {DISTRIBUTED_COM_USERS}
    True
    """

    group: str
    principal: str

    kind: ClassVar[str] = "add-group-member"

    def apply(self, state: HostState) -> HostState:
        """``state`` with the member added."""
        return state.with_group_member(self.group, self.principal)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Remove the member unless it was one before."""
        if self.group in before.groups_of(self.principal):
            return ()
        return (RemoveGroupMember(group=self.group, principal=self.principal),)


@attrs.frozen(kw_only=True)
class RemoveGroupMember:
    """Remove ``principal`` from the local group with SID ``group``.

    >>> from wmireach.state import DISTRIBUTED_COM_USERS, default_state
    >>> RemoveGroupMember(group=DISTRIBUTED_COM_USERS, principal="x").apply(
    ...     default_state("win10")) == default_state("win10")
    True
    """

    group: str
    principal: str

    kind: ClassVar[str] = "remove-group-member"

    def apply(self, state: HostState) -> HostState:
        """``state`` without the member."""
        return state.without_group_member(self.group, self.principal)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Add the member back if it was one before."""
        if self.group in before.groups_of(self.principal):
            return (AddGroupMember(group=self.group, principal=self.principal),)
        return ()


def _check_hosting(instance: SetWmiHosting, attribute: object, value: int | None) -> None:
    if (value is None) != (instance.hosting is WmiHosting.SHARED):
        raise ValueError("a port is given exactly when WMI runs standalone")


@attrs.frozen(kw_only=True)
class SetWmiHosting:
    """Move winmgmt to its own host on ``port`` (``winmgmt /standalonehost``) or back to the
    shared host (facts §6.1-6.4 [S4][S5][S30]).

    ``auth_level`` is the ``<level>`` argument of ``/standalonehost``: the host's minimum
    authentication level (default 4, PKT; 6 is the documented hardening, §6.1).

    >>> from wmireach.state import default_state
    >>> act = SetWmiHosting(hosting=WmiHosting.STANDALONE, port=24158)
    >>> act.apply(default_state("server2019")).wmi_port
    24158
    """

    hosting: WmiHosting
    port: int | None = attrs.field(validator=_check_hosting)
    auth_level: AuthLevel = AuthLevel.PKT

    kind: ClassVar[str] = "set-wmi-hosting"

    @property
    def custom_port(self) -> bool:
        """True when the port is not the default 24158 (so ``Endpoints`` must be written)."""
        return self.port is not None and self.port != STANDALONE_DEFAULT_PORT

    def apply(self, state: HostState) -> HostState:
        """``state`` with WMI hosted as asked."""
        return state.with_wmi_hosting(self.hosting, self.port)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Return WMI to the hosting ``before`` had."""
        if (before.wmi_hosting, before.wmi_port) == (self.hosting, self.port):
            return ()
        return (SetWmiHosting(hosting=before.wmi_hosting, port=before.wmi_port),)


@attrs.frozen(kw_only=True)
class SetAuthenticationLevel:
    """Change the client program's DCOM authentication level (facts §8.4, §8.7 [S17][S18]).

    Not a host setting: it changes how the client calls, so :meth:`apply` leaves a HostState
    alone and :meth:`apply_to` changes the scenario. ``previous`` is recorded for the inverse.

    >>> from wmireach.model import _example
    >>> act = SetAuthenticationLevel(level=AuthLevel.PKT_PRIVACY, previous=AuthLevel.PKT)
    >>> act.apply_to(_example()).auth_level.value
    'pkt-privacy'
    """

    level: AuthLevel
    previous: AuthLevel

    kind: ClassVar[str] = "set-authentication-level"

    def apply(self, state: HostState) -> HostState:
        """``state`` unchanged: the authentication level lives in the client program."""
        return state

    def apply_to(self, scenario: Scenario) -> Scenario:
        """``scenario`` calling at ``level``."""
        return attrs.evolve(scenario, auth_level=self.level)

    def inverse(self, before: HostState) -> tuple[Action, ...]:
        """Go back to the previous level."""
        if self.level is self.previous:
            return ()
        return (SetAuthenticationLevel(level=self.previous, previous=self.level),)


#: One change a plan makes; renderers match on it exhaustively.
Action = Union[  # noqa: UP007 - a runtime alias; X | Y of classes needs 3.10 at runtime anyway
    SetFirewallRule,
    DeleteFirewallRule,
    SetRegistryValue,
    DeleteRegistryValue,
    GrantDcomRights,
    RevokeDcomRights,
    GrantNamespaceRights,
    RevokeNamespaceRights,
    AddGroupMember,
    RemoveGroupMember,
    SetWmiHosting,
    SetAuthenticationLevel,
]


def apply_all(actions: Iterable[Action], state: HostState) -> HostState:
    """Apply ``actions`` in order.

    >>> from wmireach.state import default_state
    >>> apply_all((), default_state("win7")) == default_state("win7")
    True
    """
    for action in actions:
        state = action.apply(state)
    return state


def inverse_all(actions: Iterable[Action], before: HostState) -> tuple[Action, ...]:
    """The actions that undo ``actions`` (applied in order to ``before``), in undo order.

    >>> from wmireach.state import default_state, ENABLE_LUA
    >>> s = default_state("win10")
    >>> acts = (DeleteRegistryValue(path=ENABLE_LUA[0], name=ENABLE_LUA[1]),)
    >>> apply_all(inverse_all(acts, s), apply_all(acts, s)) == s
    True
    """
    undo: list[Action] = []
    state = before
    for action in actions:
        undo[:0] = action.inverse(state)
        state = action.apply(state)
    return tuple(undo)
