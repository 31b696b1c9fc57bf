"""wmireach: why can't Computer A reach WMI on Computer B, and exactly what to run to fix it.

The public API is re-exported here and loaded on first use, so ``import wmireach`` costs almost
nothing until a name is touched.

>>> import wmireach
>>> wmireach.decode("0x800706BA").name
'RPC_S_SERVER_UNAVAILABLE'
"""

from __future__ import annotations

import importlib

from wmireach._version import __version__

# typing costs ~8 ms to import; mypy treats any TYPE_CHECKING name as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from wmireach.diagnosis import Cause, Diagnosis, Evidence, diagnose
    from wmireach.drawing import StageStatus, diagram, stage_diagram
    from wmireach.errors import InvalidCode, ScenarioError, WmiReachError
    from wmireach.events import Event, decode_event, event
    from wmireach.hresult import (
        CodeMatch,
        Facility,
        HResult,
        Reading,
        Severity,
        candidates,
        decode,
        find_codes,
        from_ntstatus,
        from_win32,
    )
    from wmireach.matrix import scenario_matrix
    from wmireach.model import (
        Account,
        AccountKind,
        AuthLevel,
        CallMode,
        Computer,
        Connection,
        Membership,
        NetworkProfile,
        Scenario,
        Side,
        Stage,
        Trust,
    )
    from wmireach.planning import Plan, Step, plan
    from wmireach.probe import ProbeReport, probe_many
    from wmireach.render import Format
    from wmireach.rules import RULES, Rule, rule
    from wmireach.simulation import Outcome, default_states, requirements, simulate
    from wmireach.state import HostState, default_state
    from wmireach.windows import Release, release

__all__ = [
    "RULES",
    "Account",
    "AccountKind",
    "AuthLevel",
    "CallMode",
    "Cause",
    "CodeMatch",
    "Computer",
    "Connection",
    "Diagnosis",
    "Event",
    "Evidence",
    "Facility",
    "Format",
    "HResult",
    "HostState",
    "InvalidCode",
    "Membership",
    "NetworkProfile",
    "Outcome",
    "Plan",
    "ProbeReport",
    "Reading",
    "Release",
    "Rule",
    "Scenario",
    "ScenarioError",
    "Severity",
    "Side",
    "Stage",
    "StageStatus",
    "Step",
    "Trust",
    "WmiReachError",
    "__version__",
    "candidates",
    "decode",
    "decode_event",
    "default_state",
    "default_states",
    "diagnose",
    "diagram",
    "event",
    "find_codes",
    "from_ntstatus",
    "from_win32",
    "plan",
    "probe_many",
    "release",
    "requirements",
    "rule",
    "scenario_matrix",
    "simulate",
    "stage_diagram",
]

#: Public name -> the module that defines it.
_LAZY = {
    "InvalidCode": "wmireach.errors",
    "ScenarioError": "wmireach.errors",
    "WmiReachError": "wmireach.errors",
    "CodeMatch": "wmireach.hresult",
    "Facility": "wmireach.hresult",
    "HResult": "wmireach.hresult",
    "Reading": "wmireach.hresult",
    "Severity": "wmireach.hresult",
    "candidates": "wmireach.hresult",
    "decode": "wmireach.hresult",
    "find_codes": "wmireach.hresult",
    "from_ntstatus": "wmireach.hresult",
    "from_win32": "wmireach.hresult",
    "Plan": "wmireach.planning",
    "Step": "wmireach.planning",
    "plan": "wmireach.planning",
    # The probe is a package named like its function: import it as wmireach.probe.probe.
    "ProbeReport": "wmireach.probe",
    "probe_many": "wmireach.probe",
    "Format": "wmireach.render",
    "Cause": "wmireach.diagnosis",
    "Diagnosis": "wmireach.diagnosis",
    "Evidence": "wmireach.diagnosis",
    "diagnose": "wmireach.diagnosis",
    "StageStatus": "wmireach.drawing",
    "diagram": "wmireach.drawing",
    "stage_diagram": "wmireach.drawing",
    "Event": "wmireach.events",
    "decode_event": "wmireach.events",
    "event": "wmireach.events",
    "scenario_matrix": "wmireach.matrix",
    "Account": "wmireach.model",
    "AccountKind": "wmireach.model",
    "AuthLevel": "wmireach.model",
    "CallMode": "wmireach.model",
    "Computer": "wmireach.model",
    "Connection": "wmireach.model",
    "Membership": "wmireach.model",
    "NetworkProfile": "wmireach.model",
    "Scenario": "wmireach.model",
    "Side": "wmireach.model",
    "Stage": "wmireach.model",
    "Trust": "wmireach.model",
    "Release": "wmireach.windows",
    "release": "wmireach.windows",
    "HostState": "wmireach.state",
    "default_state": "wmireach.state",
    "RULES": "wmireach.rules",
    "Rule": "wmireach.rules",
    "rule": "wmireach.rules",
    "Outcome": "wmireach.simulation",
    "default_states": "wmireach.simulation",
    "requirements": "wmireach.simulation",
    "simulate": "wmireach.simulation",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wmireach' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
