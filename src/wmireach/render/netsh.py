"""The steps of one computer as a .cmd batch file: ``netsh advfirewall`` (Vista and later),
``netsh firewall`` (XP SP2 / Server 2003 SP1), ``reg``, ``net localgroup`` and ``winmgmt``.

Owns: :func:`to_netsh`. Built-in WMI rules are selected by the locale-independent group
``@FirewallAPI.dll,-34251`` narrowed by direction, profile and service/program (facts §2.1.3,
§2.2.1); rules of wmireach's own carry names that are the same in every language. What cmd
cannot do (DCOM limits, namespace ACEs, the client's authentication level, anything behind ICF)
becomes a manual step that says why and where to click. Every user string is validated by the
planner and quoted by :func:`~wmireach.render._quoting.cmd_quote`.

Must not: do I/O.

>>> from wmireach.model import _example
>>> from wmireach.planning import plan
>>> print([l for l in to_netsh(plan(_example())).splitlines() if l.startswith("netsh")][0])
... # doctest: +NORMALIZE_WHITESPACE
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain
localport=135 protocol=tcp new enable=yes
"""

from __future__ import annotations

import functools
from typing import Final

from wmireach.actions import (
    WMI_APPID,
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
from wmireach.model import Account, NetworkProfile, Side
from wmireach.planning import Plan, Step
from wmireach.render._quoting import cmd_quote
from wmireach.render._words import describe, principal_name, script_side
from wmireach.state import WMI_GROUP, Direction, FirewallRule, RuleKind, WmiHosting
from wmireach.windows import FirewallKind

__all__ = ["to_netsh"]

_ADV: Final = "netsh advfirewall firewall"


_PLAIN: Final = str.maketrans(
    {"%": "%%", "&": "+", "|": "/", "<": "(", ">": ")", "^": "", '"': "'"}
)


@functools.lru_cache(maxsize=4096)  # pure; plans repeat the same texts
def _plain(text: str) -> str:
    """Free text for ``rem`` and ``echo``: one line, nothing cmd would act on (a ``^`` at the end
    of a ``rem`` line would even swallow the next line)."""
    # GUI paths ("dcomcnfg > Component Services > ...") read naturally with "/" between parts.
    text = " ".join(text.split()).replace(" > ", " / ").translate(_PLAIN)
    # cmd reads a batch file in the console's OEM code page: keep comments and messages ASCII
    # ("facts sec. 2.4.4"), so they read the same everywhere.
    text = text.replace("\u00a7", "sec. ").replace("\u2014", "-").replace("\u2019", "'")
    return text.encode("ascii", "replace").decode("ascii")


def _rem(text: str) -> str:
    return "rem " + _plain(text)


def _adv_profiles(profiles: frozenset[NetworkProfile]) -> str:
    return ",".join(p.value for p in NetworkProfile if p in profiles)


def _legacy_profile(profiles: frozenset[NetworkProfile]) -> str:
    # netsh firewall knows DOMAIN and STANDARD (= private); ALL is both (facts §2.4.3 [S69]).
    has_domain = NetworkProfile.DOMAIN in profiles
    has_standard = bool(profiles - {NetworkProfile.DOMAIN})
    return "ALL" if has_domain and has_standard else "DOMAIN" if has_domain else "STANDARD"


def _legacy_scope(addresses: frozenset[str]) -> str:
    if "any" in addresses:
        return "scope=ALL"
    if addresses == {"localsubnet"}:
        return "scope=SUBNET"
    listed = ",".join(sorted(a for a in addresses if a != "localsubnet"))
    return f"scope=CUSTOM addresses={listed}"


def _remoteip(addresses: frozenset[str]) -> str:
    return "any" if "any" in addresses else ",".join(sorted(addresses))


def _builtin_filter(rule: FirewallRule) -> str:
    """Selector of one built-in WMI rule without its localized display name (Derived from
    facts §2.2.1: ``set rule group=... dir= profile= localport=/service=/program=``)."""
    parts = [f"group={cmd_quote(WMI_GROUP)}", f"dir={rule.direction.value}"]
    parts.append(f"profile={_adv_profiles(rule.profiles)}")
    if rule.local_port is not None:
        parts.append(f"localport={rule.local_port} protocol=tcp")
    elif rule.service is not None:
        parts.append(f"service={rule.service}")
    elif rule.program is not None:
        parts.append(f"program={cmd_quote(rule.program, expand_environment=True)}")
    return " ".join(parts)


def _wfas(action: SetFirewallRule | DeleteFirewallRule) -> list[str]:
    rule = action.rule
    if isinstance(action, DeleteFirewallRule):
        return [f"{_ADV} delete rule name={cmd_quote(rule.name)}"]
    enable = "yes" if rule.enabled else "no"
    if rule.group == WMI_GROUP and not action.created:
        return [f"{_ADV} set rule {_builtin_filter(rule)} new enable={enable}"]
    direction = "in" if rule.direction is Direction.IN else "out"
    fields = [
        f"name={cmd_quote(rule.name)}",
        f"dir={direction}",
        "action=allow",
        f"enable={enable}",
        f"profile={_adv_profiles(rule.profiles)}",
        f"remoteip={_remoteip(rule.remote_addresses)}",
    ]
    if rule.program is not None:
        fields.append(f"program={cmd_quote(rule.program, expand_environment=True)}")
    if rule.service is not None:
        fields.append(f"service={rule.service}")
    if rule.local_port is not None or rule.service is not None:
        port = "any" if rule.local_port is None else str(rule.local_port)
        fields.append(f"protocol=TCP localport={port}")
    # Delete first, so running the script twice leaves one rule (idempotent).
    return [
        f"{_ADV} delete rule name={cmd_quote(rule.name)} >nul 2>&1",
        f"{_ADV} add rule " + " ".join(fields),
    ]


def _legacy(action: SetFirewallRule | DeleteFirewallRule) -> list[str]:
    rule = action.rule
    profile = f"profile={_legacy_profile(rule.profiles)}"
    scope = _legacy_scope(rule.remote_addresses)
    delete = isinstance(action, DeleteFirewallRule)
    mode = "mode=ENABLE" if not delete and rule.enabled else "mode=DISABLE"
    if rule.kind is RuleKind.SERVICE:
        # [S2][S38] document "set service RemoteAdmin enable"; scope/profile arguments on
        # REMOTEADMIN follow the 2004 command list (facts §2.4.3; full syntax §13.9 unverified).
        return [f"netsh firewall set service type=REMOTEADMIN {mode} {scope} {profile}"]
    if rule.kind is RuleKind.PORT_OPENING:
        port = rule.local_port if rule.local_port is not None else 135
        if delete:
            return [f"netsh firewall delete portopening protocol=TCP port={port} {profile}"]
        return [
            f"netsh firewall set portopening protocol=TCP port={port} name={cmd_quote(rule.name)}"
            f" {mode} {scope} {profile} >nul 2>&1 || netsh firewall add portopening "
            f"protocol=TCP port={port} name={cmd_quote(rule.name)} {mode} {scope} {profile}"
        ]
    program = cmd_quote(rule.program or "", expand_environment=True)
    if delete:
        return [f"netsh firewall delete allowedprogram program={program} {profile}"]
    return [
        f"netsh firewall set allowedprogram program={program} name={cmd_quote(rule.name)} "
        f"{mode} {scope} {profile} >nul 2>&1 || netsh firewall add allowedprogram "
        f"program={program} name={cmd_quote(rule.name)} {mode} {scope} {profile}"
    ]


def _reg_type(value: int | str) -> str:
    return "REG_DWORD" if isinstance(value, int) else "REG_SZ"


def _account(principal: str, account: Account) -> str:
    if account.name is None and principal == account.principal:
        return '"%WMIREACH_ACCOUNT%"'
    return cmd_quote(principal_name(principal))


def _manual(why: str, gui: str | None) -> list[str]:
    lines = [_rem(f"MANUAL: {why}")]
    if gui:
        lines.append(_rem(f"By hand: {gui}"))
    lines.append(f"echo MANUAL STEP: {_plain(why)}")
    return lines


def _action(action: Action, step: Step, kind: FirewallKind, account: Account) -> list[str]:
    match action:
        case SetFirewallRule() | DeleteFirewallRule():
            if action.rule.kind is RuleKind.WFAS:
                if kind is not FirewallKind.WFAS:
                    return _manual("this release has no netsh advfirewall (Vista and later)", None)
                return _wfas(action)
            if kind is FirewallKind.ICF:
                return _manual(
                    "ICF has no netsh firewall context; use the Network Connections "
                    "> Advanced > Settings dialog",
                    None,
                )
            return _legacy(action)
        case SetRegistryValue(path=path, name=name, value=value):
            return [
                f'reg query {cmd_quote(path)} /v {cmd_quote(name)} >>"%WMIREACH_LOG%" 2>&1',
                f"reg add {cmd_quote(path)} /v {cmd_quote(name)} /t {_reg_type(value)} "
                f"/d {cmd_quote(str(value))} /f",
            ]
        case DeleteRegistryValue(path=path, name=name):
            return [
                f'reg query {cmd_quote(path)} /v {cmd_quote(name)} >>"%WMIREACH_LOG%" 2>&1',
                f"reg delete {cmd_quote(path)} /v {cmd_quote(name)} /f >nul 2>&1",
            ]
        case AddGroupMember(group=group, principal=principal):
            # net localgroup takes the group's localized name (facts §4.7: SID S-1-5-32-562).
            member = _account(principal, account)
            name = cmd_quote(principal_name(group))
            return [
                _rem(
                    f"The group name is localized; on non-English Windows use the local name "
                    f"of {group}."
                ),
                f"net localgroup {name} {member} /add || echo Already a member, or see the error "
                "above (1378 means already a member).",
            ]
        case RemoveGroupMember(group=group, principal=principal):
            return [
                f"net localgroup {cmd_quote(principal_name(group))} "
                f"{_account(principal, account)} /delete"
            ]
        case SetWmiHosting(hosting=hosting, port=port, auth_level=level):
            lines = []
            if hosting is WmiHosting.STANDALONE:
                if action.custom_port:
                    lines.append(
                        f"reg add {cmd_quote(WMI_APPID)} /v Endpoints /t REG_MULTI_SZ "
                        f"/d {cmd_quote(f'ncacn_ip_tcp,0,{port}')} /f"
                    )
                lines.append(f"winmgmt /standalonehost {level.number}")
            else:
                lines.append("winmgmt /sharedhost")
            return [*lines, "net stop winmgmt /y", "net start winmgmt"]
        case GrantDcomRights() | RevokeDcomRights():
            return _manual(
                f"{describe(action)}: cmd has no tool for the DCOM security "
                "descriptors; use the PowerShell format (Windows 8 / 2012 and later) "
                "or dcomcnfg",
                step.gui,
            )
        case GrantNamespaceRights() | RevokeNamespaceRights():
            return _manual(
                f"{describe(action)}: cmd has no tool for namespace security; use "
                "the PowerShell format (Vista and later) or wmimgmt.msc",
                step.gui,
            )
        case SetAuthenticationLevel():
            return _manual(
                f"{describe(action)}: a change in the client program, not a "
                "setting of this computer",
                None,
            )


@functools.lru_cache(maxsize=4096)  # pure; the same steps recur across plans and rollbacks
def _step(step: Step, kind: FirewallKind, account: Account) -> tuple[str, ...]:
    """The lines of one step on a computer whose firewall is ``kind``."""
    lines = ["", _rem(f"{step.id}. {step.title}"), _rem(f"Why: {step.why}")]
    if step.risk:
        lines.append(_rem(f"WIDENS ATTACK SURFACE: {step.risk}"))
    lines.append(_rem(f"Rules: {', '.join(step.rules)}"))
    lines.append(f"echo {step.id}: applying")
    if step.manual:
        lines += _manual(step.why, step.gui)
    for action in step.actions:
        lines += _action(action, step, kind, account)
    for note in step.notes:
        lines.append(_rem(f"Note: {note}"))
    return tuple(lines)


def to_netsh(plan: Plan, *, side: Side | None = None) -> str:
    """A .cmd script with the steps of ``plan`` on one computer (``side``)."""
    plan, side = script_side(plan, side)
    scenario = plan.scenario
    computer = scenario.computer(side)
    needs_account = scenario.account.name is None and any(
        isinstance(a, (AddGroupMember, RemoveGroupMember)) for s in plan.steps for a in s.actions
    )
    what = "rollback" if plan.is_rollback else "remediation plan"
    lines = [
        "@echo off",
        "setlocal EnableExtensions DisableDelayedExpansion",
        _rem(
            f"wmireach {what} for {computer.name} ({computer.release.display_name}), "
            f"{'Computer B, the target' if side is Side.TARGET else 'Computer A, the client'}."
        ),
        _rem("Run as Administrator. Prior registry values are appended to the log below."),
        "net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)",
        'set "WMIREACH_LOG=%~dp0wmireach-prior.log"',
    ]
    if needs_account:
        lines += [
            'set "WMIREACH_ACCOUNT=%~1"',
            "if not defined WMIREACH_ACCOUNT (echo Usage: %~nx0 ACCOUNT-NAME & exit /b 2)",
        ]
    if not plan.steps:
        lines.append("echo Nothing to change on this computer.")
    kind = computer.release.firewall
    for step in plan.steps:
        lines += _step(step, kind, scenario.account)
    lines += ["", "echo Done.", "endlocal", "exit /b 0"]
    if any(not line.isascii() for line in lines):
        # A command names something non-ASCII (an account, a path): have cmd read the file as
        # UTF-8, which it is, before the first such line (code page 65001, Windows 7 and later).
        lines[1:1] = ["chcp 65001 >nul"]
    return "\r\n".join(lines) + "\r\n"
