# ruff: noqa: E501 - the embedded PowerShell keeps its own line lengths; Python lines stay short.
"""The steps of one computer as a Windows PowerShell script (.ps1) for Windows 8 / Server 2012
and later.

Owns: :func:`to_powershell`. The script checks before it changes, records every value it
replaces (written as JSON to ``-PriorPath``) and ends with a self-test of what it changed.
Firewall rules go through the NetSecurity cmdlets by rule ``-Name`` (WMI-RPCSS-In-TCP ...,
facts §2.3 [S45][S46]); DCOM limits through their security descriptors (SDDL recorded before,
facts §4.2-4.5); namespaces through ``__SystemSecurity`` Get/SetSecurityDescriptor (facts §5.5
[S10][S11]); group members by SID. Older releases get what they can run: Vista / 7 / 2008 (R2)
lack the NetSecurity cmdlets (facts §1.2.5 [S44]), so their firewall steps are manual and point
to the netsh format; XP and Server 2003 get a script that stops and says why.

Every user string is validated by the planner and quoted by
:func:`~wmireach.render._quoting.ps_quote` (verbatim single-quoted literals).

Must not: do I/O.

>>> from wmireach.model import _example
>>> from wmireach.planning import plan
>>> [l for l in to_powershell(plan(_example())).splitlines() if "Enable-Net" in l][0].strip()
"if ([string]$rule.Enabled -ne 'True') { Enable-NetFirewallRule -Name 'WMI-RPCSS-In-TCP-NoScope' }"
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
from wmireach.render._quoting import ps_quote
from wmireach.render._words import describe, script_side
from wmireach.state import WMI_GROUP, DcomRight, Direction, FirewallRule, WmiHosting
from wmireach.windows import Release

__all__ = ["to_powershell"]

_HELPERS: Final = r"""
function ConvertTo-WmiReachSid([string]$Principal) {
    if ($Principal -match '^S-1-[0-9-]+$') { return $Principal }
    $account = New-Object System.Security.Principal.NTAccount -ArgumentList $Principal
    return $account.Translate([System.Security.Principal.SecurityIdentifier]).Value
}

function Get-WmiReachRegistryValue([string]$Path, [string]$Name) {
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    return $item.$Name
}

function Set-WmiReachRegistryValue {
    param([string]$Path, [string]$Name, $Value, [string]$Type, [switch]$Delete)
    $key = "registry:$Path\$Name"
    $current = Get-WmiReachRegistryValue $Path $Name
    if (-not $Prior.Contains($key)) { $Prior[$key] = $current }
    if ($Delete) {
        if ($null -ne $current) { Remove-ItemProperty -LiteralPath $Path -Name $Name }
        return
    }
    if ($null -eq $current -or [string]$current -cne [string]$Value) {
        if (-not (Test-Path -LiteralPath $Path)) { New-Item -Path $Path -Force | Out-Null }
        New-ItemProperty -LiteralPath $Path -Name $Name -PropertyType $Type -Value $Value -Force | Out-Null
    }
}

function Set-WmiReachDcomLimit {
    param([string]$ValueName, [string]$Sid, [int]$Mask, [switch]$Revoke, [switch]$Test)
    $path = 'HKLM:\SOFTWARE\Microsoft\Ole'
    $bytes = [byte[]](Get-WmiReachRegistryValue $path $ValueName)
    $sd = New-Object System.Security.AccessControl.RawSecurityDescriptor -ArgumentList @($bytes, 0)
    $index = -1
    for ($i = 0; $i -lt $sd.DiscretionaryAcl.Count; $i++) {
        $ace = $sd.DiscretionaryAcl[$i]
        if ($ace.AceQualifier -eq 'AccessAllowed' -and $ace.SecurityIdentifier.Value -eq $Sid) { $index = $i; break }
    }
    $held = 0
    if ($index -ge 0) { $held = $sd.DiscretionaryAcl[$index].AccessMask }
    $granular = $Mask -band (-bnot 1)
    if ($Test) {
        if ($Revoke) { return (($held -band $granular) -eq 0) }
        return (($held -band $Mask) -eq $Mask)
    }
    if (-not $Prior.Contains("dcom:$ValueName")) { $Prior["dcom:$ValueName"] = $sd.GetSddlForm('All') }
    if ($Revoke) {
        if ($index -lt 0 -or ($held -band $granular) -eq 0) { return }
        $left = $held -band (-bnot $granular)
        if ($left -le 1) { $sd.DiscretionaryAcl.RemoveAce($index) } else { $sd.DiscretionaryAcl[$index].AccessMask = $left }
    } else {
        if (($held -band $Mask) -eq $Mask) { return }
        if ($index -ge 0) {
            $sd.DiscretionaryAcl[$index].AccessMask = $held -bor $Mask
        } else {
            $sidObject = New-Object System.Security.Principal.SecurityIdentifier -ArgumentList $Sid
            $ace = New-Object System.Security.AccessControl.CommonAce -ArgumentList @(
                [System.Security.AccessControl.AceFlags]::None,
                [System.Security.AccessControl.AceQualifier]::AccessAllowed, $Mask, $sidObject, $false, $null)
            $sd.DiscretionaryAcl.InsertAce($sd.DiscretionaryAcl.Count, $ace)
        }
    }
    $out = New-Object byte[] $sd.BinaryLength
    $sd.GetBinaryForm($out, 0)
    Set-ItemProperty -LiteralPath $path -Name $ValueName -Value $out
}

