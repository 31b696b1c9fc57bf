@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for A (Windows 10), Computer A, the client.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s3. Admit the callback sink (unsecapp.exe) on Computer A's firewall (domain profile)
rem Why: The built-in rule WMI-ASYNC-In-TCP-NoScope ships disabled; enabling only this rule, for the domain profile the computer is on, opens nothing else of the WMI group.
rem Rules: WR801, WR802
echo s3: applying
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain program="%systemroot%\system32\wbem\unsecapp.exe" new enable=yes

echo Done.
endlocal
exit /b 0
