@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for B (Windows Server 2008), Computer B, the target.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s1. Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall (domain profile)
rem Why: The built-in rule WMI-RPCSS-In-TCP-NoScope ships disabled; enabling only this rule, for the domain profile the computer is on, opens nothing else of the WMI group.
rem Rules: WR101, WR102
echo s1: applying
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain localport=135 protocol=tcp new enable=yes

rem s2. Add B\wmiadmin to Distributed COM Users on Computer B
rem Why: The account lacks Remote Launch and Remote Activation in B's machine-wide DCOM limits once remote UAC strips its administrator token; membership of Distributed COM Users grants exactly the DCOM rights WMI needs without making it an administrator.
rem WIDENS ATTACK SURFACE: Distributed COM Users may launch, activate and access every DCOM server on B remotely (a machine-wide limit), not only WMI.
rem Rules: WR403, WR404
echo s2: applying
rem The group name is localized; on non-English Windows use the local name of S-1-5-32-562.
net localgroup "Distributed COM Users" "B\wmiadmin" /add || echo Already a member, or see the error above (1378 means already a member).
rem Note: The account must log on again for the membership to count.

rem s3. Admit the WMI service (winmgmt) on Computer B's firewall (domain profile)
rem Why: The built-in rule WMI-WINMGMT-In-TCP-NoScope ships disabled; enabling only this rule, for the domain profile the computer is on, opens nothing else of the WMI group.
rem Rules: WR501, WR502
echo s3: applying
netsh advfirewall firewall set rule group="@FirewallAPI.dll,-34251" dir=in profile=domain service=winmgmt new enable=yes

rem s4. Grant B\wmiadmin Remote Enable on root\cimv2 on Computer B
rem Why: Remote Enable is held by Administrators only by default; without it the namespace login fails with 0x80041003 (facts sec. 5.1-5.3 [S6][S8][S16]). The ACE grants Enable Account and Remote Enable on this namespace only.
rem Rules: WR601
echo s4: applying
rem MANUAL: Grant B\wmiadmin rights 0x21 on root\cimv2 (this namespace only): cmd has no tool for namespace security; use the PowerShell format (Vista and later) or wmimgmt.msc
rem By hand: wmimgmt.msc / WMI Control / Properties / Security / root\cimv2 / Security / Add / Remote Enable
echo MANUAL STEP: Grant B\wmiadmin rights 0x21 on root\cimv2 (this namespace only): cmd has no tool for namespace security; use the PowerShell format (Vista and later) or wmimgmt.msc

rem s6. Let Computer B's WMI call back anonymously (AllowAnonymousCallback=1)
rem Why: A and B share no trust, so B's callback reaches A as ANONYMOUS LOGON, which WMI refuses unless AllowAnonymousCallback=1 (facts sec. 7.3-7.4 [S1][S83]).
rem WIDENS ATTACK SURFACE: RISKY: B's WMI may then call any client back without authentication; the callback can be spoofed or tampered with. Only for async calls without trust (facts sec. 7.3 [S1]); semisync avoids it.
rem Rules: WR804
echo s6: applying
reg query "HKLM\SOFTWARE\Microsoft\WBEM\CIMOM" /v "AllowAnonymousCallback" >>"%WMIREACH_LOG%" 2>&1
reg add "HKLM\SOFTWARE\Microsoft\WBEM\CIMOM" /v "AllowAnonymousCallback" /t REG_DWORD /d "1" /f

echo Done.
endlocal
exit /b 0
