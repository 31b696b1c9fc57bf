"""Regenerate wmireach's code tables from their sources.

Inputs (each recorded, with its SHA-256, in the header of every file this writes):

- the mingw-w64 project's Windows SDK headers ``winerror.h``, ``ntstatus.h`` and ``wbemcli.h``
  (Debian package ``mingw-w64-common``; default directory ``/usr/share/mingw-w64/include``):
  the symbolic names and values of Win32 errors, HRESULTs, NTSTATUS values, facilities and
  WBEMSTATUS;
- ``tools/data/wbem_status.tsv``: WMI status names with Microsoft's message text ("WMI Error
  Constants", Microsoft Learn);
- ``tools/data/dce_rpc_faults.tsv``: DCE/MS-RPC fault status codes ([MS-RPCE], C706).

Messages for Win32, HRESULT and NTSTATUS codes are not generated: the library reads them from
impacket's own tables at run time (see ``src/wmireach/_tables/__init__.py``).

Usage::

    python tools/gen_tables.py            # rewrite src/wmireach/_tables/generated_*.py
    python tools/gen_tables.py --check    # exit 1 if any generated file is stale
    python tools/gen_tables.py --include DIR

Exit status: 0 done / up to date, 1 stale (with --check), 2 bad usage, 3 an input is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "src" / "wmireach" / "_tables"
DATA_DIR = ROOT / "tools" / "data"
DEFAULT_INCLUDE = Path("/usr/share/mingw-w64/include")

_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)\s+(.+?)\s*(?:/[/*].*)?$")
_NUMBER = r"(0[xX][0-9A-Fa-f]+|\d+)[uUlL]*"
_WIN32_FORMS = (
    re.compile(rf"^__MSABI_LONG\(\s*{_NUMBER}\s*\)$"),
    re.compile(rf"^\(\s*WSABASEERR\s*\+\s*{_NUMBER}\s*\)$"),
)
_HRESULT_FORMS = (
    re.compile(rf"^_HRESULT_TYPEDEF_\(\s*{_NUMBER}\s*\)$"),
    re.compile(rf"^\(\(HRESULT\)\s*{_NUMBER}\s*\)$"),
)
_PLAIN = re.compile(rf"^\(?\s*{_NUMBER}\s*\)?$")
_ALIAS = re.compile(r"^\(?\s*([A-Za-z_]\w*)\s*\)?$")
_FROM_WIN32 = re.compile(r"^HRESULT_FROM_WIN32\(\s*([A-Za-z_]\w*)\s*\)$")
_NTSTATUS = re.compile(rf"^\(\(NTSTATUS\)\s*{_NUMBER}\s*\)$")
_ENUM_ITEM = re.compile(rf"^\s*([A-Za-z_]\w*)\s*=\s*(-?){_NUMBER}\s*,?\s*$")

#: Macros that are range markers or layout constants, not codes.
_NOT_CODES = re.compile(r"(_FIRST|_LAST|_BASE|_MASK)$|^(FACILITY_|SEVERITY_|__)|^WSABASEERR$")
WSABASEERR = 10000


class InputMissing(Exception):
    """A source file the tables are built from is not on this machine."""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError as exc:
        raise InputMissing(str(path)) from exc


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _int(text: str) -> int:
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def parse_winerror(text: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Return (win32 name -> code, hresult name -> value, facility name -> number)."""
    win32: dict[str, int] = {}
    hresult: dict[str, int] = {}
    facility: dict[str, int] = {}
    aliases: list[tuple[str, str, bool]] = []  # (name, target, through HRESULT_FROM_WIN32)
    for line in text.splitlines():
        match = _DEFINE.match(line)
        if not match:
            continue
        name, body = match.group(1), match.group(2).strip()
        if name.startswith("FACILITY_"):
            plain = _PLAIN.match(body)
            if plain:
                facility[name] = _int(plain.group(1))
            continue
        if _NOT_CODES.search(name):
            continue
        for form in _WIN32_FORMS:
            m = form.match(body)
            if m:
                value = _int(m.group(1))
                win32[name] = value + (WSABASEERR if "WSABASEERR" in body else 0)
                break
        else:
            for form in _HRESULT_FORMS:
                m = form.match(body)
                if m:
                    hresult[name] = _int(m.group(1)) & 0xFFFFFFFF
                    break
            else:
                if m := _PLAIN.match(body):
                    value = _int(m.group(1)) & 0xFFFFFFFF
                    (hresult if value > 0xFFFF else win32)[name] = value
                elif m := _FROM_WIN32.match(body):
                    aliases.append((name, m.group(1), True))
                elif m := _ALIAS.match(body):
                    aliases.append((name, m.group(1), False))
    # Aliases may point at names defined later, or at other aliases: resolve to a fixed point.
    pending = aliases
    while pending:
        unresolved = []
        for name, target, from_win32 in pending:
            if from_win32 and target in win32:
                hresult[name] = _hresult_from_win32(win32[target])
            elif not from_win32 and target in win32:
                win32[name] = win32[target]
            elif not from_win32 and target in hresult:
                hresult[name] = hresult[target]
            else:
                unresolved.append((name, target, from_win32))
        if len(unresolved) == len(pending):
            missing = ", ".join(f"{n} -> {t}" for n, t, _ in unresolved)
            raise ValueError(f"winerror.h: aliases that resolve to nothing: {missing}")
        pending = unresolved
    return win32, hresult, facility


