@echo off
setlocal EnableExtensions DisableDelayedExpansion
rem wmireach remediation plan for B (Windows Server 2003 SP1/SP2/R2), Computer B, the target.
rem Run as Administrator. Prior registry values are appended to the log below.
net session >nul 2>&1 || (echo Run this script as Administrator. & exit /b 1)
set "WMIREACH_LOG=%~dp0wmireach-prior.log"

rem s3. Let Computer B's WMI call back anonymously (AllowAnonymousCallback=1)
rem Why: A and B share no trust, so B's callback reaches A as ANONYMOUS LOGON, which WMI refuses unless AllowAnonymousCallback=1 (facts sec. 7.3-7.4 [S1][S83]).
rem WIDENS ATTACK SURFACE: RISKY: B's WMI may then call any client back without authentication; the callback can be spoofed or tampered with. Only for async calls without trust (facts sec. 7.3 [S1]); semisync avoids it.
rem Rules: WR804
echo s3: applying
reg query "HKLM\SOFTWARE\Microsoft\WBEM\CIMOM" /v "AllowAnonymousCallback" >>"%WMIREACH_LOG%" 2>&1
reg add "HKLM\SOFTWARE\Microsoft\WBEM\CIMOM" /v "AllowAnonymousCallback" /t REG_DWORD /d "1" /f

echo Done.
endlocal
exit /b 0
