"""Write the generated reference pages: docs/hresults.md, docs/releases.md, docs/img/model.svg.

docs/hresults.md comes from wmireach's code tables (through :class:`wmireach.HResult`), the rule
registry and the diagnosis's causes outside configuration; docs/releases.md from
:data:`wmireach.windows.RELEASES`; docs/img/model.svg is wmireach's own connection diagram of
an asynchronous call across a workgroup with its plan (both connections, both firewalls, the
steps on each computer), shown on docs/how-it-decides.md. The HRESULT page lists in full the
codes remote WMI, RPC and DCOM produce, and summarises every other facility (``wmireach
explain`` decodes them all).

Usage::

    python tools/gen_reference_docs.py          # rewrite both pages
    python tools/gen_reference_docs.py --check  # exit 1 if either page is stale

Exit status: 0 done / up to date, 1 stale (with --check), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from wmireach._tables import _generated as generated_table
from wmireach._tables import facility_names
from wmireach.diagnosis import EXTERNAL_CAUSES
from wmireach.hresult import HResult, from_win32
from wmireach.rules import RULES
from wmireach.testing.hresult_strategies import REMOTE_WMI_CODES
from wmireach.windows import (
    HARDENING_ENABLED_BY_DEFAULT,
    HARDENING_ENFORCED,
    HARDENING_OPT_IN,
    RELEASES,
    HardeningPhase,
)

ROOT = Path(__file__).resolve().parent.parent
HRESULTS = ROOT / "docs" / "hresults.md"
RELEASES_PAGE = ROOT / "docs" / "releases.md"
MODEL_SVG = ROOT / "docs" / "img" / "model.svg"


def _header(inputs: str) -> str:
    return (
        "<!-- GENERATED FILE - DO NOT EDIT BY HAND.\n"
        f"     Generator: tools/gen_reference_docs.py (inputs: {inputs})\n"
        "     Regenerate with `python tools/gen_reference_docs.py`; CI fails when this file is "
        "stale. -->\n"
    )


def _cell(text: str | None) -> str:
    if not text:
        return "-"
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _names(hr: HResult) -> str:
    return ", ".join(f"`{n}`" for n in hr.names) or "-"


def _code_table(values: Iterable[int], *, extra: dict[int, str] | None = None) -> list[str]:
    """One row per value: hex, signed decimal, names, message (and an extra column)."""
    head = "| Code | Signed | Names | Message |"
    rule = "|---|---|---|---|"
    if extra is not None:
        head += " Causes |"
        rule += "---|"
    lines = [head, rule]
    for value in values:
        hr = HResult(value)
        row = f"| `{hr.hex}` | {hr.signed} | {_names(hr)} | {_cell(hr.message)} |"
        if extra is not None:
            row += f" {extra.get(value, '-')} |"
        lines.append(row)
    return lines


def _causes_by_code() -> dict[int, str]:
    causes: dict[int, list[str]] = defaultdict(list)
    for rule in RULES:
        causes[rule.failure].append(f"[{rule.id}](rules.md#{rule.id.lower()})")
    for cause in EXTERNAL_CAUSES.values():
        for code in cause.codes:
            causes[code].append(cause.id)
    return {code: ", ".join(dict.fromkeys(ids)) for code, ids in causes.items()}


def _sdk_hresults() -> dict[int, tuple[str, ...]]:
    table: dict[int, tuple[str, ...]] = generated_table("generated_hresult").NAMES
    return table


def _wbem_values() -> list[int]:
    table: dict[int, object] = generated_table("generated_wbem").ENTRIES
    return sorted(v for v in table if v & 0xFFFF0000 in (0x80040000, 0x00040000))


def _dce_values() -> list[int]:
    table: dict[int, object] = generated_table("generated_dce").ENTRIES
    return sorted(table)


def _dce_table() -> list[str]:
    table: dict[int, tuple[tuple[str, str, str], ...]] = generated_table("generated_dce").ENTRIES
    lines = ["| Status | Names | Message | Source |", "|---|---|---|---|"]
    for value in _dce_values():
        entries = table[value]
        names = ", ".join(f"`{name}`" for name, _m, _s in entries)
        message = next((m for _n, m, _s in entries if m), "") or HResult(value).message
        sources = "; ".join(dict.fromkeys(s for _n, _m, s in entries))
        lines.append(f"| `0x{value:08X}` | {names} | {_cell(message)} | {_cell(sources)} |")
    return lines


def _rpc_win32_values() -> list[int]:
    """RPC runtime and endpoint mapper errors (Win32 1700-1999) that have a name."""
    return [from_win32(code) for code in range(1700, 2000) if HResult(from_win32(code)).name]


def _facility_values(facility: int) -> list[int]:
    return sorted(v for v in _sdk_hresults() if (v >> 16) & 0x7FF == facility and v >> 31)


def _com_activation_values() -> list[int]:
    """CO_E_* / CO_S_* codes outside FACILITY_RPC (COM activation, mostly FACILITY_ITF/WINDOWS)."""
    return sorted(
        v
        for v, names in _sdk_hresults().items()
        if (v >> 16) & 0x7FF != 1 and any(n.startswith(("CO_E_", "CO_S_")) for n in names)
    )


def _facility_summary() -> list[str]:
    counts = Counter((v >> 16) & 0x7FF for v in _sdk_hresults())
    listed = {0x1: "[below](#dcom-and-rpc-facility_rpc)", 0x4: "partly, [below](#wmi-status-codes)"}
    listed[0x7] = "RPC range [below](#rpc-runtime-errors-win32-1700-1999)"
    lines = [
        "| Facility | Names | Named codes | Listed here |",
        "|---|---|---|---|",
    ]
    for number in sorted(counts):
        names = ", ".join(f"`{n}`" for n in facility_names(number)) or "(no name in winerror.h)"
        lines.append(f"| {number} | {names} | {counts[number]} | {listed.get(number, '-')} |")
    return lines


def render_hresults() -> str:
    """The HRESULT reference page, deterministic."""
    known = sorted(set(REMOTE_WMI_CODES) | set(_causes_by_code()))
    wbem = _wbem_values()
    rpc = _rpc_win32_values()
    dcom = _facility_values(1)
    com = _com_activation_values()
    dce = _dce_values()
    lines = [
        _header("wmireach's code tables, wmireach.rules.RULES, wmireach.diagnosis.EXTERNAL_CAUSES"),
        "# HRESULT reference",
        "",
        "The codes remote WMI, RPC and DCOM fail with, in full, as wmireach decodes them; every",
        "other facility in summary. Any 32-bit value decodes, so for a code not listed here run",
        "`wmireach explain CODE` (or `wmireach.decode(CODE)`). How a code is made up and how",
        "each spelling is read is on [Decoding codes](explain.md). Names and messages come from",
        "the tables described in the README (mingw-w64's `winerror.h`, `ntstatus.h` and",
        "`wbemcli.h`; Microsoft's \"WMI Error Constants\"; C706 and [MS-RPCE]; impacket's",
        "plain-data error modules).",
        "",
        "Contents:",
        "",
        f"- [Codes with a known remote-WMI cause](#codes-with-a-known-remote-wmi-cause) "
        f"({len(known)})",
        f"- [WMI status codes](#wmi-status-codes) ({len(wbem)})",
        f"- [RPC runtime errors (Win32 1700-1999)](#rpc-runtime-errors-win32-1700-1999) "
        f"({len(rpc)})",
        f"- [DCOM and RPC: FACILITY_RPC](#dcom-and-rpc-facility_rpc) ({len(dcom)})",
        f"- [COM activation codes in other facilities](#com-activation-codes-in-other-facilities)"
        f" ({len(com)})",
        f"- [DCE and MS-RPC fault statuses](#dce-and-ms-rpc-fault-statuses) ({len(dce)})",
        "- [Every facility](#every-facility)",
        "",
        "## Codes with a known remote-WMI cause",
        "",
        "The failure codes of the model's rules (linked to the [rule reference](rules.md)), of",
        "the diagnosis's causes outside configuration (`WX..`, see [Diagnosis](diagnose.md)), and",
        "the codes remote WMI fails with most (facts: remote-wmi.md §9.1).",
        "",
        *_code_table(known, extra=_causes_by_code()),
        "",
        "## WMI status codes",
        "",
        "`WBEM_E_*` (failures, `0x8004xxxx`) and `WBEM_S_*` (successes, `0x0004xxxx`) in",
        "FACILITY_ITF, with Microsoft's messages.",
        "",
        *_code_table(wbem),
        "",
        "## RPC runtime errors (Win32 1700-1999)",
        "",
        "`RPC_S_*`, `RPC_X_*` and `EPT_S_*` arrive as `HRESULT_FROM_WIN32` values (`0x800706xx`,",
        "`0x800707xx`): 1722 `RPC_S_SERVER_UNAVAILABLE` is `0x800706BA`.",
        "",
        *_code_table(rpc),
        "",
        "## DCOM and RPC: FACILITY_RPC",
        "",
        "`RPC_E_*` and `CO_E_*` failures in facility 1 (`0x8001xxxx`).",
        "",
        *_code_table(dcom),
        "",
        "## COM activation codes in other facilities",
        "",
        "`CO_E_*` and `CO_S_*` codes outside FACILITY_RPC, such as `0x80080005`",
        "`CO_E_SERVER_EXEC_FAILURE`.",
        "",
        *_code_table(com),
        "",
        "## DCE and MS-RPC fault statuses",
        "",
        "The status in an RPC fault PDU, as impacket and network traces show it: Win32 numbers,",
        "NCA codes (`nca_s_*`, `0x1C0xxxxx`) and OSF DCE statuses (`0x16C9Axxx`). These are raw",
        "statuses, not HRESULTs.",
        "",
        *_dce_table(),
        "",
        "## Every facility",
        "",
        "How many codes `winerror.h` names in each HRESULT facility. Codes of facilities not",
        "listed above decode the same way: `wmireach explain 0x8007xxxx` prints the name, message",
        "and parts of any of them.",
        "",
        *_facility_summary(),
    ]
    return "\n".join(lines) + "\n"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render_releases() -> str:
    """The release matrix page, deterministic: releases oldest first."""
    lines = [
        _header("wmireach.windows.RELEASES"),
        "# Release matrix",
        "",
        "What remote WMI depends on in each Windows release wmireach models, from",
        "`wmireach.windows.RELEASES`. Release identifiers and aliases are what `--client-os` and",
        "`--target-os` accept (builds too, e.g. `19045`).",
        "",
        "| Release | NT | Builds | Firewall | On by default | netsh | NetSecurity | UAC "
        "| Dynamic RPC ports | wmic | DCOM limits | Distributed COM Users | Fixed WMI port |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in RELEASES:
        builds = (
            str(r.builds.first)
            if r.builds.first == r.builds.last
            else f"{r.builds.first}-{r.builds.last}"
        )
        netsh = ", ".join(c.value for c in r.netsh_contexts)
        ports = f"{r.rpc_dynamic_ports[0]}-{r.rpc_dynamic_ports[1]}"
        lines.append(
            f"| [{r.display_name}](#{r.identifier.replace('.', '')}) | {r.nt_version} | {builds} "
            f"| {r.firewall.value} | {_yes(r.firewall_on_by_default)} | {netsh} "
            f"| {_yes(r.netsecurity_cmdlets)} | {_yes(r.uac)} | {ports} | {r.wmic.value} "
            f"| {_yes(r.dcom_machine_limits)} | {_yes(r.distributed_com_users)} "
            f"| {_yes(r.standalone_wmi_host)} |"
        )
    lines += [
        "",
        "Columns: the firewall kind (`icf` Internet Connection Firewall, `windows-firewall`",
        "XP SP2/2003 SP1, `wfas` Windows Firewall with Advanced Security) and whether it is on",
        "out of the box; the `netsh` contexts able to configure it (preferred first); whether the",
        "PowerShell NetSecurity cmdlets exist; UAC (remote token filtering of local",
        "administrators); the dynamic RPC port range; `wmic`'s status; whether DCOM machine-wide",
        "launch/access limits and the Distributed COM Users group exist; whether",
        "`winmgmt /standalonehost` can put WMI on a fixed port.",
        "",
        "## DCOM hardening phases",
        "",
        "The DCOM activation hardening (CVE-2021-26414, KB5004442) depends on the target's",
        "latest update, not on its release (facts: remote-wmi.md §8.1). A target whose update",
        "date is unknown is taken as enforced.",
        "",
        "| Phase | From | Meaning |",
        "|---|---|---|",
        f"| `{HardeningPhase.NONE.value}` | - | before the June 2021 update: no hardening |",
        f"| `{HardeningPhase.OPT_IN.value}` | {HARDENING_OPT_IN} | off by default; "
        "`RequireIntegrityActivationAuthenticationLevel=1` turns it on |",
        f"| `{HardeningPhase.ENABLED_BY_DEFAULT.value}` | {HARDENING_ENABLED_BY_DEFAULT} | on by "
        "default; the registry value 0 turns it off |",
        f"| `{HardeningPhase.ENFORCED.value}` | {HARDENING_ENFORCED} | always on; the registry "
        "value is ignored |",
        "",
        "## Releases",
    ]
    for r in RELEASES:
        editions = ", ".join(sorted(e.value for e in r.editions_without_remote_wmi)) or "none"
        lines += [
            "",
            f"### {r.display_name} {{#{r.identifier.replace('.', '')}}}",
            "",
            f"- Identifier: `{r.identifier}`"
            + (f"; aliases: {', '.join(f'`{a}`' for a in r.aliases)}" if r.aliases else ""),
            f"- Editions that refuse remote WMI: {editions}",
            *(f"- Note: {note}" for note in r.notes),
            "",
            "Sources:",
            "",
            *(f"- {_cell(source)}" for source in r.sources),
        ]
    return "\n".join(lines) + "\n"


def render_model_svg() -> str:
    """The diagram of the model: Windows 11 to Server 2022 across a workgroup, async, planned."""
    from wmireach.drawing import diagram
    from wmireach.planning import plan
    from wmireach.testing.scenario_options import scenario_from_options

    scenario = scenario_from_options(
        client_os="win11",
        target_os="server2022",
        trust="workgroup",
        account="local-admin",
        account_name="wmiadmin",
        call_mode="async",
        client_address="192.0.2.10",
    )
    return diagram(plan(scenario))


PAGES = {HRESULTS: render_hresults, RELEASES_PAGE: render_releases, MODEL_SVG: render_model_svg}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a page is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, render in PAGES.items():
        new = render()
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != new:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, encoding="utf-8", newline="\n")
    for path in stale:
        print(
            f"{path.relative_to(ROOT)} is stale; run python tools/gen_reference_docs.py",
            file=sys.stderr,
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
