@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for A (Windows XP SP2/SP3), Computer A, the client.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s1. Allow the sink program %%windir%%\system32\wbem\unsecapp.exe through Computer A's firewall
rem Why: Asynchronous results come back on Connection 2 into the sink program on A (facts sec. 2.4.4, sec. 7.1 [S2]).
rem WIDENS ATTACK SURFACE: The sink accepts callbacks from any address; give the target's address to scope it.
rem Rules: WR801
echo s1: applying
netsh firewall set allowedprogram program="%systemroot%\system32\wbem\unsecapp.exe" name="UNSECAPP" mode=ENABLE scope=ALL profile=STANDARD >nul 2>&1 || netsh firewall add allowedprogram program="%systemroot%\system32\wbem\unsecapp.exe" name="UNSECAPP" mode=ENABLE scope=ALL profile=STANDARD

rem s2. Open TCP 135 on Computer A's firewall
rem Why: The endpoint mapper on TCP 135 must be reachable for the callback into A's sink (facts sec. 2.4.4 [S2]).
rem WIDENS ATTACK SURFACE: TCP 135 is open to any address; give the peer's address to scope it.
rem Rules: WR803
echo s2: applying
netsh firewall set portopening protocol=TCP port=135 name="DCOM_TCP135" mode=ENABLE scope=ALL profile=STANDARD >nul 2>&1 || netsh firewall add portopening protocol=TCP port=135 name="DCOM_TCP135" mode=ENABLE scope=ALL profile=STANDARD

rem s4. Grant ANONYMOUS LOGON Remote Access in Computer A's DCOM machine limits
rem Why: Without trust the callback arrives as ANONYMOUS LOGON, which the default limits allow local access only; the callback then fails with 0x8007000E or 0x80070005 (facts sec. 4.6, sec. 4.8, sec. 7.2 [S2][S6][S16]).
rem WIDENS ATTACK SURFACE: RISKY: any unauthenticated computer may then call DCOM servers on A that allow it. Only for async calls without trust; semisync avoids it (facts sec. 7.2, sec. 7.7).
rem Rules: WR805
echo s4: applying
rem MANUAL: Grant ANONYMOUS LOGON remote-access in the DCOM machine limits: cmd has no tool for the DCOM security descriptors; use the PowerShell format (Windows 8 / 2012 and later) or dcomcnfg
rem By hand: dcomcnfg / Component Services / Computers / My Computer / Properties / COM Security / Access Permissions / Edit Limits / ANONYMOUS LOGON / Remote Access
echo MANUAL STEP: Grant ANONYMOUS LOGON remote-access in the DCOM machine limits: cmd has no tool for the DCOM security descriptors; use the PowerShell format (Windows 8 / 2012 and later) or dcomcnfg

echo Done.
endlocal
exit /b 0