function Set-WmiReachNamespaceRight {
    param([string]$Namespace, [string]$Sid, [int]$Mask, [bool]$Inherit, [switch]$Revoke, [switch]$Test)
    $sd = (Invoke-WmiMethod -Namespace $Namespace -Path '__SystemSecurity=@' -Name GetSecurityDescriptor).Descriptor
    $flags = 0
    if ($Inherit) { $flags = 2 }
    $same = { param($a) $a.AceType -eq 0 -and $a.Trustee.SidString -eq $Sid -and $a.AccessMask -eq $Mask -and (($a.AceFlags -band 0x12) -eq $flags) }
    $found = @($sd.DACL | Where-Object { & $same $_ }).Count -gt 0
    if ($Test) { return ($found -ne [bool]$Revoke) }
    $key = "namespace:$Namespace"
    if (-not $Prior.Contains($key)) { $Prior[$key] = ([wmiclass]'Win32_SecurityDescriptorHelper').Win32SDToSDDL($sd).SDDL }
    if ($found -ne [bool]$Revoke) { return }
    if ($Revoke) {
        $sd.DACL = @($sd.DACL | Where-Object { -not (& $same $_) })
    } else {
        $trustee = (New-Object System.Management.ManagementClass -ArgumentList 'Win32_Trustee').CreateInstance()
        $trustee.SidString = $Sid
        $ace = (New-Object System.Management.ManagementClass -ArgumentList 'Win32_Ace').CreateInstance()
        $ace.Trustee = $trustee
        $ace.AccessMask = $Mask
        $ace.AceFlags = $flags
        $ace.AceType = 0
        $sd.DACL += $ace.psobject.ImmediateBaseObject
    }
    $result = Invoke-WmiMethod -Namespace $Namespace -Path '__SystemSecurity=@' -Name SetSecurityDescriptor -ArgumentList $sd.psobject.ImmediateBaseObject
    if ($result.ReturnValue -ne 0) { throw "SetSecurityDescriptor on $Namespace returned $($result.ReturnValue)" }
}

