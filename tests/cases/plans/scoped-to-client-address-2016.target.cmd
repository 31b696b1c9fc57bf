@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for B (Windows Server 2016), Computer B, the target.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s1. Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall, from 198.51.100.7 only
rem Why: A rule of its own, wmireach-WMI-RPCSS-In-TCP, for the domain profile only, scoped to 198.51.100.7: tighter than the built-in WMI-RPCSS-In-TCP-NoScope; the built-in rules' scope can only be changed by their localized display names in netsh (facts sec. 2.2.2-2.2.3, sec. 12.2), a rule of our own is the same in every language and is removed cleanly.
rem Rules: WR101, WR102
echo s1: applying
netsh advfirewall firewall delete rule name="wmireach-WMI-RPCSS-In-TCP" >nul 2>&1
netsh advfirewall firewall add rule name="wmireach-WMI-RPCSS-In-TCP" dir=in action=allow enable=yes profile=domain remoteip=198.51.100.7 program="%systemroot%\system32\svchost.exe" service=rpcss protocol=TCP localport=135

rem s2. Admit the WMI service (winmgmt) on Computer B's firewall, from 198.51.100.7 only
rem Why: A rule of its own, wmireach-WMI-WINMGMT-In-TCP, for the domain profile only, scoped to 198.51.100.7: tighter than the built-in WMI-WINMGMT-In-TCP-NoScope; the built-in rules' scope can only be changed by their localized display names in netsh (facts sec. 2.2.2-2.2.3, sec. 12.2), a rule of our own is the same in every language and is removed cleanly.
rem Rules: WR501, WR502
echo s2: applying
netsh advfirewall firewall delete rule name="wmireach-WMI-WINMGMT-In-TCP" >nul 2>&1
netsh advfirewall firewall add rule name="wmireach-WMI-WINMGMT-In-TCP" dir=in action=allow enable=yes profile=domain remoteip=198.51.100.7 program="%systemroot%\system32\svchost.exe" service=winmgmt protocol=TCP localport=any

echo Done.
endlocal
exit /b 0
