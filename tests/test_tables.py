"""The code tables: coverage of the SDK headers, freshness, and the lookup shortcuts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from wmireach import HResult, decode, from_win32
from wmireach._tables import generated_dce, generated_wbem

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = Path("/usr/share/mingw-w64/include")
needs_headers = pytest.mark.skipif(
    not (INCLUDE / "winerror.h").exists(),
    reason="the SDK headers come from Debian's mingw-w64-common (.ci/run installs it)",
)


def _gen_tables() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_tables", ROOT / "tools" / "gen_tables.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_headers
def test_generated_tables_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_tables.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@needs_headers
@pytest.mark.parametrize("header", ["winerror.h", "ntstatus.h", "wbemcli.h"])
def test_names_cover_at_least_99_percent_of_each_header(header: str) -> None:
    gen = _gen_tables()
    text = (INCLUDE / header).read_text(errors="replace")
    if header == "winerror.h":
        win32, hresult, _ = gen.parse_winerror(text)
        defined = {n: from_win32(v) for n, v in win32.items()} | dict(hresult.items())
    elif header == "ntstatus.h":
        defined = gen.parse_ntstatus(text)[0]
    else:
        defined = gen.parse_wbemstatus(text)
    # A name counts when decoding it gives its value and the value's names include it.
    named = [n for n, v in defined.items() if decode(n).value == v and n in HResult(v).names]
    coverage = len(named) / len(defined)
    assert coverage >= 0.99, sorted(set(defined) - set(named))[:20]


def test_wbem_shortcut_matches_table() -> None:
    # _tables.wbem_entries skips the table outside 0, 1, 0x0004xxxx and 0x8004xxxx.
    assert all(v <= 1 or v & 0x7FFF0000 == 0x00040000 for v in generated_wbem.ENTRIES)


def test_dce_shortcut_matches_table() -> None:
    # _tables.dce_entries skips the table outside Win32 numbers, 0x1C0xxxxx and 0x16Cxxxxx.
    assert all(v <= 0xFFFF or v >> 20 in (0x1C0, 0x16C) for v in generated_dce.ENTRIES)


def test_every_wbem_row_has_a_source() -> None:
    for entries in generated_wbem.ENTRIES.values():
        for name, _message, source in entries:
            assert name and source


def test_impacket_data_loads_without_impacket_package_init() -> None:
    code = (
        "import sys, wmireach; wmireach.decode(0x80070005).message; "
        "print('impacket' in sys.modules, 'logging' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_impacket_hresult_names_of_win32_codes_are_in_the_sdk_tables() -> None:
    # HResult.names skips impacket's HRESULT table for 0x8007xxxx codes on this ground.
    from wmireach._tables import Kind, _impacket_table, sdk_names

    for value, (name, _message) in _impacket_table(Kind.HRESULT).items():
        if value >> 16 == 0x8007:
            known = sdk_names(Kind.HRESULT, value) + sdk_names(Kind.WIN32, value & 0xFFFF)
            assert name in known, (hex(value), name)
