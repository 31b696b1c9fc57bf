"""JSON-ready data for wmireach's values, through one cattrs converter.

Owns: the shape every value takes in JSON (the CLI's ``--json`` and the renderers use it), so
models stay free of format concerns.

Must not: do I/O, or be imported by the core modules it converts (it sits above them).

>>> from wmireach.convert import converter
>>> from wmireach.hresult import decode
>>> converter.unstructure(decode("0x80041003"))["name"]
'WBEM_E_ACCESS_DENIED'
"""

from __future__ import annotations

from typing import Any

import cattrs

from wmireach.hresult import Facility, HResult
from wmireach.model import register_hooks

__all__ = ["converter", "hresult_to_json"]

#: The converter every JSON output of wmireach goes through.
converter = cattrs.Converter()


def _facility(facility: Facility) -> dict[str, Any]:
    return {"value": facility.value, "name": facility.name}


def hresult_to_json(hresult: HResult) -> dict[str, Any]:
    """The documented JSON object of a code (the keys of ``wmireach explain --json``)."""
    return {
        "value": hresult.value,
        "hex": hresult.hex,
        "signed": hresult.signed,
        "severity": hresult.severity.value,
        "bits": {"s": hresult.s, "r": hresult.r, "c": hresult.c, "n": hresult.n, "x": hresult.x},
        "facility": _facility(hresult.facility),
        "code": hresult.code,
        "name": hresult.name,
        "names": list(hresult.names),
        "message": hresult.message,
        "win32": hresult.win32,
        "ntstatus": hresult.ntstatus,
        "reading": hresult.reading.value,
        "note": hresult.note,
    }


converter.register_unstructure_hook(HResult, hresult_to_json)
converter.register_unstructure_hook(Facility, _facility)
register_hooks(converter)
