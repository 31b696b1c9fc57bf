"""Test helpers for projects that work with remote WMI, shipped as part of wmireach.

Owns: the public Hypothesis strategies (:func:`scenarios`, :func:`host_states`,
:func:`hresults`, :func:`failures`, :func:`spellings`, ...); single faults without Hypothesis
(:func:`break_one`, :func:`breakable_rules`, :func:`satisfying_states`); and the
pytest plugin :mod:`wmireach.testing.plugin` (registered through the ``pytest11`` entry point,
so installing wmireach gives every pytest run its fixtures).

Must not: be imported by the core. Hypothesis is imported only when a strategy is first
touched (install ``wmireach[testing]``), so that the pytest plugin, which imports this package,
costs an unrelated test run nothing.

>>> from hypothesis import given, settings
>>> from wmireach.testing import scenarios
>>> @settings(max_examples=5)
... @given(scenarios())
... def check(scenario):
...     assert scenario.connections[0].value == "connection-1"
>>> check()
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from wmireach.testing.failure_strategies import failures
    from wmireach.testing.faults import (
        SimulatedFailure,
        break_one,
        breakable_rules,
        satisfying_states,
    )
    from wmireach.testing.hresult_strategies import REMOTE_WMI_CODES, hresults, spellings
    from wmireach.testing.model_strategies import (
        PRINCIPALS,
        accounts,
        computers,
        host_states,
        memberships,
        releases,
        scenario_with_states,
        scenarios,
    )

__all__ = [
    "PRINCIPALS",
    "REMOTE_WMI_CODES",
    "SimulatedFailure",
    "accounts",
    "break_one",
    "breakable_rules",
    "computers",
    "failures",
    "host_states",
    "hresults",
    "memberships",
    "releases",
    "satisfying_states",
    "scenario_with_states",
    "scenarios",
    "spellings",
]

#: Public name -> the module that defines it (imported on first use).
_LAZY = {
    "SimulatedFailure": "wmireach.testing.faults",
    "break_one": "wmireach.testing.faults",
    "breakable_rules": "wmireach.testing.faults",
    "satisfying_states": "wmireach.testing.faults",
    "failures": "wmireach.testing.failure_strategies",
    "REMOTE_WMI_CODES": "wmireach.testing.hresult_strategies",
    "hresults": "wmireach.testing.hresult_strategies",
    "spellings": "wmireach.testing.hresult_strategies",
    "PRINCIPALS": "wmireach.testing.model_strategies",
    "accounts": "wmireach.testing.model_strategies",
    "computers": "wmireach.testing.model_strategies",
    "host_states": "wmireach.testing.model_strategies",
    "memberships": "wmireach.testing.model_strategies",
    "releases": "wmireach.testing.model_strategies",
    "scenario_with_states": "wmireach.testing.model_strategies",
    "scenarios": "wmireach.testing.model_strategies",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wmireach.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
