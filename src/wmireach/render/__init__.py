"""Render plans as text: netsh .cmd, PowerShell .ps1, .reg, Markdown and JSON.

Owns: :class:`Format` and :func:`render`; one module per format (:mod:`.netsh`,
:mod:`.powershell`, :mod:`.reg`, :mod:`.markdown`, :mod:`.json`) whose functions are named
``to_<format>`` so no function shares its module's name. All quoting lives in
:mod:`._quoting`. Every function returns ``str``; writing files is the caller's business.

Must not: do I/O, or decide what to change (that is :mod:`wmireach.planning`).

>>> from wmireach.model import _example
>>> from wmireach.planning import plan
>>> render(plan(_example()), Format.NETSH).splitlines()[0]
'@echo off'
"""

from __future__ import annotations

import enum

from wmireach.model import Side
from wmireach.planning import Plan

__all__ = ["Format", "render"]


class Format(enum.Enum):
    """The output formats of a plan."""

    NETSH = "netsh"
    POWERSHELL = "powershell"
    REG = "reg"
    MARKDOWN = "markdown"
    JSON = "json"

    @property
    def per_computer(self) -> bool:
        """Scripts run on one computer, so they are rendered one side at a time."""
        return self in (Format.NETSH, Format.POWERSHELL, Format.REG)

    @property
    def suffix(self) -> str:
        """The usual file name suffix."""
        return {"netsh": ".cmd", "powershell": ".ps1", "reg": ".reg", "markdown": ".md"}.get(
            self.value, ".json"
        )


def render(plan: Plan, format: Format | str, *, side: Side | None = None) -> str:
    """``plan`` as text in ``format``; scripts need ``side`` when both computers have steps.

    >>> from wmireach.model import _example
    >>> from wmireach.planning import plan
    >>> render(plan(_example()), "json").startswith("{")
    True
    """
    chosen = format if format.__class__ is Format else Format(format)
    if chosen is Format.NETSH:
        from wmireach.render.netsh import to_netsh

        return to_netsh(plan, side=side)
    if chosen is Format.POWERSHELL:
        from wmireach.render.powershell import to_powershell

        return to_powershell(plan, side=side)
    if chosen is Format.REG:
        from wmireach.render.reg import to_reg

        return to_reg(plan, side=side)
    target = plan if side is None else plan.on(side)
    if chosen is Format.MARKDOWN:
        from wmireach.render.markdown import to_markdown

        return to_markdown(target)
    from wmireach.render.json import to_json

    return to_json(target)
