"""Quoting for each script language, in one place.

Owns: :func:`ps_quote` (PowerShell single-quoted literal), :func:`cmd_quote` (a double-quoted
argument in a .cmd batch file) and :func:`reg_quote` (a .reg string). Each refuses what its
language cannot hold inside a literal, so no input can end the literal and start a command.

Must not: do I/O, or decide what to render.

>>> ps_quote("o'brien $(calc)")
"'o''brien $(calc)'"
>>> cmd_quote("50% & more")
'"50%% & more"'
>>> reg_quote('C:\\\\x "y"')
'"C:\\\\\\\\x \\\\"y\\\\""'
"""

from __future__ import annotations

import functools
import re
from typing import Final

from wmireach.errors import ScenarioError

__all__ = ["cmd_quote", "ps_quote", "reg_quote"]

# PowerShell reads the typographic single quotes as quote characters too, so they are doubled
# like the ASCII one (PowerShell language spec, 2.3.5.2 "single-quote-character").
_PS_QUOTES: Final = re.compile("['\u2018\u2019\u201a\u201b]")
_LINE_BREAKS: Final = frozenset("\r\n\x00\x1a\u2028\u2029\x85")


@functools.lru_cache(maxsize=4096)  # pure; scripts quote the same names and labels again
def ps_quote(text: str) -> str:
    """``text`` as a PowerShell verbatim string: no expansion; quote characters doubled.

    >>> ps_quote("\u2019; Remove-Item C:\\\\ #")
    "'\u2019\u2019; Remove-Item C:\\\\ #'"
    """
    if "\x00" in text:
        raise ScenarioError(f"{text!r}: NUL cannot appear in a script")
    return "'" + _PS_QUOTES.sub(lambda m: m.group() * 2, text) + "'"


def cmd_quote(text: str, *, expand_environment: bool = False) -> str:
    """``text`` as one double-quoted batch-file argument.

    Inside double quotes ``& | < > ^ ( )`` are literal; ``%`` is doubled so nothing expands
    (scripts run with delayed expansion off, so ``!`` is literal too). A double quote or a line
    break cannot be made safe, and Windows refuses them in every field that reaches a script,
    so they raise. ``expand_environment`` keeps ``%windir%``-style references (validated by
    :func:`~wmireach.planning.check_program`) for cmd to expand.

    >>> cmd_quote("%windir%\\\\x.exe", expand_environment=True)
    '"%windir%\\\\x.exe"'
    """
    if '"' in text or set(text) & _LINE_BREAKS:
        raise ScenarioError(f"{text!r} cannot be quoted for cmd (double quote or line break)")
    return '"' + (text if expand_environment else text.replace("%", "%%")) + '"'


def reg_quote(text: str) -> str:
    """``text`` as a .reg string value: backslash and double quote escaped.

    >>> reg_quote("Y")
    '"Y"'
    """
    if set(text) & _LINE_BREAKS:
        raise ScenarioError(f"{text!r} cannot be written to a .reg file (line break)")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
