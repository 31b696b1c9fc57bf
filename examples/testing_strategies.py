"""Use wmireach.testing in your own test suite: Hypothesis strategies over the model.

Run: python examples/testing_strategies.py

A WMI tool that maps errors to advice can be checked against every single fault the model
knows: ``failures()`` draws a scenario, host states that meet every requirement but one, and the
simulated outcome. Here the "tool" is a tiny error-to-advice function, tested the way a user's
own would be (with pytest the same property is a ``@given`` test; the pytest plugin adds fixtures,
see docs/testing.md).
"""

from __future__ import annotations

from hypothesis import given, settings

from wmireach.model import Stage
from wmireach.testing import SimulatedFailure, failures


def advice(code: int, stage: Stage) -> str:
    """A user's tool under test: what to look at first for a failed remote WMI call."""
    if code == 0x800706BA:
        return "firewall"
    if code == 0x80041003:
        return "namespace security"
    if code in (0x80070005, 0x8007000E):
        return "DCOM or UAC" if stage is not Stage.CALLBACK else "callback security"
    return "look it up with wmireach explain"


@settings(max_examples=200, deadline=None)
@given(failures())
def test_advice_names_something_for_every_modelled_failure(failure: SimulatedFailure) -> None:
    outcome = failure.outcome
    assert not outcome.passed
    assert outcome.failure is not None
    assert outcome.stage is not None
    assert advice(outcome.failure, outcome.stage) != "look it up with wmireach explain", (
        failure.fault,
        hex(outcome.failure),
    )


test_advice_names_something_for_every_modelled_failure()
print("advice() names a place to look for every single fault the model knows (200 examples)")
