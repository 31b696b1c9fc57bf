"""wmireach's pytest plugin: fixtures for testing your own WMI tools against the model.

Registered through the ``pytest11`` entry point ``wmireach``, so installing wmireach makes these
fixtures available in every pytest run (``-p no:wmireach`` turns the plugin off):

- ``wmireach_scenario``: a :class:`~wmireach.model.Scenario`. By default Windows 10 calling
  Server 2019 in one domain as a domain admin, semisynchronous. Choose another with the
  ``wmireach_scenario`` marker (keyword options as in :func:`scenario_from_options`, or a
  ``Scenario``), or parametrise it indirectly with ``Scenario`` objects or option mappings.
- ``wmireach_states``: the (client, target) :class:`~wmireach.state.HostState` pair, by default
  the releases' out-of-the-box settings. Override it in your ``conftest.py`` to test other
  settings; ``simulated_outcome`` and ``wmireach_plan`` follow.
- ``simulated_outcome``: the :class:`~wmireach.simulation.Outcome` of the scenario on those
  states.
- ``wmireach_plan``: the :class:`~wmireach.planning.Plan` that makes the call pass from those
  states.
- ``simulated_failure``: a :class:`~wmireach.testing.faults.SimulatedFailure` of the scenario,
  the single fault of the rule ID it is indirectly parametrised with.
- ``wmi_responder``: a scripted MS-RPC responder, registered only when this wmireach has
  ``wmireach.testing.responder`` (see the docs' testing page).

Must not: cost an unrelated test run anything. This module imports only pytest at import time;
the model loads when a fixture first runs, and Hypothesis never loads here.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from wmireach.model import Scenario
    from wmireach.planning import Plan
    from wmireach.simulation import Outcome
    from wmireach.state import HostState
    from wmireach.testing.faults import SimulatedFailure

__all__ = [
    "MARKER",
    "scenario_id",
    "simulated_failure",
    "simulated_outcome",
    "wmireach_plan",
    "wmireach_scenario",
    "wmireach_states",
]

#: The marker that picks the ``wmireach_scenario`` fixture's scenario.
MARKER = "wmireach_scenario"


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker (so ``--strict-markers`` runs accept it)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(scenario=None, **options): the scenario the wmireach_scenario fixture "
        "gives: a wmireach Scenario, or options such as client_os='win11', "
        "target_os='server2022', trust='workgroup', account='local-admin', call_mode='async'",
    )


def _is_scenario(value: object) -> bool:
    # Checked by name so that a parametrised test of something else loads no model.
    return type(value).__name__ == "Scenario" and type(value).__module__ == "wmireach.model"


def scenario_id(scenario: Scenario) -> str:
    """A short, readable test ID: releases, trust, account and call mode.

    >>> from wmireach.testing.scenario_options import scenario_from_options
    >>> scenario_id(scenario_from_options(trust="workgroup", account="local-admin"))
    'win10-server2019-workgroup-local-admin-semisync'
    """
    return "-".join(
        (
            scenario.client.release.identifier,
            scenario.target.release.identifier,
            scenario.trust.value,
            scenario.account.kind.value,
            scenario.call_mode.value,
        )
    )


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Name ``Scenario`` parameters by what they are instead of ``wmireach_scenario0``."""
    if _is_scenario(val):
        return scenario_id(val)  # type: ignore[arg-type]
    return None


def _scenario_of(spec: object, where: str) -> Scenario:
    """A scenario from a ``Scenario``, a mapping of options, or ``None`` (the default)."""
    from wmireach.errors import ScenarioError
    from wmireach.model import Scenario
    from wmireach.testing.scenario_options import SCENARIO_OPTIONS, scenario_from_options

    if spec is None:
        return scenario_from_options()
    if isinstance(spec, Scenario):
        return spec
    if isinstance(spec, Mapping):
        unknown = sorted(str(k) for k in spec if k not in SCENARIO_OPTIONS)
        if unknown:
            raise ScenarioError(
                f"{where}: unknown option {', '.join(unknown)}; accepted: "
                f"{', '.join(SCENARIO_OPTIONS)}"
            )
        return scenario_from_options(**spec)
    raise ScenarioError(
        f"{where}: expected a wmireach Scenario or a mapping of options, got "
        f"{type(spec).__name__} {spec!r}"
    )


