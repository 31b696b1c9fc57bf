"""Windows error codes: every way a user writes one, decoded into one value.

Owns: the :class:`HResult` value type, reading codes from ints, hex and decimal text, symbolic
names, whole messages as other tools print them (:func:`decode`, :func:`candidates`), and
finding codes in free text (:func:`find_codes`).

Must not: do I/O, or know about remote WMI beyond naming codes (the model and the diagnosis
give codes their meaning in a scenario).

Layout of a 32-bit value (MS-ERREF 2.1, facts §10.1): bit 31 S (severity), 30 R, 29 C
(customer), 28 N (NTSTATUS mapped into an HRESULT), 27 X, 26-16 facility (11 bits), 15-0 code.
"""

from __future__ import annotations

import enum
import functools
import re
import string
from collections.abc import Iterable, Iterator
from typing import Final

import attrs

from wmireach import _tables
from wmireach._tables import Kind
from wmireach.errors import InvalidCode

__all__ = [
    "CodeMatch",
    "Facility",
    "HResult",
    "Reading",
    "Severity",
    "candidates",
    "decode",
    "find_codes",
    "from_ntstatus",
    "from_win32",
]

_S_BIT: Final = 0x80000000
_R_BIT: Final = 0x40000000
_C_BIT: Final = 0x20000000
_N_BIT: Final = 0x10000000
_X_BIT: Final = 0x08000000
_FACILITY_WIN32: Final = 7
_FACILITY_ITF: Final = 4
_U32: Final = 0xFFFFFFFF
# DISP_E_EXCEPTION: pywin32 and VBScript wrap the real error in it ("Exception occurred."), so a
# message that holds it and another code is about the other code.
_WRAPPERS: Final = frozenset({0x80020009})

ACCEPTED_FORMS: Final = (
    "an int (signed or unsigned 32-bit); hex such as 0x800706BA, 800706ba or 0x6BA; "
    "decimal such as -2147023174, 2147944122 or 1722 (a Win32 error); a symbolic name such as "
    "E_ACCESSDENIED, RPC_S_SERVER_UNAVAILABLE, WBEM_E_ACCESS_DENIED or STATUS_ACCESS_DENIED; "
    "or a message that contains one of these or a known error message"
)


def from_win32(code: int) -> int:
    """``HRESULT_FROM_WIN32``: the HRESULT value of a Win32 error code (facts §10.4).

    >>> hex(from_win32(1722))
    '0x800706ba'
    """
    code &= _U32
    if code == 0 or code & _S_BIT:
        return code
    return (code & 0xFFFF) | 0x80070000


def from_ntstatus(status: int) -> int:
    """``HRESULT_FROM_NT``: an NTSTATUS value with the N bit set (facts §10.4).

    >>> hex(from_ntstatus(0xC0000022))
    '0xd0000022'
    """
    return (status | _N_BIT) & _U32


class Severity(enum.Enum):
    """How bad a code says things are.

    HRESULTs have one severity bit (success or error); NTSTATUS values, raw or mapped with the
    N bit, have two (success, informational, warning, error).
    """

    SUCCESS = "success"
    INFORMATIONAL = "informational"
    WARNING = "warning"
    ERROR = "error"


class Reading(enum.Enum):
    """How :func:`decode` read its input."""

    #: the input was the 32-bit value itself (int, hex or decimal).
    VALUE = "value"
    #: a small number read as a Win32 error code and mapped with HRESULT_FROM_WIN32.
    WIN32 = "win32"
    #: a symbolic name.
    NAME = "name"
    #: a known error message, with no code in it.
    MESSAGE = "message"


@attrs.frozen
class Facility:
    """The facility field of a code: its number and the ``FACILITY_`` names it has.

    >>> decode(0x800706BA).facility.name
    'FACILITY_WIN32'
    """

    value: int
    names: tuple[str, ...] = ()

    @property
    def name(self) -> str | None:
        """The first ``FACILITY_`` name, or None when no table knows the number."""
        return self.names[0] if self.names else None


