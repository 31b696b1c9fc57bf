"""The registry steps of one computer as a .reg file (Windows Registry Editor Version 5.00).

Owns: :func:`to_reg`. Steps that are not registry values are listed as comments naming the
format that can do them. Must not: do I/O.

>>> from wmireach.model import *
>>> from wmireach.planning import plan
>>> wg = Membership.workgroup()
>>> s = Scenario(client=Computer(name="A", release="win10", membership=wg),
...              target=Computer(name="B", release="win10", membership=wg),
...              account=Account(kind=AccountKind.LOCAL_ADMIN, name="x"), call_mode=CallMode.ASYNC)
>>> print(to_reg(plan(s), side=Side.TARGET).splitlines()[0])
Windows Registry Editor Version 5.00
"""

from __future__ import annotations

import functools

from wmireach.actions import WMI_APPID, DeleteRegistryValue, SetRegistryValue, SetWmiHosting
from wmireach.model import Side
from wmireach.planning import Plan, Step
from wmireach.render._quoting import reg_quote
from wmireach.render._words import describe, script_side

__all__ = ["to_reg"]

_HIVES = {"HKLM": "HKEY_LOCAL_MACHINE", "HKCU": "HKEY_CURRENT_USER"}


def _key(path: str) -> str:
    hive, _, rest = path.partition("\\")
    return "[" + _HIVES.get(hive.upper(), hive) + ("\\" + rest if rest else "") + "]"


def _comment(text: str) -> str:
    return "; " + " ".join(text.split())


def to_reg(plan: Plan, *, side: Side | None = None) -> str:
    """A .reg file with the registry values ``plan`` sets or deletes on one computer."""
    plan, side = script_side(plan, side)
    computer = plan.scenario.computer(side)
    lines = [
        "Windows Registry Editor Version 5.00",
        "",
        _comment(
            f"wmireach {'rollback' if plan.is_rollback else 'plan'} for {computer.name} "
            f"({computer.release.display_name}): registry values only."
        ),
    ]
    for step in plan.steps:
        lines += _step(step)
    return "\r\n".join(lines) + "\r\n"


@functools.lru_cache(maxsize=4096)  # pure; the same steps recur across plans and rollbacks
def _step(step: Step) -> tuple[str, ...]:
    """The lines of one step: its registry values, or a comment naming what it does instead."""
    lines: list[str] = []
    handled = False
    for action in step.actions:
        if isinstance(action, SetRegistryValue):
            value = (
                f"dword:{action.value:08x}"
                if isinstance(action.value, int)
                else reg_quote(action.value)
            )
            lines += [
                "",
                _comment(f"{step.id}: {step.title}"),
                _key(action.path),
                f"{reg_quote(action.name)}={value}",
            ]
            handled = True
        elif isinstance(action, DeleteRegistryValue):
            lines += [
                "",
                _comment(f"{step.id}: {step.title}"),
                _key(action.path),
                f"{reg_quote(action.name)}=-",
            ]
            handled = True
        elif isinstance(action, SetWmiHosting) and action.custom_port:
            endpoint = f"ncacn_ip_tcp,0,{action.port}"
            data = ",".join(f"{b:02x}" for b in (endpoint + "\0\0").encode("utf-16-le"))
            lines += [
                "",
                _comment(
                    f"{step.id}: fixed WMI port {action.port} (facts §6.4 "
                    "[S30]); then run winmgmt /standalonehost and restart winmgmt"
                ),
                _key(WMI_APPID),
                f'"Endpoints"=hex(7):{data}',
            ]
    if not handled:
        lines += [
            "",
            _comment(
                f"{step.id} is not a registry change; use the netsh, PowerShell or "
                "Markdown format: " + (describe(step.actions[0]) if step.actions else step.title)
            ),
        ]
    return tuple(lines)
