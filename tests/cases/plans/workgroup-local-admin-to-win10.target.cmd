@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for B (Windows 10), Computer B, the target.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s1. Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall, from 192.0.2.10 only
rem Why: A rule of its own, wmireach-WMI-RPCSS-In-TCP, for the private profile only, scoped to 192.0.2.10: tighter than the built-in WMI-RPCSS-In-TCP; the built-in rules' scope can only be changed by their localized display names in netsh (facts sec. 2.2.2-2.2.3, sec. 12.2), a rule of our own is the same in every language and is removed cleanly.
rem Rules: WR101, WR102
echo s1: applying
netsh advfirewall firewall delete rule name="wmireach-WMI-RPCSS-In-TCP" >nul 2>&1
netsh advfirewall firewall add rule name="wmireach-WMI-RPCSS-In-TCP" dir=in action=allow enable=yes profile=private remoteip=192.0.2.10 program="%systemroot%\system32\svchost.exe" service=rpcss protocol=TCP localport=135

rem s2. Add wmiadmin to Distributed COM Users on Computer B
rem Why: The account lacks Remote Launch and Remote Activation in B's machine-wide DCOM limits once remote UAC strips its administrator token; membership of Distributed COM Users grants exactly the DCOM rights WMI needs without making it an administrator.
rem WIDENS ATTACK SURFACE: Distributed COM Users may launch, activate and access every DCOM server on B remotely (a machine-wide limit), not only WMI.
rem Rules: WR403, WR404
echo s2: applying
rem The group name is localized; on non-English Windows use the local name of S-1-5-32-562.
net localgroup "Distributed COM Users" "wmiadmin" /add || echo Already a member, or see the error above (1378 means already a member).
rem Note: The account must log on again for the membership to count.

rem s3. Admit the WMI service (winmgmt) on Computer B's firewall, from 192.0.2.10 only
rem Why: A rule of its own, wmireach-WMI-WINMGMT-In-TCP, for the private profile only, scoped to 192.0.2.10: tighter than the built-in WMI-WINMGMT-In-TCP; the built-in rules' scope can only be changed by their localized display names in netsh (facts sec. 2.2.2-2.2.3, sec. 12.2), a rule of our own is the same in every language and is removed cleanly.
rem Rules: WR501, WR502
echo s3: applying
netsh advfirewall firewall delete rule name="wmireach-WMI-WINMGMT-In-TCP" >nul 2>&1
netsh advfirewall firewall add rule name="wmireach-WMI-WINMGMT-In-TCP" dir=in action=allow enable=yes profile=private remoteip=192.0.2.10 program="%systemroot%\system32\svchost.exe" service=winmgmt protocol=TCP localport=any

rem s4. Grant wmiadmin Remote Enable on root\cimv2 on Computer B
rem Why: Remote Enable is held by Administrators only by default; without it the namespace login fails with 0x80041003 (facts sec. 5.1-5.3 [S6][S8][S16]). The ACE grants Enable Account and Remote Enable on this namespace only.
rem Rules: WR601
echo s4: applying
rem MANUAL: Grant wmiadmin rights 0x21 on root\cimv2 (this namespace only): cmd has no tool for namespace security; use the PowerShell format (Vista and later) or wmimgmt.msc
rem By hand: wmimgmt.msc / WMI Control / Properties / Security / root\cimv2 / Security / Add / Remote Enable
echo MANUAL STEP: Grant wmiadmin rights 0x21 on root\cimv2 (this namespace only): cmd has no tool for namespace security; use the PowerShell format (Vista and later) or wmimgmt.msc

echo Done.
endlocal
exit /b 0
