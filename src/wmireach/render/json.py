"""The plan as JSON data: ``{"scenario": {...}, "steps": [{"id", "on", "title", ...}]}``.

Owns: :func:`to_json` and :func:`plan_to_data`. Values go through wmireach's one cattrs
converter (:mod:`wmireach.convert`), extended here on a copy with the plan's shapes: sets as
sorted lists and each action tagged with its ``action`` kind.

Must not: do I/O.

>>> from wmireach.model import _example
>>> from wmireach.planning import plan
>>> data = plan_to_data(plan(_example()))
>>> data["steps"][0]["actions"][0]["action"], data["steps"][0]["rollback"][0]["rule"]["enabled"]
('set-firewall-rule', False)
"""

from __future__ import annotations

import functools
import json as _json
from typing import Any, Final

import cattrs

from wmireach.actions import Action
from wmireach.convert import converter as _base
from wmireach.model import Scenario, scenario_to_json
from wmireach.planning import Plan, Step

__all__ = ["plan_to_data", "to_json"]


def _is_set(cls: Any) -> bool:
    origin = getattr(cls, "__origin__", cls)
    return origin in (frozenset, set)


def _converter() -> cattrs.Converter:
    converter = _base.copy()

    def sorted_list(values: frozenset[Any]) -> list[Any]:
        return sorted((converter.unstructure(v) for v in values), key=str)

    converter.register_unstructure_hook_func(_is_set, sorted_list)
    return converter


_CONVERTER: Final = _converter()


def _action(action: Action) -> dict[str, Any]:
    data: dict[str, Any] = _CONVERTER.unstructure(action, unstructure_as=type(action))
    if hasattr(action, "type"):
        data["type"] = action.type.value
    return {"action": action.kind, **data}


def _step(step: Step) -> dict[str, Any]:
    return {
        "id": step.id,
        "on": step.on.value,
        "title": step.title,
        "why": step.why,
        "rules": list(step.rules),
        "sources": list(step.sources),
        "actions": [_action(a) for a in step.actions],
        "verify": step.verify,
        "rollback": [_action(a) for a in step.rollback],
        "manual": step.manual,
        "risk": step.risk,
        "trade_off": step.trade_off,
        "gui": step.gui,
        "notes": list(step.notes),
    }


def _head(plan: Plan) -> dict[str, Any]:
    """Every key of :func:`plan_to_data` but the last, ``steps``."""
    return {"scenario": scenario_to_json(plan.scenario), **_middle(plan)}


def _middle(plan: Plan) -> dict[str, Any]:
    """The keys of :func:`plan_to_data` between ``scenario`` (first) and ``steps`` (last)."""
    return {
        "rollback": plan.is_rollback,
        "focus": None if plan.focus is None else {"failure": plan.focus[0], "stage": plan.focus[1]},
        "unresolved": list(plan.unresolved),
        "notes": list(plan.notes),
    }


def plan_to_data(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data (the documented shape)."""
    data = _head(plan)
    data["steps"] = [_step(s) for s in plan.steps]
    return data


def to_json(plan: Plan, *, indent: int | None = None) -> str:
    """The plan as a JSON document, ending in a newline: compact, or indented with ``indent``.

    Compact is the default because it runs through the json module's C encoder (``indent``
    makes json fall back to pure Python, several times slower); ``wmireach plan --format
    json`` indents for people.

    >>> from wmireach.model import _example
    >>> from wmireach.planning import plan
    >>> _json.loads(to_json(plan(_example())))["steps"][1]["on"]
    'target'
    """
    if indent is not None:
        return _json.dumps(plan_to_data(plan), indent=indent, ensure_ascii=False) + "\n"
    # Compact JSON of a dict is "{" + the '"key": value' pairs joined by ", " + "}", and
    # "steps" is the last key of plan_to_data: encode the rest, then append the steps, each
    # encoded once per distinct step.
    scenario = _scenario_json(plan.scenario)
    rest = _json.dumps(_middle(plan), ensure_ascii=False)
    steps = ", ".join([_step_json(s) for s in plan.steps])
    return '{"scenario": ' + scenario + ", " + rest[1:-1] + ', "steps": [' + steps + "]}\n"


def _scenario_json(scenario: Scenario) -> str:
    return _json.dumps(scenario_to_json(scenario), ensure_ascii=False)


@functools.lru_cache(maxsize=4096)
def _step_json(step: Step) -> str:
    return _json.dumps(_step(step), ensure_ascii=False)
