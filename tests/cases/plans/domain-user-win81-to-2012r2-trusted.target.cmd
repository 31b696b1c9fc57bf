@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for B (Windows Server 2012 R2), Computer B, the target.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s1. Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall (domain profile)
rem Why: The built-in rule WMI-RPCSS-In-TCP-NoScope ships disabled; enabling only this rule, for the domain profile the computer is on, opens nothing else of the WMI group.
rem Rules: WR101, WR102
echo s1: applying
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain localport=135 protocol=tcp new enable=yes

rem s2. Add CORP\monitor to Distributed COM Users on Computer B
rem Why: The account lacks Remote Launch and Remote Activation in B's machine-wide DCOM limits; membership of Distributed COM Users grants exactly the DCOM rights WMI needs without making it an administrator.
rem WIDENS ATTACK SURFACE: Distributed COM Users may launch, activate and access every DCOM server on B remotely (a machine-wide limit), not only WMI.
rem Rules: WR404
echo s2: applying
rem The group name is localized; on non-English Windows use the local name of S-1-5-32-562.
net localgroup "Distributed COM Users" "CORP\monitor" /add || echo Already a member, or see the error above (1378 means already a member).
rem Note: The account must log on again for the membership to count.

rem s3. Admit the WMI service (winmgmt) on Computer B's firewall (domain profile)
rem Why: The built-in rule WMI-WINMGMT-In-TCP-NoScope ships disabled; enabling only this rule, for the domain profile the computer is on, opens nothing else of the WMI group.
rem Rules: WR501, WR502
echo s3: applying
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain service=winmgmt new enable=yes

rem s4. Grant CORP\monitor Remote Enable on root\cimv2 on Computer B
rem Why: Remote Enable is held by Administrators only by default; without it the namespace login fails with 0x80041003 (facts sec. 5.1-5.3 [S6][S8][S16]). The ACE grants Enable Account and Remote Enable on this namespace only.
rem Rules: WR601
echo s4: applying
rem MANUAL: Grant CORP\monitor rights 0x21 on root\cimv2 (this namespace only): cmd has no tool for namespace security; use the PowerShell format (Vista and later) or wmimgmt.msc
rem By hand: wmimgmt.msc / WMI Control / Properties / Security / root\cimv2 / Security / Add / Remote Enable
echo MANUAL STEP: Grant CORP\monitor rights 0x21 on root\cimv2 (this namespace only): cmd has no tool for namespace security; use the PowerShell format (Vista and later) or wmimgmt.msc

echo Done.
endlocal
exit /b 0
