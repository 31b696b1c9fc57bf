"""Hypothesis strategy for simulated failures: a scenario, two states, and where the call stops.

Owns: :func:`failures`, which draws a *single fault* (:class:`~wmireach.testing.faults.
SimulatedFailure`): every requirement of the scenario met except one, broken through its rule's
``violate`` witness, so the outcome is exactly what the model says that fault produces. Tools
that report, classify or diagnose WMI failures test themselves against these.

Must not: be imported by the core (Hypothesis is a test dependency), or do I/O.
"""

from __future__ import annotations

from hypothesis import assume
from hypothesis import strategies as st

from wmireach.errors import ScenarioError
from wmireach.model import CallMode, Scenario, Stage
from wmireach.rules import RULES, rule
from wmireach.simulation import requirements
from wmireach.testing.faults import SimulatedFailure, _broken, _met_states
from wmireach.testing.model_strategies import scenarios

__all__ = ["failures"]


def failures(
    *,
    scenario: st.SearchStrategy[Scenario] | None = None,
    call_mode: st.SearchStrategy[CallMode] | None = None,
    stage: Stage | None = None,
    fault: str | None = None,
) -> st.SearchStrategy[SimulatedFailure]:
    """A single-fault failure of a valid scenario, as :class:`SimulatedFailure`.

    ``scenario`` draws the scenarios (default :func:`~wmireach.testing.scenarios`, with
    ``call_mode``); ``stage`` keeps failures at that stage, ``fault`` those of one rule ID.
    Each example draws scenarios until one can have the wanted fault (every rule ID can be
    asked for with the default scenarios); a ``scenario`` strategy that can never have it
    makes Hypothesis report that it could not satisfy the test.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(failures())
    ... def check(f):
    ...     assert not f.outcome.passed and f.fault in f.outcome.unmet
    >>> check()

    Raises :class:`~wmireach.errors.ScenarioError` at once for arguments no failure can meet
    (an unknown rule ID, a stage that is not a :class:`~wmireach.model.Stage`, or both
    ``scenario`` and ``call_mode``).
    """
    if scenario is not None and call_mode is not None:
        raise ScenarioError(
            "failures(): give scenario= or call_mode=, not both (call_mode narrows scenarios())"
        )
    if stage is not None and not isinstance(stage, Stage):
        raise ScenarioError(
            f"failures(): stage {stage!r} is not a wmireach Stage; use e.g. "
            f"Stage.{Stage.NAMESPACE_LOGIN.name} or Stage({stage!r})"
        )
    if fault is not None:
        try:
            rule(fault)
        except KeyError:
            known = ", ".join(r.id for r in RULES)
            raise ScenarioError(f"failures(): no rule {fault!r}; known: {known}") from None
    scenarios_drawn = scenario if scenario is not None else scenarios(call_mode=call_mode)
    return _failures(scenarios_drawn, stage, fault)


#: Scenarios drawn per example before giving up on it: a narrow ``fault`` (a legacy-firewall or
#: callback rule) applies to few scenarios, and rejecting each miss would trip Hypothesis's
#: filter_too_much health check.
_ATTEMPTS = 25


@st.composite
def _failures(
    draw: st.DrawFn,
    scenario: st.SearchStrategy[Scenario],
    stage: Stage | None,
    fault: str | None,
) -> SimulatedFailure:
    for _ in range(_ATTEMPTS):
        s = draw(scenario)
        states = _met_states(s, None, None)
        if states is None:  # the scenario itself fails (an auth level below a hardened floor)
            continue
        candidates = [
            r.id
            for r in requirements(s)
            if (fault is None or r.id == fault) and (stage is None or r.stage is stage)
        ]
        if not candidates:
            continue
        found = _broken(s, states, draw(st.sampled_from(candidates)))
        # None: no host change breaks it, or an earlier stage the hosts cannot pass hides it.
        if found is not None:
            return found
    assume(False)
    raise AssertionError("unreachable: assume(False) rejects the example")  # pragma: no cover
