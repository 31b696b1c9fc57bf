"""Lookup tables behind :mod:`wmireach.hresult`, loaded lazily on first use.

Owns: where each name and message comes from, and the indexes built over them.

- ``generated_*.py``: written by ``tools/gen_tables.py`` from the mingw-w64 SDK headers
  (winerror.h, ntstatus.h, wbemcli.h) and the sourced files in ``tools/data/`` -- never edited
  by hand.
- impacket's plain-data modules ``hresult_errors``, ``system_errors`` and ``nt_errors``: names and
  message text for HRESULT, Win32 and NTSTATUS codes. They are loaded from impacket's
  installation directly, without running ``impacket/__init__.py`` (which imports ``logging``
  and would double the cost of the first lookup); if that layout ever changes, the ordinary
  import is used instead. No impacket protocol module is ever imported here.

Must not: do I/O beyond importing these modules, or know anything about how codes are parsed.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import re
from collections.abc import Mapping
from enum import Enum
from functools import cache
from types import ModuleType

__all__ = [
    "Kind",
    "dce_entries",
    "facility_names",
    "impacket_entry",
    "message_index",
    "name_index",
    "normalize_message",
    "sdk_names",
    "wbem_entries",
]


class Kind(Enum):
    """Which numbering a table entry belongs to."""

    WIN32 = "win32"
    HRESULT = "hresult"
    NTSTATUS = "ntstatus"
    WBEM = "wbem"
    DCE = "dce"


_IMPACKET_MODULES = {
    Kind.HRESULT: "hresult_errors",
    Kind.WIN32: "system_errors",
    Kind.NTSTATUS: "nt_errors",
}
_SDK_MODULES = {
    Kind.WIN32: "generated_win32",
    Kind.HRESULT: "generated_hresult",
    Kind.NTSTATUS: "generated_ntstatus",
}

_Entries = dict[int, tuple[tuple[str, str, str], ...]]


@cache
def _generated(module: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{module}")


@cache
def _impacket_module(submodule: str) -> ModuleType | None:
    """impacket's data module ``submodule``, or None when impacket is not installed."""
    spec = importlib.machinery.PathFinder.find_spec("impacket")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = os.path.join(location, f"{submodule}.py")
        if not os.path.isfile(path):
            continue
        loader = importlib.machinery.SourceFileLoader(f"wmireach._impacket_{submodule}", path)
        module_spec = importlib.util.spec_from_loader(loader.name, loader)
        if module_spec is None:  # pragma: no cover - SourceFileLoader always yields a spec
            break
        module = importlib.util.module_from_spec(module_spec)
        loader.exec_module(module)
        return module
    try:  # pragma: no cover - only for unusual installations (zipped, frozen)
        return importlib.import_module(f"impacket.{submodule}")
    except ImportError:  # pragma: no cover
        return None


@cache
def _impacket_table(kind: Kind) -> Mapping[int, tuple[str, str]]:
    module = _impacket_module(_IMPACKET_MODULES[kind])
    table = getattr(module, "ERROR_MESSAGES", None) if module else None
    return table if isinstance(table, dict) else {}


def impacket_entry(kind: Kind, value: int) -> tuple[str, str] | None:
    """impacket's ``(name, message)`` for a Win32 code, HRESULT or NTSTATUS value."""
    return _impacket_table(kind).get(value)


def sdk_names(kind: Kind, value: int) -> tuple[str, ...]:
    """Names the SDK headers define for ``value`` in one numbering (Win32, HRESULT, NTSTATUS)."""
    table: dict[int, tuple[str, ...]] = _generated(_SDK_MODULES[kind]).NAMES
    return table.get(value, ())


def facility_names(number: int, *, nt: bool = False) -> tuple[str, ...]:
    """``FACILITY_`` names of an HRESULT facility (or, with ``nt``, an NTSTATUS facility)."""
    module = "generated_nt_facilities" if nt else "generated_facilities"
    table: dict[int, tuple[str, ...]] = _generated(module).NAMES
    return table.get(number, ())


def wbem_entries(value: int) -> tuple[tuple[str, str, str], ...]:
    """``(name, message, source)`` of the WMI status codes with this value."""
    # WBEMSTATUS lives in 0, 1, 0x0004xxxx and 0x8004xxxx: other values need no table load.
    if value > 1 and value & 0x7FFF0000 != 0x00040000:
        return ()
    table: _Entries = _generated("generated_wbem").ENTRIES
    return table.get(value, ())


def dce_entries(value: int) -> tuple[tuple[str, str, str], ...]:
    """``(name, message, source)`` of the DCE/MS-RPC fault codes with this value."""
    # Fault statuses are Win32 numbers (<= 0xFFFF), NCA codes (0x1C0xxxxx) or OSF DCE
    # statuses (0x16C9Axxx); tests/test_tables.py keeps this shortcut true to the table.
    if value > 0xFFFF and value >> 20 not in (0x1C0, 0x16C):
        return ()
    table: _Entries = _generated("generated_dce").ENTRIES
    return table.get(value, ())


@cache
def name_index() -> Mapping[str, tuple[tuple[Kind, int], ...]]:
    """Upper-cased symbolic name -> every ``(kind, value)`` it names, across all tables."""
    index: dict[str, list[tuple[Kind, int]]] = {}

    def add(name: str, kind: Kind, value: int) -> None:
        readings = index.setdefault(name.upper(), [])
        if (kind, value) not in readings:
            readings.append((kind, value))

    for kind, module in _SDK_MODULES.items():
        for value, names in _generated(module).NAMES.items():
            for name in names:
                add(name, kind, value)
    for kind in _IMPACKET_MODULES:
        for value, (name, _message) in _impacket_table(kind).items():
            add(name, kind, value)
    for kind, module in ((Kind.WBEM, "generated_wbem"), (Kind.DCE, "generated_dce")):
        for value, entries in _generated(module).ENTRIES.items():
            for name, _message, _source in entries:
                add(name, kind, value)
    return {name: tuple(readings) for name, readings in index.items()}


_SPACE = re.compile(r"\s+")


def normalize_message(text: str) -> str:
    """The form messages are compared in: case-folded, one space, no trailing stop."""
    text = _SPACE.sub(" ", text).strip().casefold()
    if text.startswith("{") and "}" in text:  # NTSTATUS captions: "{Access Denied} A process..."
        text = text[text.index("}") + 1 :].strip()
    return text.rstrip(" .")


@cache
def message_index() -> Mapping[str, tuple[tuple[Kind, int], ...]]:
    """Normalized message -> every ``(kind, value)`` whose message it is.

    Messages shorter than 12 characters are left out: too generic to identify a code.
    """
    index: dict[str, list[tuple[Kind, int]]] = {}

    def add(message: str, kind: Kind, value: int) -> None:
        key = normalize_message(message)
        if len(key) >= 12:
            readings = index.setdefault(key, [])
            if (kind, value) not in readings:
                readings.append((kind, value))

    # Win32 first: a message such as "Access is denied." is what FormatMessage prints for
    # 0x80070005, so that reading should come before an NTSTATUS one with the same text.
    for kind in (Kind.WIN32, Kind.HRESULT, Kind.NTSTATUS):
        for value, (_name, message) in _impacket_table(kind).items():
            add(message, kind, value)
    for value, entries in _generated("generated_wbem").ENTRIES.items():
        for _name, message, _source in entries:
            if message:
                add(message, Kind.WBEM, value)
    return {message: tuple(readings) for message, readings in index.items()}
