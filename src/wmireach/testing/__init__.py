"""Hypothesis strategies for wmireach's model, shipped as product for users' own tests.

Owns: the public strategies (:func:`scenarios`, :func:`host_states`, :func:`computers`,
:func:`hresults`, :func:`spellings`, ...) and
:func:`satisfying_states`. This package is the only place wmireach imports Hypothesis; the core
never imports it.

>>> from hypothesis import given, settings
>>> @settings(max_examples=5)
... @given(scenarios())
... def check(scenario):
...     assert scenario.connections[0].value == "connection-1"
>>> check()
"""

from __future__ import annotations

from wmireach.testing.hresult_strategies import REMOTE_WMI_CODES, hresults, spellings
from wmireach.testing.model_strategies import (
    PRINCIPALS,
    accounts,
    computers,
    host_states,
    memberships,
    releases,
    satisfying_states,
    scenario_with_states,
    scenarios,
)

__all__ = [
    "PRINCIPALS",
    "REMOTE_WMI_CODES",
    "accounts",
    "computers",
    "host_states",
    "hresults",
    "memberships",
    "releases",
    "satisfying_states",
    "scenario_with_states",
    "scenarios",
    "spellings",
]
