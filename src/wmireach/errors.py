"""The exception tree of wmireach.

Owns: one root, :class:`WmiReachError`, and one class per kind of bad input. Each class also
subclasses the builtin a caller would catch without knowing wmireach (``ValueError``,
``LookupError``), so ``except ValueError`` keeps working.

Must not: import anything from wmireach, or carry I/O.
"""

from __future__ import annotations

__all__ = ["InvalidCode", "ScenarioError", "WmiReachError"]


class WmiReachError(Exception):
    """Root of every error wmireach raises on purpose.

    >>> issubclass(InvalidCode, WmiReachError)
    True
    """


class InvalidCode(WmiReachError, ValueError):
    """Input that cannot be read as a Windows error code.

    The message names what was given and which forms are accepted. Raised only for malformed
    input: every 32-bit value decodes, even one no table knows.

    >>> import wmireach
    >>> wmireach.decode("not a code")
    Traceback (most recent call last):
    ...
    wmireach.errors.InvalidCode: cannot read 'not a code' as a Windows error code: ...
    """

    def __init__(self, message: str, *, given: object = None) -> None:
        super().__init__(message)
        #: The input exactly as it was given, for callers that report it themselves.
        self.given = given


class ScenarioError(WmiReachError, ValueError):
    """A scenario that cannot exist (for example a domain account between two workgroup hosts)."""