@pytest.fixture
def wmireach_scenario(request: pytest.FixtureRequest) -> Scenario:
    """The scenario under test: indirect parameter, else ``wmireach_scenario`` marker, else
    Windows 10 -> Server 2019, same domain, domain admin, semisync."""
    if hasattr(request, "param"):
        return _scenario_of(request.param, "indirect parameter of wmireach_scenario")
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return _scenario_of(None, MARKER)
    where = f"@pytest.mark.{MARKER}"
    if marker.args and marker.kwargs:
        from wmireach.errors import ScenarioError

        raise ScenarioError(f"{where}: give a Scenario or keyword options, not both")
    if len(marker.args) > 1:
        from wmireach.errors import ScenarioError

        raise ScenarioError(f"{where}: takes one Scenario, got {len(marker.args)} arguments")
    return _scenario_of(marker.args[0] if marker.args else dict(marker.kwargs), where)


@pytest.fixture
def wmireach_states(wmireach_scenario: Scenario) -> tuple[HostState, HostState]:
    """The (client, target) states: the scenario's releases' out-of-the-box settings."""
    from wmireach.simulation import default_states

    return default_states(wmireach_scenario)


@pytest.fixture
def simulated_outcome(
    wmireach_scenario: Scenario, wmireach_states: tuple[HostState, HostState]
) -> Outcome:
    """What the model says the call does: passes, or the stage and code it fails with."""
    from wmireach.simulation import simulate

    return simulate(wmireach_scenario, *wmireach_states)


@pytest.fixture
def wmireach_plan(
    wmireach_scenario: Scenario, wmireach_states: tuple[HostState, HostState]
) -> Plan:
    """The least-privileged plan that makes the call pass from ``wmireach_states``."""
    from wmireach.planning import plan

    client, target = wmireach_states
    return plan(wmireach_scenario, client_state=client, target_state=target)


@pytest.fixture
def simulated_failure(
    request: pytest.FixtureRequest,
    wmireach_scenario: Scenario,
    wmireach_states: tuple[HostState, HostState],
) -> SimulatedFailure:
    """The scenario failing because of one rule: parametrise indirectly with rule IDs.

    Every other requirement is met starting from ``wmireach_states``; the rule is broken
    through its ``violate`` witness; ``outcome`` is what the model simulates.
    """
    from wmireach.errors import ScenarioError
    from wmireach.testing.faults import break_one, breakable_rules

    rule_id = getattr(request, "param", None)
    if not isinstance(rule_id, str):
        breakable = ", ".join(breakable_rules(wmireach_scenario, *wmireach_states)) or "none"
        raise ScenarioError(
            "simulated_failure needs the rule to break, as an indirect parameter: "
            "@pytest.mark.parametrize('simulated_failure', ['WR601'], indirect=True); got "
            f"{rule_id!r}. This scenario's breakable rules: {breakable}"
        )
    return break_one(wmireach_scenario, rule_id, *wmireach_states)


# The scripted MS-RPC responder is part of the probe work; its fixture exists only where that
# module does (find_spec looks for it without importing it or anything heavy).
if importlib.util.find_spec("wmireach.testing.responder") is not None:  # pragma: no cover

    @pytest.fixture
    def wmi_responder(request: pytest.FixtureRequest) -> Iterator[Any]:
        """A scripted MS-RPC responder (``wmireach.testing.responder.scripted_responder``) for
        the test. Parametrise it indirectly with a mapping of ``scripted_responder``'s keyword
        arguments; a responder that is a context manager is entered and closed around the
        test."""
        from wmireach.testing.responder import (  # type: ignore[import-not-found,unused-ignore]
            scripted_responder,
        )

        options = getattr(request, "param", None) or {}
        made = scripted_responder(**options)
        if hasattr(made, "__enter__") and hasattr(made, "__exit__"):
            with made as responder:
                yield responder
        else:
            yield made

    __all__ += ["wmi_responder"]
