"""Single faults: a scenario whose hosts meet every requirement but one, and what the model says.

Owns: :class:`SimulatedFailure`, :func:`break_one`, :func:`breakable_rules` and
:func:`satisfying_states`. The Hypothesis
strategy :func:`wmireach.testing.failures` and the pytest fixture ``simulated_failure`` are built
on them.

Must not: import Hypothesis (the pytest plugin uses this module), or do I/O.
"""

from __future__ import annotations

import attrs

from wmireach.errors import ScenarioError
from wmireach.hresult import HResult
from wmireach.model import Scenario, Side, Stage
from wmireach.rules import RULES, rule
from wmireach.simulation import Outcome, default_states, requirements, simulate
from wmireach.state import HostState

__all__ = ["SimulatedFailure", "break_one", "breakable_rules", "satisfying_states"]


@attrs.frozen(kw_only=True)
class SimulatedFailure:
    """A scenario whose call fails because of one unmet requirement, as the model simulates it.

    ``outcome`` is ``simulate(scenario, client_state, target_state)``; ``fault`` is the rule ID
    that was broken, always among ``outcome.unmet``. Other rules of the same stage may be unmet
    with it when breaking it touches what they read (turning a legacy firewall on closes every
    exception at once).

    >>> from wmireach.model import _example
    >>> f = break_one(_example(), "WR601")
    >>> (f.stage.value, f.hresult.name, f.outcome.unmet)
    ('namespace-login', 'WBEM_E_ACCESS_DENIED', ('WR601',))
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


def satisfying_states(
    scenario: Scenario, client: HostState, target: HostState, *, rounds: int = 4
) -> tuple[HostState, HostState] | None:
    """Change the two states, through each rule's ``fulfil`` witness, until every requirement
    of ``scenario`` is met; ``None`` when no host change can (the scenario itself decides, as
    with an authentication level below a hardened target's floor).

    >>> from wmireach.model import _example
    >>> from wmireach.simulation import default_states, simulate
    >>> s = _example()
    >>> simulate(s, *satisfying_states(s, *default_states(s))).passed
    True
    """
    states = {Side.CLIENT: client, Side.TARGET: target}
    for _ in range(rounds):
        changed = False
        for required in requirements(scenario):
            current = states[required.side]
            if required.met(scenario, current):
                continue
            new = required.fulfil(scenario, current)
            if new is None:
                return None
            states[required.side] = new
            changed = True
        if not changed:
            return states[Side.CLIENT], states[Side.TARGET]
    return None


def _met_states(
    scenario: Scenario, client: HostState | None, target: HostState | None
) -> dict[Side, HostState] | None:
    defaults = default_states(scenario)
    met = satisfying_states(
        scenario,
        defaults[0] if client is None else client,
        defaults[1] if target is None else target,
    )
    return None if met is None else {Side.CLIENT: met[0], Side.TARGET: met[1]}


def _broken(
    scenario: Scenario, states: dict[Side, HostState], rule_id: str
) -> SimulatedFailure | None:
    broken_rule = rule(rule_id)
    broken = broken_rule.violate(scenario, states[broken_rule.side])
    if broken is None:
        return None
    trial = {**states, broken_rule.side: broken}
    outcome = simulate(scenario, trial[Side.CLIENT], trial[Side.TARGET])
    if outcome.passed or rule_id not in outcome.unmet:
        return None  # an earlier stage the hosts cannot pass hides this fault
    return SimulatedFailure(
        scenario=scenario,
        client_state=trial[Side.CLIENT],
        target_state=trial[Side.TARGET],
        fault=rule_id,
        outcome=outcome,
    )


def breakable_rules(
    scenario: Scenario, client: HostState | None = None, target: HostState | None = None
) -> tuple[str, ...]:
    """The rule IDs :func:`break_one` can break in ``scenario``, in stage order.

    >>> from wmireach.model import _example
    >>> breakable_rules(_example())
    ('WR101', 'WR102', 'WR401', 'WR404', 'WR405', 'WR501', 'WR502', 'WR601')
    """
    states = _met_states(scenario, client, target)
    if states is None:
        return ()
    return tuple(
        r.id for r in requirements(scenario) if _broken(scenario, states, r.id) is not None
    )


def break_one(
    scenario: Scenario,
    rule_id: str,
    client: HostState | None = None,
    target: HostState | None = None,
) -> SimulatedFailure:
    """The single fault ``rule_id`` in ``scenario``: every other requirement met (starting
    from ``client``/``target``, default the releases' out-of-the-box states, through each
    rule's ``fulfil``), this one broken through its ``violate`` witness, and the outcome.

    Raises :class:`~wmireach.errors.ScenarioError` when the scenario cannot have that fault:
    an unknown rule ID, a rule that does not apply to it, one no host change breaks (or meets),
    or one an earlier stage hides.

    >>> from wmireach.model import _example
    >>> break_one(_example(), "WR403")
    Traceback (most recent call last):
    ...
    wmireach.errors.ScenarioError: WR403 does not apply to this scenario; its breakable rules: WR101, WR102, WR401, WR404, WR405, WR501, WR502, WR601
    """  # noqa: E501 - a doctest's expected output is one line
    known = {r.id for r in RULES}
    if rule_id not in known:
        raise ScenarioError(f"no rule {rule_id!r}; known: {', '.join(r.id for r in RULES)}")
    states = _met_states(scenario, client, target)
    if states is None:
        raise ScenarioError(
            "no host change meets every requirement of this scenario (its authentication "
            "level is below the target's DCOM hardening floor): it has no single faults"
        )
    found = _broken(scenario, states, rule_id)
    if found is not None:
        return found
    applies = rule_id in {r.id for r in requirements(scenario)}
    why = "cannot be broken alone in" if applies else "does not apply to"
    breakable = ", ".join(breakable_rules(scenario, client, target)) or "none"
    raise ScenarioError(f"{rule_id} {why} this scenario; its breakable rules: {breakable}")
