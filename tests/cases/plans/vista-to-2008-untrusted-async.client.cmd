@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for A (Windows Vista), Computer A, the client.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s5. Admit the callback sink (unsecapp.exe) on Computer A's firewall (domain profile)
rem Why: The built-in rule WMI-ASYNC-In-TCP-NoScope ships disabled; enabling only this rule, for the domain profile the computer is on, opens nothing else of the WMI group.
rem Rules: WR801, WR802
echo s5: applying
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain program="%systemroot%\system32\wbem\unsecapp.exe" new enable=yes

rem s7. Grant ANONYMOUS LOGON Remote Access in Computer A's DCOM machine limits
rem Why: Without trust the callback arrives as ANONYMOUS LOGON, which the default limits allow local access only; the callback then fails with 0x8007000E or 0x80070005 (facts sec. 4.6, sec. 4.8, sec. 7.2 [S2][S6][S16]).
rem WIDENS ATTACK SURFACE: RISKY: any unauthenticated computer may then call DCOM servers on A that allow it. Only for async calls without trust; semisync avoids it (facts sec. 7.2, sec. 7.7).
rem Rules: WR805
echo s7: applying
rem MANUAL: Grant ANONYMOUS LOGON remote-access in the DCOM machine limits: cmd has no tool for the DCOM security descriptors; use the PowerShell format (Windows 8 / 2012 and later) or dcomcnfg
rem By hand: dcomcnfg / Component Services / Computers / My Computer / Properties / COM Security / Access Permissions / Edit Limits / ANONYMOUS LOGON / Remote Access
echo MANUAL STEP: Grant ANONYMOUS LOGON remote-access in the DCOM machine limits: cmd has no tool for the DCOM security descriptors; use the PowerShell format (Windows 8 / 2012 and later) or dcomcnfg

echo Done.
endlocal
exit /b 0
