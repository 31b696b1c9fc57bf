<#
.SYNOPSIS
    wmireach remediation plan for one computer: Computer B, the target.
.DESCRIPTION
    Checks before it changes, records every value it replaces in -PriorPath (JSON),
    and ends with a self-test of what it changed. Run it as Administrator in Windows
    PowerShell (the WMI cmdlets it uses are not in PowerShell 7).
#>
[CmdletBinding()]
param(
    [string]$PriorPath = (Join-Path -Path $env:TEMP -ChildPath 'wmireach-prior.json')
)
Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
Write-Host 'wmireach remediation plan for B (Windows Server 2008 R2)'
$identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
$admin = [System.Security.Principal.WindowsBuiltInRole]::Administrator
if (-not (New-Object System.Security.Principal.WindowsPrincipal -ArgumentList $identity).IsInRole($admin)) {
    throw 'Run this script as Administrator.'
}
$Prior = [ordered]@{}
$Checks = @()
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

# s1. Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall (domain profile)
Write-Host 's1: Admit TCP 135 (RPC endpoint mapper) on Computer B''s firewall (domain profile)'
Write-Warning 's1: Admit TCP 135 (RPC endpoint mapper) on Computer B''s firewall (domain profile): MANUAL: Enable firewall rule WMI-RPCSS-In-TCP-NoScope (Windows Management Instrumentation (DCOM-In)) for the domain profile(s), remote any. Windows Server 2008 R2 has no NetSecurity cmdlets (Windows 8 / 2012 and later, facts §1.2.5); use the netsh format for this step.'

# s2. Admit the WMI service (winmgmt) on Computer B's firewall (domain profile)
Write-Host 's2: Admit the WMI service (winmgmt) on Computer B''s firewall (domain profile)'
Write-Warning 's2: Admit the WMI service (winmgmt) on Computer B''s firewall (domain profile): MANUAL: Enable firewall rule WMI-WINMGMT-In-TCP-NoScope (Windows Management Instrumentation (WMI-In)) for the domain profile(s), remote any. Windows Server 2008 R2 has no NetSecurity cmdlets (Windows 8 / 2012 and later, facts §1.2.5); use the netsh format for this step.'

# Record what was replaced, then test what was changed.
$Prior | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $PriorPath -Encoding UTF8
Write-Host "Prior values written to $PriorPath"
$failed = 0
foreach ($check in $Checks) {
    if (& $check[1]) { Write-Host "PASS $($check[0])" } else { Write-Warning "FAIL $($check[0])"; $failed++ }
}
if ($failed -gt 0) { exit 1 }
exit 0