def _hresult_from_win32(code: int) -> int:
    # HRESULT_FROM_WIN32 (facts §10.4): values <= 0 pass through, others map to 0x8007xxxx.
    if code == 0 or code & 0x80000000:
        return code
    return (code & 0xFFFF) | 0x80070000


def parse_ntstatus(text: str) -> tuple[dict[str, int], dict[str, int]]:
    """Return (NTSTATUS name -> value, NT facility name -> number)."""
    out: dict[str, int] = {}
    facility: dict[str, int] = {}
    for line in text.splitlines():
        match = _DEFINE.match(line)
        if not match:
            continue
        name, body = match.group(1), match.group(2).strip()
        if m := _NTSTATUS.match(body):
            out[name] = _int(m.group(1)) & 0xFFFFFFFF
        elif name.startswith("FACILITY_") and (m := _PLAIN.match(body)):
            facility[name] = _int(m.group(1))
    return out, facility


def parse_wbemstatus(text: str) -> dict[str, int]:
    """Return name -> value for the members of ``enum tag_WBEMSTATUS`` in wbemcli.h."""
    start = text.find("typedef enum tag_WBEMSTATUS {")
    if start < 0:
        raise ValueError("wbemcli.h: enum tag_WBEMSTATUS not found")
    end = text.find("}", start)
    out: dict[str, int] = {}
    for line in text[start:end].splitlines()[1:]:
        m = _ENUM_ITEM.match(line)
        if m:
            value = _int(m.group(3)) * (-1 if m.group(2) else 1)
            out[m.group(1)] = value & 0xFFFFFFFF
    return out


def read_tsv(path: Path) -> list[tuple[int, str, str, str]]:
    """Rows (value, name, message, source) of one of the sourced data files."""
    rows: list[tuple[int, str, str, str]] = []
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if fields[:2] == ["value", "name"]:
            continue
        if len(fields) != 4:
            raise ValueError(f"{path}:{number}: expected 4 tab-separated fields, got {len(fields)}")
        value, name, message, source = fields
        rows.append((_int(value) & 0xFFFFFFFF, name.strip(), message.strip(), source.strip()))
    return rows


def _by_value(pairs: Iterable[tuple[str, int]]) -> dict[int, tuple[str, ...]]:
    grouped: dict[int, list[str]] = {}
    for name, value in pairs:
        names = grouped.setdefault(value, [])
        if name not in names:
            names.append(name)
    return {value: tuple(grouped[value]) for value in sorted(grouped)}


def _header(description: str, inputs: list[Path]) -> str:
    lines = [
        f'"""{description}',
        "",
        "Generated by tools/gen_tables.py -- do not edit; run `python tools/gen_tables.py`.",
        "Inputs:",
    ]
    for path in inputs:
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        lines.append(f"  {shown}  sha256={_sha(path)}")
    lines.append('"""')
    return "\n".join(lines) + "\n"