function Set-WmiReachGroupMember {
    param([string]$GroupSid, [string]$Member, [switch]$Remove, [switch]$Test)
    $memberSid = ConvertTo-WmiReachSid $Member
    $groupSidObject = New-Object System.Security.Principal.SecurityIdentifier -ArgumentList $GroupSid
    $groupName = $groupSidObject.Translate([System.Security.Principal.NTAccount]).Value.Split('\')[-1]
    $group = [ADSI]('WinNT://./' + $groupName + ',group')
    $present = $false
    foreach ($m in @($group.psbase.Invoke('Members'))) {
        $raw = $m.GetType().InvokeMember('objectSid', 'GetProperty', $null, $m, $null)
        if ((New-Object System.Security.Principal.SecurityIdentifier -ArgumentList @($raw, 0)).Value -eq $memberSid) { $present = $true }
    }
    if ($Test) { return ($present -ne [bool]$Remove) }
    $key = "group:$GroupSid\$memberSid"
    if (-not $Prior.Contains($key)) { $Prior[$key] = $present }
    if ($Remove -and $present) { $group.Remove('WinNT://' + $memberSid) }
    if (-not $Remove -and -not $present) { $group.Add('WinNT://' + $memberSid) }
}
"""

#: The helpers as they appear in the script: their lines joined as the script's lines are.
_HELPER_BLOCK: Final = "\r\n".join(_HELPERS.strip("\n").splitlines())

_PROFILE_NAMES: Final = {
    NetworkProfile.DOMAIN: "Domain",
    NetworkProfile.PRIVATE: "Private",
    NetworkProfile.PUBLIC: "Public",
}


def _principal(principal: str, account: Account) -> str:
    if principal == account.principal and not principal.startswith("S-1-"):
        return "$Account"
    return ps_quote(principal)


def _check(label: str, condition: str) -> str:
    return f"$Checks += ,@({ps_quote(label)}, {{ {condition} }})"


def _addresses(addresses: frozenset[str]) -> str:
    words = {"any": "Any", "localsubnet": "LocalSubnet"}
    return ",".join(ps_quote(words.get(a, a)) for a in sorted(addresses))


def _firewall(action: SetFirewallRule | DeleteFirewallRule, label: str) -> list[str]:
    rule: FirewallRule = action.rule
    name = ps_quote(rule.name)
    if isinstance(action, DeleteFirewallRule):
        return [
            f"Remove-NetFirewallRule -Name {name} -ErrorAction SilentlyContinue",
            _check(label, f"-not (Get-NetFirewallRule -Name {name} -ErrorAction SilentlyContinue)"),
        ]
    enabled = "True" if rule.enabled else "False"
    if rule.group == WMI_GROUP and not action.created:
        verb = "Enable-NetFirewallRule" if rule.enabled else "Disable-NetFirewallRule"
        return [
            f"$rule = Get-NetFirewallRule -Name {name}",
            f"if (-not $Prior.Contains({ps_quote('firewall:' + rule.name)})) "
            f"{{ $Prior[{ps_quote('firewall:' + rule.name)}] = [string]$rule.Enabled }}",
            f"if ([string]$rule.Enabled -ne {ps_quote(enabled)}) {{ {verb} -Name {name} }}",
            _check(
                label, f"[string](Get-NetFirewallRule -Name {name}).Enabled -eq {ps_quote(enabled)}"
            ),
        ]
    profiles = ",".join(_PROFILE_NAMES[p] for p in NetworkProfile if p in rule.profiles)
    fields = [
        f"-Enabled {enabled}",
        f"-Profile {profiles}",
        f"-RemoteAddress {_addresses(rule.remote_addresses)}",
    ]
    new_fields = [
        f"-Name {name}",
        f"-DisplayName {ps_quote(rule.display_name or rule.name)}",
        "-Direction " + ("Inbound" if rule.direction is Direction.IN else "Outbound"),
        "-Action Allow",
        *fields,
    ]
    if rule.program is not None:
        new_fields.append(f"-Program {ps_quote(rule.program)}")
    if rule.service is not None:
        new_fields.append(f"-Service {ps_quote(rule.service)}")
    if rule.local_port is not None or rule.service is not None:
        new_fields.append("-Protocol TCP")
        if rule.local_port is not None:
            new_fields.append(f"-LocalPort {rule.local_port}")
    return [
        f"if (Get-NetFirewallRule -Name {name} -ErrorAction SilentlyContinue) {{",
        f"    Set-NetFirewallRule -Name {name} " + " ".join(fields),
        "} else {",
        "    New-NetFirewallRule " + " ".join(new_fields) + " | Out-Null",
        "}",
        _check(
            label, f"[string](Get-NetFirewallRule -Name {name}).Enabled -eq {ps_quote(enabled)}"
        ),
    ]


def _dcom_calls(
    principal: str, rights: frozenset[DcomRight], revoke: bool, account: Account, label: str
) -> list[str]:
    lines = []
    for value_name in ("MachineLaunchRestriction", "MachineAccessRestriction"):
        chosen = [r for r in rights if r.restriction == value_name]
        if not chosen:
            continue
        mask = 0x1
        for r in chosen:
            mask |= r.mask
        call = (
            f"Set-WmiReachDcomLimit -ValueName {ps_quote(value_name)} -Sid "
            f"(ConvertTo-WmiReachSid {_principal(principal, account)}) -Mask 0x{mask:X}"
            + (" -Revoke" if revoke else "")
        )
        lines += [call, _check(f"{label} ({value_name})", call + " -Test")]
    return lines


def _action(action: Action, release: Release, account: Account, label: str) -> list[str]:
    match action:
        case SetFirewallRule() | DeleteFirewallRule():
            if not release.netsecurity_cmdlets:
                return [
                    f"Write-Warning {ps_quote(f'{label}: MANUAL: ' + describe(action) + '. ' + release.display_name + ' has no NetSecurity cmdlets (Windows 8 / 2012 and later, facts §1.2.5); use the netsh format for this step.')}"
                ]
            return _firewall(action, label)
        case SetRegistryValue(path=path, name=name, value=value):
            reg_path = ps_quote("Registry::" + path)
            kind = "DWord" if isinstance(value, int) else "String"
            literal = str(value) if isinstance(value, int) else ps_quote(value)
            return [
                f"Set-WmiReachRegistryValue -Path {reg_path} -Name {ps_quote(name)} "
                f"-Value {literal} -Type {kind}",
                _check(
                    label,
                    f"[string](Get-WmiReachRegistryValue {reg_path} {ps_quote(name)}) "
                    f"-ceq {ps_quote(str(value))}",
                ),
            ]
        case DeleteRegistryValue(path=path, name=name):
            reg_path = ps_quote("Registry::" + path)
            return [
                f"Set-WmiReachRegistryValue -Path {reg_path} -Name {ps_quote(name)} -Delete",
                _check(label, f"$null -eq (Get-WmiReachRegistryValue {reg_path} {ps_quote(name)})"),
            ]
        case GrantDcomRights(principal=p, rights=rights):
            return _dcom_calls(p, rights, False, account, label)
        case RevokeDcomRights(principal=p, rights=rights):
            return _dcom_calls(p, rights, True, account, label)
        case GrantNamespaceRights(ace=ace) | RevokeNamespaceRights(ace=ace):
            call = (
                f"Set-WmiReachNamespaceRight -Namespace {ps_quote(ace.namespace)} -Sid "
                f"(ConvertTo-WmiReachSid {_principal(ace.principal, account)}) -Mask "
                f"0x{ace.mask:X} -Inherit ${str(ace.inherit).lower()}"
                + (" -Revoke" if isinstance(action, RevokeNamespaceRights) else "")
            )
            return [call, _check(label, call + " -Test")]
        case AddGroupMember(group=g, principal=p) | RemoveGroupMember(group=g, principal=p):
            call = (
                f"Set-WmiReachGroupMember -GroupSid {ps_quote(g)} -Member "
                f"{_principal(p, account)}"
                + (" -Remove" if isinstance(action, RemoveGroupMember) else "")
            )
            return [call, _check(label, call + " -Test")]
        case SetWmiHosting(hosting=hosting, port=port, auth_level=level):
            service = ps_quote("HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Winmgmt")
            lines = [
                f"$type = (Get-ItemProperty -LiteralPath {service} -Name Type).Type",
                "if (-not $Prior.Contains('winmgmt:Type')) { $Prior['winmgmt:Type'] = $type }",
            ]
            if hosting is WmiHosting.STANDALONE:
                if action.custom_port:
                    lines.append(
                        f"Set-WmiReachRegistryValue -Path {ps_quote('Registry::' + WMI_APPID)} "
                        f"-Name 'Endpoints' -Value @({ps_quote(f'ncacn_ip_tcp,0,{port}')}) "
                        "-Type MultiString"
                    )
                lines += [
                    f"if ($type -ne 16) {{ & winmgmt.exe /standalonehost {level.number}; "
                    "Restart-Service -Name winmgmt -Force }",
                    _check(
                        label, f"(Get-ItemProperty -LiteralPath {service} -Name Type).Type -eq 16"
                    ),
                ]
            else:
                lines += [
                    "if ($type -eq 16) { & winmgmt.exe /sharedhost; Restart-Service -Name winmgmt -Force }",
                    _check(
                        label, f"(Get-ItemProperty -LiteralPath {service} -Name Type).Type -ne 16"
                    ),
                ]
            return lines
        case SetAuthenticationLevel():
            return [
                f"Write-Warning {ps_quote(f'{label}: MANUAL: ' + describe(action) + ' (a change in the client program, e.g. Get-WmiObject -Authentication PacketIntegrity).')}"
            ]


def _header(plan: Plan, side: Side) -> list[str]:
    scenario = plan.scenario
    computer = scenario.computer(side)
    role = "Computer B, the target" if side is Side.TARGET else "Computer A, the client"
    what = "rollback" if plan.is_rollback else "remediation plan"
    needs_account = any(
        isinstance(
            a,
            (
                AddGroupMember,
                RemoveGroupMember,
                GrantDcomRights,
                RevokeDcomRights,
                GrantNamespaceRights,
                RevokeNamespaceRights,
            ),
        )
        and getattr(a, "principal", getattr(getattr(a, "ace", None), "principal", None))
        == scenario.account.principal
        for s in plan.steps
        for a in s.actions
    )
    account = (
        "    [Parameter(Mandatory = $true)][string]$Account,"
        if scenario.account.name is None
        else f"    [string]$Account = {ps_quote(scenario.account.name)},"
    )
    lines = [
        "<#",
        ".SYNOPSIS",
        f"    wmireach {what} for one computer: {role}.",
        ".DESCRIPTION",
        "    Checks before it changes, records every value it replaces in -PriorPath (JSON),",
        "    and ends with a self-test of what it changed. Run it as Administrator in Windows",
        "    PowerShell (the WMI cmdlets it uses are not in PowerShell 7).",
        "#>",
        "[CmdletBinding()]",
        "param(",
    ]
    if needs_account:
        lines.append(account)
    lines += [
        "    [string]$PriorPath = (Join-Path -Path $env:TEMP -ChildPath 'wmireach-prior.json')",
        ")",
        "Set-StrictMode -Version 2.0",
        "$ErrorActionPreference = 'Stop'",
        f"Write-Host {ps_quote(f'wmireach {what} for {computer.name} ({computer.release.display_name})')}",
        "$identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()",
        "$admin = [System.Security.Principal.WindowsBuiltInRole]::Administrator",
        "if (-not (New-Object System.Security.Principal.WindowsPrincipal -ArgumentList $identity).IsInRole($admin)) {",
        "    throw 'Run this script as Administrator.'",
        "}",
        "$Prior = [ordered]@{}",
        "$Checks = @()",
    ]
    return lines


@functools.lru_cache(maxsize=4096)  # pure; the same steps recur across plans and rollbacks
def _step(step: Step, release: Release, account: Account) -> tuple[str, ...]:
    """The lines of one step on a computer running ``release``."""
    label = f"{step.id}: {step.title}"
    lines = [
        "",
        f"# {step.id}. {' '.join(step.title.split())}",
        f"Write-Host {ps_quote(label)}",
    ]
    if step.risk:
        lines.append(f"Write-Warning {ps_quote('Widens attack surface: ' + step.risk)}")
    if step.manual:
        lines.append(f"Write-Warning {ps_quote(f'{step.id}: MANUAL: {step.why}')}")
    for action in step.actions:
        lines += _action(action, release, account, label)
    return tuple(lines)


def to_powershell(plan: Plan, *, side: Side | None = None) -> str:
    """A .ps1 script with the steps of ``plan`` on one computer (``side``)."""
    plan, side = script_side(plan, side)
    scenario = plan.scenario
    release = scenario.computer(side).release
    lines = _header(plan, side)
    if not release.uac:
        # XP and Server 2003 ship no PowerShell and lack __SystemSecurity Get/SetSecurityDescriptor
        # (minimum Vista, facts §5.5 [S11]); their firewall is netsh firewall (facts §2.4).
        why = (
            f"{release.display_name} cannot run this script: no PowerShell by default, no "
            "__SystemSecurity Get/SetSecurityDescriptor (Vista and later). Use the netsh "
            "format and the manual steps of the Markdown format."
        )
        lines += [f"throw {ps_quote(why)}"]
        return "\r\n".join(lines) + "\r\n"
    lines.append(_HELPER_BLOCK)
    if not plan.steps:
        lines.append("Write-Host 'Nothing to change on this computer.'")
    for step in plan.steps:
        lines += _step(step, release, scenario.account)
    lines += [
        "",
        "# Record what was replaced, then test what was changed.",
        "$Prior | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $PriorPath -Encoding UTF8",
        'Write-Host "Prior values written to $PriorPath"',
        "$failed = 0",
        "foreach ($check in $Checks) {",
        '    if (& $check[1]) { Write-Host "PASS $($check[0])" } else { Write-Warning "FAIL $($check[0])"; $failed++ }',
        "}",
        "if ($failed -gt 0) { exit 1 }",
        "exit 0",
    ]
    return "\r\n".join(lines) + "\r\n"