def _check_value(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _U32:
        raise InvalidCode(
            f"HResult value must be an unsigned 32-bit int, got {value!r}", given=value
        )


@attrs.frozen(repr=False)
class HResult:
    """A 32-bit Windows error or status code, with everything known about it.

    Two codes are equal when their values are; how one was read (``reading``, ``note``) is
    kept for display only. Every 32-bit value is an HResult: one no table knows has
    ``name`` None.

    >>> hr = decode("0x800706BA")
    >>> hr.name, hr.win32, hr.facility.value, hr.signed
    ('RPC_S_SERVER_UNAVAILABLE', 1722, 7, -2147023174)
    >>> hr.message
    'The RPC server is unavailable.'
    """

    value: int = attrs.field(validator=_check_value)
    reading: Reading = attrs.field(default=Reading.VALUE, eq=False, kw_only=True)
    #: What the input was taken to mean, in a sentence ("" when it was the value itself).
    note: str = attrs.field(default="", eq=False, kw_only=True)
    #: The symbolic name the input used, shown first in ``names``.
    given_name: str | None = attrs.field(default=None, eq=False, kw_only=True)

    def __repr__(self) -> str:
        return f"HResult(value=0x{self.value:08X})"

    def __str__(self) -> str:
        name = self.name or "unknown code"
        message = f": {self.message}" if self.message else ""
        return f"{self.hex} {name}{message}"

    def __int__(self) -> int:
        return self.value

    def _repr_html_(self) -> str:
        """The notebook display: a table of the code (:func:`wmireach.display.hresult_html`)."""
        from wmireach.display import hresult_html  # above this layer: only when displayed

        return hresult_html(self)

    def _repr_markdown_(self) -> str:
        """The Markdown display: hex, name and message on one line."""
        from wmireach.display import hresult_markdown

        return hresult_markdown(self)

    # -- layout ---------------------------------------------------------------------------

    @property
    def hex(self) -> str:
        """``0x`` and eight upper-case hex digits, as Windows prints it."""
        return f"0x{self.value:08X}"

    @property
    def signed(self) -> int:
        """The value as a signed 32-bit int, as scripts and .NET print it."""
        return self.value - (1 << 32) if self.value & _S_BIT else self.value

    @property
    def s(self) -> bool:
        """Bit 31, the HRESULT severity bit (set: failure)."""
        return bool(self.value & _S_BIT)

    @property
    def r(self) -> bool:
        """Bit 30, R: reserved, or the second NTSTATUS severity bit."""
        return bool(self.value & _R_BIT)

    @property
    def c(self) -> bool:
        """Bit 29, C: customer-defined (not Microsoft's) code."""
        return bool(self.value & _C_BIT)

    @property
    def n(self) -> bool:
        """Bit 28, N: an NTSTATUS value mapped into an HRESULT (HRESULT_FROM_NT)."""
        return bool(self.value & _N_BIT)

    @property
    def x(self) -> bool:
        """Bit 27, X: reserved."""
        return bool(self.value & _X_BIT)

    @property
    def failed(self) -> bool:
        """``FAILED(hr)``: the value is negative as a signed int."""
        return self.s

    @property
    def is_ntstatus_shaped(self) -> bool:
        """True when the value is an NTSTATUS (raw: R set without N) or carries one (N set).

        A value with X set is neither: MS-ERREF says X should be 0, and the DCE fault codes
        (``nca_s_*``, 0x1C0xxxxx) that set both N and X are not NTSTATUS values.
        """
        return not self.x and (self.n or self.r)

    @property
    def severity(self) -> Severity:
        """Success or error for HRESULTs; the two NTSTATUS severity bits for NT values."""
        if self.is_ntstatus_shaped:
            return (Severity.SUCCESS, Severity.INFORMATIONAL, Severity.WARNING, Severity.ERROR)[
                self.value >> 30
            ]
        return Severity.ERROR if self.s else Severity.SUCCESS

    @property
    def facility(self) -> Facility:
        """Bits 16-26 (MS-ERREF; winerror.h's HRESULT_FACILITY masks 13 bits, facts §10.2)."""
        number = (self.value >> 16) & 0x7FF
        return Facility(number, _tables.facility_names(number, nt=self.is_ntstatus_shaped))

    @property
    def code(self) -> int:
        """Bits 0-15."""
        return self.value & 0xFFFF

    @property
    def win32(self) -> int | None:
        """The Win32 error code inside a ``0x8007xxxx`` HRESULT (0 for S_OK), else None."""
        if self.value == 0:
            return 0
        if self.value & 0xFFFF0000 == 0x80070000:
            return self.code
        return None

    @property
    def ntstatus(self) -> int | None:
        """The NTSTATUS value this code is (R set without N) or carries (N set), else None.

        A value no NTSTATUS table knows but shaped like a warning (0x8xxxxxxx) is not called
        an NTSTATUS; one that the tables name is.
        """
        if self.is_ntstatus_shaped:
            return self.value & ~_N_BIT
        if self.value == 0:
            return 0  # STATUS_SUCCESS, as S_OK is ERROR_SUCCESS
        if self.value and self.value & 0xFFFF0000 != 0x80070000 and _nt_names(self.value):
            return self.value
        return None

    # -- names and message ----------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """Every known symbolic name, the primary one first.

        Order: the name the input used; WMI names for WMI-range values; HRESULT names; the
        Win32 name of a ``0x8007xxxx`` code; the NTSTATUS name; DCE/RPC fault names.
        """
        found: list[str] = []
        if self.given_name:
            found.append(self.given_name)
        wbem = [entry[0] for entry in _tables.wbem_entries(self.value)]
        if self.facility.value == _FACILITY_ITF:
            found.extend(wbem)
        # impacket's HRESULT table adds no name to a 0x8007xxxx code that the SDK's HRESULT and
        # Win32 names lack (tests/test_tables.py keeps that true), and it is the largest table:
        # skip it there.
        entry = _tables.impacket_entry(Kind.HRESULT, self.value) if self.win32 is None else None
        if entry:
            found.append(entry[0])
        # The generic COM names (S_OK, E_FAIL) before subsystem aliases (SEC_E_OK, NTE_OP_OK).
        found.extend(sorted(_tables.sdk_names(Kind.HRESULT, self.value), key=_generic_first))
        if self.win32 is not None:
            found.extend(_win32_names(self.win32))
            found.extend(e[0] for e in _tables.dce_entries(self.win32))
        if self.ntstatus is not None:
            found.extend(_nt_names(self.ntstatus))
        found.extend(wbem)
        found.extend(e[0] for e in self._nca_entries())
        return tuple(dict.fromkeys(found))

    def _nca_entries(self) -> tuple[tuple[str, str, str], ...]:
        # Fault statuses below 0x10000 are Win32 numbers: they name 0x8007xxxx (see win32),
        # not the raw small value.
        return _tables.dce_entries(self.value) if self.value > 0xFFFF else ()

    @property
    def name(self) -> str | None:
        """The primary symbolic name, or None when no table knows the value."""
        names = self.names
        return names[0] if names else None

    @property
    def message(self) -> str | None:
        """The message Windows (or WMI) has for the code, or None when none is known.

        For ``0x8007xxxx`` the Win32 message comes first: it is what FormatMessage and
        PowerShell print ("Access is denied." rather than "General access denied error.").
        """
        for _name, message, _source in _tables.wbem_entries(self.value):
            if message and self.facility.value == _FACILITY_ITF:
                return message
        if self.win32 is not None:
            entry = _tables.impacket_entry(Kind.WIN32, self.win32)
            if entry and entry[1]:
                return entry[1]
        entry = _tables.impacket_entry(Kind.HRESULT, self.value)
        if entry and entry[1]:
            return entry[1]
        if self.ntstatus is not None:
            entry = _tables.impacket_entry(Kind.NTSTATUS, self.ntstatus)
            if entry and entry[1]:
                return entry[1]
        for table in (_tables.wbem_entries(self.value), self._nca_entries()):
            for _name, message, _source in table:
                if message:
                    return message
        return None

    @property
    def known(self) -> bool:
        """True when some table names the value."""
        return bool(self.names)


def _generic_first(name: str) -> bool:
    return not name.startswith(("S_", "E_"))


def _win32_names(code: int) -> list[str]:
    names = list(_tables.sdk_names(Kind.WIN32, code))
    entry = _tables.impacket_entry(Kind.WIN32, code)
    if entry:
        names.append(entry[0])
    return names


def _nt_names(status: int) -> list[str]:
    names = list(_tables.sdk_names(Kind.NTSTATUS, status))
    entry = _tables.impacket_entry(Kind.NTSTATUS, status)
    if entry:
        names.append(entry[0])
    return names


# -- reading input ----------------------------------------------------------------------------


def _invalid(given: object, why: str) -> InvalidCode:
    shown = repr(given)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InvalidCode(
        f"cannot read {shown} as a Windows error code: {why}. Accepted: {ACCEPTED_FORMS}",
        given=given,
    )


def _value_readings(number: int, spelled: str) -> list[HResult]:
    """The readings of a number, the most likely first (small numbers are Win32 errors)."""
    value = number & _U32
    as_value = HResult(value, note=f"read {spelled} as the 32-bit value {value:#010x}")
    if 0 < value <= 0xFFFF:
        as_win32 = HResult(
            from_win32(value),
            reading=Reading.WIN32,
            note=f"read {spelled} as Win32 error {value}, i.e. HRESULT_FROM_WIN32({value})",
        )
        return [as_win32, as_value]
    return [as_value]


def _check_range(number: int, given: object) -> None:
    if not -(1 << 31) <= number <= _U32:
        raise _invalid(given, "the number is outside the 32-bit range")


def _from_int(number: int, given: object) -> list[HResult]:
    _check_range(number, given)
    return _value_readings(number, str(number))


def _reading_of_name(kind: Kind, value: int, name: str) -> HResult:
    if kind is Kind.WIN32 or (kind is Kind.DCE and value <= 0xFFFF):
        hresult = from_win32(value)
        what = "Win32 error" if kind is Kind.WIN32 else "RPC fault status"
        note = f"{name} is {what} {value}, i.e. HRESULT_FROM_WIN32({value})"
    else:
        hresult = value
        note = f"{name} is {value:#010x}"
    return HResult(hresult, reading=Reading.NAME, note=note, given_name=name)


_KIND_ORDER: Final = {Kind.HRESULT: 0, Kind.WBEM: 1, Kind.WIN32: 2, Kind.NTSTATUS: 3, Kind.DCE: 4}


def _from_name(text: str) -> list[HResult] | None:
    readings = _tables.name_index().get(text.upper())
    if readings is None:
        return None
    ordered = sorted(readings, key=lambda kv: _KIND_ORDER[kv[0]])
    return _unique(
        _reading_of_name(kind, value, _canonical_name(kind, value, text)) for kind, value in ordered
    )


def _canonical_name(kind: Kind, value: int, text: str) -> str:
    """The name as its table spells it (``rpc_s_access_denied`` stays lower case)."""
    upper = text.upper()
    pools: list[Iterable[str]] = []
    if kind is Kind.WBEM:
        pools.append(e[0] for e in _tables.wbem_entries(value))
    elif kind is Kind.DCE:
        pools.append(e[0] for e in _tables.dce_entries(value))
    else:
        pools.append(_tables.sdk_names(kind, value))
        entry = _tables.impacket_entry(kind, value)
        if entry:
            pools.append((entry[0],))
    for pool in pools:
        for name in pool:
            if name.upper() == upper:
                return name
    return upper


def _unique(readings: Iterable[HResult]) -> list[HResult]:
    seen: dict[int, HResult] = {}
    for reading in readings:
        seen.setdefault(reading.value, reading)
    return list(seen.values())


_HEX_0X = re.compile(r"[+]?0[xX]([0-9A-Fa-f]{1,8})")
_HEX_BARE = re.compile(r"[0-9A-Fa-f]{1,8}")
_DECIMAL = re.compile(r"[+-]?\d+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _from_text(text: str, given: object) -> list[HResult]:
    stripped = text.strip()
    if not stripped:
        raise _invalid(given, "it is empty")
    if m := _HEX_0X.fullmatch(stripped):
        return _value_readings(int(m.group(1), 16), stripped)
    if _DECIMAL.fullmatch(stripped) and not (len(stripped) == 8 and stripped.isdigit()):
        number = int(stripped)
        _check_range(number, given)
        return _value_readings(number, stripped)
    if _HEX_BARE.fullmatch(stripped):
        readings = _value_readings(int(stripped, 16), stripped)
        if stripped.isdigit():  # eight decimal digits: hex first (800706BA style), decimal too
            readings += _value_readings(int(stripped), f"{stripped} (decimal)")
        return _unique(readings)
    if _NAME.fullmatch(stripped):
        named = _from_name(stripped)
        if named is not None:
            return named
        import difflib

        close = difflib.get_close_matches(stripped.upper(), _tables.name_index().keys(), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise _invalid(given, f"no table knows the name {stripped}{hint}")
    found = _unique(match.hresult for match in find_codes(stripped))
    if found:
        unwrapped = [hr for hr in found if hr.value not in _WRAPPERS]
        return unwrapped + [hr for hr in found if hr.value in _WRAPPERS]
    by_message = _from_message(stripped)
    if by_message:
        return by_message
    raise _invalid(given, "it holds no code, name or known error message")


def _from_message(text: str) -> list[HResult]:
    """Readings of a message with no code in it ("SWbemLocator: Access is denied.")."""
    normalized = _tables.normalize_message(text)
    index = _tables.message_index()
    hits: list[tuple[int, str]] = []
    for message in index:
        position = normalized.find(message)
        if position >= 0:
            hits.append((position, message))
    # The longest message wins: "the rpc server is unavailable" over a shorter one inside it.
    hits.sort(key=lambda hit: (-len(hit[1]), hit[0]))
    readings: list[HResult] = []
    for _position, message in hits:
        for kind, value in index[message]:
            hresult = from_win32(value) if kind is Kind.WIN32 else value
            readings.append(
                HResult(hresult, reading=Reading.MESSAGE, note=f"the message {message!r}")
            )
    return _unique(readings)


def _from_object(obj: object) -> list[HResult]:
    """Exceptions and tuples from other libraries: impacket, pywin32, OSError."""
    for attribute in ("hresult", "error_code", "winerror"):
        value = getattr(obj, attribute, None)
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return _from_int(value, obj)
            except InvalidCode:
                continue
    if isinstance(obj, BaseException):
        return _from_text(" ".join(str(arg) for arg in obj.args) or str(obj), obj)
    if isinstance(obj, (tuple, list)):
        return _from_text(repr(tuple(obj)), obj)
    raise _invalid(obj, f"a {type(obj).__name__} is neither an int nor text")


def candidates(x: object) -> tuple[HResult, ...]:
    """Every reading of ``x``, the most likely first; ``decode(x)`` is the first of them.

    >>> [hr.hex for hr in candidates("5")]
    ['0x80070005', '0x00000005']
    >>> candidates("5")[0].note
    'read 5 as Win32 error 5, i.e. HRESULT_FROM_WIN32(5)'
    """
    if isinstance(x, HResult):
        return (x,)
    if isinstance(x, bool):
        raise _invalid(x, "a bool is not a code")
    if isinstance(x, int):
        return tuple(_from_int(x, x))
    if isinstance(x, bytes):
        try:
            x = x.decode("utf-8")
        except UnicodeDecodeError:
            raise _invalid(x, "the bytes are not UTF-8 text") from None
    if isinstance(x, str):
        return tuple(_from_text(x, x))
    return tuple(_from_object(x))


def decode(x: object) -> HResult:
    """Decode any spelling of a Windows error code.

    Accepts an int (signed or unsigned 32-bit), hex or decimal text, a symbolic name in any
    case, a whole message as PowerShell, pywin32, impacket, wmic or aiowmi print it, or an
    exception object from those libraries. A small number (1 to 0xFFFF) is read as a Win32
    error first; :func:`candidates` lists the other readings. Raises :class:`InvalidCode`
    only for input that holds no code at all.

    >>> decode("(Exception from HRESULT: 0x800706BA)").name
    'RPC_S_SERVER_UNAVAILABLE'
    >>> decode("rpc_s_access_denied").hex
    '0x80070005'
    >>> decode(-2147217405).name
    'WBEM_E_ACCESS_DENIED'
    """
    return candidates(x)[0]


# -- finding codes in free text --------------------------------------------------------------


@attrs.frozen
class CodeMatch:
    """One code found in free text: where it is and what it decodes to.

    >>> [(m.start, m.text) for m in find_codes("code: 0x80041003 - WBEM_E_ACCESS_DENIED")]
    [(6, '0x80041003'), (19, 'WBEM_E_ACCESS_DENIED')]
    """

    start: int
    end: int
    text: str
    hresult: HResult


# A "." (or ":", "/", "-") right after a number ends a code only when no letter or digit
# follows it: "... failed with 0x800706BE." is a code, 0x1.2 and 10:01 are not.
# One pass over the text. No alternative starts with a lookbehind or needs IGNORECASE, so the
# regex engine skips quickly over text that cannot start a code; the boundary before a match
# is checked in Python, on the (rare) matches only.
_KEYWORDS = (
    "error|Error|ERROR|code|Code|CODE|status|Status|STATUS|hresult|HResult|HRESULT|hr|HR|"
    "fault|Fault|FAULT|winerror|WinError|WINERROR|result|Result|RESULT|rc|RC"
)
_FIND_PATTERN = (
    # a word that announces a code, then a number that may be short ("error 1722",
    # "[WinError 5]", "fault status code: 00000721", "code: 0x5").
    rf"(?P<ctx>(?:{_KEYWORDS})(?:[ \t]?[:=#(\[][ \t]?|[ \t]{{1,2}}))(?:"
    r"(?P<ctx_hex>0[xX][0-9A-Fa-f]{1,8})(?![0-9A-Za-z_]|\.[0-9A-Za-z])"
    r"|(?P<ctx_bare>[0-9A-Fa-f]{8})(?![0-9A-Za-z_]|[.-][0-9A-Za-z])"
    r"|(?P<ctx_dec>-?[0-9]{1,10})(?![0-9A-Za-z_]|[.:/-][0-9A-Za-z]))"
    # 0x-prefixed hex with all eight digits.
    r"|(?P<hex8>0[xX][0-9A-Fa-f]{8})(?![0-9A-Za-z_]|\.[0-9A-Za-z])"
    # bare 8-digit hex shaped like an HRESULT or NTSTATUS (800xxxxx, C00xxxxx, D00xxxxx), and
    # not the first group of a GUID.
    r"|(?P<bare>[89CDcd]0[0-9A-Fa-f]{6})(?![0-9A-Za-z_]|[.-][0-9A-Za-z])"
    # ten-digit decimals: signed (-2147024891) or unsigned (2147749891) 32-bit codes.
    r"|(?P<dec>-?[1-4][0-9]{9})(?![0-9A-Za-z_]|[.:/-][0-9A-Za-z])"
    # symbolic names as Windows spells them: upper case, or DCE fault names in lower case.
    r"|(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]|(?:rpc|nca|ept)_[a-z0-9_]*[a-z0-9])"
    r"(?![0-9A-Za-z_])"
)
#: Characters that may not stand right before a match of each kind.
_NOT_BEFORE: Final = {
    "ctx": frozenset(string.ascii_letters + string.digits + "_"),
    "hex8": frozenset(string.ascii_letters + string.digits + "_."),
    "bare": frozenset(string.ascii_letters + string.digits + "_.-"),
    "dec": frozenset(string.ascii_letters + string.digits + "_.:/-"),
    "name": frozenset(string.ascii_letters + string.digits + "_"),
}


@functools.cache
def _finder() -> re.Pattern[str]:
    # Compiled on first use: compiling costs more than the rest of importing this module.
    return re.compile(_FIND_PATTERN)


_MIN_SIGNED: Final = -(1 << 31)
_MIN_UNSIGNED_DEC: Final = 1 << 31


def _match_readings(group: str, token: str) -> HResult | None:
    if group == "name":
        named = _from_name(token)
        return named[0] if named else None
    if group == "dec":
        number = int(token)
        if number < 0:
            return HResult(number & _U32) if number >= _MIN_SIGNED else None
        return HResult(number) if _MIN_UNSIGNED_DEC <= number <= _U32 else None
    if group == "ctx_dec":
        number = int(token)
        if not -(1 << 31) <= number <= _U32:
            return None
        return _value_readings(number, token)[0] if number else HResult(0)
    digits = token[2:] if token[:2] in ("0x", "0X") else token
    return _value_readings(int(digits, 16), token)[0] if int(digits, 16) else HResult(0)


# Finding candidates. Running the pattern above over every position of a long log is slow in
# Python (each letter or digit may start a code), so the scan first finds the few positions
# where a code can start, with searches the regex engine does at memory speed (literals, and
# literals in a copy of the text with characters replaced by their class), then runs the
# pattern anchored at each. tests/test_find_codes.py checks that this finds exactly what the
# plain scan (_scan_reference there) finds.
_CHUNK: Final = 1 << 20  # characters per window: bounds the copies to a few MB
_OVERLAP: Final = 64  # longer than any trigger below
# Character classes: digits "d", upper case "U", lower case "l"; "_" and the rest unchanged.
_CLASSES: Final = str.maketrans(
    dict.fromkeys(string.digits, "d")
    | dict.fromkeys(string.ascii_uppercase, "U")
    | dict.fromkeys(string.ascii_lowercase, "l")
)
# Hex digits "x", the rest unchanged (a bare 800706BA or a ten-digit decimal is a run of 8+).
_HEX: Final = str.maketrans(dict.fromkeys(string.hexdigits, "x"))
_WORD_CLASS: Final = frozenset("dUl_")


@functools.cache
def _triggers() -> tuple[re.Pattern[str], ...]:
    keyword_tail = r"(?:[ \t]?[:=#(\[][ \t]?|[ \t]{1,2})[0-9a-f-]"
    keywords = sorted({k.lower() for k in _KEYWORDS.split("|")})
    # One literal-led pattern each: the engine searches a literal prefix at memory speed, but
    # an alternation of literals position by position. The tail is a lookahead: a match must
    # consume only the keyword, or the next one could start inside it ("CODE:CODE:5").
    return tuple(re.compile(re.escape(k) + "(?=" + keyword_tail + ")") for k in keywords)


@functools.cache
def _literal_triggers() -> dict[str, re.Pattern[str]]:
    return {
        "0x": re.compile("0[xX]"),  # in the text
        "hex_run": re.compile("xxxxxxxx"),  # in the text translated by _HEX
        "upper_name": re.compile("U_"),  # in the text translated by _CLASSES
        "rpc_": re.compile("rpc_"),  # DCE fault names, in the text
        "nca_": re.compile("nca_"),
        "ept_": re.compile("ept_"),
    }


def _candidates(text: str, lo: int, hi: int) -> list[int]:
    """Positions in [lo, hi) where a code may start (a superset; the pattern decides)."""
    window = text[lo : min(len(text), hi + _OVERLAP)]
    literal = _literal_triggers()
    found: set[int] = set()
    found.update(lo + m.start() for m in literal["0x"].finditer(window))
    for m in literal["hex_run"].finditer(window.translate(_HEX)):
        found.add(lo + m.start())
        found.add(lo + m.start() - 1)  # a sign before a decimal ("-2147024891")
    classes = window.translate(_CLASSES)
    for m in literal["upper_name"].finditer(classes):
        start = m.start()
        while start > 0 and classes[start - 1] in _WORD_CLASS:
            start -= 1
        if start == 0 and lo:  # the word may begin before this window
            start = _word_start(text, lo) - lo
        found.add(lo + start)
    for prefix in ("rpc_", "nca_", "ept_"):
        found.update(lo + m.start() for m in literal[prefix].finditer(window))
    lowered = window.lower()
    for pattern in _triggers():
        found.update(lo + m.start() for m in pattern.finditer(lowered))
    return sorted(p for p in found if lo <= p < hi or (p < lo and p >= 0 and lo - p <= _OVERLAP))


_ASCII_WORD: Final = frozenset(string.ascii_letters + string.digits + "_")


def _word_start(text: str, position: int) -> int:
    # ASCII word characters only, as in _CLASSES and _NOT_BEFORE: "é" ends a word here.
    while position > 0 and text[position - 1] in _ASCII_WORD:
        position -= 1
    return position


def _iter_codes(text: str) -> Iterator[CodeMatch]:
    match_at = _finder().match
    done = 0  # text before this has been reported or consumed
    for lo in range(0, len(text), _CHUNK):
        for position in _candidates(text, lo, lo + _CHUNK):
            if position < done:
                continue
            match = match_at(text, position)
            if match is None:
                continue
            group = match.lastgroup
            if group is None:  # pragma: no cover - every alternative is a named group
                continue
            kind = "ctx" if match.group("ctx") else group
            if position and text[position - 1] in _NOT_BEFORE[kind]:
                continue  # not a code here ("suberror 5", "a0x80070005")
            done = match.end()
            token = match.group(group)
            hresult = _match_readings(group, token)
            if hresult is not None:
                yield CodeMatch(match.start(group), match.end(group), token, hresult)


def find_codes(text: str) -> list[CodeMatch]:
    """Every code in free text (log lines, event messages, tracebacks), in order, with spans.

    Ordinary numbers are left alone: dates, times, PIDs, ports and addresses are not codes. A
    number counts when it is spelled like a code (``0x800706BA``, ``800706BA``, a ten-digit
    signed or unsigned 32-bit decimal) or follows a word that announces one ("error 1722",
    "status code: 00000721"). A name counts when a table knows it and it is spelled as Windows
    spells it: upper case (``E_ACCESSDENIED``), or lower case for DCE fault names
    (``rpc_s_access_denied``); :func:`decode` of a single name accepts any case.

    >>> [m.hresult.hex for m in find_codes("2026-11-22 10:01 pid 4312 port 135: error 1722")]
    ['0x800706BA']
    """
    if not isinstance(text, str):
        raise _invalid(text, f"find_codes takes text, not {type(text).__name__}")
    return list(_iter_codes(text))