def _names_module(description: str, inputs: list[Path], table: dict[int, tuple[str, ...]]) -> str:
    body = [_header(description, inputs), "# fmt: off", "NAMES: dict[int, tuple[str, ...]] = {"]
    for value, names in table.items():
        body.append(f"    0x{value:08X}: {names!r},")
    body.append("}")
    return "\n".join(body) + "\n"


def _described_module(
    description: str, inputs: list[Path], rows: list[tuple[int, str, str, str]]
) -> str:
    body = [
        _header(description, inputs),
        "# fmt: off",
        "#: value -> ((name, message, source), ...)",
        "ENTRIES: dict[int, tuple[tuple[str, str, str], ...]] = {",
    ]
    grouped: dict[int, list[tuple[str, str, str]]] = {}
    for value, name, message, source in sorted(rows):
        grouped.setdefault(value, []).append((name, message, source))
    for value in sorted(grouped):
        body.append(f"    0x{value:08X}: {tuple(grouped[value])!r},")
    body.append("}")
    return "\n".join(body) + "\n"


def build(include: Path) -> dict[str, str]:
    """Return file name -> content of every generated table."""
    winerror_h, ntstatus_h, wbemcli_h = (
        include / n for n in ("winerror.h", "ntstatus.h", "wbemcli.h")
    )
    win32, hresult, facility = parse_winerror(_read(winerror_h))
    ntstatus, nt_facility = parse_ntstatus(_read(ntstatus_h))
    wbem_header = parse_wbemstatus(_read(wbemcli_h))
    wbem_tsv, dce_tsv = DATA_DIR / "wbem_status.tsv", DATA_DIR / "dce_rpc_faults.tsv"
    wbem_rows = read_tsv(wbem_tsv)
    documented = {(value, name) for value, name, _, _ in wbem_rows}
    for name, value in wbem_header.items():
        if (value, name) not in documented:
            wbem_rows.append((value, name, "", "wbemcli.h (mingw-w64)"))
    return {
        "generated_win32.py": _names_module(
            "Win32 error codes: code -> symbolic names (winerror.h).",
            [winerror_h],
            _by_value(win32.items()),
        ),
        "generated_hresult.py": _names_module(
            "HRESULT values: unsigned value -> symbolic names (winerror.h).",
            [winerror_h],
            _by_value(hresult.items()),
        ),
        "generated_ntstatus.py": _names_module(
            "NTSTATUS values: unsigned value -> symbolic names (ntstatus.h).",
            [ntstatus_h],
            _by_value(ntstatus.items()),
        ),
        "generated_facilities.py": _names_module(
            "HRESULT facilities: number -> FACILITY_ names (winerror.h).",
            [winerror_h],
            _by_value(facility.items()),
        ),
        "generated_nt_facilities.py": _names_module(
            "NTSTATUS facilities: number -> FACILITY_ names (ntstatus.h).",
            [ntstatus_h],
            _by_value(nt_facility.items()),
        ),
        "generated_wbem.py": _described_module(
            "WMI status codes (WBEMSTATUS) with Microsoft's messages.",
            [wbem_tsv, wbemcli_h],
            wbem_rows,
        ),
        "generated_dce.py": _described_module(
            "DCE / MS-RPC fault status codes as they come back in an RPC fault PDU.",
            [dce_tsv],
            read_tsv(dce_tsv),
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, write nothing")
    parser.add_argument("--include", type=Path, default=DEFAULT_INCLUDE, help="header directory")
    args = parser.parse_args(argv)
    try:
        files = build(args.include)
    except InputMissing as exc:
        print(
            f"gen_tables: input missing: {exc} (install Debian's mingw-w64-common, "
            "or pass --include DIR)",
            file=sys.stderr,
        )
        return 3
    stale = []
    for name, content in files.items():
        path = OUT_DIR / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != content:
            stale.append(name)
            if not args.check:
                path.write_text(content, encoding="utf-8")
    if args.check and stale:
        print(
            f"gen_tables: stale: {', '.join(stale)}; run python tools/gen_tables.py",
            file=sys.stderr,
        )
        return 1
    print(f"gen_tables: {len(files)} tables {'checked' if args.check else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
