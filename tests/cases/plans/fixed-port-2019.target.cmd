@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for B (Windows Server 2019), Computer B, the target.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s1. Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall (domain profile)
rem Why: The built-in rule WMI-RPCSS-In-TCP-NoScope ships disabled; enabling only this rule, for the domain profile the computer is on, opens nothing else of the WMI group.
rem Rules: WR101, WR102
echo s1: applying
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain localport=135 protocol=tcp new enable=yes

rem s2. Admit the WMI service (winmgmt) on Computer B's firewall (domain profile)
rem Why: The built-in rule WMI-WINMGMT-In-TCP-NoScope ships disabled; enabling only this rule, for the domain profile the computer is on, opens nothing else of the WMI group.
rem Rules: WR501, WR502
echo s2: applying
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain service=winmgmt new enable=yes

rem s3. Move WMI to its own host on fixed port 24158 on Computer B
rem Why: winmgmt /standalonehost runs WMI in its own svchost with a fixed DCOM endpoint, so the firewall path is TCP 135 plus one port (facts sec. 6.1-6.4 [S4][S5][S30]). Its level argument is set to 5 (pkt-integrity), the level the client calls at.
rem Rules: WR504
echo s3: applying
winmgmt /standalonehost 5
net stop winmgmt /y
net start winmgmt
rem Note: Restarts the WMI service (net stop winmgmt, net start winmgmt): services that depend on it restart too.

echo Done.
endlocal
exit /b 0
