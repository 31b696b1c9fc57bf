"""Simulate a remote WMI call against two host states.

Owns: :func:`simulate` (scenario + client state + target state -> :class:`Outcome`) and
:func:`requirements` (the rules a scenario must meet, in stage order). Pure and fast: the plan
builder and the diagnosis call it thousands of times.

Must not: do I/O, or import from wmireach above :mod:`wmireach.rules` (HResult values are
imported lazily, only by :attr:`Outcome.hresult`).

>>> from wmireach.model import _example
>>> from wmireach.state import default_state
>>> s = _example()
>>> o = simulate(s, default_state(s.client.release), default_state(s.target.release))
>>> (o.passed, o.stage.value, hex(o.failure), o.unmet)
(False, 'tcp-135', '0x800706ba', ('WR101', 'WR102'))
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import attrs

from wmireach.model import Scenario, Side, Stage
from wmireach.rules import Rule, applicable_rules
from wmireach.state import HostState, default_state

if TYPE_CHECKING:
    from wmireach.hresult import HResult

__all__ = ["Outcome", "default_states", "requirements", "simulate"]


def _check_outcome(instance: Outcome, attribute: attrs.Attribute[bool], passed: bool) -> None:
    failed = (instance.stage, instance.failure)
    if passed and (failed != (None, None) or instance.unmet):
        raise ValueError("a passed outcome has no failed stage, failure or unmet rules")
    if not passed and (None in failed or not instance.unmet):
        raise ValueError("a failed outcome names its stage, failure and unmet rules")


@attrs.frozen(kw_only=True)
class Outcome:
    """The result of a simulated call: passed, or the first failing stage and why.

    >>> Outcome(passed=True).failure is None
    True
    """

    passed: bool = attrs.field(validator=_check_outcome)
    stage: Stage | None = None
    #: The failure code (unsigned) the stage produces: that of the first unmet rule by priority.
    failure: int | None = None
    #: Every rule unmet at the failing stage, highest priority first.
    unmet: tuple[str, ...] = ()

    @property
    def hresult(self) -> HResult | None:
        """The failure as an :class:`~wmireach.hresult.HResult`, or ``None`` when passed."""
        if self.failure is None:
            return None
        from wmireach.hresult import decode

        return decode(self.failure)

    def _repr_html_(self) -> str:
        """The notebook display: the stages coloured, the unmet rules and the diagram."""
        from wmireach.display import outcome_html  # above this layer: only when displayed

        return outcome_html(self)


_PASSED = Outcome(passed=True)


@functools.lru_cache(maxsize=8192)
def requirements(scenario: Scenario) -> tuple[Rule, ...]:
    """The rules ``scenario`` must meet, in stage order then priority.

    >>> from wmireach.model import _example
    >>> [r.id for r in requirements(_example())]
    ['WR101', 'WR102', 'WR401', 'WR402', 'WR404', 'WR405', 'WR501', 'WR502', 'WR601']
    """
    return applicable_rules(scenario)


def simulate(scenario: Scenario, client_state: HostState, target_state: HostState) -> Outcome:
    """Run the call stage by stage; stop at the first stage with an unmet requirement.

    Deterministic and free of side effects. Client state is read only by client-side rules,
    which exist only for Connection 2 (asynchronous calls).

    >>> from wmireach.model import _example
    >>> s = _example()
    >>> client, target = default_states(s)
    >>> simulate(s, client, target.with_firewall(s.target.profile, on=False)).passed
    True
    """
    failed_stage: Stage | None = None
    unmet: list[Rule] = []
    for rule in requirements(scenario):
        if failed_stage is not None and rule.stage is not failed_stage:
            break
        state = client_state if rule.side is Side.CLIENT else target_state
        if not rule.met(scenario, state):
            failed_stage = rule.stage
            unmet.append(rule)
    if failed_stage is None:
        return _PASSED
    return Outcome(
        passed=False,
        stage=failed_stage,
        failure=unmet[0].failure,
        unmet=tuple(r.id for r in unmet),
    )


def default_states(scenario: Scenario) -> tuple[HostState, HostState]:
    """The out-of-the-box (client, target) states of ``scenario``'s releases.

    >>> from wmireach.model import _example
    >>> client, target = default_states(_example())
    >>> client == default_state("win10") and target == default_state("server2019")
    True
    """
    return default_state(scenario.client.release), default_state(scenario.target.release)
