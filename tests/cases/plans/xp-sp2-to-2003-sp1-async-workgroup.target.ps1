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
Write-Host 'wmireach remediation plan for B (Windows Server 2003 SP1/SP2/R2)'
$identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
$admin = [System.Security.Principal.WindowsBuiltInRole]::Administrator
if (-not (New-Object System.Security.Principal.WindowsPrincipal -ArgumentList $identity).IsInRole($admin)) {
    throw 'Run this script as Administrator.'
}
$Prior = [ordered]@{}
$Checks = @()
throw 'Windows Server 2003 SP1/SP2/R2 cannot run this script: no PowerShell by default, no __SystemSecurity Get/SetSecurityDescriptor (Vista and later). Use the netsh format and the manual steps of the Markdown format.'
