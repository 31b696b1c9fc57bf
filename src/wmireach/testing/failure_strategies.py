"""Hypothesis strategies for simulated failures: a scenario, two states, and where the call stops.

Owns: :class:`SimulatedFailure` and :func:`failures`, which draw a *single fault*: every
requirement of the scenario met except one, broken through its rule's ``violate`` witness, so
the outcome is exactly what the model says that fault produces. Tools that report, classify or
diagnose WMI failures test themselves against these.

Must not: be imported by the core (Hypothesis is a test dependency), or do I/O.
"""

from __future__ import annotations

import attrs
from hypothesis import assume
from hypothesis import strategies as st

from wmireach.errors import ScenarioError
from wmireach.hresult import HResult
from wmireach.model import CallMode, Scenario, Side, Stage
from wmireach.rules import RULES, Rule, rule
from wmireach.simulation import Outcome, default_states, requirements, simulate
from wmireach.state import HostState
from wmireach.testing.model_strategies import satisfying_states, scenarios

__all__ = ["SimulatedFailure", "failures"]


@attrs.frozen(kw_only=True)
class SimulatedFailure:
    """A scenario whose call fails because of one unmet requirement, as the model simulates it.

    ``outcome`` is ``simulate(scenario, client_state, target_state)``; ``fault`` is the rule ID
    that was broken, always among ``outcome.unmet``.

    >>> from hypothesis import find
    >>> f = find(failures(), lambda f: f.fault == "WR601")
    >>> (f.stage.value, f.hresult.name)
    ('namespace-login', 'WBEM_E_ACCESS_DENIED')
    """

    scenario: Scenario
    client_state: HostState
    target_state: HostState
    fault: str
    outcome: Outcome

    @property
    def stage(self) -> Stage:
        """The stage the call stops at."""
        assert self.outcome.stage is not None  # a SimulatedFailure's outcome always failed
        return self.outcome.stage

    @property
    def failure(self) -> int:
        """The failure code (unsigned 32-bit) the call ends with."""
        assert self.outcome.failure is not None
        return self.outcome.failure

    @property
    def hresult(self) -> HResult:
        """The failure as an :class:`~wmireach.hresult.HResult`."""
        hresult = self.outcome.hresult
        assert hresult is not None
        return hresult


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
    Draws that cannot have the wanted fault are rejected, so a narrow filter on a broad
    scenario strategy may trip Hypothesis's health check: narrow the scenarios too.

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


@st.composite
def _failures(
    draw: st.DrawFn,
    scenario: st.SearchStrategy[Scenario],
    stage: Stage | None,
    fault: str | None,
) -> SimulatedFailure:
    s = draw(scenario)
    met = satisfying_states(s, *default_states(s))
    assume(met is not None)  # the scenario itself fails (an auth level below a hardened floor)
    assert met is not None
    states = {Side.CLIENT: met[0], Side.TARGET: met[1]}
    breakable: list[tuple[Rule, HostState]] = []
    for required in requirements(s):
        if fault is not None and required.id != fault:
            continue
        if stage is not None and required.stage is not stage:
            continue
        broken = required.violate(s, states[required.side])
        if broken is not None:
            breakable.append((required, broken))
    assume(breakable)
    chosen, broken = draw(st.sampled_from(breakable))
    trial = {**states, chosen.side: broken}
    outcome = simulate(s, trial[Side.CLIENT], trial[Side.TARGET])
    # An earlier stage the hosts cannot pass hides this fault: not a failure *of* this rule.
    assume(not outcome.passed and chosen.id in outcome.unmet)
    return SimulatedFailure(
        scenario=s,
        client_state=trial[Side.CLIENT],
        target_state=trial[Side.TARGET],
        fault=chosen.id,
        outcome=outcome,
    )
