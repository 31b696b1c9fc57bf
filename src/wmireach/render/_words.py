"""Actions in words: the one description every text format shares.

Owns: :func:`describe` (an action as a sentence), :func:`principal_name` (well-known SIDs by
their English names) and :func:`script_side` (which computer one script is for).

Must not: do I/O.
"""

from __future__ import annotations

from typing import Final

from wmireach.actions import (
    Action,
    AddGroupMember,
    DeleteFirewallRule,
    DeleteRegistryValue,
    GrantDcomRights,
    GrantNamespaceRights,
    RemoveGroupMember,
    RevokeDcomRights,
    RevokeNamespaceRights,
    SetAuthenticationLevel,
    SetFirewallRule,
    SetRegistryValue,
    SetWmiHosting,
)
from wmireach.errors import ScenarioError
from wmireach.model import Side
from wmireach.planning import Plan
from wmireach.state import (
    ADMINISTRATORS,
    ALL_APPLICATION_PACKAGES,
    ANONYMOUS_LOGON,
    AUTHENTICATED_USERS,
    DISTRIBUTED_COM_USERS,
    EVERYONE,
    LOCAL_SERVICE,
    NETWORK_SERVICE,
    PERFORMANCE_LOG_USERS,
    WmiHosting,
)

__all__ = ["WELL_KNOWN", "describe", "principal_name", "script_side"]


#: English names of the well-known SIDs plans mention (facts §4.6-4.8 [S33][S77]).
WELL_KNOWN: Final = {
    ADMINISTRATORS: "Administrators",
    EVERYONE: "Everyone",
    ANONYMOUS_LOGON: "ANONYMOUS LOGON",
    AUTHENTICATED_USERS: "Authenticated Users",
    LOCAL_SERVICE: "LOCAL SERVICE",
    NETWORK_SERVICE: "NETWORK SERVICE",
    DISTRIBUTED_COM_USERS: "Distributed COM Users",
    PERFORMANCE_LOG_USERS: "Performance Log Users",
    ALL_APPLICATION_PACKAGES: "ALL APPLICATION PACKAGES",
}


def principal_name(principal: str) -> str:
    """A SID's English name, or the principal as given.

    >>> principal_name("S-1-5-32-562"), principal_name("CORP\\\\alice")
    ('Distributed COM Users', 'CORP\\\\alice')
    """
    return WELL_KNOWN.get(principal, principal)


def _scope(addresses: frozenset[str]) -> str:
    return ", ".join(sorted(addresses))


def describe(action: Action) -> str:
    """One sentence saying what ``action`` does.

    >>> describe(SetRegistryValue(path="HKLM\\\\X", name="Y", value=1))
    'Set HKLM\\\\X\\\\Y (REG_DWORD) to 1'
    """
    match action:
        case SetFirewallRule(rule=r, created=created):
            verb = "Add" if created else ("Enable" if r.enabled else "Disable")
            what = f"firewall rule {r.name}" + (f" ({r.display_name})" if r.display_name else "")
            profiles = "/".join(sorted(p.value for p in r.profiles))
            return (
                f"{verb} {what} for the {profiles} profile(s), remote {_scope(r.remote_addresses)}"
            )
        case DeleteFirewallRule(rule=r):
            return f"Delete firewall rule {r.name}"
        case SetRegistryValue(path=path, name=name, value=value):
            return f"Set {path}\\{name} ({action.type.value}) to {value}"
        case DeleteRegistryValue(path=path, name=name):
            return f"Delete registry value {path}\\{name}"
        case GrantDcomRights(principal=p, rights=rights):
            words = ", ".join(sorted(r.value for r in rights))
            return f"Grant {principal_name(p)} {words} in the DCOM machine limits"
        case RevokeDcomRights(principal=p, rights=rights):
            words = ", ".join(sorted(r.value for r in rights))
            return f"Remove {words} of {principal_name(p)} from the DCOM machine limits"
        case GrantNamespaceRights(ace=ace):
            inherit = " and its subnamespaces" if ace.inherit else " (this namespace only)"
            who = principal_name(ace.principal)
            return f"Grant {who} rights 0x{ace.mask:X} on {ace.namespace}{inherit}"
        case RevokeNamespaceRights(ace=ace):
            who = principal_name(ace.principal)
            return f"Remove the ACE of {who} (0x{ace.mask:X}) from {ace.namespace}"
        case AddGroupMember(group=g, principal=p):
            return f"Add {principal_name(p)} to local group {principal_name(g)} ({g})"
        case RemoveGroupMember(group=g, principal=p):
            return f"Remove {principal_name(p)} from local group {principal_name(g)} ({g})"
        case SetWmiHosting(hosting=hosting, port=port):
            if hosting is WmiHosting.STANDALONE:
                return f"Run WMI in its own host on TCP {port} (winmgmt /standalonehost)"
            return "Run WMI in the shared host again (winmgmt /sharedhost)"
        case SetAuthenticationLevel(level=level):
            return (
                f"Make the client program call at authentication level {level.value} "
                f"({level.number})"
            )


def script_side(plan: Plan, side: Side | None) -> tuple[Plan, Side]:
    """The plan restricted to one computer, for formats that make one script per computer.

    >>> from wmireach.model import _example
    >>> from wmireach.planning import plan
    >>> script_side(plan(_example()), None)[1].value
    'target'
    """
    if side is None:
        sides = plan.sides
        if len(sides) > 1:
            raise ScenarioError(
                "this plan has steps on both computers: render it once for the target "
                "(side=target, --side target) and once for the client (--side client)"
            )
        side = sides[0] if sides else Side.TARGET
    return plan.on(side), side
