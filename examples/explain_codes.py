"""Decode the codes a remote-WMI failure report typically contains.

Run: python examples/explain_codes.py
"""

from __future__ import annotations

import wmireach

REPORTS = [
    # PowerShell's Get-WmiObject against a host behind its firewall
    "Get-WmiObject : The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)",
    # impacket's wmiexec against a user without namespace rights
    "[-] DCOM SessionError: code: 0x80041003 - WBEM_E_ACCESS_DENIED - Access denied",
    # pywin32 / VBScript: DISP_E_EXCEPTION wrapping the real error
    "(-2147352567, 'Exception occurred.', (0, 'SWbemLocator', 'Access is denied. ', None, 0, "
    "-2147024891), None)",
    # impacket when the server answers with a fault it has no name for
    "Unknown DCE RPC fault status code: 00000721",
]

for report in REPORTS:
    hr = wmireach.decode(report)
    print(f"{hr.hex}  {hr.name}: {hr.message}")

log = """\
2026-11-22 10:01:02 pid=4312 connecting to 10.0.0.5 port 135
2026-11-22 10:01:23 pid=4312 failed: error 1722
2026-11-22 10:02:11 pid=4312 retry as local admin: rpc_s_access_denied
"""
for match in wmireach.find_codes(log):
    print(
        f"line offset {match.start:>4}: {match.text!r} -> {match.hresult.hex} {match.hresult.name}"
    )
